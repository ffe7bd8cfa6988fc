/**
 * A conntrack entry as the readers record it: the status flags and state names conntrack prints
 * (libnetfilter_conntrack src/conntrack/snprintf_default.c), the object form of one entry, and
 * the columnar table a dump or an event stream is read into (typed arrays, no object per line).
 */
import type { AddressBook } from './conntrack-addresses.js';

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

/** Names conntrack gives IP protocols (libnetfilter_conntrack proto2str; anything else is "unknown"). */
const PROTO_NAMES: Record<number, string> = {
  1: 'icmp', 6: 'tcp', 17: 'udp', 33: 'dccp', 47: 'gre', 58: 'icmpv6', 132: 'sctp', 136: 'udplite',
};
export function ctProtoName(proto: number): string {
  return PROTO_NAMES[proto] ?? 'unknown';
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
      line: this.line[i]!,
      family: this.family[i] === 6 ? 6 : 4,
      proto: this.proto[i]!,
      protoName: ctProtoName(this.proto[i]!),
      timeoutSeconds: num(this.timeout[i]!),
      state: this.state[i]! === 0 ? null : CT_STATE_NAMES[this.state[i]!]!,
      unreplied: (this.status[i]! & ST_UNREPLIED) !== 0,
      assured: (this.status[i]! & ST_ASSURED) !== 0,
      offload: (this.status[i]! & ST_OFFLOAD) !== 0,
      hwOffload: (this.status[i]! & ST_HW_OFFLOAD) !== 0,
      userspace: (this.status[i]! & ST_USERSPACE) !== 0,
      src: t[this.src[i]!]!,
      dst: t[this.dst[i]!]!,
      sport: this.sport[i]!,
      dport: this.dport[i]!,
      replySrc: t[this.replySrc[i]!]!,
      replyDst: t[this.replyDst[i]!]!,
      replySport: this.replySport[i]!,
      replyDport: this.replyDport[i]!,
      icmpType: num(this.icmpType[i]!),
      icmpCode: num(this.icmpCode[i]!),
      packets: hasCounters ? [this.packetsOrig[i]!, this.packetsReply[i]!] : null,
      bytes: hasCounters ? [this.bytesOrig[i]!, this.bytesReply[i]!] : null,
      mark: num(this.mark[i]!),
      zone: num(this.zone[i]!),
      use: num(this.use[i]!),
      id: num(this.id[i]!),
      deltaSeconds: num(this.deltaSeconds[i]!),
      secctx: this.secctx.get(i) ?? null,
    };
  }

  entries(): ConntrackEntry[] {
    const out: ConntrackEntry[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.entry(i));
    return out;
  }
}
