/**
 * FortiGate traffic logs, key=value (syslog or FortiAnalyzer export) and JSON lines
 * (session-logs.md, drop-logs.md; FortiOS Log Message Reference, logid 0000000013):
 * type=traffic lines with action timeout / close / client-rst / server-rst / accept / ... ->
 * session-end (duration in s, includes the idle wait: inference in session-logs.md); action
 * start -> session-start; action deny -> drop ('no-connection' when msg="no session matched").
 * Time: eventtime (s, ms, µs or ns by digit count) when present, else date= time= in tz= (or
 * options.tz).
 */
import { countOf, portOf, protocolOf, scanPairs } from './fields.js';
import type { ReadState } from './state.js';
import { parseZoneOffsetMinutes } from './syslog.js';
import type { EndReason, Endpoint } from './types.js';

export function sniffFortigateLine(line: string): boolean {
  return line.indexOf('logid=') >= 0 && line.indexOf('type=') >= 0 && (line.indexOf('date=') >= 0 || line.indexOf('eventtime=') >= 0)
    || (line.charCodeAt(0) === 123 && line.indexOf('"logid"') >= 0 && line.indexOf('"type"') >= 0);
}

/** FortiOS traffic `action` (Log Message Reference 26; Community tip 407206) in fwtp's vocabulary. */
export function fortigateEndReason(action: string): [EndReason, boolean] {
  switch (action) {
    case 'timeout': return ['idle-timeout', false];
    case 'close': return ['fin', true]; // also written for idle TCP sessions (KB FD48671): ambiguous
    case 'client-rst': return ['rst-client', false];
    case 'server-rst': return ['rst-server', false];
    default: return ['other', false];
  }
}

/** µs from an eventtime of 10 (s), 13 (ms), 16 (µs) or 19 (ns) digits, else NaN. */
export function eventTimeUs(text: string): number {
  if (!/^\d{9,19}$/.test(text)) return NaN;
  const len = text.length;
  if (len <= 10) return Number(text) * 1e6;
  if (len <= 13) return Number(text) * 1e3;
  if (len <= 16) return Number(text);
  return Number(text.slice(0, len - 3)); // ns: drop the last 3 digits (keeps integer µs exactly)
}

function fromJson(line: string): Map<string, string> | null {
  let o: unknown;
  try { o = JSON.parse(line); } catch { return null; }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return null;
  const m = new Map<string, string>();
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) if (v !== null && typeof v !== 'object') m.set(k, String(v));
  return m;
}

/** Index of the first key=value pair (after any syslog header). */
function pairsStart(line: string): number {
  const eq = line.indexOf('=');
  if (eq < 0) return -1;
  let i = eq;
  while (i > 0 && line.charCodeAt(i - 1) !== 32 && line.charCodeAt(i - 1) !== 62) i--; // space or '>'
  return i;
}

export function readFortigateLine(line: string, st: ReadState): void {
  let kv: Map<string, string> | null;
  if (line.charCodeAt(0) === 123) kv = fromJson(line);
  else { const s = pairsStart(line); kv = s < 0 ? null : scanPairs(line, s, 61, new Map()); }
  if (kv === null || kv.size === 0) { st.bad('no key=value pairs'); return; }
  const type = kv.get('type') ?? '';
  const subtype = kv.get('subtype') ?? '';
  if (type !== 'traffic') { st.skip(`${type || '?'}/${subtype || '?'}`); return; }
  const action = kv.get('action') ?? '';
  let timeUs = eventTimeUs(kv.get('eventtime') ?? '');
  if (Number.isNaN(timeUs)) {
    const d = kv.get('date') ?? '', t = kv.get('time') ?? '';
    const tz = kv.get('tz');
    const off = tz === undefined ? null : parseZoneOffsetMinutes(tz);
    const dm = /^(\d{4})-(\d{2})-(\d{2})$/.exec(d), tm = /^(\d{2}):(\d{2}):(\d{2})$/.exec(t);
    timeUs = dm && tm ? st.clock.toUs(+dm[1]!, +dm[2]!, +dm[3]!, +tm[1]!, +tm[2]!, +tm[3]!, 0, off === null || Number.isNaN(off) ? null : off) : NaN;
  }
  const [protocol, protocolNumber] = protocolOf(kv.get('proto') ?? '');
  const src: Endpoint = { address: kv.get('srcip') ?? '', port: portOf(kv.get('srcport')), iface: kv.get('srcintf') ?? null };
  const dst: Endpoint = { address: kv.get('dstip') ?? '', port: portOf(kv.get('dstport')), iface: kv.get('dstintf') ?? null };
  if (src.address === '' || dst.address === '') { st.skip(`traffic/${subtype} without addresses`); return; }
  const base = {
    vendor: 'fortigate' as const, line: st.lineNo, host: kv.get('devname') ?? null,
    timeUs: Number.isNaN(timeUs) ? null : timeUs, yearInferred: false, messageKind: `traffic/${subtype}`,
    protocol, protocolNumber, src, dst,
  };
  if (action === 'deny') {
    const msg = kv.get('msg') ?? '';
    st.emit({
      type: 'drop', ...base, kind: msg === 'no session matched' ? 'no-connection' : 'policy', action, tcpFlags: null,
      payloadBytes: null, inInterface: src.iface, outInterface: dst.iface, direction: null, rule: kv.get('policyid') ?? null,
    });
    return;
  }
  // trandisp snat/dnat/snat+dnat: transip/transport is the translated source, tranip/tranport the destination.
  const trandisp = kv.get('trandisp') ?? '';
  const natSrc: Endpoint | null = trandisp.includes('snat') && kv.get('transip') ? { address: kv.get('transip')!, port: portOf(kv.get('transport')), iface: src.iface } : null;
  const natDst: Endpoint | null = trandisp.includes('dnat') && kv.get('tranip') ? { address: kv.get('tranip')!, port: portOf(kv.get('tranport')), iface: dst.iface } : null;
  const session = { ...base, natSrc, natDst, initiator: 'src' as const, connectionId: kv.get('sessionid') ?? null };
  if (action === 'start') { st.emit({ type: 'session-start', ...session, direction: null }); return; }
  const [endReason, ambiguous] = fortigateEndReason(action);
  const sent = countOf(kv.get('sentbyte')), rcvd = countOf(kv.get('rcvdbyte'));
  st.emit({
    type: 'session-end', ...session, durationSeconds: countOf(kv.get('duration')), durationResolutionSeconds: 1,
    durationCovers: 'start-to-end', startUs: null, bytes: sent === null && rcvd === null ? null : (sent ?? 0) + (rcvd ?? 0),
    endReason, rawReason: action, reasonAmbiguous: ambiguous,
  });
}
