/**
 * Idle periods a CICFlowMeter record summarises (Idle Mean/Min/Max, Active Mean), expanded into
 * gaps of its flow (docs/EXPORTS.md).
 */
import type { FlowSetBuilder } from './builder.js';
import type { GapCollector } from './distribution.js';
import { datagramState, nz } from './record-state.js';
import { PacketKind, packGapInfo } from './types.js';
import { FlowState, PROTO_TCP } from '../util/protocols.js';
import type { RecordTable } from '../ingest/flowexport/records.js';

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
export function addSummarisedIdle(t: RecordTable, r: number, proto: number, replied: boolean, floorUs: number, gaps: GapCollector, out: FlowSetBuilder): number {
  const idle = t.idle!;
  const meanUs = idle.meanUs[r]!, minUs = idle.minUs[r]! > 0 ? idle.minUs[r]! : idle.maxUs[r]!, maxUs = idle.maxUs[r]!;
  const activeUs = Math.max(0, idle.activeMeanUs[r]!);
  const durationUs = t.endUs[r]! - t.startUs[r]!;
  let n = Math.round((durationUs - activeUs) / (activeUs + meanUs));
  if (!(n >= 1)) n = 1;
  // Bounded (a zero mean made n infinite; test/fuzz/regressions.test.ts): each idle period lasts at
  // least minUs and is followed by a packet, and CICFlowMeter's defaults allow 120 s / 5 s = 24.
  const packets = nz(t.packetsFwd[r]!) + nz(t.packetsBwd[r]!);
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
  let at = t.startUs[r]!;
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
