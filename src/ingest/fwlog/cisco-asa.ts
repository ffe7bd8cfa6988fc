/**
 * Cisco ASA and FTD syslog (session-logs.md, drop-logs.md; Cisco "Messages 302003 to 319004"):
 * 302013/302015 Built TCP/UDP, 302014/302016 Teardown TCP/UDP (duration h:mm:ss, bytes, reason),
 * 302020/302021 Built/Teardown ICMP, 106015 Deny TCP (no connection) with flags, 106023 ACL deny,
 * 106100 access-list ... denied. Framing: with or without a collector header, with or without
 * `logging timestamp`, BSD or RFC 5424; the message is found by its `%ASA-` / `%FTD-` tag.
 * Teardowns name real addresses only: the mapped (NAT) forms come from the Built line with the
 * same connection id, kept until the teardown (memory bounded by the sessions open at once).
 */
import { countOf, isIP, parseHms, portOf, protocolOf } from './fields.js';
import type { ReadState } from './state.js';
import { readSyslogHeader, timeAt, type ParsedTime } from './syslog.js';
import type { DropRecord, EndReason, Endpoint, SessionEndRecord, SessionStartRecord } from './types.js';

/** Built lines kept for their NAT forms and direction, by connection id; bounded. */
const MAX_OPEN = 1_000_000;

interface Built { natSrc: Endpoint | null; natDst: Endpoint | null; initiator: 'src' | 'dst' | null }

/** State across lines of one file: Built lines by connection id. */
export class AsaContext {
  readonly open = new Map<string, Built>();
}

/** Index of the `%ASA` / `%FTD` / `%FDT` tag, or -1. */
export function asaTagIndex(line: string): number {
  for (let p = line.indexOf('%'); p >= 0; p = line.indexOf('%', p + 1)) {
    const a = line.charCodeAt(p + 1), b = line.charCodeAt(p + 2), c = line.charCodeAt(p + 3);
    if ((a === 65 && b === 83 && c === 65) || (a === 70 && b === 84 && c === 68) || (a === 70 && b === 68 && c === 84)) return p;
  }
  return -1;
}

/** Whether a line is an ASA/FTD message (for sniffing). */
export function sniffCiscoAsaLine(line: string): boolean {
  const p = asaTagIndex(line);
  return p >= 0 && messageIdAt(line, p) !== null;
}

/** [message id, index of the body] after the tag: `%ASA-6-302013: `, `%ASA-session-5-106100:`, `%FTD<Up>-4-313005`, `%FTD--6-852002`. */
function messageIdAt(line: string, tag: number): [string, number] | null {
  const limit = Math.min(line.length, tag + 40);
  for (let i = tag + 4; i + 6 <= limit; i++) {
    if (line.charCodeAt(i - 1) !== 45) continue; // '-'
    let k = 0;
    while (k < 7 && i + k < line.length && line.charCodeAt(i + k) >= 48 && line.charCodeAt(i + k) <= 57) k++;
    if (k !== 6) continue;
    let j = i + 6;
    const c = line.charCodeAt(j);
    if (c !== 58 && c !== 32 && j !== line.length) continue;
    if (c === 58) j++;
    while (line.charCodeAt(j) === 32) j++;
    return [line.slice(i, i + 6), j];
  }
  return null;
}

/**
 * Time and host from the text before the tag. A collector may put its own header before the
 * device's `logging timestamp` (`Jul 14 ... host : Jul 14 2026 ...: %ASA-`): the last time before
 * the tag is the device's and wins (session-logs.md: prefer the device's own field).
 */
function prefixTime(line: string, tag: number, st: ReadState): { time: ParsedTime | null; host: string | null } {
  const h = readSyslogHeader(line, st.clock, false);
  let time = h.time;
  if (h.rfc5424) return { time, host: h.host };
  let host: string | null = null;
  let i = h.msgStart;
  while (i < tag) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 58) { i++; continue; }
    const t = c >= 65 && c <= 90 || c >= 48 && c <= 57 ? timeAt(line, i, st.clock) : null;
    if (t !== null && t.end <= tag) { time = t; i = t.end; continue; }
    let e = line.indexOf(' ', i);
    if (e < 0 || e > tag) e = tag;
    const word = line.charCodeAt(e - 1) === 58 ? line.slice(i, e - 1) : line.slice(i, e);
    if (word !== '') host = word;
    i = e;
  }
  return { time, host };
}

/** Whether token[start, end) is a dotted IPv4 address (no slicing: this runs per endpoint). */
function isIPv4Range(t: string, start: number, end: number): boolean {
  let parts = 0, v = 0, digits = 0;
  for (let i = start; i <= end; i++) {
    const c = i < end ? t.charCodeAt(i) : 46;
    if (c === 46) { if (digits === 0 || v > 255) return false; parts++; v = 0; digits = 0; }
    else if (c >= 48 && c <= 57) { v = v * 10 + (c - 48); if (++digits > 3) return false; }
    else return false;
  }
  return parts === 4;
}

function isIPRange(t: string, start: number, end: number): boolean {
  if (isIPv4Range(t, start, end)) return true;
  const colon = t.indexOf(':', start);
  return colon >= 0 && colon < end && isIP(t.slice(start, end));
}

/**
 * `iface:address/port` (interface names may hold ':': `v1:outside:10.8.1.9/54864`; IPv6 addresses
 * do too, so the interface ends at the first ':' after which an address follows); a `(user)` tail is
 * ignored. Without `withIface`, `address/port` only.
 */
export function asaEndpoint(token: string, withIface: boolean): Endpoint | null {
  let end = token.indexOf('(');
  if (end === 0) return null;
  if (end < 0) end = token.length;
  let slash = token.lastIndexOf('/', end - 1);
  let start = 0;
  let iface: string | null = null;
  if (withIface) {
    let split = -1;
    for (let c = token.indexOf(':'); c >= 0 && c < end; c = token.indexOf(':', c + 1)) {
      if (isIPRange(token, c + 1, slash > c ? slash : end)) { split = c; break; }
    }
    if (split < 0) { split = token.lastIndexOf(':', end - 1); if (slash >= 0 && split > slash) split = -1; } // a host name after the interface
    if (split <= 0) return null;
    iface = token.slice(0, split);
    start = split + 1;
  }
  if (slash < start) slash = -1;
  const address = token.slice(start, slash >= 0 ? slash : end);
  if (address === '') return null;
  let port: number | null = null;
  if (slash >= 0) {
    let v = 0;
    if (slash + 1 >= end || end - slash - 1 > 5) return null;
    for (let i = slash + 1; i < end; i++) { const c = token.charCodeAt(i); if (c < 48 || c > 57) return null; v = v * 10 + (c - 48); }
    if (v > 65535) return null;
    port = v;
  }
  return { address, port, iface };
}

/**
 * The endpoint at w[i], also when the interface name holds spaces (`NP Identity Ifc:255.255.255.255/68`,
 * corpus test-asa.log): up to 4 words are joined. Returns the endpoint and the index after it.
 */
function spacedEndpoint(w: string[], i: number): [Endpoint, number] | null {
  let text = w[i] ?? '';
  for (let k = 0; k < 4 && i + k < w.length; k++) {
    if (k > 0) text += ` ${w[i + k]}`;
    if (text.indexOf(':') < 0) continue;
    const e = asaEndpoint(text, true);
    if (e !== null) return [e, i + k + 1];
  }
  return null;
}

/** `(mapped/port)` after an endpoint, or null. */
function mappedOf(token: string | undefined, iface: string | null): Endpoint | null {
  if (token === undefined || token.charCodeAt(0) !== 40) return null;
  const close = token.indexOf(')');
  if (close < 0) return null;
  const inner = token.slice(1, close);
  if (inner.indexOf('/') < 0) return null; // a user name, not an address
  const e = asaEndpoint(inner, false);
  if (e === null) return null;
  e.iface = iface;
  return e;
}

/** 302014 reasons (Cisco's table in session-logs.md) in fwtp's vocabulary. */
export function asaEndReason(raw: string, protocol: string): EndReason {
  switch (raw) {
    case 'Conn-timeout': case 'Idle Timeout': case 'Flow timed out': case 'Flow timed out with reset': case 'Connection timeout':
      return 'idle-timeout';
    case 'TCP FINs': return 'fin';
    case 'TCP Reset-I': case 'TCP Reset-O': case 'TCP Reset - I': case 'TCP Reset - O': return 'rst';
    case 'Deny Terminate': case 'Flow terminated by IPS': case 'Flow reset by IPS': case 'Unauth Deny': return 'policy';
    case '': return protocol === 'udp' ? 'idle-timeout' : 'other'; // 302016 has no reason field: a timeout unless cleared (inference)
    default: return 'other';
  }
}

/**
 * Words of line[start, end) split on runs of spaces: what `split(' ')` less the empty strings
 * gives, without the body slice, the array of empties and the filter pass (per line).
 */
function words(line: string, start: number): string[] {
  const out: string[] = [];
  const n = line.length;
  let i = start;
  while (i < n) {
    while (line.charCodeAt(i) === 32) i++;
    if (i >= n) break;
    let e = line.indexOf(' ', i);
    if (e < 0) e = n;
    out.push(line.slice(i, e));
    i = e;
  }
  return out;
}

export function createAsaReader(): (line: string, st: ReadState) => void {
  const ctx = new AsaContext();
  return (line, st) => readAsaLine(line, st, ctx);
}

export function readAsaLine(line: string, st: ReadState, ctx: AsaContext): void {
  const tag = asaTagIndex(line);
  if (tag < 0) { st.skip('no %ASA- tag'); return; }
  const id = messageIdAt(line, tag);
  if (id === null) { st.bad('no message id after the %ASA- tag'); return; }
  const [mid, bodyStart] = id;
  switch (mid) {
    case '302013': case '302015': case '302014': case '302016': case '302020': case '302021':
    case '106015': case '106023': case '106100':
      break;
    default:
      st.skip(mid); return;
  }
  const { time, host } = prefixTime(line, tag, st);
  const base = {
    vendor: 'cisco-asa' as const, line: 0, host, timeUs: time === null ? null : time.timeUs,
    yearInferred: time !== null && time.yearInferred, messageKind: mid,
  };
  const w = words(line, bodyStart);
  const why = mid === '106100' ? read106100(w, base, st)
    : mid === '106015' ? read106015(w, base, st)
      : mid === '106023' ? read106023(w, base, st)
        : mid === '302020' || mid === '302021' ? readIcmp(w, base, st, mid === '302020')
          : readTcpUdp(w, base, st, ctx, mid === '302013' || mid === '302015');
  if (why !== null) st.bad(`${mid}: ${why}`);
}

type Base = Pick<SessionEndRecord, 'vendor' | 'line' | 'host' | 'timeUs' | 'yearInferred' | 'messageKind'>;

function lineOf(st: ReadState): number { return st.lineNo; }

/** 302013/302015 Built, 302014/302016 Teardown. Returns null when done, or why the line is unreadable. */
function readTcpUdp(w: string[], base: Base, st: ReadState, ctx: AsaContext, built: boolean): string | null {
  let i = 0;
  const verb = w[i++];
  if (verb !== (built ? 'Built' : 'Teardown')) return `expected ${built ? 'Built' : 'Teardown'}`;
  let direction: 'inbound' | 'outbound' | null = null;
  if (built) {
    const d = w[i++];
    if (d !== 'inbound' && d !== 'outbound') return 'no inbound/outbound';
    direction = d;
  }
  if (w[i] === 'Probe') { st.skip(`${base.messageKind} probe`); return null; }
  const [protocol, protocolNumber] = protocolOf(w[i++] ?? '');
  if (w[i++] !== 'connection') return 'no "connection"';
  const connectionId = w[i++]!;
  if (w[i++] !== 'for') return 'no "for"';
  const first = spacedEndpoint(w, i);
  if (first === null) return 'unreadable first endpoint';
  const src = first[0];
  i = first[1];
  let natSrc: Endpoint | null = null;
  if (built) { natSrc = mappedOf(w[i], src.iface); if (natSrc !== null) i++; }
  while (i < w.length && w[i] !== 'to') i++; // user names after the endpoint
  i++;
  const second = spacedEndpoint(w, i);
  if (second === null) return 'unreadable second endpoint';
  const dst = second[0];
  i = second[1];
  // Records are built as literals, not spreads: this runs per line (STYLE.md hot paths).
  if (built) {
    const natDst = mappedOf(w[i], dst.iface);
    // Inbound: the first (lower-security) side opened it; outbound: the second (Cisco TAC 116149).
    const initiator = direction === 'inbound' ? 'src' as const : 'dst' as const;
    if (ctx.open.size < MAX_OPEN) ctx.open.set(connectionId, { natSrc, natDst, initiator });
    const r: SessionStartRecord = {
      type: 'session-start', vendor: 'cisco-asa', line: st.lineNo, host: base.host, timeUs: base.timeUs, yearInferred: base.yearInferred,
      messageKind: base.messageKind, protocol, protocolNumber, src, dst, natSrc, natDst, initiator, connectionId, direction,
    };
    st.emit(r);
    return null;
  }
  while (i < w.length && w[i] !== 'duration') i++;
  if (i >= w.length) return 'no duration';
  const durationSeconds = parseHms(w[i + 1] ?? '');
  if (Number.isNaN(durationSeconds)) return `bad duration ${JSON.stringify(w[i + 1])}`;
  i += 2;
  let bytes: number | null = null;
  if (w[i] === 'bytes') { bytes = countOf(w[i + 1]); i += 2; }
  let j = i;
  while (j < w.length && w[j] !== 'from' && w[j]!.charCodeAt(0) !== 40) j++;
  let rawReason = j > i ? w[i]! : '';
  for (let k = i + 1; k < j; k++) rawReason += ` ${w[k]}`;
  const b = ctx.open.get(connectionId);
  if (b !== undefined) ctx.open.delete(connectionId);
  const r: SessionEndRecord = {
    type: 'session-end', vendor: 'cisco-asa', line: st.lineNo, host: base.host, timeUs: base.timeUs, yearInferred: base.yearInferred,
    messageKind: base.messageKind, protocol, protocolNumber, src, dst, connectionId,
    natSrc: b?.natSrc ?? null, natDst: b?.natDst ?? null, initiator: b?.initiator ?? null,
    durationSeconds, durationResolutionSeconds: 1, durationCovers: 'start-to-end', startUs: null, bytes,
    endReason: asaEndReason(rawReason, protocol), rawReason, reasonAmbiguous: false,
  };
  st.emit(r);
  return null;
}

/** 302020/302021: `... ICMP connection for faddr A/id gaddr G/id laddr L/id [(user)] type t code c`. */
function readIcmp(w: string[], base: Base, st: ReadState, built: boolean): string | null {
  let i = 0;
  if (w[i++] !== (built ? 'Built' : 'Teardown')) return 'unexpected verb';
  let direction: 'inbound' | 'outbound' | null = null;
  if (built) { const d = w[i++]; if (d !== 'inbound' && d !== 'outbound') return 'no inbound/outbound'; direction = d; }
  const [protocol, protocolNumber] = protocolOf(w[i++] ?? '');
  const at = (key: string): Endpoint | null => {
    const k = w.indexOf(key, i);
    return k < 0 ? null : asaEndpoint(w[k + 1] ?? '', false);
  };
  const faddr = at('faddr'), gaddr = at('gaddr'), laddr = at('laddr');
  if (faddr === null || laddr === null) return 'no faddr/laddr';
  const common = {
    ...base, line: lineOf(st), protocol, protocolNumber, src: faddr, dst: laddr,
    natSrc: null, natDst: gaddr, connectionId: null,
    initiator: direction === null ? null : direction === 'inbound' ? 'src' as const : 'dst' as const,
  };
  if (built) { st.emit({ type: 'session-start', ...common, direction }); return null; }
  st.emit({
    type: 'session-end', ...common, durationSeconds: null, durationResolutionSeconds: 1, durationCovers: 'start-to-end',
    startUs: null, bytes: null, endReason: 'other', rawReason: '', reasonAmbiguous: false,
  });
  return null;
}

function drop(base: Base, st: ReadState, fields: Omit<DropRecord, keyof Base | 'type'>): void {
  const r = fields as DropRecord;
  r.type = 'drop'; r.vendor = 'cisco-asa'; r.line = st.lineNo; r.host = base.host; r.timeUs = base.timeUs;
  r.yearInferred = base.yearInferred; r.messageKind = base.messageKind;
  st.emit(r);
}

/** 106015 `Deny TCP (no connection) from A/p to B/p flags F... on interface I`. */
function read106015(w: string[], base: Base, st: ReadState): string | null {
  const f = w.indexOf('from');
  const t = w.indexOf('to', f);
  if (w[0] !== 'Deny' || f < 0 || t < 0) return 'not "Deny ... from ... to"';
  const src = asaEndpoint(w[f + 1] ?? '', false), dst = asaEndpoint(w[t + 1] ?? '', false);
  if (src === null || dst === null) return 'unreadable endpoint';
  const fl = w.indexOf('flags', t);
  const on = w.indexOf('on', t);
  const tcpFlags = fl < 0 ? null : w.slice(fl + 1, on > fl ? on : w.length).map((x) => x.toUpperCase());
  const iface = on >= 0 && w[on + 1] === 'interface' ? (w[on + 2] ?? null) : null;
  src.iface = iface;
  const [protocol, protocolNumber] = protocolOf(w[1] ?? 'tcp');
  drop(base, st, {
    protocol, protocolNumber, src, dst, kind: 'no-connection', action: 'Deny', tcpFlags, payloadBytes: null,
    inInterface: iface, outInterface: null, direction: null, rule: null,
  });
  return null;
}

/** 106023 `Deny PROTO src IF:A[/p] dst IF:B[/p] [(type t, code c)] by access-group "ACL" [...]`; PROTO may be `protocol 47`. */
function read106023(w: string[], base: Base, st: ReadState): string | null {
  if (w[0] !== 'Deny') return 'not "Deny"';
  let i = 1;
  let protoText = w[i++] ?? '';
  if (protoText === 'protocol') protoText = w[i++] ?? '';
  const s = w.indexOf('src', i), d = w.indexOf('dst', i);
  if (s < 0 || d < 0) return 'no src/dst';
  const src = asaEndpoint(w[s + 1] ?? '', true), dst = asaEndpoint(w[d + 1] ?? '', true);
  if (src === null || dst === null) return 'unreadable endpoint';
  const by = w.indexOf('access-group', d);
  const rule = by >= 0 ? (w[by + 1] ?? '').replace(/^"|"$/g, '') : null;
  const [protocol, protocolNumber] = protocolOf(protoText);
  drop(base, st, {
    protocol, protocolNumber, src, dst, kind: 'acl', action: 'Deny', tcpFlags: null, payloadBytes: null,
    inInterface: src.iface, outInterface: dst.iface, direction: null, rule,
  });
  return null;
}

/** 106100 `access-list ACL {permitted|denied|est-allowed} PROTO IF/A(p) -> IF/B(p) hit-cnt N ...`; only denied is a drop. */
function read106100(w: string[], base: Base, st: ReadState): string | null {
  if (w[0] !== 'access-list') return 'not "access-list"';
  const verdict = w[2];
  if (verdict !== 'denied') { st.skip(`106100 ${verdict}`); return null; }
  const arrow = w.indexOf('->', 4);
  if (arrow < 0) return 'no "->"';
  const ep = (t: string | undefined): Endpoint | null => {
    if (t === undefined) return null;
    const slash = t.indexOf('/'), open = t.lastIndexOf('(');
    if (slash <= 0) return null;
    const address = t.slice(slash + 1, open > slash ? open : t.length);
    const port = open > slash ? portOf(t.slice(open + 1, t.indexOf(')', open))) : null;
    return { address, port, iface: t.slice(0, slash) };
  };
  const src = ep(w[arrow - 1]), dst = ep(w[arrow + 1]);
  if (src === null || dst === null) return 'unreadable endpoint';
  const [protocol, protocolNumber] = protocolOf(w[3] ?? '');
  drop(base, st, {
    protocol, protocolNumber, src, dst, kind: 'acl', action: 'denied', tcpFlags: null, payloadBytes: null,
    inInterface: src.iface, outInterface: dst.iface, direction: null, rule: w[1] ?? null,
  });
  return null;
}
