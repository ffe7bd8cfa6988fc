/** Cisco ASA: the configuration lines, drop log, what to watch and limits (docs/PLATFORMS.md). */
import type { ServiceChange } from '../change-request.js';
import { ipv4Mask, isV6, splitPrefix } from './address.js';
import { NOT_RUN, type PlatformConfig } from './platform-config.js';

/** h:mm:ss as Cisco ASA writes timeouts (hours may exceed 24). */
export function asaDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}

function asaMatch(s: ServiceChange): string {
  const proto = s.protocol === 'udp' ? 'udp' : 'tcp';
  let dst = 'any';
  if (s.address !== null) {
    const { addr, prefix } = splitPrefix(s.address);
    dst = prefix === null ? `host ${addr}` : isV6(addr) ? s.address : `${addr} ${ipv4Mask(prefix)}`;
  }
  const port = s.port === null ? '' : s.port.includes('-') ? ` range ${s.port.replace('-', ' ')}` : ` eq ${s.port}`;
  return `${proto} any ${dst}${port}`;
}

export const ciscoAsaConfig: PlatformConfig = {
  global: (p, c, protocol) => ({
    apply: { title: 'Cisco ASA, global', lines: [`timeout ${protocol === 'udp' ? 'udp' : 'conn'} ${asaDuration(p)}`], notes: [NOT_RUN, 'Cisco ASA CLI Configuration Guide, "Configure Global Timeouts".'] },
    rollback: { title: 'restore the current value', lines: [`timeout ${protocol === 'udp' ? 'udp' : 'conn'} ${asaDuration(c)}`], notes: [] },
    existingSessions: 'Whether existing connections take the new global value is unconfirmed: watch the sessions in the evidence after the change.',
  }),
  perService: (services, _current, name = 'fwtp') => {
    const lines: string[] = [];
    const back: string[] = [];
    services.forEach((s, k) => {
      const object = `${name.toUpperCase()}-${k + 1}`;
      lines.push(`access-list ${object} extended permit ${asaMatch(s)}`, `class-map ${object}`, ` match access-list ${object}`);
      back.push('policy-map global_policy', ` no class ${object}`, `no class-map ${object}`, `no access-list ${object} extended permit ${asaMatch(s)}`);
    });
    lines.push('policy-map global_policy');
    services.forEach((s, k) => lines.push(` class ${name.toUpperCase()}-${k + 1}`, `  set connection timeout idle ${asaDuration(s.idleSeconds ?? 0)}`));
    lines.push('service-policy global_policy global');
    return {
      apply: { title: 'Cisco ASA: MPF class with its own idle timeout', lines, notes: [NOT_RUN, 'Idle 0:0:1..1193:0:0, 0 = never; "dcd" (dead connection detection) would instead probe both ends and keep live idle connections.'] },
      rollback: { title: 'remove the class', lines: back, notes: [] },
      existingSessions: 'Whether connections opened before the change take the class timeout is unconfirmed: plan a reconnect of the affected pool to be sure.',
    };
  },
  dropLog: (e) => `%ASA-6-106015: Deny ${e.proto.toUpperCase()} (no connection) from ${e.src}/${e.sport} to ${e.dst}/${e.dport} flags ACK on interface <if>`,
  watch: [
    'Connections: show conn count.',
    'Drops: show asp drop (tcp-not-syn: first TCP packet not SYN).',
    'Drop log: %ASA-6-106015 "Deny TCP (no connection)" for the services in the evidence.',
  ],
  limits: { minSeconds: 1, maxSeconds: 1193 * 3600, perService: true, note: 'idle timeouts run 0:0:1..1193:0:0' },
};
