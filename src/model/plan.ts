/**
 * The timeout model (docs/MODEL.md): replay every flow against the firewall's state machine
 * for each candidate, classify what breaks, and sweep entry lifetimes for table occupancy.
 *
 * Everything that does not depend on the candidate is computed once in `prepare` (per-flow
 * timeouts by service, keep-alive schedules per sender, flows sorted by start and by the end
 * of their last entry), so `evaluate(T)` is one pass over the flows and one merge sweep:
 * no re-reading, no per-candidate sort of all flows.
 */
import { FLOW_STATE_NAMES, FlowEnd, FlowState, GAP_PROBE_RETRY_BIT, GAP_RETRANSMISSION_BIT, PacketKind, PROTO_TCP,
  gapDirection, gapKind, gapState, type FlowSet, type GapDistribution } from '../flows/types.js';
import { protoName } from '../flows/summary.js';
import { summariseGaps } from '../flows/distribution.js';
import { getPlatform, toPlatformSetting, type PlatformProfile } from './platforms.js';
import { inferKeepAlive, parseKeepAlive } from './keepalive.js';
import { makeTimeoutResolver, type TimeoutRule } from './policy.js';
import { conditionalSurvival, kaplanMeier, type Survival } from './survival.js';
import type { AffectedService, CandidateResult, GapSummary, KeepAliveSchedule, KeepAliveSetting, PlanResult, Planner,
  PlatformSetting, Source } from './types.js';

export interface PlanOptions {
  platform: PlatformProfile;
  /** Where each platform value came from, for the output (flags and files). */
  platformSources?: Partial<Record<string, Source>>;
  /** Keep-alive profile or IDLE/INTERVAL/COUNT text, and whether the user gave it (flag) or it is the default (profile). */
  keepalive: string;
  keepaliveSource: Source;
  protocol: 'tcp' | 'udp';
  rules?: TimeoutRule[];
  /** Samples in each candidate's entries-over-time series. */
  seriesPoints?: number;
  /** How many affected services to list per candidate. */
  affectedLimit?: number;
}

export interface PlanData {
  flows: FlowSet;
  distribution: GapDistribution;
}

const NO_SCHEDULE = -1;
const STATES = FLOW_STATE_NAMES.length;
/** Stand-in candidates used to find which states follow the candidate for a service. */
const PROBE_A = 1e12 + 1;
const PROBE_B = 1e12 + 2;

interface Prepared {
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
  /** Per flow: its position in fixedEndOrder, or -1 when its last state follows the candidate. */
  fixedPos: Int32Array;
  /** Net entries ending per bucket and the clipped end sum over all fixed-state flows (before exceptions). */
  fixedNetAll: Int32Array;
  fixedEndSumAll: number;
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
  /** Per flow and side: the affected-service label id (-1 until first needed). */
  labelIds: Int32Array;
  labels: string[];
  labelIndex: Map<string, number>;
  seriesPoints: number;
  affectedLimit: number;
  survival: Survival;
  gaps: GapSummary;
  rules: TimeoutRule[];
}

function scheduleOf(p: Prepared, i: number, side: 0 | 1): KeepAliveSchedule | null {
  const s = p.kaSchedule[i * 2 + side];
  return s === NO_SCHEDULE ? null : p.schedules[s];
}

function hostPort(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** Keep-alive senders: servers by address:port, clients by address (their ports are ephemeral). */
function senderKey(fs: FlowSet, i: number, side: 0 | 1): number {
  // Numeric, so the per-flow lookups build no strings: servers by address id and port, clients by address id.
  return side === 1 ? fs.serverAddr[i] * 65536 + fs.serverPort[i] : -1 - fs.clientAddr[i];
}

function senderLabel(fs: FlowSet, i: number, side: 0 | 1): string {
  return side === 1 ? hostPort(fs.addresses[fs.serverAddr[i]], fs.serverPort[i]) : `${fs.addresses[fs.clientAddr[i]]}:*`;
}

function prepareKeepAlive(fs: FlowSet, keepaliveText: string, source: Source, kaSchedule: Int32Array): { setting: KeepAliveSetting; schedules: KeepAliveSchedule[] } {
  const given = parseKeepAlive(keepaliveText);
  // Gather, per sender, the gaps that ended with its probes.
  const senders = new Map<number, { label: string; gaps: number[]; retry: boolean[]; flows: number[]; side: 0 | 1 }>();
  for (let i = 0; i < fs.count; i++) {
    if (fs.proto[i] !== PROTO_TCP) continue;
    for (const side of [0, 1] as const) {
      const probes = side === 0 ? fs.keepAlivesC2S[i] : fs.keepAlivesS2C[i];
      if (probes === 0) continue;
      const key = senderKey(fs, i, side);
      let s = senders.get(key);
      if (s === undefined) {
        s = { label: senderLabel(fs, i, side), gaps: [], retry: [], flows: [], side };
        senders.set(key, s);
      }
      s.flows.push(i);
      for (let k = fs.gapOffset[i]; k < fs.gapOffset[i + 1]; k++) {
        const info = fs.gapInfo[k];
        if (gapKind(info) !== PacketKind.KeepAliveProbe || gapDirection(info) !== side) continue;
        s.gaps.push((fs.gapEndUs[k] - fs.gapStartUs[k]) / 1e6);
        s.retry.push((info & GAP_PROBE_RETRY_BIT) !== 0);
      }
    }
  }
  const schedules: KeepAliveSchedule[] = [];
  const observed: KeepAliveSetting['observed'] = [];
  const bySender = new Map<number, number>();
  for (const [key, s] of senders) {
    const inf = inferKeepAlive(s.gaps, s.retry);
    const probes = s.flows.reduce((n, i) => n + (s.side === 0 ? fs.keepAlivesC2S[i] : fs.keepAlivesS2C[i]), 0);
    if (inf !== null) observed.push({ sender: s.label, idleSeconds: inf.idleSeconds, intervalSeconds: inf.intervalSeconds, probes });
    let schedule: KeepAliveSchedule | null;
    if (source === 'flag') schedule = given.schedule;
    else {
      // Observed idle (and interval where retries showed it), the profile for the rest.
      const base = given.schedule ?? { idleSeconds: 7200, intervalSeconds: 75, count: 9 };
      schedule = inf === null ? base : { idleSeconds: inf.idleSeconds, intervalSeconds: inf.intervalSeconds ?? base.intervalSeconds, count: base.count };
    }
    if (schedule !== null) {
      bySender.set(key, schedules.length);
      schedules.push(schedule);
    }
  }
  kaSchedule.fill(NO_SCHEDULE);
  const anyObserved = senders.size > 0;
  let flagForAllServers = -1;
  if (!anyObserved && source === 'flag' && given.schedule !== null) {
    // No probes in the data, but the user says the endpoints keep alive: the servers do (the story's database).
    flagForAllServers = schedules.length;
    schedules.push(given.schedule);
  }
  for (let i = 0; i < fs.count && (bySender.size > 0 || flagForAllServers >= 0); i++) {
    if (fs.proto[i] !== PROTO_TCP) continue;
    for (const side of [0, 1] as const) {
      const s = bySender.get(senderKey(fs, i, side));
      if (s !== undefined) kaSchedule[i * 2 + side] = s;
      else if (side === 1 && flagForAllServers >= 0) kaSchedule[i * 2 + 1] = flagForAllServers;
    }
  }
  const setting: KeepAliveSetting = {
    profile: given.profile,
    schedule: given.schedule,
    source: source === 'flag' ? 'flag' : observed.length > 0 ? 'observed' : 'profile',
    observed,
  };
  return { setting, schedules };
}

export function prepare(data: PlanData, opts: PlanOptions, gapSummary?: GapSummary): Prepared {
  const fs = data.flows;
  const n = fs.count;
  const protocol = opts.protocol;
  const rules = opts.rules ?? [];
  // Per-service timeouts: resolve with two stand-in candidates; the states that differ follow the candidate.
  const resolveA = makeTimeoutResolver({ platform: opts.platform, candidateSeconds: PROBE_A, protocol, rules });
  const resolveB = makeTimeoutResolver({ platform: opts.platform, candidateSeconds: PROBE_B, protocol, rules });
  const timeouts: Float64Array[] = [];
  const masks: number[] = [];
  const seen = new Map<Float64Array, number>();
  const timeoutIndex = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const addr = fs.addresses[fs.serverAddr[i]];
    const a = resolveA(fs.proto[i], addr, fs.serverPort[i]);
    let idx = seen.get(a);
    if (idx === undefined) {
      const b = resolveB(fs.proto[i], addr, fs.serverPort[i]);
      let mask = 0;
      const t = new Float64Array(STATES);
      for (let s = 0; s < STATES; s++) {
        if (a[s] !== b[s]) { mask |= 1 << s; t[s] = NaN; } else t[s] = a[s];
      }
      idx = timeouts.length;
      timeouts.push(t);
      masks.push(mask);
      seen.set(a, idx);
    }
    timeoutIndex[i] = idx;
  }
  const followsCandidate = Uint16Array.from(masks);

  const kaSchedule = new Int32Array(n * 2);
  const { setting: keepalive, schedules } = prepareKeepAlive(fs, opts.keepalive, opts.keepaliveSource, kaSchedule);

  const maxCandGapUs = new Float64Array(n);
  const fixedBreak = new Int32Array(n).fill(-1);
  const evidence = new Int32Array(n).fill(-1);
  const keptByKeepAlive = new Uint8Array(n);
  const survivalEvents: number[] = [];
  const survivalCensored: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = timeouts[timeoutIndex[i]];
    const mask = followsCandidate[timeoutIndex[i]];
    let maxCand = 0;
    const g0 = fs.gapOffset[i], g1 = fs.gapOffset[i + 1];
    for (let k = g0; k < g1; k++) {
      const info = fs.gapInfo[k];
      const s = gapState(info);
      const gapUs = fs.gapEndUs[k] - fs.gapStartUs[k];
      if ((mask & (1 << s)) !== 0) {
        if (gapUs > maxCand) maxCand = gapUs;
        survivalEvents.push(gapUs / 1e6);
      } else if (fixedBreak[i] < 0 && gapUs > t[s] * 1e6) {
        fixedBreak[i] = k;
      }
      // Evidence that the real path already drops: a probe that gets retried, or data retransmitted, with nothing back.
      if (evidence[i] < 0 && k + 1 < g1) {
        const kind = gapKind(info);
        const next = fs.gapInfo[k + 1];
        if (kind === PacketKind.KeepAliveProbe && (next & GAP_PROBE_RETRY_BIT) !== 0 && gapDirection(next) === gapDirection(info)) evidence[i] = k;
        else if (kind === PacketKind.Data && (next & GAP_RETRANSMISSION_BIT) !== 0 && gapDirection(next) === gapDirection(info) && gapKind(next) === PacketKind.Data) evidence[i] = k;
      }
    }
    maxCandGapUs[i] = fixedBreak[i] >= 0 ? maxCandUpTo(fs, i, mask, fixedBreak[i]) : maxCand;
    if (g1 > g0) {
      const lastKind = gapKind(fs.gapInfo[g1 - 1]);
      keptByKeepAlive[i] = lastKind === PacketKind.KeepAliveProbe || lastKind === PacketKind.KeepAliveAck ? 1 : 0;
    }
    if ((fs.end[i] === FlowEnd.Open || fs.end[i] === FlowEnd.HalfClosed) && (mask & (1 << fs.endState[i])) !== 0) {
      survivalCensored.push((fs.windowEndUs - fs.lastUs[i]) / 1e6);
    }
  }

  const startsUs = Float64Array.from(fs.firstUs).sort();
  const fixedIdx: number[] = [];
  const candIdx: number[] = [];
  for (let i = 0; i < n; i++) ((followsCandidate[timeoutIndex[i]] & (1 << fs.endState[i])) !== 0 ? candIdx : fixedIdx).push(i);
  const fixedEnd = (i: number): number => fs.lastUs[i] + timeouts[timeoutIndex[i]][fs.endState[i]] * 1e6;
  const fixedKeys = new Float64Array(fixedIdx.length);
  for (let k = 0; k < fixedIdx.length; k++) fixedKeys[k] = fixedEnd(fixedIdx[k]);
  const fixedPerm = argsort(fixedKeys);
  const fixedEndOrder = new Uint32Array(fixedIdx.length);
  const fixedEndUs = new Float64Array(fixedIdx.length);
  for (let k = 0; k < fixedIdx.length; k++) { fixedEndOrder[k] = fixedIdx[fixedPerm[k]]; fixedEndUs[k] = fixedKeys[fixedPerm[k]]; }
  const candKeys = new Float64Array(candIdx.length);
  for (let k = 0; k < candIdx.length; k++) candKeys[k] = fs.lastUs[candIdx[k]];
  const candPerm = argsort(candKeys);
  const candEndOrder = new Uint32Array(candIdx.length);
  const candLastUs = new Float64Array(candIdx.length);
  for (let k = 0; k < candIdx.length; k++) { candEndOrder[k] = candIdx[candPerm[k]]; candLastUs[k] = candKeys[candPerm[k]]; }

  const windowStartUs = fs.windowStartUs;
  const windowEndUs = fs.windowEndUs;
  const grid = makeGrid(windowStartUs, windowEndUs, n);
  const startCum = cumulativeByBucket(startsUs, grid.buckets, grid.bucketUs, windowStartUs, windowEndUs);
  const fixedCum = cumulativeByBucket(fixedEndUs, grid.buckets, grid.bucketUs, windowStartUs, windowEndUs);
  const fixedBucket = new Int32Array(fixedEndUs.length);
  for (let k = 0; k < fixedEndUs.length; k++) fixedBucket[k] = bucketOf(fixedEndUs[k], grid.buckets, grid.bucketUs, windowStartUs, windowEndUs);
  const sensitiveList: number[] = [];
  for (let i = 0; i < n; i++) {
    if (fixedBreak[i] >= 0 || evidence[i] >= 0 || maxCandGapUs[i] > 0 || (keptByKeepAlive[i] === 1 && fs.end[i] === FlowEnd.Open)) sensitiveList.push(i);
  }
  const fixedPos = new Int32Array(n).fill(-1);
  for (let k = 0; k < fixedEndOrder.length; k++) fixedPos[fixedEndOrder[k]] = k;
  const fixedNetAll = new Int32Array(grid.buckets + 1);
  let fixedEndSumAll = 0;
  for (let k = 0; k < fixedEndUs.length; k++) {
    fixedNetAll[fixedBucket[k]]++;
    fixedEndSumAll += clipToWindow(fixedEndUs[k], windowStartUs, windowEndUs) - windowStartUs;
  }
  let startSumUs = 0;
  // Entries that began before the window (conntrack series, merged inputs) count from its start.
  for (let k = 0; k < n; k++) startSumUs += Math.max(startsUs[k], windowStartUs) - windowStartUs;
  return {
    fs, platform: opts.platform, platformSetting: toPlatformSetting(opts.platform, opts.platformSources ?? {}), keepalive, protocol,
    windowStartUs, windowEndUs, windowSeconds: Number.isFinite(windowStartUs) ? (windowEndUs - windowStartUs) / 1e6 : 0,
    timeouts, followsCandidate, timeoutIndex, kaSchedule, schedules, maxCandGapUs, fixedBreak, evidence, keptByKeepAlive,
    startsUs, fixedEndOrder, fixedEndUs, candEndOrder, candLastUs,
    buckets: grid.buckets, bucketUs: grid.bucketUs, startCum, fixedCum, fixedBucket, startSumUs,
    sensitive: Uint32Array.from(sensitiveList), fixedPos, fixedNetAll, fixedEndSumAll,
    labelIds: new Int32Array(n * 2).fill(-1), labels: [], labelIndex: new Map(),
    seriesPoints: opts.seriesPoints ?? 60, affectedLimit: opts.affectedLimit ?? 10,
    survival: kaplanMeier(survivalEvents, survivalCensored), gaps: gapSummary ?? summariseGaps(data.distribution), rules,
  };
}

function maxCandUpTo(fs: FlowSet, i: number, mask: number, stop: number): number {
  let m = 0;
  for (let k = fs.gapOffset[i]; k < stop; k++) {
    if ((mask & (1 << gapState(fs.gapInfo[k]))) === 0) continue;
    const g = fs.gapEndUs[k] - fs.gapStartUs[k];
    if (g > m) m = g;
  }
  return m;
}

/**
 * The permutation that sorts `keys` ascending, ties by position (a quicksort on parallel
 * typed arrays: no comparator closure per comparison, which dominates Array#sort on big inputs).
 */
export function argsort(keys: Float64Array): Uint32Array {
  const n = keys.length;
  const k = keys.slice();
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const less = (ka: number, ia: number, kb: number, ib: number): boolean => ka < kb || (ka === kb && ia < ib);
  const stack: number[] = [0, n - 1];
  while (stack.length > 0) {
    let hi = stack.pop()!;
    let lo = stack.pop()!;
    while (hi - lo > 16) {
      const mid = (lo + hi) >>> 1;
      // median of three as pivot
      if (less(k[mid], idx[mid], k[lo], idx[lo])) swap(k, idx, mid, lo);
      if (less(k[hi], idx[hi], k[lo], idx[lo])) swap(k, idx, hi, lo);
      if (less(k[hi], idx[hi], k[mid], idx[mid])) swap(k, idx, hi, mid);
      const pk = k[mid], pi = idx[mid];
      let i = lo, j = hi;
      while (i <= j) {
        while (less(k[i], idx[i], pk, pi)) i++;
        while (less(pk, pi, k[j], idx[j])) j--;
        if (i <= j) { swap(k, idx, i, j); i++; j--; }
      }
      // recurse into the smaller side first (bounded stack), loop on the larger
      if (j - lo < hi - i) { stack.push(i, hi); hi = j; } else { stack.push(lo, j); lo = i; }
    }
    for (let a = lo + 1; a <= hi; a++) {
      const ka = k[a], ia = idx[a];
      let b = a - 1;
      while (b >= lo && less(ka, ia, k[b], idx[b])) { k[b + 1] = k[b]; idx[b + 1] = idx[b]; b--; }
      k[b + 1] = ka; idx[b + 1] = ia;
    }
  }
  return idx;
}

function swap(k: Float64Array, idx: Uint32Array, a: number, b: number): void {
  const t = k[a]; k[a] = k[b]; k[b] = t;
  const u = idx[a]; idx[a] = idx[b]; idx[b] = u;
}

/** Occupancy grid: about 4 buckets per flow, between 1,024 and 65,536 over the window. */
function makeGrid(ws: number, we: number, flows: number): { buckets: number; bucketUs: number } {
  const buckets = Math.max(1024, Math.min(65536, flows * 4));
  const span = we - ws;
  return { buckets, bucketUs: span > 0 ? span / buckets : 1 };
}

/** Bucket of time t: 0..buckets-1 inside the window (t = window end in the last), `buckets` after it. */
function bucketOf(t: number, buckets: number, bucketUs: number, ws: number, we: number): number {
  if (t > we) return buckets;
  const b = Math.floor((t - ws) / bucketUs);
  return b < 0 ? 0 : b >= buckets ? buckets - 1 : b;
}

/** For sorted times: index of the first time in each bucket (length buckets + 2; the last entry is the length). */
function cumulativeByBucket(sorted: Float64Array, buckets: number, bucketUs: number, ws: number, we: number): Int32Array {
  const cum = new Int32Array(buckets + 2);
  let k = 0;
  for (let b = 0; b <= buckets; b++) {
    cum[b] = k;
    while (k < sorted.length && bucketOf(sorted[k], buckets, bucketUs, ws, we) <= b) k++;
  }
  cum[buckets + 1] = sorted.length;
  return cum;
}

/** Timeout of state s for flow i under candidate T (seconds). */
function timeoutOf(p: Prepared, i: number, s: number, T: number): number {
  const ti = p.timeoutIndex[i];
  return (p.followsCandidate[ti] & (1 << s)) !== 0 ? T : p.timeouts[ti][s];
}

const KIND_KEEPALIVE = 0, KIND_DATA = 1, KIND_CLOSE = 2;
function breakKind(kind: PacketKind): number {
  if (kind === PacketKind.KeepAliveProbe) return KIND_KEEPALIVE;
  if (kind === PacketKind.Fin || kind === PacketKind.Rst) return KIND_CLOSE;
  return KIND_DATA;
}

/** Evaluate one candidate: replay, classify, sweep. */
export function evaluate(p: Prepared, T: number): CandidateResult {
  const fs = p.fs;
  const n = fs.count;
  const Tus = T * 1e6;
  const we = p.windowEndUs;
  const strict = p.platform.pickup === 'strict';
  let sessionsWithDrops = 0;
  let droppedKeepAlives = 0;
  let droppedPackets = 0;
  const byKind = [0, 0, 0];
  let neverExpiring = 0;
  // Per-candidate exceptions to the precomputed end orders.
  const special = new Uint8Array(n); // 1: end computed here (broken, evidence survivor, re-picked)
  const extraEnds = new F64List();
  const extraStarts = new F64List();
  const affected = new AffectedTally();
  const warnings: string[] = [];

  const specialList: number[] = [];
  const sensitive = p.sensitive;
  for (let si = 0; si < sensitive.length; si++) {
    const i = sensitive[si];
    const fixedBreak = p.fixedBreak[i];
    const ev = p.evidence[i];
    if (fixedBreak < 0 && ev < 0 && p.maxCandGapUs[i] <= Tus) {
      // Unbroken flow: its entry ends after its last packet (precomputed order), unless a
      // keep-alive keeps it alive for good.
      if (fs.end[i] === FlowEnd.Open && p.keptByKeepAlive[i] === 1 && isKeptAlive(p, i, T)) {
        special[i] = 1;
        specialList.push(i);
        extraEnds.push(Number.POSITIVE_INFINITY);
        neverExpiring++;
      }
      continue;
    }
    // Walk the stored gaps in order.
    special[i] = 1;
    specialList.push(i);
    const isTcp = fs.proto[i] === PROTO_TCP;
    let broken = false;
    let alive = true; // an entry exists
    let ended = false;
    const g1 = fs.gapOffset[i + 1];
    for (let k = fs.gapOffset[i]; k < g1; k++) {
      const info = fs.gapInfo[k];
      const s = gapState(info);
      const tau = timeoutOf(p, i, s, T) * 1e6;
      const gapUs = fs.gapEndUs[k] - fs.gapStartUs[k];
      if (k === ev && gapUs <= tau && alive) {
        // The capture shows the path dropping here, but this candidate keeps the state: the
        // probes are answered and the session lives on, refreshed by keep-alives.
        extraEnds.push(Number.POSITIVE_INFINITY);
        if (gapKind(info) === PacketKind.KeepAliveProbe) neverExpiring++;
        ended = true;
        break;
      }
      if (!alive) {
        // No entry: with loose pickup, or for a datagram flow when the client sends, a packet creates one again.
        if ((isTcp && !strict) || (!isTcp && gapDirection(info) === 0)) {
          alive = true;
          extraStarts.push(fs.gapEndUs[k]);
        } else if (!isTcp) droppedPackets++;
        continue;
      }
      if (gapUs <= tau) continue;
      // The entry expired at gap start + tau; the packet that ends the gap finds no state.
      const expiredAt = fs.gapStartUs[k] + tau;
      extraEnds.push(expiredAt);
      const kind = gapKind(info);
      const dir = gapDirection(info);
      if (isTcp && !strict) {
        // Loose pickup: the mid-stream packet creates a new entry; nothing is dropped.
        extraStarts.push(fs.gapEndUs[k]);
        continue;
      }
      if (!isTcp) {
        if (dir === 0) {
          // A datagram from the client creates a new entry.
          extraStarts.push(fs.gapEndUs[k]);
          continue;
        }
        // A reply to a forgotten datagram flow is dropped.
        if (!broken) { broken = true; sessionsWithDrops++; byKind[KIND_DATA]++; noteAffected(affected, p, i, dir, KIND_DATA, gapUs / 1e6); }
        droppedPackets++;
        alive = false;
        continue;
      }
      // TCP, strict pickup: the session is broken from here on.
      broken = true;
      alive = false;
      sessionsWithDrops++;
      const bk = breakKind(kind);
      byKind[bk]++;
      noteAffected(affected, p, i, dir, bk, gapUs / 1e6);
      const drops = dropsAfterBreak(p, i, k, bk, dir);
      droppedKeepAlives += drops.keepAlives;
      droppedPackets += drops.packets;
      break;
    }
    if (!ended) {
      if (alive) {
        // Entry lives past the last packet for the timeout of the final state.
        const end = fs.lastUs[i] + timeoutOf(p, i, fs.endState[i], T) * 1e6;
        if (fs.end[i] === FlowEnd.Open && p.keptByKeepAlive[i] === 1 && isKeptAlive(p, i, T)) {
          extraEnds.push(Number.POSITIVE_INFINITY);
          neverExpiring++;
        } else extraEnds.push(end);
      }
    }
  }

  // Beyond the window: sessions idle at the end whose fate the capture cannot show.
  const reasons: string[] = [];
  let extrapolated = false;
  const kaIdle = maxScheduleIdle(p);
  if (p.windowSeconds < T + kaIdle) {
    extrapolated = true;
    reasons.push(`the window (${round(p.windowSeconds)} s) is shorter than the timeout plus the keep-alive idle time (${round(T)} + ${round(kaIdle)} s)`);
    let expected = 0;
    let expectedKa = 0;
    for (let i = 0; i < n; i++) {
      if (special[i] === 1 || fs.proto[i] !== PROTO_TCP) continue;
      if (fs.end[i] !== FlowEnd.Open || fs.endState[i] !== FlowState.Established) continue;
      const idleAtEnd = (we - fs.lastUs[i]) / 1e6;
      const tau = timeoutOf(p, i, FlowState.Established, T);
      if (idleAtEnd >= tau) continue; // already expired inside the window: its next packet is outside it
      const srv = scheduleOf(p, i, 1) ?? scheduleOf(p, i, 0);
      if (srv !== null && srv.idleSeconds > tau) {
        // A keep-alive will come after srv.idle of silence and find no state.
        expected += 1;
        expectedKa += srv.count;
      } else if (srv === null) {
        expected += conditionalSurvival(p.survival, tau, idleAtEnd) * resumeProbability(p);
      }
    }
    if (expected > 0) {
      reasons.push(`${round(expected)} more sessions idle at capture end are expected to break (Kaplan-Meier estimate with an exponential tail over ${p.survival.events} gaps and ${p.survival.censored} censored idle periods)`);
      sessionsWithDrops += Math.round(expected);
      droppedKeepAlives += expectedKa;
    }
  }

  const occ = sweep(p, T, special, specialList, extraStarts, extraEnds);
  const bytesPerEntry = p.platform.bytesPerEntry;
  const fixed = p.platform.fixedBytes;
  const tableMax = p.platform.tableMax;
  if (tableMax !== null && occ.peak > tableMax) warnings.push(`peak entries ${occ.peak} exceed the table maximum ${tableMax}: new connections would be refused`);
  const hours = p.windowSeconds / 3600;
  return {
    timeoutSeconds: T,
    sessionsWithDrops,
    droppedKeepAlives,
    droppedPackets,
    brokenByKind: { keepAlive: byKind[KIND_KEEPALIVE], data: byKind[KIND_DATA], close: byKind[KIND_CLOSE] },
    tableEntries: { mean: occ.mean, peak: occ.peak, p99: occ.p99, atEnd: occ.atEnd },
    memoryBytes: { mean: occ.mean * bytesPerEntry + fixed, peak: occ.peak * bytesPerEntry + fixed },
    headroom: tableMax !== null && tableMax > 0 ? occ.peak / tableMax : null,
    growthPerHour: neverExpiring > 0 && hours > 0 ? neverExpiring / hours : null,
    extrapolated,
    ...(extrapolated ? { extrapolatedReason: reasons.join('; ') } : {}),
    series: occ.series,
    affected: topAffected(affected, p.labels, p.affectedLimit),
    warnings,
  };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/** The longest keep-alive idle time of any sender (0 when keep-alives are off). */
function maxScheduleIdle(p: Prepared): number {
  let m = 0;
  for (const s of p.schedules) if (s.idleSeconds > m) m = s.idleSeconds;
  return m;
}

/** Share of candidate-state idle periods that ended with a packet (vs. still running at the end). */
function resumeProbability(p: Prepared): number {
  const total = p.survival.events + p.survival.censored;
  return total > 0 ? p.survival.events / total : 0;
}

/** A session whose keep-alive idle is within its established timeout never expires. */
function isKeptAlive(p: Prepared, i: number, T: number): boolean {
  const tau = timeoutOf(p, i, FlowState.Established, T);
  const a = scheduleOf(p, i, 0);
  const b = scheduleOf(p, i, 1);
  return (a !== null && a.idleSeconds <= tau) || (b !== null && b.idleSeconds <= tau);
}

/**
 * What is dropped once a session broke at gap k (docs/MODEL.md, "After a break"):
 * - a keep-alive probe is retried until COUNT probes went unanswered, then the sender resets;
 * - data is retransmitted (not keep-alives: Linux sends no probe while data is unacknowledged);
 * - the peer, if it keeps alive, probes after its idle time from the last packet it saw, and
 *   gives up after COUNT probes as well.
 * Packets the capture shows after the break are dropped too.
 */
function dropsAfterBreak(p: Prepared, i: number, k: number, bk: number, dir: 0 | 1): { keepAlives: number; packets: number } {
  const fs = p.fs;
  let keepAlives = 0;
  let packets = 0;
  const sender = scheduleOf(p, i, dir === 0 ? 0 : 1);
  const peerSide: 0 | 1 = dir === 0 ? 1 : 0;
  const peer = scheduleOf(p, i, peerSide);
  const gapStart = fs.gapStartUs[k];
  if (bk === KIND_KEEPALIVE) {
    const count = sender !== null ? sender.count : countProbesFrom(fs, i, k, dir);
    keepAlives += count;
    packets += count + 1; // the probes and the reset that ends them
  } else {
    packets += 1;
  }
  if (peer !== null) {
    // The peer heard nothing since the gap began; its timer fires after its idle time.
    const peerProbeAt = gapStart + peer.idleSeconds * 1e6;
    if (peerProbeAt >= fs.gapEndUs[k] && peerProbeAt <= p.windowEndUs) {
      keepAlives += peer.count;
      packets += peer.count + 1;
    }
  }
  return { keepAlives, packets };
}

/** Probes the capture shows from `dir` at and after gap k, for senders with no known schedule. */
function countProbesFrom(fs: FlowSet, i: number, k: number, dir: 0 | 1): number {
  let c = 0;
  for (let j = k; j < fs.gapOffset[i + 1]; j++) {
    const info = fs.gapInfo[j];
    if (gapKind(info) === PacketKind.KeepAliveProbe && gapDirection(info) === dir) c++;
  }
  return Math.max(1, c);
}

/** Idle times kept per affected label for its median. */
const IDLE_SAMPLES = 64;

/** Broken sessions per affected label (as a drop log shows them), in label-indexed arrays. */
class AffectedTally {
  sessions: Int32Array = new Int32Array(16);
  kinds: Int32Array = new Int32Array(48);
  /** Up to IDLE_SAMPLES idle times per label, for the median. */
  idle: Float64Array = new Float64Array(16 * IDLE_SAMPLES);
  used = 0;

  add(id: number, kind: number, idleSeconds: number): void {
    if (id >= this.sessions.length) this.grow(id + 1);
    if (id >= this.used) this.used = id + 1;
    const n = this.sessions[id]++;
    this.kinds[id * 3 + kind]++;
    if (n < IDLE_SAMPLES) this.idle[id * IDLE_SAMPLES + n] = idleSeconds;
  }

  private grow(min: number): void {
    let size = this.sessions.length;
    while (size < min) size *= 2;
    const s = new Int32Array(size); s.set(this.sessions); this.sessions = s;
    const k = new Int32Array(size * 3); k.set(this.kinds); this.kinds = k;
    const i = new Float64Array(size * IDLE_SAMPLES); i.set(this.idle); this.idle = i;
  }
}

function noteAffected(tally: AffectedTally, p: Prepared, i: number, dir: 0 | 1, kind: number, idleSeconds: number): void {
  let id = p.labelIds[i * 2 + dir];
  if (id < 0) {
    // As a drop log shows the first dropped packet: its source -> destination, ephemeral client ports as *.
    const fs = p.fs;
    const server = hostPort(fs.addresses[fs.serverAddr[i]], fs.serverPort[i]);
    const clientAddr = fs.addresses[fs.clientAddr[i]];
    const client = `${clientAddr.includes(':') ? `[${clientAddr}]` : clientAddr}:*`;
    const label = `${protoName(fs.proto[i])} ${dir === 1 ? `${server} -> ${client}` : `${client} -> ${server}`}`;
    id = p.labelIndex.get(label) ?? -1;
    if (id < 0) {
      id = p.labels.length;
      p.labels.push(label);
      p.labelIndex.set(label, id);
    }
    p.labelIds[i * 2 + dir] = id;
  }
  tally.add(id, kind, idleSeconds);
}

function topAffected(tally: AffectedTally, labels: string[], limit: number): AffectedService[] {
  const names = ['keepAlive', 'data', 'close'] as const;
  const ids: number[] = [];
  for (let id = 0; id < tally.used; id++) if (tally.sessions[id] > 0) ids.push(id);
  ids.sort((x, y) => tally.sessions[y] - tally.sessions[x] || (labels[x] < labels[y] ? -1 : labels[x] > labels[y] ? 1 : 0));
  return ids.slice(0, limit).map((id) => {
    let best = 0;
    for (let k = 1; k < 3; k++) if (tally.kinds[id * 3 + k] > tally.kinds[id * 3 + best]) best = k;
    const n = Math.min(tally.sessions[id], IDLE_SAMPLES);
    const idle = Array.from(tally.idle.subarray(id * IDLE_SAMPLES, id * IDLE_SAMPLES + n)).sort((a, b) => a - b);
    return { label: labels[id], sessions: tally.sessions[id], kind: names[best], idleSeconds: idle[Math.floor((idle.length - 1) / 2)] };
  });
}

/** A growable list of float64 values (no boxing, native numeric sort). */
class F64List {
  data = new Float64Array(64);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
  sorted(): Float64Array {
    return this.data.subarray(0, this.length).sort();
  }
}

interface Occupancy {
  mean: number;
  peak: number;
  p99: number;
  atEnd: number;
  series: number[];
}

/**
 * Entries over the window by a merge sweep of entry starts and ends (docs/MODEL.md, "Table
 * occupancy"). Starts are the flows' first packets (sorted once) plus re-pickups; ends come from
 * three sorted sources: fixed-state ends (sorted once), candidate-state ends (last packet + T, in
 * last-packet order), and this candidate's exceptions. An end at the same instant as a start is
 * taken first. Time-weighted mean and 99th percentile; peak; count at window end; a series.
 */
function sweep(p: Prepared, T: number, special: Uint8Array, specialList: number[], extraStartList: F64List, extraEndList: F64List): Occupancy {
  const ws = p.windowStartUs;
  const we = p.windowEndUs;
  const points = p.seriesPoints;
  if (p.fs.count === 0 || !(we >= ws)) return { mean: 0, peak: 0, p99: 0, atEnd: 0, series: new Array(points).fill(0) };
  const B = p.buckets, W = p.bucketUs;
  const Tus = T * 1e6;
  const fixedEnd = p.fixedEndUs, fixedBucket = p.fixedBucket;
  const candOrder = p.candEndOrder, candLast = p.candLastUs;
  // 1. Net entries per bucket, and the exact area (sum of clipped lifetimes).
  const net = new Int32Array(B + 1);
  const startCum = p.startCum;
  for (let b = 0; b < B; b++) net[b] = startCum[b + 1] - startCum[b];
  // Fixed-state ends were summed once (prepare); take back this candidate's exceptions.
  let endSumUs = p.fixedEndSumAll;
  for (let b = 0; b <= B; b++) net[b] -= p.fixedNetAll[b];
  for (const i of specialList) {
    const k = p.fixedPos[i];
    if (k < 0) continue;
    net[fixedBucket[k]]++;
    endSumUs -= clipToWindow(fixedEnd[k], ws, we) - ws;
  }
  for (let k = 0; k < candOrder.length; k++) {
    if (special[candOrder[k]] === 1) continue;
    const e = candLast[k] + Tus;
    net[bucketOf(e, B, W, ws, we)]--;
    endSumUs += clipToWindow(e, ws, we) - ws;
  }
  const xs = extraStartList.data, nxs = extraStartList.length;
  const xe = extraEndList.data, nxe = extraEndList.length;
  let startSumUs = p.startSumUs;
  for (let k = 0; k < nxs; k++) { net[bucketOf(xs[k], B, W, ws, we)]++; startSumUs += clipToWindow(xs[k], ws, we) - ws; }
  for (let k = 0; k < nxe; k++) { const e = xe[k]; net[bucketOf(e, B, W, ws, we)]--; endSumUs += clipToWindow(e, ws, we) - ws; }
  // 2. Entries at each bucket boundary.
  const atBoundary = new Int32Array(B + 1);
  let c = 0;
  let best = 0;
  for (let b = 0; b < B; b++) {
    atBoundary[b] = c;
    c += net[b];
    if (c > best) best = c;
  }
  atBoundary[B] = c;
  const atEnd = c;
  // 3. Exact peak: a bucket can hold a higher count than its boundaries only if its starts could
  // lift it past the best count found so far; replay those buckets event by event.
  let extraStartsByBucket: { cum: Int32Array; times: Float64Array } | null = null;
  let extraEndsByBucket: { cum: Int32Array; times: Float64Array } | null = null;
  for (let b = 0; b < B; b++) {
    const startsHere = startCum[b + 1] - startCum[b];
    if (atBoundary[b] + startsHere + (nxs > 0 ? nxs : 0) <= best) continue;
    extraStartsByBucket ??= byBucket(xs, nxs, B, W, ws, we);
    extraEndsByBucket ??= byBucket(xe, nxe, B, W, ws, we);
    const xsHere = extraStartsByBucket.cum[b + 1] - extraStartsByBucket.cum[b];
    if (atBoundary[b] + startsHere + xsHere <= best) continue;
    const local = replayBucket(p, b, Tus, special, atBoundary[b], extraStartsByBucket, extraEndsByBucket);
    if (local > best) best = local;
  }
  const durationUs = we - ws;
  const mean = durationUs > 0 ? (endSumUs - startSumUs) / durationUs : atEnd;
  // 4. The 99th percentile of the entry count over time, on the grid (each bucket at its closing count).
  let p99 = best;
  if (durationUs > 0) {
    const hist = new Float64Array(best + 1);
    for (let b = 0; b < B; b++) { const v = atBoundary[b + 1]; if (v >= 0 && v <= best) hist[v] += 1; }
    let acc = 0;
    for (let v = 0; v <= best; v++) { acc += hist[v]; if (acc >= 0.99 * B) { p99 = v; break; } }
  }
  const series = new Array<number>(points);
  for (let k = 0; k < points; k++) series[k] = atBoundary[points === 1 ? B : Math.round((k * B) / (points - 1))];
  return { mean, peak: best, p99, atEnd, series };
}

function clipToWindow(t: number, ws: number, we: number): number {
  return t < ws ? ws : t > we ? we : t;
}

/** Times grouped by bucket (counting sort), for replaying single buckets. */
function byBucket(times: Float64Array, n: number, B: number, W: number, ws: number, we: number): { cum: Int32Array; times: Float64Array } {
  const cum = new Int32Array(B + 2);
  for (let k = 0; k < n; k++) cum[bucketOf(times[k], B, W, ws, we) + 1]++;
  for (let b = 0; b <= B; b++) cum[b + 1] += cum[b];
  const fill = cum.slice();
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[fill[bucketOf(times[k], B, W, ws, we)]++] = times[k];
  return { cum, times: out };
}

/** Replays one bucket's starts and ends in time order (ends first at equal times); returns its highest count. */
function replayBucket(p: Prepared, b: number, Tus: number, special: Uint8Array, countAtStart: number,
  xs: { cum: Int32Array; times: Float64Array }, xe: { cum: Int32Array; times: Float64Array }): number {
  const ws = p.windowStartUs, we = p.windowEndUs, B = p.buckets, W = p.bucketUs;
  const times: number[] = [];
  const deltas: number[] = [];
  for (let k = p.startCum[b]; k < p.startCum[b + 1]; k++) { times.push(p.startsUs[k]); deltas.push(1); }
  for (let k = xs.cum[b]; k < xs.cum[b + 1]; k++) { times.push(xs.times[k]); deltas.push(1); }
  for (let k = p.fixedCum[b]; k < p.fixedCum[b + 1]; k++) {
    if (special[p.fixedEndOrder[k]] === 1) continue;
    times.push(p.fixedEndUs[k]); deltas.push(-1);
  }
  for (let k = xe.cum[b]; k < xe.cum[b + 1]; k++) { times.push(xe.times[k]); deltas.push(-1); }
  // Candidate-state ends in this bucket: last packet in [bucket start - T, bucket end - T).
  const candLast = p.candLastUs;
  let lo = lowerBound(candLast, ws + b * W - Tus);
  for (; lo < candLast.length; lo++) {
    const e = candLast[lo] + Tus;
    const eb = bucketOf(e, B, W, ws, we);
    if (eb < b) continue;
    if (eb > b) break;
    if (special[p.candEndOrder[lo]] === 1) continue;
    times.push(e); deltas.push(-1);
  }
  const order = times.map((_, i) => i).sort((x, y) => times[x] - times[y] || deltas[x] - deltas[y]);
  let c = countAtStart;
  let peak = c;
  for (const i of order) {
    c += deltas[i];
    if (c > peak) peak = c;
  }
  return peak;
}

function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1; else hi = mid;
  }
  return lo > 0 ? lo - 1 : 0;
}

// ---------------------------------------------------------------------------------------------

export interface PlanRequest extends PlanOptions {
  timeouts: number[];
  inputs: Array<{ path: string; format: string }>;
  warnings?: string[];
}

/** Plan every candidate: the PlanResult behind `fwtp plan --format json`. */
export function plan(data: PlanData, req: PlanRequest): PlanResult {
  const planner = makePlanner(data, req);
  const candidates = req.timeouts.map((t) => planner.evaluate(t));
  const warnings = [...(req.warnings ?? [])];
  const floorSeconds = data.flows.gapFloorUs / 1e6;
  const below = req.timeouts.filter((t) => t < floorSeconds);
  if (below.length > 0) warnings.push(`candidates ${below.join(', ')} s are shorter than the gap floor (${floorSeconds} s): gaps below the floor were not kept per flow, so these figures miss expiries (lower --gap-floor)`);
  for (const [state, secs] of Object.entries(req.platform.stateTimeouts)) {
    if (secs < floorSeconds && state !== 'established') warnings.push(`the ${state} timeout (${secs} s) is shorter than the gap floor (${floorSeconds} s): expiries in that state are not seen`);
  }
  return {
    schemaVersion: 1,
    window: planner.window,
    inputs: req.inputs,
    flows: data.flows.count,
    platform: planner.platform,
    keepalive: planner.keepalive,
    protocol: req.protocol,
    candidates,
    warnings,
  };
}

export function makePlanner(data: PlanData, opts: PlanOptions): Planner {
  return plannerOf(data, opts, prepare(data, opts));
}

/**
 * A planner over a prepared model. Another platform re-prepares (timeouts per service change
 * the orders) but keeps the gap summary; another keep-alive profile only re-derives the
 * keep-alive schedules: everything else in the prepared model does not depend on them.
 */
function plannerOf(data: PlanData, opts: PlanOptions, p: Prepared): Planner {
  const fs = data.flows;
  const iso = (us: number): string | null => (Number.isFinite(us) ? new Date(us / 1000).toISOString() : null);
  return {
    platform: p.platformSetting,
    keepalive: p.keepalive,
    window: { start: iso(fs.windowStartUs), end: iso(fs.windowEndUs), seconds: p.windowSeconds },
    gaps: p.gaps,
    evaluate: (t: number) => evaluate(p, t),
    withPlatform: (name: string) => {
      const next = { ...opts, platform: getPlatform(name), platformSources: {} };
      return plannerOf(data, next, prepare(data, next, p.gaps));
    },
    withKeepAlive: (profile: string) => {
      const next: PlanOptions = { ...opts, keepalive: profile, keepaliveSource: 'flag' };
      const kaSchedule = new Int32Array(fs.count * 2);
      const { setting, schedules } = prepareKeepAlive(fs, profile, 'flag', kaSchedule);
      return plannerOf(data, next, { ...p, keepalive: setting, schedules, kaSchedule, labelIds: p.labelIds, labels: p.labels, labelIndex: p.labelIndex });
    },
  };
}
