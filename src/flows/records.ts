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
 * The records and their flag bits are defined by the readers (src/ingest/flowexport/records.ts).
 */
import { FlowSetBuilder } from './builder.js';
import { datagramState, nz, protoClass } from './record-state.js';
import { GapCollector } from './distribution.js';
import { groupByKey } from './record-groups.js';
import { addSummarisedIdle } from './record-idle.js';
import { inactiveTimeout, type InactiveTimeoutSource } from './export-timeout.js';
import { FlowEnd, FlowStart, PacketKind, packGapInfo, type Direction, type FlowSet, type GapDistribution } from './types.js';
import { FlowState, PROTO_TCP } from '../util/protocols.js';
import {
  REC_CLOSED, REC_FIN_DST, REC_FIN_SRC, REC_OPENS, REC_RST, REC_UNIDIRECTIONAL, STATE_UNKNOWN, type ExporterTimeouts, type RecordTable,
} from '../ingest/flowexport/records.js';

/** The state value of a record without one (re-exported for test/fuzz/regressions.test.ts). */
export { STATE_UNKNOWN } from '../ingest/flowexport/records.js';

// ---------------------------------------------------------------------------------------------

export interface RecordFlowOptions {
  /** Gaps at least this long are stored per flow (microseconds). */
  gapFloorUs: number;
  /** The exporter's inactive timeout if known (seconds): gaps shorter than it are invisible. */
  exportInactiveTimeoutSeconds?: number;
  /** Exporter defaults for the warning when the timeout is neither given nor seen in the data. */
  exporter?: ExporterTimeouts;
}


export interface RecordFlowResult {
  flows: FlowSet;
  distribution: GapDistribution;
  /** The inactive timeout used for the warning, seconds (null when unknown). */
  inactiveTimeoutSeconds: number | null;
  /** How it was found: 'option', 'exporter default', 'data' or 'unknown'. */
  inactiveTimeoutSource: InactiveTimeoutSource;
  warnings: string[];
}

/**
 * Whether record r, seen from the flow's client `clientAddr:clientPort`, has its source on the
 * client side.
 */
function fromClient(t: RecordTable, r: number, clientAddr: number, clientPort: number): boolean {
  return t.srcAddr[r] === clientAddr && t.srcPort[r] === clientPort;
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
    if (!(t.startUs[r]! >= windowStartUs)) windowStartUs = t.startUs[r]!;
    if (!(t.endUs[r]! <= windowEndUs)) windowEndUs = Math.max(t.endUs[r]!, t.startUs[r]!);
  }
  // Smallest inactivity gap per protocol class, ignoring gaps after records that were probably
  // cut by an active timeout (those last about as long as the longest record).
  let maxDurationUs = 0;
  for (let r = 0; r < t.count; r++) maxDurationUs = Math.max(maxDurationUs, t.endUs[r]! - t.startUs[r]!);
  const minGapUs = { tcp: Number.POSITIVE_INFINITY, udp: Number.POSITIVE_INFINITY, other: Number.POSITIVE_INFINITY };
  let idleEstimated = 0;

  for (let g = 0; g < groups; g++) {
    const from = groupStart[g], to = groupStart[g + 1]!;
    let k = from!;
    while (k < to) {
      // ---- one flow: records order[k .. m) ----
      const first = order[k]!;
      const proto = t.proto[first]!;
      // Client: the source of a bidirectional record; for unidirectional records the sender of the
      // earliest one, and on a tie (both directions exported with the same start) the side with
      // the higher port, as clients use ephemeral ports.
      let clientAddr = t.srcAddr[first]!, clientPort = t.srcPort[first]!;
      let serverAddr = t.dstAddr[first]!, serverPort = t.dstPort[first]!;
      if ((t.flags[first]! & REC_UNIDIRECTIONAL) !== 0) {
        for (let j = k + 1; j < to && t.startUs[order[j]!] === t.startUs[first]; j++) {
          const q = order[j]!;
          if (t.srcAddr[q] !== clientAddr || t.srcPort[q] !== clientPort) {
            if (t.srcPort[q]! > clientPort) {
              clientAddr = t.srcAddr[q]!; clientPort = t.srcPort[q]!; serverAddr = t.dstAddr[q]!; serverPort = t.dstPort[q]!;
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
      let segStartUs = t.startUs[first]!;
      let segEndUs = Number.NEGATIVE_INFINITY;
      let segFlags = 0; // flags of the current segment, relative to the client as above
      const firstUs = t.startUs[first]!;
      const opens = (t.flags[first]! & REC_OPENS) !== 0;
      let replied = false;
      let m = k!;
      while (m < to) {
        const r = order[m]!;
        const rs = t.startUs[r]!;
        const re = Math.max(t.endUs[r]!, rs);
        const fwd = fromClient(t, r, clientAddr, clientPort);
        const rf = t.flags[r]!;
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
        if (t.idle !== null && t.idle.maxUs[r]! > 0) {
          idleEstimated += addSummarisedIdle(t, r, proto, replied, floorUs, gaps, out);
        }
        if (re > segEndUs) segEndUs = re;
        const pf = nz(t.packetsFwd[r]!), pb = nz(t.packetsBwd[r]!), bf = nz(t.bytesFwd[r]!), bb = nz(t.bytesBwd[r]!);
        if (fwd) { pC2S += pf; pS2C += pb; bC2S += bf; bS2C += bb; if (pb > 0) replied = true; }
        else { pC2S += pb; pS2C += pf; bC2S += bb; bS2C += bf; if (pf > 0) replied = true; }
        let rel = 0;
        if ((rf & REC_FIN_SRC) !== 0) rel |= fwd ? 1 : 2;
        if ((rf & REC_FIN_DST) !== 0) rel |= fwd ? 2 : 1;
        if ((rf & REC_RST) !== 0) rel |= 4;
        if ((rf & REC_CLOSED) !== 0) rel |= 8;
        segFlags |= rel;
        if (t.state[r] !== STATE_UNKNOWN) lastState = t.state[r]!;
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
      let lastUs = firstUs!;
      for (let j = k!; j < m; j++) lastUs = Math.max(lastUs, t.endUs[order[j]!]!, t.startUs[order[j]!]!);
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
