/** Juniper SRX: the configuration lines, drop log, what to watch and limits (docs/PLATFORMS.md). */
import { withPrefix } from './address.js';
import { NOT_RUN, type PlatformConfig } from './platform-config.js';

export const juniperSrxConfig: PlatformConfig = {
  global: (p, c) => ({
    apply: { title: 'Juniper SRX: no global knob; the timeout belongs to the application', lines: [`set applications application <application> inactivity-timeout ${Math.round(p)}`, 'commit'],
      notes: [NOT_RUN, 'The TCP default 1800 s comes from the protocol table; predefined junos-* applications cannot be changed: define your own applications for the policies that carry this traffic.'] },
    rollback: { title: 'restore the current value', lines: [c === 1800 ? 'delete applications application <application> inactivity-timeout' : `set applications application <application> inactivity-timeout ${Math.round(c)}`, 'commit'], notes: [] },
    existingSessions: 'Whether existing sessions take the new value is unconfirmed.',
  }),
  perService: (services, _current, name = 'fwtp') => {
    const lines: string[] = [];
    const back: string[] = [];
    services.forEach((s, k) => {
      const app = `${name}-${s.port ?? 'any'}-${s.idleSeconds ?? 0}`;
      lines.push(`set applications application ${app} protocol ${s.protocol === 'udp' ? 'udp' : 'tcp'}${s.port !== null ? ` destination-port ${s.port}` : ''} inactivity-timeout ${Math.round(s.idleSeconds ?? 0)}`);
      if (s.address !== null) lines.push(`set security zones security-zone <to-zone> address-book address ${name}-dst-${k + 1} ${withPrefix(s.address)}`);
      lines.push(`set security policies from-zone <from-zone> to-zone <to-zone> policy ${name}-${k + 1} match source-address any destination-address ${s.address !== null ? `${name}-dst-${k + 1}` : 'any'} application ${app}`,
        `set security policies from-zone <from-zone> to-zone <to-zone> policy ${name}-${k + 1} then permit`);
      back.push(`delete applications application ${app} inactivity-timeout`);
    });
    lines.push('commit');
    back.push('commit');
    return {
      apply: { title: 'Juniper SRX: application with its own inactivity-timeout', lines, notes: [NOT_RUN, 'Range 4..86400 s or never; insert the policy above the one that permits this traffic today. Applications with the same protocol and overlapping ports share the last configured timeout.'] },
      rollback: { title: 'back to the default timeout', lines: back, notes: [] },
      existingSessions: 'Whether existing sessions take the new timeout is unconfirmed: plan a reconnect of the affected pool to be sure.',
    };
  },
  dropLog: (e) => `no per-packet record by default; RT_FLOW_SESSION_CLOSE "session closed idle Timeout" for the aged session (${e.client} to ${e.server})`,
  watch: [
    'Sessions: show security flow session summary.',
    'RT_FLOW_SESSION_CLOSE records with reason idle Timeout for the services in the evidence.',
  ],
  limits: { minSeconds: 4, maxSeconds: 86400, perService: true, note: 'inactivity-timeout runs 4..86400 s (or never)' },
};
