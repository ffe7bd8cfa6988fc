/**
 * Flow records (one line of a flow export: Zeek conn.log, NetFlow/IPFIX via nfdump, Argus,
 * AWS VPC flow logs, CICFlowMeter, any mapped CSV) into flows and idle gaps.
 *
 * An exporter writes one record per flow and interval: it closes a record when the flow has
 * been idle for its inactive timeout, when the record has lasted its active timeout (or status
 * interval), or when the connection ends. So the silence between the end of record i and the
 * start of record i+1 of the same 5-tuple is an idle gap we can see, while any silence shorter
 * than the inactive timeout inside one record is invisible (docs/EXPORTS.md).
 *
 * Records live in typed-array columns (struct of arrays) so a million of them cost ~100 bytes
 * each; grouping by flow key uses an open-addressing hash on the numeric key, never string keys.
 */
import { FlowSetBuilder, growF64, growU16, growU32, growU8 } from './builder.js';
import { AddressTable } from './addresses.js';
import { GapCollector } from './distribution.js';
import { parseIPv4, parseIPv6 } from '../util/ip-address.js';
import {
  FlowEnd, FlowStart, FlowState, PacketKind, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP,
  packGapInfo, type Direction, type FlowSet, type GapDistribution,
} from './types.js';

/* Record flag bits (RecordTable.flags). */
/** The record includes the opening of the connection (a TCP SYN from its initiator). */
export const REC_OPENS = 0x01;
/** The record's source sent a FIN. */
export const REC_FIN_SRC = 0x02;
/** The record's destination sent a FIN. */
export const REC_FIN_DST = 0x04;
/** A RST was seen. */
export const REC_RST = 0x08;
/** The exporter says the connection was closed normally (Zeek SF, Argus FIN): both sides' FINs. */
export const REC_CLOSED = 0x10;
/** The record counts only packets from its source to its destination (NetFlow, VPC flow logs). */
export const REC_UNIDIRECTIONAL = 0x20;

/** `state` column value when the exporter gives no state. */
export const STATE_UNKNOWN = 255;


/**
 * Flow records, column by column. Unknown counters are NaN. `src` is the record's source: the
 * initiator for bidirectional exporters (Zeek orig, Argus saddr, CICFlowMeter forward), the
 * sender for unidirectional ones.
 */
export class RecordTable {
  count = 0;
  private cap: number;
  readonly addresses: AddressTable;
  startUs: Float64Array<ArrayBuffer>;
  endUs: Float64Array<ArrayBuffer>;
  proto: Uint8Array<ArrayBuffer>;
  srcAddr: Uint32Array<ArrayBuffer>;
  dstAddr: Uint32Array<ArrayBuffer>;
  srcPort: Uint16Array<ArrayBuffer>;
  dstPort: Uint16Array<ArrayBuffer>;
  packetsFwd: Float64Array<ArrayBuffer>;
  packetsBwd: Float64Array<ArrayBuffer>;
  bytesFwd: Float64Array<ArrayBuffer>;
  bytesBwd: Float64Array<ArrayBuffer>;
  flags: Uint8Array<ArrayBuffer>;
  /** FlowState after the record when the exporter says (Zeek conn_state, Argus state), else STATE_UNKNOWN. */
  state: Uint8Array<ArrayBuffer>;
  /** Line of the input the record came from (for messages and tests). */
  line: Uint32Array<ArrayBuffer>;
  /**
   * Idle periods inside the record as an exporter summarises them (CICFlowMeter "Idle Mean/Min/Max",
   * "Active Mean"), microseconds; null until a format sets them.
   */
  idle: { meanUs: Float64Array<ArrayBuffer>; minUs: Float64Array<ArrayBuffer>; maxUs: Float64Array<ArrayBuffer>; activeMeanUs: Float64Array<ArrayBuffer> } | null = null;

  constructor(initial = 1024, addresses = new AddressTable()) {
    this.cap = Math.max(16, initial);
    this.addresses = addresses;
    const n = this.cap;
    this.startUs = new Float64Array(n);
    this.endUs = new Float64Array(n);
    this.proto = new Uint8Array(n);
    this.srcAddr = new Uint32Array(n);
    this.dstAddr = new Uint32Array(n);
    this.srcPort = new Uint16Array(n);
    this.dstPort = new Uint16Array(n);
    this.packetsFwd = new Float64Array(n);
    this.packetsBwd = new Float64Array(n);
    this.bytesFwd = new Float64Array(n);
    this.bytesBwd = new Float64Array(n);
    this.flags = new Uint8Array(n);
    this.state = new Uint8Array(n);
    this.line = new Uint32Array(n);
  }

  /** Index of a new record; the caller fills every column (idle columns only if enableIdle()). */
  reserve(): number {
    if (this.count === this.cap) {
      const n = this.cap * 2;
      this.startUs = growF64(this.startUs, n);
      this.endUs = growF64(this.endUs, n);
      this.proto = growU8(this.proto, n);
      this.srcAddr = growU32(this.srcAddr, n);
      this.dstAddr = growU32(this.dstAddr, n);
      this.srcPort = growU16(this.srcPort, n);
      this.dstPort = growU16(this.dstPort, n);
      this.packetsFwd = growF64(this.packetsFwd, n);
      this.packetsBwd = growF64(this.packetsBwd, n);
      this.bytesFwd = growF64(this.bytesFwd, n);
      this.bytesBwd = growF64(this.bytesBwd, n);
      this.flags = growU8(this.flags, n);
      this.state = growU8(this.state, n);
      this.line = growU32(this.line, n);
      if (this.idle !== null) {
        this.idle = {
          meanUs: growF64(this.idle.meanUs, n), minUs: growF64(this.idle.minUs, n),
          maxUs: growF64(this.idle.maxUs, n), activeMeanUs: growF64(this.idle.activeMeanUs, n),
        };
      }
      this.cap = n;
    }
    const i = this.count++;
    if (this.idle !== null) {
      this.idle.meanUs[i] = 0; this.idle.minUs[i] = 0; this.idle.maxUs[i] = 0; this.idle.activeMeanUs[i] = 0;
    }
    return i;
  }

  /** Drop the record last reserved (a line that turned out unreadable after all). */
  unreserve(): void {
    if (this.count > 0) this.count--;
  }

  enableIdle(): NonNullable<RecordTable['idle']> {
    if (this.idle === null) {
      const n = this.cap;
      this.idle = { meanUs: new Float64Array(n), minUs: new Float64Array(n), maxUs: new Float64Array(n), activeMeanUs: new Float64Array(n) };
    }
    return this.idle;
  }

  /** Convenience for tests and small callers: add one record from plain values. */
  add(r: RecordInput): number {
    const i = this.reserve();
    this.startUs[i] = r.startUs;
    this.endUs[i] = r.endUs;
    this.proto[i] = r.proto;
    this.srcAddr[i] = internText(this.addresses, r.src);
    this.dstAddr[i] = internText(this.addresses, r.dst);
    this.srcPort[i] = r.sport ?? 0;
    this.dstPort[i] = r.dport ?? 0;
    this.packetsFwd[i] = r.packetsFwd ?? Number.NaN;
    this.packetsBwd[i] = r.packetsBwd ?? Number.NaN;
    this.bytesFwd[i] = r.bytesFwd ?? Number.NaN;
    this.bytesBwd[i] = r.bytesBwd ?? Number.NaN;
    this.flags[i] = r.flags ?? 0;
    this.state[i] = r.state ?? STATE_UNKNOWN;
    this.line[i] = r.line ?? 0;
    if (r.idle !== undefined) {
      const idle = this.enableIdle();
      idle.meanUs[i] = r.idle.meanUs; idle.minUs[i] = r.idle.minUs; idle.maxUs[i] = r.idle.maxUs; idle.activeMeanUs[i] = r.idle.activeMeanUs;
    }
    return i;
  }
}

export interface RecordInput {
  startUs: number;
  endUs: number;
  proto: number;
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  packetsFwd?: number;
  packetsBwd?: number;
  bytesFwd?: number;
  bytesBwd?: number;
  flags?: number;
  state?: number;
  line?: number;
  idle?: { meanUs: number; minUs: number; maxUs: number; activeMeanUs: number };
}

const scratch6 = new Uint32Array(4);

/** Intern an address given as text; -1 if it is neither IPv4 nor IPv6. */
export function internAddress(table: AddressTable, text: string): number {
  const v4 = parseIPv4(text);
  if (v4 >= 0) return table.internV4(v4);
  if (text.indexOf(':') >= 0 && parseIPv6(text, scratch6)) return table.internV6(scratch6);
  return -1;
}

function internText(table: AddressTable, text: string): number {
  const id = internAddress(table, text);
  if (id < 0) throw new Error(`not an IP address: ${text}`);
  return id;
}

// ---------------------------------------------------------------------------------------------

export interface RecordFlowOptions {
  /** Gaps at least this long are stored per flow (microseconds). */
  gapFloorUs: number;
  /** The exporter's inactive timeout if known (seconds): gaps shorter than it are invisible. */
  exportInactiveTimeoutSeconds?: number;
  /** Exporter defaults for the warning when the timeout is neither given nor seen in the data. */
  exporter?: ExporterTimeouts;
}

/** What an exporter is known to hide, from its documentation. */
export interface ExporterTimeouts {
  name: string;
  /**
   * 'inactive': the exporter closes a record after this much silence (Zeek, NetFlow), so every
   * silence between two records of one flow is at least that long. 'interval': it writes a record
   * per reporting interval whatever the traffic (Argus status records, VPC aggregation intervals),
   * so silences between records can be of any length but none longer than the interval hides.
   */
  kind: 'inactive' | 'interval';
  /** The exporter's name for the setting ('status interval', 'activity timeout' ...). */
  setting?: string;
  /** Gaps shorter than this may hide inside one record, per protocol class (seconds). */
  tcpSeconds: number | null;
  udpSeconds: number | null;
  otherSeconds: number | null;
  /** Where the numbers come from (shown in the warning). */
  source: string;
}

export interface RecordFlowResult {
  flows: FlowSet;
  distribution: GapDistribution;
  /** The inactive timeout used for the warning, seconds (null when unknown). */
  inactiveTimeoutSeconds: number | null;
  /** How it was found: 'option', 'exporter default', 'data' or 'unknown'. */
  inactiveTimeoutSource: 'option' | 'exporter default' | 'data' | 'unknown';
  warnings: string[];
}

const NONE = -1;

/**
 * Group record indices by flow key (protocol and the unordered pair of endpoints), each group
 * sorted by start time. Returns the records in group order and the group boundaries.
 */
export function groupByKey(t: RecordTable): { order: Int32Array; groupStart: Int32Array; groups: number } {
  const n = t.count;
  let size = 1024;
  while (size < n * 2) size *= 2;
  const mask = size - 1;
  const slots = new Int32Array(size).fill(NONE); // group id
  const gHead = new Int32Array(n), gTail = new Int32Array(n), gRep = new Int32Array(n);
  const next = new Int32Array(n).fill(NONE);
  let groups = 0;
  for (let r = 0; r < n; r++) {
    let a = t.srcAddr[r], b = t.dstAddr[r], pa = t.srcPort[r], pb = t.dstPort[r];
    if (a > b || (a === b && pa > pb)) { const x = a; a = b; b = x; const y = pa; pa = pb; pb = y; }
    const ports = ((pa << 16) | pb) >>> 0;
    const proto = t.proto[r];
    let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 15) ^ b, 0xc2b2ae35);
    h = Math.imul(h ^ (h >>> 13) ^ ports, 0x27d4eb2f);
    h = Math.imul(h ^ (h >>> 16) ^ proto, 0x165667b1);
    let i = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const g = slots[i];
      if (g === NONE) {
        slots[i] = groups;
        gHead[groups] = r; gTail[groups] = r; gRep[groups] = r;
        groups++;
        break;
      }
      const q = gRep[g];
      if (t.proto[q] === proto && sameKey(t, q, a, b, pa, pb)) {
        next[gTail[g]] = r;
        gTail[g] = r;
        break;
      }
      i = (i + 1) & mask;
    }
  }
  const order = new Int32Array(n);
  const groupStart = new Int32Array(groups + 1);
  let k = 0;
  for (let g = 0; g < groups; g++) {
    groupStart[g] = k;
    const from = k;
    for (let r = gHead[g]; r !== NONE; r = next[r]) {
      // Insertion sort by start time: exports are written roughly in time order, so this is near linear.
      let j = k++;
      const s = t.startUs[r];
      while (j > from && t.startUs[order[j - 1]] > s) { order[j] = order[j - 1]; j--; }
      order[j] = r;
    }
  }
  groupStart[groups] = k;
  return { order, groupStart, groups };
}

function sameKey(t: RecordTable, q: number, a: number, b: number, pa: number, pb: number): boolean {
  const qa = t.srcAddr[q], qb = t.dstAddr[q], qpa = t.srcPort[q], qpb = t.dstPort[q];
  return (qa === a && qb === b && qpa === pa && qpb === pb) || (qa === b && qb === a && qpa === pb && qpb === pa);
}

function protoClass(proto: number): 'tcp' | 'udp' | 'other' {
  return proto === PROTO_TCP ? 'tcp' : proto === PROTO_UDP ? 'udp' : 'other';
}

function datagramState(proto: number, replied: boolean): FlowState {
  if (proto === PROTO_UDP || proto === 136) return replied ? FlowState.UdpReplied : FlowState.UdpUnreplied;
  if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) return FlowState.Icmp;
  return FlowState.Other;
}

/**
 * Whether record r, seen from the flow's client `clientAddr:clientPort`, has its source on the
 * client side.
 */
function fromClient(t: RecordTable, r: number, clientAddr: number, clientPort: number): boolean {
  return t.srcAddr[r] === clientAddr && t.srcPort[r] === clientPort;
}

function nz(x: number): number {
  return x === x ? x : 0;
}

/**
 * Records into flows. Per flow key, records sorted by start are swept into segments (the union
 * of overlapping record intervals: with unidirectional exporters the two directions of one
 * interval overlap); the silence between two segments is an idle gap. A new flow (rather than
 * a gap) begins where the previous segment closed the connection (FIN both ways, RST) or the
 * next segment opens one (a SYN from its initiator).
 */
export function flowsFromRecords(t: RecordTable, opts: RecordFlowOptions): RecordFlowResult {
  const { order, groupStart, groups } = groupByKey(t);
  const out = new FlowSetBuilder();
  const gaps = new GapCollector();
  const floorUs = opts.gapFloorUs;
  let windowStartUs = Number.NaN, windowEndUs = Number.NaN;
  for (let r = 0; r < t.count; r++) {
    if (!(t.startUs[r] >= windowStartUs)) windowStartUs = t.startUs[r];
    if (!(t.endUs[r] <= windowEndUs)) windowEndUs = Math.max(t.endUs[r], t.startUs[r]);
  }
  // Smallest inactivity gap per protocol class, ignoring gaps after records that were probably
  // cut by an active timeout (those last about as long as the longest record).
  let maxDurationUs = 0;
  for (let r = 0; r < t.count; r++) maxDurationUs = Math.max(maxDurationUs, t.endUs[r] - t.startUs[r]);
  const minGapUs = { tcp: Number.POSITIVE_INFINITY, udp: Number.POSITIVE_INFINITY, other: Number.POSITIVE_INFINITY };
  let idleEstimated = 0;

  for (let g = 0; g < groups; g++) {
    const from = groupStart[g], to = groupStart[g + 1];
    let k = from;
    while (k < to) {
      // ---- one flow: records order[k .. m) ----
      const first = order[k];
      const proto = t.proto[first];
      // Client: the source of a bidirectional record; for unidirectional records the sender of the
      // earliest one, and on a tie (both directions exported with the same start) the side with
      // the higher port, as clients use ephemeral ports.
      let clientAddr = t.srcAddr[first], clientPort = t.srcPort[first];
      let serverAddr = t.dstAddr[first], serverPort = t.dstPort[first];
      if ((t.flags[first] & REC_UNIDIRECTIONAL) !== 0) {
        for (let j = k + 1; j < to && t.startUs[order[j]] === t.startUs[first]; j++) {
          const q = order[j];
          if (t.srcAddr[q] !== clientAddr || t.srcPort[q] !== clientPort) {
            if (t.srcPort[q] > clientPort) {
              clientAddr = t.srcAddr[q]; clientPort = t.srcPort[q]; serverAddr = t.dstAddr[q]; serverPort = t.dstPort[q];
            }
            break;
          }
        }
      }
      const f = out.reserve();
      out.proto[f] = proto;
      out.clientAddr[f] = clientAddr;
      out.serverAddr[f] = serverAddr;
      out.clientPort[f] = clientPort;
      out.serverPort[f] = serverPort;
      out.gapOffset[f] = out.gapCount;
      let pC2S = 0, pS2C = 0, bC2S = 0, bS2C = 0;
      let lastState = STATE_UNKNOWN;
      let segStartUs = t.startUs[first];
      let segEndUs = Number.NEGATIVE_INFINITY;
      let segFlags = 0; // flags of the current segment, relative to the client as above
      const firstUs = t.startUs[first];
      const opens = (t.flags[first] & REC_OPENS) !== 0;
      let replied = false;
      let m = k;
      while (m < to) {
        const r = order[m];
        const rs = t.startUs[r];
        const re = Math.max(t.endUs[r], rs);
        const fwd = fromClient(t, r, clientAddr, clientPort);
        const rf = t.flags[r];
        if (m > k && rs > segEndUs) {
          // A new segment: is it the same connection after an idle gap, or a new connection?
          const closed = (segFlags & 4) !== 0 || (segFlags & 8) !== 0 || (segFlags & 3) === 3;
          if (closed || (rf & REC_OPENS) !== 0) break;
          const gapUs = rs - segEndUs;
          gaps.add(gapUs);
          if (segEndUs - segStartUs < 0.9 * maxDurationUs) {
            const c = protoClass(proto);
            if (gapUs < minGapUs[c]) minGapUs[c] = gapUs;
          }
          if (gapUs >= floorUs) {
            const state = proto === PROTO_TCP ? FlowState.Established : datagramState(proto, replied);
            out.pushGap(segEndUs, rs, packGapInfo(state, PacketKind.Data, (fwd ? 0 : 1) as Direction, false, false));
          }
          segFlags = 0;
          segStartUs = rs;
        }
        // Idle periods the exporter summarised inside the record (CICFlowMeter).
        if (t.idle !== null && t.idle.maxUs[r] > 0) {
          idleEstimated += addSummarisedIdle(t, r, proto, replied, floorUs, gaps, out);
        }
        if (re > segEndUs) segEndUs = re;
        const pf = nz(t.packetsFwd[r]), pb = nz(t.packetsBwd[r]), bf = nz(t.bytesFwd[r]), bb = nz(t.bytesBwd[r]);
        if (fwd) { pC2S += pf; pS2C += pb; bC2S += bf; bS2C += bb; if (pb > 0) replied = true; }
        else { pC2S += pb; pS2C += pf; bC2S += bb; bS2C += bf; if (pf > 0) replied = true; }
        let rel = 0;
        if ((rf & REC_FIN_SRC) !== 0) rel |= fwd ? 1 : 2;
        if ((rf & REC_FIN_DST) !== 0) rel |= fwd ? 2 : 1;
        if ((rf & REC_RST) !== 0) rel |= 4;
        if ((rf & REC_CLOSED) !== 0) rel |= 8;
        segFlags |= rel;
        if (t.state[r] !== STATE_UNKNOWN) lastState = t.state[r];
        m++;
      }
      // Flow end from the last segment's flags (a FIN in an earlier segment followed by more
      // traffic did not end the connection).
      let end: FlowEnd;
      if ((segFlags & 4) !== 0) end = FlowEnd.Rst;
      else if ((segFlags & 8) !== 0 || (segFlags & 3) === 3) end = FlowEnd.Fin;
      else if ((segFlags & 3) !== 0) end = FlowEnd.HalfClosed;
      else end = FlowEnd.Open;
      // segFlags bits, relative to the client: 1 client FIN, 2 server FIN, 4 RST, 8 closed.
      let endState: number;
      if (proto === PROTO_TCP) {
        if (lastState !== STATE_UNKNOWN) endState = lastState;
        else endState = end === FlowEnd.Rst ? FlowState.Close : end === FlowEnd.Fin ? FlowState.TimeWait
          : end === FlowEnd.HalfClosed ? FlowState.FinWait : FlowState.Established;
      } else {
        endState = datagramState(proto, replied || pS2C > 0);
      }
      let lastUs = firstUs;
      for (let j = k; j < m; j++) lastUs = Math.max(lastUs, t.endUs[order[j]], t.startUs[order[j]]);
      out.firstUs[f] = firstUs;
      out.lastUs[f] = lastUs;
      out.start[f] = proto !== PROTO_TCP ? FlowStart.Datagram : opens ? FlowStart.Syn : FlowStart.MidStream;
      out.end[f] = end;
      out.endState[f] = endState;
      out.packetsC2S[f] = pC2S;
      out.packetsS2C[f] = pS2C;
      out.bytesC2S[f] = bC2S;
      out.bytesS2C[f] = bS2C;
      out.gapOffset[f + 1] = out.gapCount;
      if (end === FlowEnd.Open || end === FlowEnd.HalfClosed) {
        const censored = (windowEndUs - lastUs) / 1e6;
        if (censored >= 0) gaps.addCensored(censored);
      }
      k = m;
    }
  }

  // Exporters do not analyse TCP sequence numbers: keep-alives are not identifiable (their columns stay 0).
  const flows: FlowSet = out.toFlowSet(t.addresses.texts(), floorUs, windowStartUs, windowEndUs);

  const warnings: string[] = [];
  const timeout = inactiveTimeout(opts, minGapUs);
  warnings.push(timeout.warning);
  if (idleEstimated > 0) {
    warnings.push(`${idleEstimated} idle periods come from the exporter's per-record summary (Idle Min/Mean/Max): their lengths are estimated and their positions inside the record spread evenly`);
  }
  return {
    flows, distribution: gaps.result(), inactiveTimeoutSeconds: timeout.seconds,
    inactiveTimeoutSource: timeout.source, warnings,
  };
}

/** Most idle periods one CICFlowMeter record is expanded into (docs/LIMITS.md). */
export const MAX_SUMMARISED_IDLE_PERIODS = 4096;

/**
 * Idle periods a CICFlowMeter record summarises (it counts a silence longer than its activity
 * timeout as one idle period and reports their mean, min and max). Their number is estimated
 * from the record's duration D, active mean A and idle mean I: with n idle periods there are
 * n + 1 active ones, so D = (n + 1) A + n I, i.e. n = (D - A) / (A + I), rounded, at least 1.
 * Lengths: min and max as given, the others the mean of the rest; positions evenly spread.
 * Returns the number of idle periods added.
 */
function addSummarisedIdle(t: RecordTable, r: number, proto: number, replied: boolean, floorUs: number, gaps: GapCollector, out: FlowSetBuilder): number {
  const idle = t.idle!;
  const meanUs = idle.meanUs[r], minUs = idle.minUs[r] > 0 ? idle.minUs[r] : idle.maxUs[r], maxUs = idle.maxUs[r];
  const activeUs = Math.max(0, idle.activeMeanUs[r]);
  const durationUs = t.endUs[r] - t.startUs[r];
  let n = Math.round((durationUs - activeUs) / (activeUs + meanUs));
  if (!(n >= 1)) n = 1;
  // Bounded (a zero mean made n infinite; test/fuzz/regressions.test.ts): each idle period lasts at
  // least minUs and is followed by a packet, and CICFlowMeter's defaults allow 120 s / 5 s = 24.
  const packets = nz(t.packetsFwd[r]) + nz(t.packetsBwd[r]);
  n = Math.min(n, Math.max(1, Math.floor(durationUs / minUs)), packets > 1 ? packets - 1 : n, MAX_SUMMARISED_IDLE_PERIODS);
  if (maxUs === minUs) n = Math.max(1, Math.min(n, Math.floor(durationUs / maxUs)) || 1);
  if (n === 1 && minUs !== maxUs) n = 2;
  const lengths: number[] = [];
  if (n === 1) lengths.push(maxUs);
  else {
    lengths.push(minUs, maxUs);
    const rest = n > 2 ? Math.max(minUs, Math.min(maxUs, (n * meanUs - minUs - maxUs) / (n - 2))) : 0;
    for (let k = 2; k < n; k++) lengths.push(rest);
  }
  let idleTotal = 0;
  for (const l of lengths) idleTotal += l;
  const activeEach = Math.max(0, (durationUs - idleTotal) / (n + 1));
  let at = t.startUs[r];
  const state = proto === PROTO_TCP ? FlowState.Established : datagramState(proto, replied);
  for (const l of lengths) {
    at += activeEach;
    gaps.add(l);
    // Whole microseconds, as every other time (types.ts).
    if (l >= floorUs) out.pushGap(Math.round(at), Math.round(at) + Math.round(l), packGapInfo(state, PacketKind.Data, 0, false, false));
    at += l;
  }
  return n;
}

function inactiveTimeout(
  opts: RecordFlowOptions, minGapUs: { tcp: number; udp: number; other: number },
): { seconds: number | null; source: RecordFlowResult['inactiveTimeoutSource']; warning: string } {
  const hide = 'idle gaps shorter than that inside one record are invisible: the gap distribution holds only the silences between records';
  if (opts.exportInactiveTimeoutSeconds !== undefined) {
    const s = opts.exportInactiveTimeoutSeconds;
    return { seconds: s, source: 'option', warning: `exporter inactive timeout ${s} s (given): ${hide}` };
  }
  const ex = opts.exporter;
  const seen = Math.min(minGapUs.tcp, minGapUs.udp, minGapUs.other);
  if (ex !== undefined && (ex.tcpSeconds !== null || ex.udpSeconds !== null || ex.otherSeconds !== null)) {
    const parts: string[] = [];
    if (ex.tcpSeconds !== null && ex.tcpSeconds === ex.udpSeconds && ex.udpSeconds === ex.otherSeconds) parts.push(`${ex.tcpSeconds} s for every protocol`);
    else if (ex.tcpSeconds !== null) parts.push(`TCP ${ex.tcpSeconds} s`);
    if (parts.length === 0 || !parts[0].includes('every')) {
      if (ex.udpSeconds !== null) parts.push(`UDP ${ex.udpSeconds} s`);
      if (ex.otherSeconds !== null) parts.push(`other ${ex.otherSeconds} s`);
    }
    // The data can show the site lowered the default: a silence between two records of one
    // flow shorter than the default.
    const tcpLower = ex.kind === 'inactive' && ex.tcpSeconds !== null && minGapUs.tcp / 1e6 < ex.tcpSeconds;
    const udpLower = ex.kind === 'inactive' && ex.udpSeconds !== null && minGapUs.udp / 1e6 < ex.udpSeconds;
    const largest = Math.max(ex.tcpSeconds ?? 0, ex.udpSeconds ?? 0, ex.otherSeconds ?? 0);
    const what = ex.setting ?? (ex.kind === 'inactive' ? 'inactive timeout' : 'reporting interval');
    let warning = `${ex.name} hides short silences: its default ${what} is ${parts.join(', ')} (${ex.source}); ${hide}`;
    if (tcpLower || udpLower) {
      warning += `; the data has a gap of ${round3(seen / 1e6)} s between records of one flow, so this exporter ran with a shorter setting (pass --export-inactive-timeout to say which)`;
    }
    return { seconds: largest, source: 'exporter default', warning };
  }
  if (seen < Number.POSITIVE_INFINITY) {
    const s = round3(seen / 1e6);
    return {
      seconds: s, source: 'data',
      warning: `exporter inactive timeout not given: the smallest silence between two records of one flow is ${s} s, so the timeout is at most that; ${hide} (pass --export-inactive-timeout to set it)`,
    };
  }
  return {
    seconds: null, source: 'unknown',
    warning: `exporter inactive timeout unknown (no flow has two records); ${hide} (pass --export-inactive-timeout to set it)`,
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
