/**
 * `sysctl` dumps (`sysctl net.netfilter`, `sysctl -a`): every numeric
 * net.netfilter.nf_conntrack_* value, and the timeouts among them by FlowState name.
 */
import type { ConntrackInput } from './conntrack-input.js';
import { firstNonBlank, type Sink, type Skip } from './conntrack-sink.js';
import { parseSysctlLine } from './conntrack-text.js';
import { normaliseTimeoutName, stateTimeoutsFromKeys } from './conntrack-timeouts.js';

export function sysctlSink(input: ConntrackInput, skip: Skip): Sink {
  const raw: Record<string, number> = {};
  return {
    line(b, s, e, lineNo) {
      const p = firstNonBlank(b, s, e);
      if (p === e || b[p] === 35) return;
      const text = b.toString('latin1', p, e);
      const kv = parseSysctlLine(text);
      if (kv === null) { skip(lineNo, 'not a sysctl "name = value" line', b, s, e); return; }
      if (!kv.name.startsWith('net.netfilter.nf_conntrack_')) return; // the rest of sysctl -a
      if (!/^\d+$/.test(kv.value)) return;
      raw[kv.name.slice('net.netfilter.'.length)] = Number(kv.value);
    },
    finish() {
      input.sysctlRaw = raw;
      const timeouts: Record<string, number> = {};
      for (const [k, v] of Object.entries(raw)) if (normaliseTimeoutName(k) !== null) timeouts[k] = v;
      input.sysctlTimeouts = stateTimeoutsFromKeys(timeouts);
      if (Object.keys(timeouts).length === 0) {
        input.warnings.push('no net.netfilter.nf_conntrack_*timeout* values in this sysctl dump: the timeouts come from the platform profile');
      }
      if (raw.nf_conntrack_icmp_timeout !== undefined && raw.nf_conntrack_icmpv6_timeout !== undefined &&
        raw.nf_conntrack_icmp_timeout !== raw.nf_conntrack_icmpv6_timeout) {
        input.warnings.push(`icmp and icmpv6 timeouts differ (${raw.nf_conntrack_icmp_timeout} s, ${raw.nf_conntrack_icmpv6_timeout} s): the model's icmp state uses the IPv4 value`);
      }
    },
  };
}
