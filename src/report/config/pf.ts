/** pf (OpenBSD, FreeBSD): the configuration lines, drop log, what to watch and limits (docs/PLATFORMS.md). */
import type { PlatformConfig } from './platform-config.js';

export const pfConfig: PlatformConfig = {
  global: (p, c, protocol) => {
    const key = protocol === 'udp' ? 'udp.multiple' : 'tcp.established';
    return {
      apply: { title: 'pf, global (pf.conf)', lines: [`set timeout ${key} ${Math.round(p)}`, 'pfctl -f /etc/pf.conf'], notes: ['pf.conf(5) "set timeout".'] },
      rollback: { title: 'restore the current value', lines: [`set timeout ${key} ${Math.round(c)}`, 'pfctl -f /etc/pf.conf'], notes: [] },
      existingSessions: 'A state keeps the timeouts of the rule that created it; a global set timeout reaches states whose rule has none of its own (inferred from pf_state_expires).',
    };
  },
  perService: (services) => {
    const lines = services.map((s) => {
      const proto = s.protocol === 'udp' ? 'udp' : 'tcp';
      const to = s.address ?? 'any';
      const port = s.port !== null ? ` port ${s.port.replace('-', ':')}` : '';
      const opt = proto === 'udp' ? `udp.multiple ${Math.round(s.idleSeconds ?? 0)}` : `tcp.established ${Math.round(s.idleSeconds ?? 0)}`;
      return `pass in on $int_if proto ${proto} from any to ${to}${port}${proto === 'tcp' ? ' flags S/SA' : ''} keep state (${opt})`;
    });
    lines.push('pfctl -f /etc/pf.conf');
    return {
      apply: { title: 'pf: rule with its own state timeout (pf.conf)', lines, notes: ['pf.conf(5), STATEFUL TRACKING OPTIONS; place the rule where it matches before the rule that passes this traffic today (last match wins unless quick).'] },
      rollback: { title: 'remove the rule (or its timeout option) and reload', lines: ['pfctl -f /etc/pf.conf'], notes: ['Edit pf.conf back to the previous rule first.'] },
      existingSessions: 'Existing states keep the timeouts of the rule that created them: only connections opened after the reload get the new timeout; plan a reconnect.',
    };
  },
  dropLog: (e) => `a pflog record (tcpdump -n -e -tttt -S -i pflog0) "rule N/0(match): block in on <if>: ${e.src}.${e.sport} > ${e.dst}.${e.dport}: Flags [.]" (ACK without S), only if the block rule has log`,
  watch: [
    'States: pfctl -si (current entries, state-limit counter) and pfctl -sm (limits).',
    'Drop log: tcpdump -n -e -i pflog0 for blocked packets with Flags [.] (no S) from the services in the evidence.',
  ],
  limits: { minSeconds: 1, maxSeconds: Number.MAX_SAFE_INTEGER, perService: true, note: 'no documented maximum' },
};
