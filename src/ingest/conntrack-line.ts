/**
 * One conntrack entry line, decoded from bytes into a columnar table: the line layouts of
 * `conntrack -L` (plain and `-o extended`), `/proc/net/nf_conntrack` and the body of a
 * `conntrack -E` event line.
 *
 * The layout (libnetfilter_conntrack src/conntrack/snprintf_default.c, and the kernel's
 * ct_seq_show in net/netfilter/nf_conntrack_standalone.c for /proc):
 *
 *   [L3NAME L3NUM] L4NAME L4NUM [TIMEOUT] [STATE] src= dst= (sport= dport= | type= code= id= |
 *   srckey= dstkey=) [zone-orig=] [packets= bytes=] [UNREPLIED] src= dst= ... [zone-reply=]
 *   [packets= bytes=] [ASSURED|OFFLOAD|HW_OFFLOAD] [mark=] [secmark=] [secctx=] [zone=]
 *   [delta-time=] [[start=CTIME] [stop=CTIME]] [helper=] [use=] [id=] [labels=]
 *   ([USERSPACE] portid= [progname=] after an event a user-space request caused, conntrack-tools event_cb)
 *
 * TIMEOUT is missing on DESTROY events and, in /proc, on offloaded entries. The decoder runs per
 * line on the hot path: it reads the bytes in place (no split, no regular expression), interns
 * addresses to small ids and writes typed-array columns, so a line costs no object.
 */
import { AddressTable } from '../flows/addresses.js';
import { parseIPv4Bytes as parseV4, parseIPv6Bytes as parseV6 } from '../util/ip-address.js';

/** Status flags as printed (IPS_SEEN_REPLY clear -> [UNREPLIED]; IPS_ASSURED, IPS_OFFLOAD, IPS_HW_OFFLOAD). */
export const ST_UNREPLIED = 1;
export const ST_ASSURED = 2;
export const ST_OFFLOAD = 4;
export const ST_HW_OFFLOAD = 8;
/** An event line ends with `[USERSPACE] portid=N`: a user-space request (conntrack -D, a flush) caused it. */
export const ST_USERSPACE = 16;

/**
 * Protocol state names as conntrack prints them: TCP (kernel tcp_conntrack_names; libnetfilter
 * prints SYN_SENT2 as LISTEN), SCTP (sctp_conntrack_names) and DCCP (dccp_state_names). Index 0
 * means "no state printed" (UDP, ICMP, GRE, generic).
 */
export const CT_STATE_NAMES: readonly string[] = [
  '', 'NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE',
  'SYN_SENT2', 'LISTEN', 'CLOSED', 'COOKIE_WAIT', 'COOKIE_ECHOED', 'SHUTDOWN_SENT', 'SHUTDOWN_RECD',
  'SHUTDOWN_ACK_SENT', 'HEARTBEAT_SENT', 'HEARTBEAT_ACKED', 'REQUEST', 'RESPOND', 'PARTOPEN', 'OPEN', 'CLOSEREQ',
  'CLOSING', 'TIMEWAIT', 'IGNORE', 'INVALID', 'MAX',
];
const STATE_INDEX = new Map<string, number>(CT_STATE_NAMES.map((n, i) => [n, i]));
export function stateIndex(name: string): number {
  return STATE_INDEX.get(name) ?? -1;
}

/** State names bucketed by (length, first letter), to find one from bytes without making a string. */
const STATE_BUCKETS = new Map<number, number[]>();
for (let i = 1; i < CT_STATE_NAMES.length; i++) {
  const n = CT_STATE_NAMES[i];
  const k = n.length * 256 + n.charCodeAt(0);
  const list = STATE_BUCKETS.get(k) ?? [];
  list.push(i);
  STATE_BUCKETS.set(k, list);
}
const STATE_LOOKUP: Array<number[] | undefined> = new Array(32 * 256);
for (const [k, list] of STATE_BUCKETS) STATE_LOOKUP[k] = list;

/** Index of the state name in b[s..e), or -1. */
function stateFromBytes(b: Uint8Array, s: number, e: number): number {
  const len = e - s;
  if (len <= 0 || len >= 32) return -1;
  const list = STATE_LOOKUP[len * 256 + b[s]];
  if (list === undefined) return -1;
  for (let k = 0; k < list.length; k++) if (bytesAre(b, s, e, CT_STATE_NAMES[list[k]])) return list[k];
  return -1;
}

/** Names conntrack gives IP protocols (libnetfilter_conntrack proto2str; anything else is "unknown"). */
const PROTO_NAMES: Record<number, string> = {
  1: 'icmp', 6: 'tcp', 17: 'udp', 33: 'dccp', 47: 'gre', 58: 'icmpv6', 132: 'sctp', 136: 'udplite',
};
export function ctProtoName(proto: number): string {
  return PROTO_NAMES[proto] ?? 'unknown';
}

/**
 * Interned addresses of one input: small ids over the flow stage's open-addressing table (no
 * string keys per line); texts are made once per address, RFC 5952 for IPv6 (so the full form
 * /proc prints and the short form conntrack prints are the same address).
 */
export class AddressBook {
  private readonly table = new AddressTable();
  private readonly cache: string[] = [];
  private readonly v6 = new Uint32Array(4);

  get count(): number {
    return this.table.count;
  }

  // A small direct-mapped cache in front of the table: busy servers recur on most lines.
  private readonly recentV4 = new Float64Array(256).fill(-1);
  private readonly recentV4Id = new Int32Array(256);

  /** IPv4 as an unsigned 32-bit number. */
  internV4(a: number): number {
    const slot = a & 255;
    if (this.recentV4[slot] === a) return this.recentV4Id[slot];
    const id = this.table.internV4(a >>> 0);
    this.recentV4[slot] = a;
    this.recentV4Id[slot] = id;
    return id;
  }

  /** IPv6 text in b[s..e) (any valid form); -1 when malformed. */
  internV6Bytes(b: Uint8Array, s: number, e: number): number {
    return parseV6(b, s, e, this.v6) ? this.table.internV6(this.v6) : -1;
  }

  /** Interns an address given as text (IPv4 or IPv6); -1 when malformed. */
  internText(text: string): number {
    const b = Buffer.from(text, 'latin1');
    const a = parseV4(b, 0, b.length);
    if (a >= 0) return this.internV4(a);
    return this.internV6Bytes(b, 0, b.length);
  }

  text(id: number): string {
    return id < this.cache.length ? this.cache[id] : this.texts()[id];
  }

  /** Text of every id so far (index = id); the array grows as addresses are added. */
  texts(): string[] {
    for (let id = this.cache.length; id < this.table.count; id++) this.cache.push(this.table.text(id));
    return this.cache;
  }
}

/** Unsigned decimal in b[s..e), or -1 (also when empty). Exact up to 2^53. */
export function parseUint(b: Uint8Array, s: number, e: number): number {
  if (e <= s) return -1;
  let n = 0;
  for (let p = s; p < e; p++) {
    const c = b[p] - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** `0x`-prefixed hexadecimal (GRE keys) or decimal, or -1. */
function parseKey(b: Uint8Array, s: number, e: number): number {
  if (e - s > 2 && b[s] === 48 && (b[s + 1] === 120 || b[s + 1] === 88)) {
    let n = 0;
    for (let p = s + 2; p < e; p++) {
      const c = b[p];
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) return -1;
      n = n * 16 + d;
    }
    return n;
  }
  return parseUint(b, s, e);
}

/** Whether b[s..s+text.length) spells `text` (ASCII). */
function bytesAre(b: Uint8Array, s: number, e: number, text: string): boolean {
  if (e - s !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (b[s + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** One entry as an object: for tests, messages and small tables (the columns are the real store). */
export interface ConntrackEntry {
  line: number;
  family: 4 | 6;
  proto: number;
  protoName: string;
  /** Seconds until the entry expires, as printed; null where not printed (DESTROY events, offloaded entries in /proc). */
  timeoutSeconds: number | null;
  /** TCP/SCTP/DCCP state, null for protocols without one. */
  state: string | null;
  unreplied: boolean;
  assured: boolean;
  offload: boolean;
  hwOffload: boolean;
  /** Events only: caused by a user-space request ([USERSPACE]). */
  userspace: boolean;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  replySrc: string;
  replyDst: string;
  replySport: number;
  replyDport: number;
  icmpType: number | null;
  icmpCode: number | null;
  /** [original, reply] with accounting on (nf_conntrack_acct), else null. */
  packets: [number, number] | null;
  bytes: [number, number] | null;
  mark: number | null;
  zone: number | null;
  use: number | null;
  id: number | null;
  /** Seconds since the entry was created (nf_conntrack_timestamp), or its lifetime on DESTROY. */
  deltaSeconds: number | null;
  secctx: string | null;
}

function growTo<T extends Uint8Array | Uint16Array | Uint32Array | Int16Array | Int32Array | Float64Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a.length > n ? a.subarray(0, n) : a);
  return b;
}

/**
 * Entries of one snapshot in columns. Addresses are ids into the input's AddressBook; absent
 * numbers are -1 (integers) or NaN (counters, mark, id, delta-time).
 * ICMP: sport = dport = the echo identifier (as the flow table keys ICMP queries); GRE: the keys.
 */
export class ConntrackTable {
  count = 0;
  private cap: number;
  line: Uint32Array;
  family: Uint8Array;
  proto: Uint8Array;
  timeout: Int32Array;
  state: Uint8Array;
  status: Uint8Array;
  src: Uint32Array;
  dst: Uint32Array;
  replySrc: Uint32Array;
  replyDst: Uint32Array;
  sport: Uint16Array;
  dport: Uint16Array;
  replySport: Uint16Array;
  replyDport: Uint16Array;
  icmpType: Int16Array;
  icmpCode: Int16Array;
  packetsOrig: Float64Array;
  bytesOrig: Float64Array;
  packetsReply: Float64Array;
  bytesReply: Float64Array;
  mark: Float64Array;
  zone: Int32Array;
  use: Int32Array;
  id: Float64Array;
  deltaSeconds: Float64Array;
  /** Sparse: row -> SELinux context text. */
  readonly secctx = new Map<number, string>();

  constructor(readonly addresses: AddressBook, initialCapacity = 256) {
    const n = Math.max(1, initialCapacity);
    this.cap = n;
    this.line = new Uint32Array(n);
    this.family = new Uint8Array(n);
    this.proto = new Uint8Array(n);
    this.timeout = new Int32Array(n);
    this.state = new Uint8Array(n);
    this.status = new Uint8Array(n);
    this.src = new Uint32Array(n);
    this.dst = new Uint32Array(n);
    this.replySrc = new Uint32Array(n);
    this.replyDst = new Uint32Array(n);
    this.sport = new Uint16Array(n);
    this.dport = new Uint16Array(n);
    this.replySport = new Uint16Array(n);
    this.replyDport = new Uint16Array(n);
    this.icmpType = new Int16Array(n);
    this.icmpCode = new Int16Array(n);
    this.packetsOrig = new Float64Array(n);
    this.bytesOrig = new Float64Array(n);
    this.packetsReply = new Float64Array(n);
    this.bytesReply = new Float64Array(n);
    this.mark = new Float64Array(n);
    this.zone = new Int32Array(n);
    this.use = new Int32Array(n);
    this.id = new Float64Array(n);
    this.deltaSeconds = new Float64Array(n);
  }

  private grow(): void {
    // Fourfold while small, so a table of a million rows is copied a few times, not twenty.
    this.resize(this.cap < (1 << 20) ? this.cap * 4 : this.cap * 2);
  }

  /** Gives back the spare capacity (once a snapshot is complete). */
  trim(): void {
    if (this.cap > this.count + 64) this.resize(Math.max(1, this.count));
  }

  private resize(n: number): void {
    this.line = growTo(this.line, n);
    this.family = growTo(this.family, n);
    this.proto = growTo(this.proto, n);
    this.timeout = growTo(this.timeout, n);
    this.state = growTo(this.state, n);
    this.status = growTo(this.status, n);
    this.src = growTo(this.src, n);
    this.dst = growTo(this.dst, n);
    this.replySrc = growTo(this.replySrc, n);
    this.replyDst = growTo(this.replyDst, n);
    this.sport = growTo(this.sport, n);
    this.dport = growTo(this.dport, n);
    this.replySport = growTo(this.replySport, n);
    this.replyDport = growTo(this.replyDport, n);
    this.icmpType = growTo(this.icmpType, n);
    this.icmpCode = growTo(this.icmpCode, n);
    this.packetsOrig = growTo(this.packetsOrig, n);
    this.bytesOrig = growTo(this.bytesOrig, n);
    this.packetsReply = growTo(this.packetsReply, n);
    this.bytesReply = growTo(this.bytesReply, n);
    this.mark = growTo(this.mark, n);
    this.zone = growTo(this.zone, n);
    this.use = growTo(this.use, n);
    this.id = growTo(this.id, n);
    this.deltaSeconds = growTo(this.deltaSeconds, n);
    this.cap = n;
  }

  /** Appends a row with every field absent; returns its index. */
  add(line: number): number {
    if (this.count === this.cap) this.grow();
    const i = this.count++;
    this.line[i] = line;
    this.family[i] = 0;
    this.proto[i] = 0;
    this.timeout[i] = -1;
    this.state[i] = 0;
    this.status[i] = 0;
    this.src[i] = 0;
    this.dst[i] = 0;
    this.replySrc[i] = 0;
    this.replyDst[i] = 0;
    this.sport[i] = 0;
    this.dport[i] = 0;
    this.replySport[i] = 0;
    this.replyDport[i] = 0;
    this.icmpType[i] = -1;
    this.icmpCode[i] = -1;
    this.packetsOrig[i] = NaN;
    this.bytesOrig[i] = NaN;
    this.packetsReply[i] = NaN;
    this.bytesReply[i] = NaN;
    this.mark[i] = NaN;
    this.zone[i] = -1;
    this.use[i] = -1;
    this.id[i] = NaN;
    this.deltaSeconds[i] = NaN;
    return i;
  }

  /** Removes the last row (a line that turned out unreadable). */
  dropLast(): void {
    this.count--;
    this.secctx.delete(this.count);
  }

  entry(i: number): ConntrackEntry {
    const t = this.addresses.texts();
    const num = (x: number): number | null => (Number.isNaN(x) || x < 0 ? null : x);
    const hasCounters = !Number.isNaN(this.packetsOrig[i]);
    return {
      line: this.line[i],
      family: this.family[i] === 6 ? 6 : 4,
      proto: this.proto[i],
      protoName: ctProtoName(this.proto[i]),
      timeoutSeconds: num(this.timeout[i]),
      state: this.state[i] === 0 ? null : CT_STATE_NAMES[this.state[i]],
      unreplied: (this.status[i] & ST_UNREPLIED) !== 0,
      assured: (this.status[i] & ST_ASSURED) !== 0,
      offload: (this.status[i] & ST_OFFLOAD) !== 0,
      hwOffload: (this.status[i] & ST_HW_OFFLOAD) !== 0,
      userspace: (this.status[i] & ST_USERSPACE) !== 0,
      src: t[this.src[i]],
      dst: t[this.dst[i]],
      sport: this.sport[i],
      dport: this.dport[i],
      replySrc: t[this.replySrc[i]],
      replyDst: t[this.replyDst[i]],
      replySport: this.replySport[i],
      replyDport: this.replyDport[i],
      icmpType: num(this.icmpType[i]),
      icmpCode: num(this.icmpCode[i]),
      packets: hasCounters ? [this.packetsOrig[i], this.packetsReply[i]] : null,
      bytes: hasCounters ? [this.bytesOrig[i], this.bytesReply[i]] : null,
      mark: num(this.mark[i]),
      zone: num(this.zone[i]),
      use: num(this.use[i]),
      id: num(this.id[i]),
      deltaSeconds: num(this.deltaSeconds[i]),
      secctx: this.secctx.get(i) ?? null,
    };
  }

  entries(): ConntrackEntry[] {
    const out: ConntrackEntry[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.entry(i));
    return out;
  }
}

const MAX_BARE = 6;
const bareStart = new Int32Array(MAX_BARE);
const bareEnd = new Int32Array(MAX_BARE);

/** Interprets the words before the first `src=`: [l3name l3num] l4name l4num [timeout] [state]. */
function readHead(b: Buffer, n: number, t: ConntrackTable, i: number): string | null {
  let k = 0;
  if (n >= 2 && (bytesAre(b, bareStart[0], bareEnd[0], 'ipv4') || bytesAre(b, bareStart[0], bareEnd[0], 'ipv6'))) {
    const l3 = parseUint(b, bareStart[1], bareEnd[1]);
    if (l3 < 0) return 'layer 3 protocol number is not a number';
    k = 2;
  }
  if (n - k < 2) return 'missing protocol name and number before src=';
  const proto = parseUint(b, bareStart[k + 1], bareEnd[k + 1]);
  if (proto < 0 || proto > 255) return 'protocol number is not 0..255';
  t.proto[i] = proto;
  k += 2;
  if (k < n) {
    const timeout = parseUint(b, bareStart[k], bareEnd[k]);
    if (timeout >= 0) {
      t.timeout[i] = timeout > 0x7fffffff ? 0x7fffffff : timeout;
      k++;
    }
  }
  if (k < n) {
    const s = stateFromBytes(b, bareStart[k], bareEnd[k]);
    if (s <= 0) return `unknown state "${latin1(b, bareStart[k], bareEnd[k])}"`;
    t.state[i] = s;
    k++;
  }
  if (k < n) return 'unexpected word before src=';
  return null;
}

/**
 * Decodes one entry from b[s..e) into a new row of `t`. Returns null when the line was read, or
 * why it could not be (the row is then removed).
 */
export function parseEntryLine(b: Buffer, s: number, e: number, t: ConntrackTable, lineNo: number): string | null {
  const i = t.add(lineNo);
  const why = decode(b, s, e, t, i);
  if (why !== null) t.dropLast();
  return why;
}

/** Hash of a field name as decode computes it while scanning (h = h * 31 + byte, 32-bit). */
function keyHash(name: string): number {
  let h = 0;
  for (let k = 0; k < name.length; k++) h = (Math.imul(h, 31) + name.charCodeAt(k)) | 0;
  return h;
}
const FIELD_NAMES = [
  'src', 'dst', 'sport', 'dport', 'packets', 'bytes', 'type', 'code', 'id', 'srckey', 'dstkey', 'mark', 'zone', 'use',
  'delta-time', 'secctx', 'zone-orig', 'zone-reply', 'secmark', 'helper', 'labels', 'portid', 'pid', 'progname',
] as const;
const [H_SRC, H_DST, H_SPORT, H_DPORT, H_PACKETS, H_BYTES, H_TYPE, H_CODE, H_ID, H_SRCKEY, H_DSTKEY, H_MARK, H_ZONE, H_USE,
  H_DELTA, H_SECCTX, H_ZONE_ORIG, H_ZONE_REPLY, H_SECMARK, H_HELPER, H_LABELS, H_PORTID, H_PID, H_PROGNAME] = FIELD_NAMES.map(keyHash);
if (new Set(FIELD_NAMES.map(keyHash)).size !== FIELD_NAMES.length) throw new Error('conntrack field hashes collide');

/** End of the value the last read* call consumed (a module variable: no object per call). */
let valueEnd = 0;

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

/** Unsigned decimal from b[s] up to a blank or the end; -1 when empty or followed by anything else. */
function readUint(b: Uint8Array, s: number, e: number): number {
  let n = 0, q = s;
  for (; q < e; q++) {
    const d = b[q] - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
  }
  valueEnd = q;
  if (q === s || (q < e && !isBlank(b[q]))) return -1;
  return n;
}

/** The rest of a word (a value not needed), up to a blank. */
function skipWord(b: Uint8Array, s: number, e: number): void {
  let q = s;
  while (q < e && !isBlank(b[q])) q++;
  valueEnd = q;
}

/** Raw IPv4 value of the last address readAddr interned (-1 for IPv6), to reuse ids in the reply tuple. */
let lastV4 = -1;

/**
 * An address value from b[s]: interned id, or -1. Sets lastFamily, lastV4 and valueEnd. When the
 * address equals an address of the original tuple (IPv4 value `reuseV4`, or IPv6 text at
 * b[reuseS..reuseE)), that tuple's id `reuseId` is returned without a lookup.
 */
function readAddr(b: Buffer, s: number, e: number, t: ConntrackTable, reuseV4: number, reuseId: number, reuseS: number, reuseE: number): number {
  // IPv4 while the bytes allow it; anything else is taken as IPv6.
  let a = 0, part = 0, digits = 0, dots = 0, q = s, v4 = true;
  for (; q < e; q++) {
    const c = b[q];
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      digits++;
    } else if (c === 46) {
      if (digits === 0 || digits > 3 || part > 255) { v4 = false; break; }
      a = a * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (isBlank(c)) break;
    else { v4 = false; break; }
  }
  if (v4 && dots === 3 && digits > 0 && digits <= 3 && part <= 255) {
    valueEnd = q;
    lastFamily = 4;
    const v = a * 256 + part;
    lastV4 = v;
    return v === reuseV4 ? reuseId : t.addresses.internV4(v);
  }
  while (q < e && !isBlank(b[q])) q++;
  valueEnd = q;
  lastFamily = 6;
  lastV4 = -1;
  if (reuseId >= 0 && reuseV4 < 0 && reuseE - reuseS === q - s) {
    let same = true;
    for (let k = 0; k < q - s; k++) if (b[s + k] !== b[reuseS + k]) { same = false; break; }
    if (same) return reuseId;
  }
  return t.addresses.internV6Bytes(b, s, q);
}

function decode(b: Buffer, s: number, e: number, t: ConntrackTable, i: number): string | null {
  let p = s;
  let bare = 0;
  let tuple = 0; // 0 before the first src=, 1 in the original tuple, 2 in the reply tuple
  let icmpIdPending = false;
  let family = 0;
  let gotPorts = 0;
  let countersSeen = 0;
  // The original tuple's addresses, to reuse their ids for the (usually mirrored) reply tuple.
  let origSrcV4 = -1, origSrcId = -1, origDstV4 = -1, origDstId = -1;
  let origSrcS = 0, origSrcE = 0, origDstS = 0, origDstE = 0;
  while (p < e) {
    let c = b[p];
    if (isBlank(c)) { p++; continue; }
    const ts = p;
    if (c === 91) { // '['
      let close = p + 1;
      while (close < e && b[close] !== 93) close++;
      if (close >= e) return 'unclosed [';
      const ks = p + 1;
      if (bytesAre(b, ks, close, 'ASSURED')) t.status[i] |= ST_ASSURED;
      else if (bytesAre(b, ks, close, 'UNREPLIED')) t.status[i] |= ST_UNREPLIED;
      else if (bytesAre(b, ks, close, 'OFFLOAD')) t.status[i] |= ST_OFFLOAD;
      else if (bytesAre(b, ks, close, 'HW_OFFLOAD')) t.status[i] |= ST_HW_OFFLOAD | ST_OFFLOAD;
      else if (bytesAre(b, ks, close, 'USERSPACE')) t.status[i] |= ST_USERSPACE;
      else if (close - ks > 6 && (bytesAre(b, ks, ks + 6, 'start=') || bytesAre(b, ks, ks + 5, 'stop='))) {
        // -o ktimestamp: ctime() in the local time zone of the machine that printed it; delta-time is used instead.
      } else return `unknown flag "${latin1(b, p, close + 1)}"`;
      p = close + 1;
      continue;
    }
    // A word: its name hashed up to '=' (a field) or a blank (a bare word).
    let h = 0;
    while (p < e) {
      c = b[p];
      if (c === 61 || isBlank(c)) break;
      h = (Math.imul(h, 31) + c) | 0;
      p++;
    }
    if (p === e || c !== 61) {
      if (tuple > 0) return `unexpected word "${latin1(b, ts, p)}" after src=`;
      if (bare === MAX_BARE) return 'too many words before src=';
      bareStart[bare] = ts;
      bareEnd[bare] = p;
      bare++;
      continue;
    }
    const vs = p + 1;
    let v: number;
    if (h === H_SRC) {
      if (tuple === 0) {
        const why = readHead(b, bare, t, i);
        if (why !== null) return why;
      }
      if (tuple === 2) return 'more than two src= fields';
      tuple++;
      icmpIdPending = false;
      if (tuple === 1) {
        v = readAddr(b, vs, e, t, -1, -1, 0, 0);
        if (v < 0) return 'src= is not an IPv4 or IPv6 address';
        family = lastFamily;
        t.src[i] = v;
        origSrcV4 = lastV4;
        origSrcId = v;
        origSrcS = vs;
        origSrcE = valueEnd;
      } else {
        v = readAddr(b, vs, e, t, origDstV4, origDstId, origDstS, origDstE);
        if (v < 0) return 'src= is not an IPv4 or IPv6 address';
        t.replySrc[i] = v;
      }
    } else if (h === H_DST) {
      if (tuple === 0) return 'dst= before src=';
      if (tuple === 1) {
        v = readAddr(b, vs, e, t, -1, -1, 0, 0);
        if (v < 0) return 'dst= is not an IPv4 or IPv6 address';
        t.dst[i] = v;
        origDstV4 = lastV4;
        origDstId = v;
        origDstS = vs;
        origDstE = valueEnd;
      } else {
        v = readAddr(b, vs, e, t, origSrcV4, origSrcId, origSrcS, origSrcE);
        if (v < 0) return 'dst= is not an IPv4 or IPv6 address';
        t.replyDst[i] = v;
      }
    } else if (h === H_SPORT || h === H_DPORT) {
      v = readUint(b, vs, e);
      if (v < 0 || v > 65535 || tuple === 0) return 'bad port';
      if (tuple === 1) { if (h === H_SPORT) t.sport[i] = v; else t.dport[i] = v; } else if (h === H_SPORT) t.replySport[i] = v; else t.replyDport[i] = v;
      gotPorts |= tuple;
    } else if (h === H_PACKETS) {
      v = readUint(b, vs, e);
      if (v < 0) return 'packets= is not a number';
      if (tuple === 1) t.packetsOrig[i] = v; else if (tuple === 2) t.packetsReply[i] = v; else return 'packets= before src=';
      countersSeen++;
    } else if (h === H_BYTES) {
      v = readUint(b, vs, e);
      if (v < 0) return 'bytes= is not a number';
      if (tuple === 1) t.bytesOrig[i] = v; else if (tuple === 2) t.bytesReply[i] = v; else return 'bytes= before src=';
    } else if (h === H_MARK) {
      v = readUint(b, vs, e);
      if (v < 0) return 'mark= is not a number';
      t.mark[i] = v;
    } else if (h === H_USE) {
      v = readUint(b, vs, e);
      if (v < 0) return 'use= is not a number';
      t.use[i] = v > 0x7fffffff ? 0x7fffffff : v;
    } else if (h === H_DELTA) {
      v = readUint(b, vs, e);
      if (v < 0) return 'delta-time= is not a number';
      t.deltaSeconds[i] = v;
    } else if (h === H_ID) {
      v = readUint(b, vs, e);
      if (v < 0) return 'id= is not a number';
      if (icmpIdPending) {
        // The ICMP identifier of the tuple (it follows code=); the entry id comes last.
        if (v > 65535) return 'bad ICMP id';
        if (tuple === 1) { t.sport[i] = v; t.dport[i] = v; } else { t.replySport[i] = v; t.replyDport[i] = v; }
        gotPorts |= tuple;
        icmpIdPending = false;
      } else t.id[i] = v;
    } else if (h === H_TYPE) {
      v = readUint(b, vs, e);
      if (v < 0 || v > 255) return 'bad ICMP type';
      if (tuple === 1) t.icmpType[i] = v;
    } else if (h === H_CODE) {
      v = readUint(b, vs, e);
      if (v < 0 || v > 255) return 'bad ICMP code';
      if (tuple === 1) t.icmpCode[i] = v;
      icmpIdPending = true;
    } else if (h === H_SRCKEY || h === H_DSTKEY) {
      skipWord(b, vs, e);
      v = parseKey(b, vs, valueEnd);
      if (v < 0 || v > 65535 || tuple === 0) return 'bad GRE key';
      const src = h === H_SRCKEY;
      if (tuple === 1) { if (src) t.sport[i] = v; else t.dport[i] = v; } else if (src) t.replySport[i] = v; else t.replyDport[i] = v;
      gotPorts |= tuple;
    } else if (h === H_ZONE || h === H_ZONE_ORIG) {
      v = readUint(b, vs, e);
      if (v < 0 || v > 65535) return 'bad zone';
      if (h === H_ZONE || t.zone[i] < 0) t.zone[i] = v;
    } else if (h === H_SECCTX) {
      skipWord(b, vs, e);
      t.secctx.set(i, latin1(b, vs, valueEnd));
    } else if (h === H_ZONE_REPLY || h === H_SECMARK || h === H_HELPER || h === H_LABELS || h === H_PORTID || h === H_PID) {
      skipWord(b, vs, e); // printed by conntrack (portid/pid after [USERSPACE] on events), not needed for timeouts
    } else if (h === H_PROGNAME) {
      valueEnd = e; // the requesting program's name ends an event line and may hold blanks
    } else {
      return `unknown field "${latin1(b, ts, p)}="`;
    }
    p = valueEnd;
  }
  if (tuple === 0) return bare === 0 ? 'empty line' : 'no src= field';
  if (tuple === 1) return 'no reply tuple (second src=)';
  if (countersSeen === 1) return 'packets= in one direction only';
  const proto = t.proto[i];
  const needsPorts = proto === 6 || proto === 17 || proto === 136 || proto === 132 || proto === 33 || proto === 47;
  if (needsPorts && (gotPorts & 1) === 0) return `no ports in the original tuple of a ${ctProtoName(proto)} entry`;
  t.family[i] = family;
  return null;
}

/** Family of the address internAddr read last (a module variable: no object per call). */
let lastFamily = 4;

function latin1(b: Buffer, s: number, e: number): string {
  return b.toString('latin1', s, e);
}
