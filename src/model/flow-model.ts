/**
 * The flows prepared for replay: everything the model needs that does not depend on the
 * candidate timeout, built once by `prepareFlowModel` (prepare.ts) and read by every evaluation.
 */
import type { FlowSet } from '../flows/types.js';
import type { PlatformProfile } from './platforms.js';
import type { TimeoutRule } from './policy.js';
import type { ServiceIndex } from './service-index.js';
import type { Survival } from './survival.js';
import type { KeepAliveSchedule, KeepAliveSetting, PlatformSetting } from './types.js';
import type { GapSummary } from '../flows/types.js';
import type { EndpointLabels } from './endpoint-labels.js';

/** kaSchedule value for a side with no keep-alive schedule. */
export const NO_SCHEDULE = -1;

export interface FlowModel {
  fs: FlowSet;
  platform: PlatformProfile;
  platformSetting: PlatformSetting;
  keepalive: KeepAliveSetting;
  protocol: 'tcp' | 'udp';
  windowStartUs: number;
  windowEndUs: number;
  windowSeconds: number;
  /** Per flow: its service's timeouts (seconds per state), and a mask of states that follow the candidate. */
  timeouts: Float64Array[];
  followsCandidate: Uint16Array; // bit s set: state s takes the candidate
  /** Per flow: index into `timeouts` (flows of one service share one array). */
  timeoutIndex: Uint32Array;
  /** Per flow and side (0 client, 1 server): keep-alive schedule index, or -1. */
  kaSchedule: Int32Array;
  schedules: KeepAliveSchedule[];
  /** Per flow: the shorter keep-alive idle of its sides, seconds (NaN: no schedule); kept alive when it is within the established timeout. */
  kaIdleMinSeconds: Float64Array;
  /** Per flow: largest candidate-dependent gap before any fixed-timeout break (us), and that fixed break's gap index or -1. */
  maxCandGapUs: Float64Array;
  fixedBreak: Int32Array;
  /** Per flow: gap index where the capture shows state already expiring (unanswered probes or data), or -1. */
  evidence: Int32Array;
  /** Per flow: the last long gap ended with keep-alive traffic (a session kept only by keep-alives). */
  keptByKeepAlive: Uint8Array;
  /** First packet times, ascending. */
  startsUs: Float64Array;
  /** The flows a candidate can change (long gaps, evidence, or kept by keep-alives): the only ones evaluate() visits. */
  sensitive: Uint32Array;
  /**
   * Per flow (flow order, so the sweep reads them in the replay's order): the bucket of its
   * fixed-state end, or -1 when its last state follows the candidate; and that end clipped to the
   * window, minus the window start (us).
   */
  fixedBucketOf: Int32Array;
  fixedClippedUs: Float64Array;
  /** Net entries ending per bucket and the clipped end sum over all fixed-state flows (before exceptions). */
  fixedNetAll: Int32Array;
  fixedEndSumAll: number;
  /** Per bucket (buckets + 1): entry starts minus all fixed-state ends, the sweep's net before this candidate's changes. */
  baseNet: Int32Array;
  /** Per flow: its position in candEndOrder, or -1 (so the replay can mark replayed flows in that order). */
  candPos: Int32Array;
  /** Flows whose last state has a fixed timeout, by end of entry; and flows whose last state follows the candidate, by last packet. */
  fixedEndOrder: Uint32Array;
  fixedEndUs: Float64Array; // aligned with fixedEndOrder
  candEndOrder: Uint32Array;
  candLastUs: Float64Array; // aligned with candEndOrder
  /** Occupancy grid: `buckets` equal steps over the window. */
  buckets: number;
  bucketUs: number;
  /** Index of the first start (startsUs) and first fixed end (fixedEndUs) in each bucket; length buckets + 2. */
  startCum: Int32Array;
  fixedCum: Int32Array;
  /** Bucket of each fixed end (aligned with fixedEndOrder); `buckets` when after the window. */
  fixedBucket: Int32Array;
  /** Sum over all flows of (first packet - window start), us. */
  startSumUs: number;
  /**
   * Per flow and side: the affected-service label id plus 1 (0 until first needed: the array
   * stays as allocated, its pages untouched, for the flows that never break).
   */
  labelIds: Int32Array;
  /** Per label id: its text, or '' until first read (labelText, affected-services.ts). */
  labels: string[];
  /** Per label id left for later: its first flow side (flow * 2 + direction). */
  labelSides: number[];
  /** Label ids by text, when two address ids may share a text; null when all are distinct (distinctAddresses). */
  labelIndex: Map<string, number> | null;
  /** Label id by endpoints (endpoint-labels.ts): a label's text is built once per endpoint pair, not once per flow. */
  labelByEndpoints: EndpointLabels;
  seriesPoints: number;
  /** The services whose figures each candidate reports (null: none). */
  services: ServiceIndex | null;
  affectedLimit: number;
  survival: Survival;
  gaps: GapSummary;
  rules: TimeoutRule[];
}

export function scheduleOf(p: FlowModel, i: number, side: 0 | 1): KeepAliveSchedule | null {
  const s = p.kaSchedule[i * 2 + side]!;
  return s === NO_SCHEDULE ? null : p.schedules[s]!;
}

/** Timeout of state s for flow i under candidate T (seconds). */
export function timeoutOf(p: FlowModel, i: number, s: number, T: number): number {
  const ti = p.timeoutIndex[i]!;
  return (p.followsCandidate[ti]! & (1 << s)) !== 0 ? T : p.timeouts[ti]![s]!;
}
