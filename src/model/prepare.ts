/**
 * Preparation of the model (docs/MODEL.md): the flow model that every candidate's evaluation
 * reads, built once per platform and keep-alive profile.
 */
import { FlowEnd, GAP_PROBE_RETRY_BIT, GAP_RETRANSMISSION_BIT, PacketKind, gapDirection, gapKind, gapState, type FlowSet, type GapDistribution } from '../flows/types.js';
import { FLOW_STATE_NAMES } from '../util/protocols.js';
import { summariseGaps } from '../flows/distribution.js';
import { argsort } from './argsort.js';
import { RadixScratch, scratchWords, sortInPlace, sortWithOrder } from './radix-sort.js';
import type { FlowModel } from './flow-model.js';
import { prepareKeepAlive } from './keepalive-senders.js';
import { bucketOf, clipToWindow, cumulativeByBucket, makeGrid } from './occupancy-grid.js';
import { toPlatformSetting, type PlatformProfile } from './platforms.js';
import { makeTimeoutResolver, type TimeoutRule } from './policy.js';
import { indexServices } from './service-index.js';
import { EndpointLabels } from './endpoint-labels.js';
import { distinctAddresses } from './affected-services.js';
import { kaplanMeierSorted } from './survival.js';
import type { Source } from './types.js';
import type { LogEvidence } from './log-bounds.js';
import type { GapSummary } from '../flows/types.js';

export interface PlanOptions {
  platform: PlatformProfile;
  /** Where each platform value came from, for the output (flags and files). */
  platformProvenance?: Partial<Record<string, Source>>;
  /** Keep-alive profile or IDLE/INTERVAL/COUNT text, and whether the user gave it (flag) or it is the default (profile). */
  keepalive: string;
  keepaliveSource: Source;
  protocol: 'tcp' | 'udp';
  rules?: TimeoutRule[];
  /** Samples in each candidate's entries-over-time series. */
  seriesPoints?: number;
  /** How many affected services to list per candidate. */
  affectedLimit?: number;
  /** Firewall logs among the inputs: where their figures are only lower bounds (log-bounds.ts). */
  logEvidence?: LogEvidence;
  /** How many services (the most sessions first) get per-service figures per candidate; default 10, 0 for none. */
  serviceLimit?: number;
  /** The timeout in force, for the memory change (default: the platform's established, or udp_replied with protocol udp). */
  currentSeconds?: number;
}

export interface PlanData {
  flows: FlowSet;
  distribution: GapDistribution;
}

const STATES = FLOW_STATE_NAMES.length;
/** Services with per-service figures when PlanOptions.serviceLimit is not given. */
export const DEFAULT_SERVICE_LIMIT = 10;
/** Stand-in candidates used to find which states follow the candidate for a service. */
const PROBE_A = 1e12 + 1;
const PROBE_B = 1e12 + 2;

/**
 * Everything about the flows that does not depend on the candidate (docs/MODEL.md, "Preparation"):
 * per-service timeouts and which states follow the candidate, keep-alive schedules, the largest
 * candidate-dependent gap and first fixed-timeout break per flow, evidence of expiring state,
 * and the sorted entry starts and ends the occupancy sweep merges.
 */
export function prepareFlowModel(data: PlanData, opts: PlanOptions, gapSummary?: GapSummary): FlowModel {
  const fs = data.flows;
  const n = fs.count;
  const protocol = opts.protocol;
  const rules = opts.rules ?? [];
  const { timeouts, followsCandidate, timeoutIndex } = serviceTimeouts(fs, opts.platform, protocol, rules);

  const kaSchedule = new Int32Array(n * 2);
  const { setting: keepalive, schedules, kaIdleMinSeconds } = prepareKeepAlive(fs, opts.keepalive, opts.keepaliveSource, kaSchedule);

  const { maxCandGapUs, fixedBreak, evidence, keptByKeepAlive, survivalEvents } = scanGaps(fs, timeouts, followsCandidate, timeoutIndex);

  // Starts in time order, and which flow each is (the per-service starts are taken in this order).
  // The first packets are in order already in a canonical flow set (canonical.ts): then read in place, not copied.
  const { sorted: startsUs, order: startOrder } = sortWithOrder(fs.firstUs, true);
  // One set of working arrays for the sorts below (each pass touches fresh memory once, not per
  // sort), sized at once for the largest of them: the end orders' argsorts and the survival sort.
  const scratch = new RadixScratch(scratchWords(n, survivalEvents.length));
  const { fixedEndOrder, fixedEndUs, candEndOrder, candLastUs } = endOrders(fs, timeouts, followsCandidate, timeoutIndex, scratch);

  const windowStartUs = fs.windowStartUs;
  const windowEndUs = fs.windowEndUs;
  // Idle periods still running at the end (open or half-closed, in a state that follows the
  // candidate): the candidate-state flows by last packet, latest first, are these in ascending
  // order already ((end - last) / 1e6 falls as the last packet rises), so they need no sort.
  let censoredCount = 0;
  for (let k = 0; k < candEndOrder.length; k++) { const e = fs.end[candEndOrder[k]!]; if (e === FlowEnd.Open || e === FlowEnd.HalfClosed) censoredCount++; }
  const survivalCensored = new Float64Array(censoredCount);
  for (let k = candEndOrder.length - 1, c = 0; k >= 0; k--) {
    const i = candEndOrder[k]!;
    if (fs.end[i] === FlowEnd.Open || fs.end[i] === FlowEnd.HalfClosed) survivalCensored[c++] = (windowEndUs - candLastUs[k]!) / 1e6;
  }
  const grid = makeGrid(windowStartUs, windowEndUs, n);
  const startCum = cumulativeByBucket(startsUs, grid.buckets, grid.bucketUs, windowStartUs, windowEndUs);
  const fixedCum = cumulativeByBucket(fixedEndUs, grid.buckets, grid.bucketUs, windowStartUs, windowEndUs);
  const fixedBucket = new Int32Array(fixedEndUs.length);
  for (let k = 0; k < fixedEndUs.length; k++) fixedBucket[k] = bucketOf(fixedEndUs[k]!, grid.buckets, grid.bucketUs, windowStartUs, windowEndUs);
  // Filled from the front and handed on as a view: the pages past the count are never touched, so cost no memory.
  const sensitiveAll = new Uint32Array(n);
  let sensitiveCount = 0;
  for (let i = 0; i < n; i++) {
    if (fixedBreak[i]! >= 0 || evidence[i]! >= 0 || maxCandGapUs[i]! > 0 || (keptByKeepAlive[i] === 1 && fs.end[i] === FlowEnd.Open)) sensitiveAll[sensitiveCount++] = i;
  }
  const fixedBucketOf = new Int32Array(n).fill(-1);
  const fixedClippedUs = new Float64Array(n);
  for (let k = 0; k < fixedEndOrder.length; k++) {
    const i = fixedEndOrder[k]!;
    fixedBucketOf[i] = fixedBucket[k]!;
    fixedClippedUs[i] = clipToWindow(fixedEndUs[k]!, windowStartUs, windowEndUs) - windowStartUs;
  }
  const fixedNetAll = new Int32Array(grid.buckets + 1);
  let fixedEndSumAll = 0;
  for (let k = 0; k < fixedEndUs.length; k++) {
    fixedNetAll[fixedBucket[k]!]!++;
    fixedEndSumAll += clipToWindow(fixedEndUs[k]!, windowStartUs, windowEndUs) - windowStartUs;
  }
  const baseNet = new Int32Array(grid.buckets + 1);
  for (let b = 0; b < grid.buckets; b++) baseNet[b] = startCum[b + 1]! - startCum[b]!;
  for (let b = 0; b <= grid.buckets; b++) baseNet[b]! -= fixedNetAll[b]!;
  const candPos = new Int32Array(n).fill(-1);
  for (let k = 0; k < candEndOrder.length; k++) candPos[candEndOrder[k]!] = k;
  let startSumUs = 0;
  // Entries that began before the window (conntrack series, merged inputs) count from its start.
  for (let k = 0; k < n; k++) startSumUs += Math.max(startsUs[k]!, windowStartUs) - windowStartUs;
  return {
    fs, platform: opts.platform, platformSetting: toPlatformSetting(opts.platform, opts.platformProvenance ?? {}), keepalive, protocol,
    windowStartUs, windowEndUs, windowSeconds: Number.isFinite(windowStartUs) ? (windowEndUs - windowStartUs) / 1e6 : 0,
    timeouts, followsCandidate, timeoutIndex, kaSchedule, schedules, kaIdleMinSeconds, maxCandGapUs, fixedBreak, evidence, keptByKeepAlive,
    startsUs, fixedEndOrder, fixedEndUs, candEndOrder, candLastUs,
    buckets: grid.buckets, bucketUs: grid.bucketUs, startCum, fixedCum, fixedBucket, startSumUs,
    sensitive: sensitiveAll.subarray(0, sensitiveCount), fixedBucketOf, fixedClippedUs, fixedNetAll, fixedEndSumAll, baseNet, candPos,
    labelIds: new Int32Array(n * 2), labels: [], labelSides: [], labelIndex: distinctAddresses(fs.addresses) ? null : new Map(), labelByEndpoints: new EndpointLabels(),
    services: indexServices(fs, opts.serviceLimit ?? DEFAULT_SERVICE_LIMIT, { buckets: grid.buckets, bucketUs: grid.bucketUs, startOrder, fixedEndOrder, fixedEndUs, fixedBucket, candEndOrder, candLastUs }),
    seriesPoints: opts.seriesPoints ?? 60, affectedLimit: opts.affectedLimit ?? 10,
    survival: kaplanMeierSorted(sortInPlace(survivalEvents, scratch), survivalCensored), gaps: gapSummary ?? summariseGaps(data.distribution), rules,
  };
}

/**
 * The entry ends in time order: flows whose last state has a fixed timeout by the end of their
 * entry (last packet plus that timeout), and flows whose last state follows the candidate by
 * their last packet (the candidate adds the same T to each, so one order serves every candidate).
 */
function endOrders(fs: FlowSet, timeouts: Float64Array[], followsCandidate: Uint16Array, timeoutIndex: Uint32Array, scratch: RadixScratch): {
  fixedEndOrder: Uint32Array; fixedEndUs: Float64Array; candEndOrder: Uint32Array; candLastUs: Float64Array;
} {
  const n = fs.count;
  let candCount = 0;
  for (let i = 0; i < n; i++) if ((followsCandidate[timeoutIndex[i]!]! & (1 << fs.endState[i]!)) !== 0) candCount++;
  const candIdx = new Uint32Array(candCount);
  const fixedIdx = new Uint32Array(n - candCount);
  for (let i = 0, c = 0, f = 0; i < n; i++) {
    if ((followsCandidate[timeoutIndex[i]!]! & (1 << fs.endState[i]!)) !== 0) candIdx[c++] = i; else fixedIdx[f++] = i;
  }
  const fixedKeys = new Float64Array(fixedIdx.length);
  for (let k = 0; k < fixedIdx.length; k++) { const i = fixedIdx[k]!; fixedKeys[k] = fs.lastUs[i]! + timeouts[timeoutIndex[i]!]![fs.endState[i]!]! * 1e6; }
  const fixedPerm = argsort(fixedKeys, scratch);
  const fixedEndOrder = new Uint32Array(fixedIdx.length);
  const fixedEndUs = new Float64Array(fixedIdx.length);
  for (let k = 0; k < fixedIdx.length; k++) { fixedEndOrder[k] = fixedIdx[fixedPerm[k]!]!; fixedEndUs[k] = fixedKeys[fixedPerm[k]!]!; }
  const candKeys = new Float64Array(candIdx.length);
  for (let k = 0; k < candIdx.length; k++) candKeys[k] = fs.lastUs[candIdx[k]!]!;
  const candPerm = argsort(candKeys, scratch);
  const candEndOrder = new Uint32Array(candIdx.length);
  const candLastUs = new Float64Array(candIdx.length);
  for (let k = 0; k < candIdx.length; k++) { candEndOrder[k] = candIdx[candPerm[k]!]!; candLastUs[k] = candKeys[candPerm[k]!]!; }
  return { fixedEndOrder, fixedEndUs, candEndOrder, candLastUs };
}

/**
 * Per-service timeouts: resolved with two stand-in candidates, the states that differ follow the
 * candidate (their entry NaN, their bit set in the mask). Flows of one service share one array.
 */
function serviceTimeouts(fs: FlowSet, platform: PlatformProfile, protocol: 'tcp' | 'udp', rules: TimeoutRule[]): { timeouts: Float64Array[]; followsCandidate: Uint16Array; timeoutIndex: Uint32Array } {
  const n = fs.count;
  const resolveA = makeTimeoutResolver({ platform, candidateSeconds: PROBE_A, protocol, rules });
  const resolveB = makeTimeoutResolver({ platform, candidateSeconds: PROBE_B, protocol, rules });
  const timeouts: Float64Array[] = [];
  const masks: number[] = [];
  const seen = new Map<Float64Array, number>();
  const timeoutIndex = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const addr = fs.addresses[fs.serverAddr[i]!]!;
    const a = resolveA(fs.proto[i]!, addr, fs.serverPort[i]!);
    let idx = seen.get(a);
    if (idx === undefined) {
      const b = resolveB(fs.proto[i]!, addr, fs.serverPort[i]!);
      let mask = 0;
      const t = new Float64Array(STATES);
      for (let s = 0; s < STATES; s++) {
        if (a[s] !== b[s]) { mask |= 1 << s; t[s] = NaN; } else t[s] = a[s]!;
      }
      idx = timeouts.length;
      timeouts.push(t);
      masks.push(mask);
      seen.set(a, idx);
    }
    timeoutIndex[i] = idx;
  }
  const followsCandidate = Uint16Array.from(masks);
  return { timeouts, followsCandidate, timeoutIndex };
}

/**
 * One pass over every flow's gaps: the largest candidate-dependent gap before any fixed-timeout
 * break, that break, evidence of state already expiring, whether keep-alives kept the session,
 * and the candidate-state gaps (seconds) for the survival estimate.
 */
function scanGaps(fs: FlowSet, timeouts: Float64Array[], followsCandidate: Uint16Array, timeoutIndex: Uint32Array): {
  maxCandGapUs: Float64Array; fixedBreak: Int32Array; evidence: Int32Array; keptByKeepAlive: Uint8Array; survivalEvents: Float64Array;
} {
  const n = fs.count;
  const maxCandGapUs = new Float64Array(n);
  const fixedBreak = new Int32Array(n).fill(-1);
  const evidence = new Int32Array(n).fill(-1);
  const keptByKeepAlive = new Uint8Array(n);
  // Candidate-state gaps (seconds), filled from the front: at most every stored gap is one.
  const survivalEvents = new Float64Array(fs.gapStartUs.length);
  let survivalEventCount = 0;
  for (let i = 0; i < n; i++) {
    const t = timeouts[timeoutIndex[i]!]!;
    const mask = followsCandidate[timeoutIndex[i]!]!;
    let maxCand = 0;
    const g0 = fs.gapOffset[i]!, g1 = fs.gapOffset[i + 1]!;
    for (let k = g0!; k < g1; k++) {
      const info = fs.gapInfo[k]!;
      const s = gapState(info);
      const gapUs = fs.gapEndUs[k]! - fs.gapStartUs[k]!;
      if ((mask & (1 << s)) !== 0) {
        if (gapUs > maxCand) maxCand = gapUs;
        survivalEvents[survivalEventCount++] = gapUs / 1e6;
      } else if (fixedBreak[i]! < 0 && gapUs > t[s]! * 1e6) {
        fixedBreak[i] = k;
      }
      // Evidence that the real path already drops: a probe that gets retried, or data retransmitted, with nothing back.
      if (evidence[i]! < 0 && k + 1 < g1) {
        const kind = gapKind(info);
        const next = fs.gapInfo[k + 1]!;
        if (kind === PacketKind.KeepAliveProbe && (next & GAP_PROBE_RETRY_BIT) !== 0 && gapDirection(next) === gapDirection(info)) evidence[i] = k;
        else if (kind === PacketKind.Data && (next & GAP_RETRANSMISSION_BIT) !== 0 && gapDirection(next) === gapDirection(info) && gapKind(next) === PacketKind.Data) evidence[i] = k;
      }
    }
    maxCandGapUs[i] = fixedBreak[i]! >= 0 ? maxCandUpTo(fs, i, mask, fixedBreak[i]!) : maxCand;
    if (g1 > g0) {
      const lastKind = gapKind(fs.gapInfo[g1 - 1]!);
      keptByKeepAlive[i] = lastKind === PacketKind.KeepAliveProbe || lastKind === PacketKind.KeepAliveAck ? 1 : 0;
    }
  }

  return { maxCandGapUs, fixedBreak, evidence, keptByKeepAlive, survivalEvents: survivalEvents.subarray(0, survivalEventCount) };
}

function maxCandUpTo(fs: FlowSet, i: number, mask: number, stop: number): number {
  let m = 0;
  for (let k = fs.gapOffset[i]!; k < stop; k++) {
    if ((mask & (1 << gapState(fs.gapInfo[k]!))) === 0) continue;
    const g = fs.gapEndUs[k]! - fs.gapStartUs[k]!;
    if (g > m) m = g;
  }
  return m;
}
