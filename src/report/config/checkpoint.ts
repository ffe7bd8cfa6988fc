/** Check Point: the configuration lines, drop log, what to watch and limits (docs/PLATFORMS.md). */
import { NOT_RUN, type PlatformConfig } from './platform-config.js';

export const checkpointConfig: PlatformConfig = {
  global: (p, c, protocol) => {
    const key = protocol === 'udp' ? 'udp-virtual-session-timeout' : 'tcp-session-timeout';
    return {
      apply: { title: 'Check Point, Global Properties > Stateful Inspection', lines: [`mgmt_cli set-global-properties stateful-inspection.${key} ${Math.round(p)}`, 'mgmt_cli publish', 'mgmt_cli install-policy policy-package "<package>" targets "<gateway>"'], notes: [NOT_RUN] },
      rollback: { title: 'restore the current value', lines: [`mgmt_cli set-global-properties stateful-inspection.${key} ${Math.round(c)}`, 'mgmt_cli publish', 'mgmt_cli install-policy policy-package "<package>" targets "<gateway>"'], notes: [] },
      existingSessions: 'Whether existing connections take the new value is unconfirmed.',
    };
  },
  perService: (services, _current, name = 'fwtp') => {
    const lines: string[] = [];
    const back: string[] = [];
    for (const s of services) {
      const object = `${name}-${s.port ?? 'any'}-${s.idleSeconds ?? 0}`;
      const kind = s.protocol === 'udp' ? 'service-udp' : 'service-tcp';
      lines.push(`mgmt_cli add ${kind} name "${object}" port ${s.port ?? '1-65535'} session-timeout ${Math.round(s.idleSeconds ?? 0)} use-default-session-timeout false match-for-any false`);
      back.push(`mgmt_cli set ${kind} name "${object}" use-default-session-timeout true`);
    }
    lines.push('mgmt_cli publish');
    back.push('mgmt_cli publish', 'mgmt_cli install-policy policy-package "<package>" targets "<gateway>"');
    const dst = services.map((s) => s.address ?? 'any').join(', ');
    return {
      apply: { title: 'Check Point: TCP service object with its own session timeout', lines, notes: [NOT_RUN, `Use the service in the rule whose destination is ${dst}; publish and install the policy.`] },
      rollback: { title: 'back to the default session timeout', lines: back, notes: [] },
      existingSessions: 'Whether existing connections take the new timeout is unconfirmed: plan a reconnect of the affected pool to be sure.',
    };
  },
  dropLog: (e) => `a Drop log entry src:"${e.src}"; s_port:"${e.sport}"; dst:"${e.dst}"; service:"${e.dport}"; tcp_flags:"ACK" with "TCP packet out of state: First packet isn't SYN"`,
  watch: [
    'Connections: fw tab -t connections -s (#VALS now, #PEAK).',
    'Drop log: "TCP packet out of state: First packet isn\'t SYN" for the services in the evidence.',
  ],
  limits: { minSeconds: 1, maxSeconds: Number.MAX_SAFE_INTEGER, perService: true, note: 'maximum unconfirmed' },
};
