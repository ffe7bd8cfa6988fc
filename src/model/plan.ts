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
  /** Flows whose last state has a fixed timeout, by end of entry; and flows whose last state follows the candidate, by last packet. */
  fixedEndOrder: Uint32Array;
  fixedEndUs: Float64Array; // aligned with fixedEndOrder
  candEndOrder: Uint32Array;
  candLastUs: Float64Array; // aligned with candEndOrder
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
function senderKey(fs: FlowSet, i: number, side: 0 | 1): string {
  return side === 1 ? `${fs.serverAddr[i]}:${fs.serverPort[i]}` : `${fs.clientAddr[i]}`;
}

function senderLabel(fs: FlowSet, i: number, side: 0 | 1): string {
  return side === 1 ? hostPort(fs.addresses[fs.serverAddr[i]], fs.serverPort[i]) : `${fs.addresses[fs.clientAddr[i]]}:*`;
}

function prepareKeepAlive(fs: FlowSet, keepaliveText: string, source: Source, kaSchedule: Int32Array): { setting: KeepAliveSetting; schedules: KeepAliveSchedule[] } {
  const given = parseKeepAlive(keepaliveText);
  // Gather, per sender, the gaps that ended with its probes.
  const senders = new Map<string, { label: string; gaps: number[]; retry: boolean[]; flows: number[]; side: 0 | 1 }>();
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
  const bySender = new Map<string, number>();
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
  for (let i = 0; i < fs.count; i++) {
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

export function prepare(data: PlanData, opts: PlanOptions): Prepared {
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
  const fixedEndOrder = Uint32Array.from(fixedIdx).sort();
  sortByKey(fixedEndOrder, fixedEnd);
  const fixedEndUs = new Float64Array(fixedEndOrder.length);
  for (let k = 0; k < fixedEndOrder.length; k++) fixedEndUs[k] = fixedEnd(fixedEndOrder[k]);
  const candEndOrder = Uint32Array.from(candIdx);
  sortByKey(candEndOrder, (i) => fs.lastUs[i]);
  const candLastUs = new Float64Array(candEndOrder.length);
  for (let k = 0; k < candEndOrder.length; k++) candLastUs[k] = fs.lastUs[candEndOrder[k]];

  const windowStartUs = fs.windowStartUs;
  const windowEndUs = fs.windowEndUs;
  return {
    fs, platform: opts.platform, platformSetting: toPlatformSetting(opts.platform, opts.platformSources ?? {}), keepalive, protocol,
    windowStartUs, windowEndUs, windowSeconds: Number.isFinite(windowStartUs) ? (windowEndUs - windowStartUs) / 1e6 : 0,
    timeouts, followsCandidate, timeoutIndex, kaSchedule, schedules, maxCandGapUs, fixedBreak, evidence, keptByKeepAlive,
    startsUs, fixedEndOrder, fixedEndUs, candEndOrder, candLastUs,
    labelIds: new Int32Array(n * 2).fill(-1), labels: [], labelIndex: new Map(),
    seriesPoints: opts.seriesPoints ?? 60, affectedLimit: opts.affectedLimit ?? 10,
    survival: kaplanMeier(survivalEvents, survivalCensored), gaps: summariseGaps(data.distribution), rules,
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

/** Sorts indices by a numeric key (ties by index), through a Float64 key array. */
function sortByKey(idx: Uint32Array, key: (i: number) => number): void {
  const n = idx.length;
  const keys = new Float64Array(n);
  for (let k = 0; k < n; k++) keys[k] = key(idx[k]);
  const order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  order.sort((a, b) => keys[a] - keys[b] || idx[a] - idx[b]);
  const copy = idx.slice();
  for (let k = 0; k < n; k++) idx[k] = copy[order[k]];
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
  const affected = new Map<number, { sessions: number; kinds: number[]; idle: number[] }>();
  const warnings: string[] = [];

  for (let i = 0; i < n; i++) {
    const fixedBreak = p.fixedBreak[i];
    const ev = p.evidence[i];
    if (fixedBreak < 0 && ev < 0 && p.maxCandGapUs[i] <= Tus) {
      // Unbroken flow: its entry ends after its last packet (precomputed order), unless a
      // keep-alive keeps it alive for good.
      if (fs.end[i] === FlowEnd.Open && p.keptByKeepAlive[i] === 1 && isKeptAlive(p, i, T)) {
        special[i] = 1;
        extraEnds.push(Number.POSITIVE_INFINITY);
        neverExpiring++;
      }
      continue;
    }
    // Walk the stored gaps in order.
    special[i] = 1;
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

  const occ = sweep(p, T, special, extraStarts, extraEnds);
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

function noteAffected(m: Map<number, { sessions: number; kinds: number[]; idle: number[] }>, p: Prepared, i: number, dir: 0 | 1, kind: number, idleSeconds: number): void {
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
  let a = m.get(id);
  if (a === undefined) {
    a = { sessions: 0, kinds: [0, 0, 0], idle: [] };
    m.set(id, a);
  }
  a.sessions++;
  a.kinds[kind]++;
  if (a.idle.length < 4096) a.idle.push(idleSeconds);
}

function topAffected(m: Map<number, { sessions: number; kinds: number[]; idle: number[] }>, labels: string[], limit: number): AffectedService[] {
  const names = ['keepAlive', 'data', 'close'] as const;
  const top = [...m.entries()].sort((x, y) => y[1].sessions - x[1].sessions || (labels[x[0]] < labels[y[0]] ? -1 : 1)).slice(0, limit);
  return top.map(([id, a]) => {
    let best = 0;
    for (let k = 1; k < 3; k++) if (a.kinds[k] > a.kinds[best]) best = k;
    a.idle.sort((x, y) => x - y);
    return { label: labels[id], sessions: a.sessions, kind: names[best], idleSeconds: a.idle[Math.floor((a.idle.length - 1) / 2)] };
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
function sweep(p: Prepared, T: number, special: Uint8Array, extraStartList: F64List, extraEndList: F64List): Occupancy {
  const ws = p.windowStartUs;
  const we = p.windowEndUs;
  const points = p.seriesPoints;
  if (p.fs.count === 0 || !(we >= ws)) return { mean: 0, peak: 0, p99: 0, atEnd: 0, series: new Array(points).fill(0) };
  const Tus = T * 1e6;
  const starts = p.startsUs;
  const extraStarts = extraStartList.sorted();
  const extraEnds = extraEndList.sorted();
  const fixedOrder = p.fixedEndOrder;
  const fixedEnd = p.fixedEndUs;
  const candOrder = p.candEndOrder;
  const candLast = p.candLastUs;
  const nS = starts.length, nXS = extraStarts.length, nF = fixedOrder.length, nC = candOrder.length, nXE = extraEnds.length;
  let iS = 0, iXS = 0, iF = 0, iC = 0, iXE = 0;
  while (iF < nF && special[fixedOrder[iF]] === 1) iF++;
  while (iC < nC && special[candOrder[iC]] === 1) iC++;

  const durationUs = we - ws;
  const series = new Array<number>(points).fill(0);
  const step = points > 1 ? durationUs / (points - 1) : 0;
  let nextSample = 0;
  let nextSampleAt = points === 1 ? we : ws;
  // Time spent at each entry count, for the time-weighted percentile.
  const timeAtCount = new Float64Array(nS + nXS + 1);
  let count = 0;
  let peak = 0;
  let t = ws;
  let area = 0;
  for (;;) {
    const s1 = iS < nS ? starts[iS] : Infinity;
    const s2 = iXS < nXS ? extraStarts[iXS] : Infinity;
    const e1 = iF < nF ? fixedEnd[iF] : Infinity;
    const e2 = iC < nC ? candLast[iC] + Tus : Infinity;
    const e3 = iXE < nXE ? extraEnds[iXE] : Infinity;
    const s = s1 <= s2 ? s1 : s2;
    let e = e1 <= e2 ? e1 : e2;
    if (e3 < e) e = e3;
    const at = e <= s ? e : s;
    if (at > we || at === Infinity) break;
    // Advance the clock to `at` with the current count.
    while (nextSample < points && nextSampleAt < at) {
      series[nextSample++] = count;
      nextSampleAt = ws + step * nextSample;
    }
    if (at > t) {
      const d = at - t;
      area += d * count;
      timeAtCount[count] += d;
      t = at;
    }
    if (e <= s) {
      count--;
      if (e === e1) { iF++; while (iF < nF && special[fixedOrder[iF]] === 1) iF++; }
      else if (e === e2) { iC++; while (iC < nC && special[candOrder[iC]] === 1) iC++; }
      else iXE++;
    } else {
      count++;
      if (count > peak) peak = count;
      if (s === s1) iS++; else iXS++;
    }
  }
  while (nextSample < points && nextSampleAt < we) {
    series[nextSample++] = count;
    nextSampleAt = ws + step * nextSample;
  }
  if (we > t) {
    area += (we - t) * count;
    timeAtCount[count] += we - t;
  }
  while (nextSample < points) series[nextSample++] = count;
  const atEnd = count;
  const mean = durationUs > 0 ? area / durationUs : count;
  // 99th percentile of the entry count over time.
  let p99 = peak;
  if (durationUs > 0) {
    let acc = 0;
    for (let c = 0; c <= peak; c++) {
      acc += timeAtCount[c];
      if (acc >= 0.99 * durationUs) { p99 = c; break; }
    }
  }
  return { mean, peak, p99, atEnd, series };
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
  const p = prepare(data, opts);
  const fs = data.flows;
  const iso = (us: number): string | null => (Number.isFinite(us) ? new Date(us / 1000).toISOString() : null);
  return {
    platform: p.platformSetting,
    keepalive: p.keepalive,
    window: { start: iso(fs.windowStartUs), end: iso(fs.windowEndUs), seconds: p.windowSeconds },
    gaps: p.gaps,
    evaluate: (t: number) => evaluate(p, t),
    withPlatform: (name: string) => makePlanner(data, { ...opts, platform: getPlatform(name), platformSources: {} }),
    withKeepAlive: (profile: string) => makePlanner(data, { ...opts, keepalive: profile, keepaliveSource: 'flag' }),
  };
}
