/** Palo Alto PAN-OS: the configuration lines, drop log, what to watch and limits (docs/PLATFORMS.md). */
import { withPrefix } from './address.js';
import { NOT_RUN, type PlatformConfig } from './platform-config.js';

export const panosConfig: PlatformConfig = {
  global: (p, c, protocol) => ({
    apply: { title: 'PAN-OS, global session timeout', lines: [`set deviceconfig setting session timeout-${protocol} ${Math.round(p)}`, 'commit'], notes: [NOT_RUN, 'Web interface: Device > Setup > Session > Session Timeouts.'] },
    rollback: { title: 'restore the current value', lines: [`set deviceconfig setting session timeout-${protocol} ${Math.round(c)}`, 'commit'], notes: [] },
    existingSessions: 'Whether existing sessions take the new value is unconfirmed.',
  }),
  perService: (services, _current, name = 'fwtp') => {
    const lines: string[] = [];
    const back: string[] = [];
    services.forEach((s, k) => {
      const svc = `${name}-svc-${k + 1}-${s.idleSeconds ?? 0}`;
      const addr = `${name}-dst-${k + 1}`;
      if (s.address !== null) lines.push(`set address ${addr} ip-netmask ${withPrefix(s.address)}`);
      lines.push(`set service ${svc} protocol ${s.protocol === 'udp' ? 'udp' : 'tcp'} port ${s.port ?? '0-65535'} override yes timeout ${Math.round(s.idleSeconds ?? 0)}`);
      lines.push(`set rulebase security rules ${name}-rule-${k + 1} from <from-zone> to <to-zone> source any destination ${s.address !== null ? addr : 'any'} application any service ${svc} action allow`);
      back.push(`set service ${svc} protocol ${s.protocol === 'udp' ? 'udp' : 'tcp'} override no`);
    });
    lines.push('commit');
    back.push('commit');
    return {
      apply: { title: 'PAN-OS: service object with a timeout override', lines, notes: [NOT_RUN, 'TCP Timeout 1..604800 s; place the rule above the rule that allows this traffic today.'] },
      rollback: { title: 'drop the override (or delete the rule)', lines: back, notes: [] },
      existingSessions: 'Whether existing sessions take the override is unconfirmed: plan a reconnect of the affected pool to be sure.',
    };
  },
  dropLog: (e) => `no per-packet record for non-SYN drops; the TRAFFIC "end" record of the session (${e.client} to ${e.server}) with Session End Reason aged-out`,
  watch: [
    'Sessions: show session info (table size and utilisation).',
    'Drops: show counter global filter delta yes (non-SYN TCP drops).',
    'TRAFFIC logs with session end reason aged-out for the services in the evidence.',
  ],
  limits: { minSeconds: 1, maxSeconds: 604800, perService: true, note: 'TCP Timeout runs 1..604800 s' },
};
