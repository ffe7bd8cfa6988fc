/**
 * pf `filterlog` lines of pfSense and OPNsense (CSV after a BSD or RFC 5424 header; layout in
 * pfSense's "Filter Log Format" documentation, checked against the Elastic pfsense samples):
 * rule, subrule, anchor, tracker, interface, reason, action, direction, ip version, then
 * IPv4: tos, ecn, ttl, id, offset, flags, proto number, proto name, length, src, dst;
 * IPv6: class, flow label, hop limit, proto name, proto number, length, src, dst;
 * then for tcp: sport, dport, datalen, flags (S A F R P U E W), seq, ack, window, urg, options;
 * udp: sport, dport, datalen. action block -> drop ('policy'); pass lines are counted, not read.
 */
import { countOf, isIP, portOf, protocolOf } from './fields.js';
import type { ReadState } from './state.js';
import { readSyslogHeader } from './syslog.js';

export function sniffPfFilterlogLine(line: string): boolean {
  return line.indexOf('filterlog') >= 0;
}

const PF_FLAGS: Record<string, string> = { S: 'SYN', A: 'ACK', F: 'FIN', R: 'RST', P: 'PSH', U: 'URG', E: 'ECE', W: 'CWR' };

export function readPfFilterlogLine(line: string, st: ReadState): void {
  const h = readSyslogHeader(line, st.clock);
  if (h.app !== 'filterlog') { st.skip(h.app ?? 'no program'); return; }
  let i = h.msgStart;
  if (line.charCodeAt(i) === 91) { // RFC 5424 structured data `[meta sequenceId="1"]`
    const close = line.indexOf('] ', i);
    i = close < 0 ? line.length : close + 2;
  }
  const f = line.slice(i).split(',');
  if (f.length < 12) { st.bad('filterlog with too few fields'); return; }
  const action = f[6], dir = f[7], v = f[8];
  if (action !== 'block' && action !== 'reject') { st.skip(`filterlog ${action}`); return; }
  let k: number, protoName: string, ipLen: number | null, src: string, dst: string;
  if (v === '4') { protoName = f[16]!; ipLen = countOf(f[17]); src = f[18]!; dst = f[19]!; k = 20; }
  else if (v === '6') { protoName = f[12]!; ipLen = countOf(f[14]); src = f[15]!; dst = f[16]!; k = 17; }
  else { st.bad(`filterlog ip version ${JSON.stringify(v)}`); return; }
  if (!isIP(src ?? '') || !isIP(dst ?? '')) { st.bad('filterlog source/destination is not an address'); return; }
  const [protocol, protocolNumber] = protocolOf(protoName ?? '');
  let sport: number | null = null, dport: number | null = null, payloadBytes: number | null = null, tcpFlags: string[] | null = null;
  if (protocol === 'tcp' || protocol === 'udp') {
    sport = portOf(f[k]); dport = portOf(f[k + 1]); payloadBytes = countOf(f[k + 2]);
    if (protocol === 'tcp') tcpFlags = [...(f[k + 3] ?? '')].map((c) => PF_FLAGS[c]).filter((x): x is string => x !== undefined);
  }
  const iface = f[4] || null;
  st.emit({
    type: 'drop', vendor: 'pf-filterlog', line: st.lineNo, host: h.host, timeUs: h.time === null ? null : h.time.timeUs,
    yearInferred: h.time !== null && h.time.yearInferred, messageKind: `filterlog ${action}`, protocol, protocolNumber,
    src: { address: src, port: sport, iface }, dst: { address: dst, port: dport, iface: null },
    kind: 'policy', action, tcpFlags, payloadBytes, inInterface: dir === 'in' ? iface : null, outInterface: dir === 'out' ? iface : null,
    direction: dir === 'in' ? 'inbound' : dir === 'out' ? 'outbound' : null, rule: f[3] || f[0] || null,
    ...(ipLen === null ? {} : { ipLengthBytes: ipLen }),
  });
}
