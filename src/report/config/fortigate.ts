/** FortiGate: the configuration lines, drop log, what to watch and limits (docs/PLATFORMS.md). */
import { ipv4Mask, isV6, splitPrefix } from './address.js';
import { NOT_RUN, type PlatformConfig } from './platform-config.js';

export const fortigateConfig: PlatformConfig = {
  global: (p, c) => ({
    apply: { title: 'FortiGate, default session-ttl', lines: ['config system session-ttl', `    set default ${Math.round(p)}`, 'end'], notes: [NOT_RUN, 'Applies to sessions without a policy, service or port session-ttl of their own.'] },
    rollback: { title: 'restore the current value', lines: ['config system session-ttl', `    set default ${Math.round(c)}`, 'end'], notes: [] },
    existingSessions: 'Whether existing sessions take the new value is unconfirmed.',
  }),
  perService: (services, _current, name = 'fwtp') => {
    const lines: string[] = [];
    const back: string[] = [];
    services.forEach((s, k) => {
      const svc = `FWTP-${s.port ?? 'ANY'}-${s.idleSeconds ?? 0}`;
      const addr = `${name}-dst-${k + 1}`;
      if (s.address !== null && !isV6(s.address)) {
        const { addr: a, prefix } = splitPrefix(s.address);
        lines.push('config firewall address', `    edit "${addr}"`, `        set subnet ${a} ${ipv4Mask(prefix ?? 32)}`, '    next', 'end');
      }
      lines.push('config firewall service custom', `    edit "${svc}"`, `        set ${s.protocol === 'udp' ? 'udp' : 'tcp'}-portrange ${s.port ?? '1-65535'}`, `        set session-ttl ${Math.round(s.idleSeconds ?? 0)}`, '    next', 'end');
      lines.push('config firewall policy', '    edit 0', '        set srcintf "<srcintf>"', '        set dstintf "<dstintf>"', '        set srcaddr "all"',
        `        set dstaddr "${s.address !== null && !isV6(s.address) ? addr : 'all'}"`, `        set service "${svc}"`, '        set action accept', '        set schedule "always"', '    next', 'end');
      back.push('config firewall service custom', `    edit "${svc}"`, '        set session-ttl 0', '    next', 'end');
    });
    return {
      apply: { title: 'FortiGate: custom service with its own session-ttl', lines, notes: [NOT_RUN, 'session-ttl 300..2764800 s, 0 = default; a custom service beats the policy, port and default values. Move the policy above the one that allows this traffic today.'] },
      rollback: { title: 'back to the default session-ttl (0)', lines: back, notes: [] },
      existingSessions: 'Whether existing sessions take the new TTL is unconfirmed: plan a reconnect of the affected pool to be sure.',
    };
  },
  dropLog: (e) => `a traffic log entry srcip=${e.src} srcport=${e.sport} dstip=${e.dst} dstport=${e.dport} ... action="deny" ... msg="no session matched" (only with "set log-invalid-packet enable")`,
  watch: [
    'Sessions: diagnose sys session stat (session count, drops).',
    'Drop log: traffic log entries msg="no session matched" for the services in the evidence (enable log-invalid-packet).',
  ],
  limits: { minSeconds: 300, maxSeconds: 2764800, perService: true, note: 'session-ttl runs 300..2764800 s' },
};
