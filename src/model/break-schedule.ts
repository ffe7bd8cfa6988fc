/**
 * The break schedule of a set of candidates (docs/MODEL.md, "Replay"): for each TCP flow under
 * strict pickup, one walk over its stored gaps finds what every candidate does to it. A longer
 * timeout never expires an entry earlier, so at each gap the candidates that break the session
 * are the shortest ones still unresolved, and those the capture's evidence keeps alive are the
 * longest: each flow's outcome over the candidates in ascending order is a few ranges. The replay
 * (replay.ts) reads a candidate's outcome per flow from them instead of walking the gaps again for
 * every candidate; the counts of each candidate are summed over the ranges once, here.
 *
 * Every comparison is the one the per-candidate walk (replay.ts, walkFlow) makes, with the same
 * operands, so the outcome is the same bit for bit.
 */
import { FlowEnd, PacketKind, gapDirection, gapKind, gapState } from '../flows/types.js';
import { FlowState, PROTO_TCP } from '../util/protocols.js';
import { affectedLabel } from './affected-services.js';
import { breakKind } from './break-kind.js';
import { dropsAfterBreak, type Drops } from './drops-after-break.js';
import type { FlowModel } from './flow-model.js';

/** Outcome codes of a range (a code >= 0 is the gap at which the session broke). */
export const OUTCOME_UNCHANGED = -1; // not replayed: the entry ends as the prepared orders have it
export const OUTCOME_END = -2; // unbroken: the entry lives past the last packet for the final state's timeout
export const OUTCOME_FOREVER = -3; // never expires, counted as never expiring (kept alive, or probes answered at the evidence gap)
export const OUTCOME_ANSWERED = -4; // never expires, not counted (data answered at the evidence gap)

/** Per candidate (by rank), the counts of the covered flows' outcomes. */
export interface ScheduledCounts {
  sessionsWithDrops: Float64Array;
  /** Three per rank (break-kind.ts order). */
  byKind: Float64Array;
  droppedKeepAlives: Float64Array;
  droppedPackets: Float64Array;
  neverExpiring: Float64Array;
  /** Per tracked service slot, K per slot: broken sessions, their kinds (3 per rank) and dropped keep-alives. */
  serviceBroken: Float64Array;
  serviceKinds: Float64Array;
  serviceKeepAlives: Float64Array;
}

export interface BreakSchedule {
  /** The candidates (seconds) as given, and each one's rank in ascending order (ties by position). */
  timeouts: readonly number[];
  rank: Int32Array;
  /** Per sensitive flow (p.sensitive order): 1 when its outcome is scheduled here (TCP, strict pickup). */
  covered: Uint8Array;
  /** Per sensitive flow: its ranges [rangeOffset[f], rangeOffset[f + 1]) in rangeEnd (exclusive rank) and rangeCode. */
  rangeOffset: Uint32Array;
  rangeEnd: Uint32Array;
  rangeCode: Int32Array;
  /** Per range that breaks: the affected-service label, break kind and idle seconds the tally takes (affected-services.ts). */
  rangeLabel: Int32Array;
  rangeKind: Uint8Array;
  rangeIdleSeconds: Float64Array;
  /**
   * Per range that breaks: its gap's start and state, which the entry's expiry is reckoned from
   * (read in range order, where the gap arrays would be read at random, one gap per broken flow).
   */
  rangeGapStartUs: Float64Array;
  rangeGapState: Uint8Array;
  /**
   * The sensitive flows a replay must visit, ascending: those walked per candidate and those with
   * an outcome other than unchanged at some rank. (Most flows with a stored gap never change: a
   * day's 922 k sensitive flows had 250 k to visit.)
   */
  visit: Int32Array;
  counts: ScheduledCounts;
}

/** Ranges per covered flow before the arrays grow: an outcome or two and the unchanged tail are typical. */
const RANGES_PER_FLOW = 4;

export function scheduleBreaks(p: FlowModel, timeouts: readonly number[]): BreakSchedule {
  const K = timeouts.length;
  const order = timeouts.map((_, c) => c).sort((a, b) => timeouts[a]! - timeouts[b]! || a - b);
  const rank = new Int32Array(K);
  order.forEach((c, r) => { rank[c] = r; });
  const secs = new Float64Array(K);
  const us = new Float64Array(K);
  for (let r = 0; r < K; r++) { secs[r] = timeouts[order[r]!]!; us[r] = secs[r]! * 1e6; }
  const fs = p.fs;
  const sensitive = p.sensitive;
  const covered = new Uint8Array(sensitive.length);
  const rangeOffset = new Uint32Array(sensitive.length + 1);
  // A flow has at most one range per candidate.
  const ranges = new RangeList(sensitive.length * Math.min(K, RANGES_PER_FLOW));
  const slots = p.services?.services.length ?? 0;
  const diff = new CountDiffs(K, slots);
  const slotOf = p.services?.slotOf ?? null;
  const strict = p.platform.pickup === 'strict';
  const flagKeepAlive = p.keepalive.source === 'flag';
  const gapOffset = fs.gapOffset, gapInfo = fs.gapInfo, gapStartUs = fs.gapStartUs, gapEndUs = fs.gapEndUs;
  const drops: Drops = { keepAlives: 0, packets: 0 };
  const visit = new Int32Array(sensitive.length);
  let visits = 0;
  for (let f = 0; f < sensitive.length; f++) {
    const from = rangeOffset[f] = ranges.length;
    const i = sensitive[f]!;
    if (!strict || fs.proto[i] !== PROTO_TCP) { visit[visits++] = f; continue; } // walked per candidate (re-pickups, datagrams)
    covered[f] = 1;
    const ti = p.timeoutIndex[i]!;
    const mask = p.followsCandidate[ti]!;
    const fixed = p.timeouts[ti]!;
    const fixedBreak = p.fixedBreak[i]!, ev = p.evidence[i]!;
    const slot = slotOf !== null ? slotOf[i]! : -1;
    // isKeptAlive (replay.ts) per rank: the shorter keep-alive idle within the established timeout; true from some rank on.
    const kaIdle = p.kaIdleMinSeconds[i]!;
    const estTimeout = (mask & (1 << FlowState.Established)) !== 0 ? -1 : fixed[FlowState.Established]!;
    const openKept = fs.end[i] === FlowEnd.Open && p.keptByKeepAlive[i] === 1;
    // Ranks from `walked` on leave the flow unbroken without a walk (its longest candidate-state gap is within them).
    const walked = fixedBreak < 0 && ev < 0 ? firstAtLeast(us, p.maxCandGapUs[i]!) : K;
    let lo = 0, hi = walked;
    let answeredTo = hi, answeredCode = OUTCOME_UNCHANGED;
    const g1 = gapOffset[i + 1]!;
    for (let k = gapOffset[i]!; k < g1 && lo < hi; k++) {
      const info = gapInfo[k]!;
      const s = gapState(info);
      const follows = (mask & (1 << s)) !== 0;
      const fixedTau = fixed[s]! * 1e6;
      const gapUs = gapEndUs[k]! - gapStartUs[k]!;
      if (k === ev) {
        // The capture shows the path dropping here; the longest candidates keep the state (probes answered).
        const top = hi;
        while (hi > lo && gapUs <= (follows ? us[hi - 1]! : fixedTau)) hi--;
        if (hi < top) { answeredTo = top; answeredCode = gapKind(info) === PacketKind.KeepAliveProbe ? OUTCOME_FOREVER : OUTCOME_ANSWERED; }
      }
      let r = lo;
      while (r < hi && gapUs > (follows ? us[r]! : fixedTau) && !(s === FlowState.Established && flagKeepAlive && keptAt(kaIdle, estTimeout, secs, r))) r++;
      if (r === lo) continue;
      const kind = gapKind(info), dir = gapDirection(info);
      const bk = breakKind(kind);
      dropsAfterBreak(p, i, k, bk, dir, drops);
      diff.addBreak(lo, r, bk, drops, slot);
      ranges.pushBreak(r, k, affectedLabel(p, i, dir), bk, gapUs / 1e6, gapStartUs[k]!, s);
      lo = r;
    }
    // Still unresolved: alive after the last packet; kept alive for good from some rank on when its keep-alives are within the timeout.
    if (lo < hi) {
      let r = hi;
      if (openKept) while (r > lo && keptAt(kaIdle, estTimeout, secs, r - 1)) r--;
      if (r > lo) ranges.push(r, OUTCOME_END);
      if (r < hi) { ranges.push(hi, OUTCOME_FOREVER); diff.add(diff.neverExpiring, r, hi, 1); }
    }
    if (answeredTo > hi) {
      ranges.push(answeredTo, answeredCode);
      if (answeredCode === OUTCOME_FOREVER) diff.add(diff.neverExpiring, hi, answeredTo, 1);
    }
    if (walked < K) {
      let r = K;
      if (openKept) while (r > walked && keptAt(kaIdle, estTimeout, secs, r - 1)) r--;
      if (r > walked) ranges.push(r, OUTCOME_UNCHANGED);
      if (r < K) { ranges.push(K, OUTCOME_FOREVER); diff.add(diff.neverExpiring, r, K, 1); }
    }
    // Visited by the replays unless its one outcome is "unchanged" at every rank.
    if (ranges.length - from !== 1 || ranges.codes[from] !== OUTCOME_UNCHANGED) visit[visits++] = f;
  }
  rangeOffset[sensitive.length] = ranges.length;
  return { timeouts, rank, covered, rangeOffset, rangeEnd: ranges.ends, rangeCode: ranges.codes, rangeLabel: ranges.labels, rangeKind: ranges.kinds,
    rangeIdleSeconds: ranges.idleSeconds, rangeGapStartUs: ranges.gapStartUs, rangeGapState: ranges.gapStates, visit: visit.subarray(0, visits), counts: diff.totals() };
}

/** The outcome code of the covered sensitive flow f for the candidate of rank r. */
export function outcomeOf(s: BreakSchedule, f: number, r: number): number {
  let q = s.rangeOffset[f]!;
  while (s.rangeEnd[q]! <= r) q++;
  return s.rangeCode[q]!;
}

/** isKeptAlive (replay.ts) at rank r: estTimeout is the fixed established timeout, or -1 when it follows the candidate. */
function keptAt(kaIdleSeconds: number, estTimeout: number, secs: Float64Array, r: number): boolean {
  return kaIdleSeconds <= (estTimeout < 0 ? secs[r]! : estTimeout);
}

/** First index whose value is at least x in an ascending array (its length when none is). */
function firstAtLeast(sorted: Float64Array, x: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1; else hi = mid;
  }
  return lo;
}

/** Ranges as (exclusive end rank, code) pairs, and a break's label, kind, idle time and gap (start, state), in growing typed arrays. */
class RangeList {
  ends: Uint32Array;
  codes: Int32Array;
  labels: Int32Array;
  kinds: Uint8Array;
  idleSeconds: Float64Array;
  gapStartUs: Float64Array;
  gapStates: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    const size = Math.max(16, capacity);
    this.ends = new Uint32Array(size);
    this.codes = new Int32Array(size);
    this.labels = new Int32Array(size);
    this.kinds = new Uint8Array(size);
    this.idleSeconds = new Float64Array(size);
    this.gapStartUs = new Float64Array(size);
    this.gapStates = new Uint8Array(size);
  }
  push(end: number, code: number): void {
    if (this.length === this.ends.length) this.grow();
    this.ends[this.length] = end;
    this.codes[this.length++] = code;
  }
  pushBreak(end: number, gap: number, label: number, kind: number, idleSeconds: number, gapStartUs: number, gapState: number): void {
    if (this.length === this.ends.length) this.grow();
    this.labels[this.length] = label;
    this.kinds[this.length] = kind;
    this.idleSeconds[this.length] = idleSeconds;
    this.gapStartUs[this.length] = gapStartUs;
    this.gapStates[this.length] = gapState;
    this.push(end, gap);
  }
  private grow(): void {
    const size = this.length * 2;
    const e = new Uint32Array(size); e.set(this.ends); this.ends = e;
    const c = new Int32Array(size); c.set(this.codes); this.codes = c;
    const l = new Int32Array(size); l.set(this.labels); this.labels = l;
    const k = new Uint8Array(size); k.set(this.kinds); this.kinds = k;
    const d = new Float64Array(size); d.set(this.idleSeconds); this.idleSeconds = d;
    const g = new Float64Array(size); g.set(this.gapStartUs); this.gapStartUs = g;
    const t = new Uint8Array(size); t.set(this.gapStates); this.gapStates = t;
  }
}

/** Counts added over rank ranges as differences (K + 1 per count), summed into per-rank totals at the end. */
class CountDiffs {
  readonly sessions: Float64Array;
  readonly kinds: Float64Array;
  readonly keepAlives: Float64Array;
  readonly packets: Float64Array;
  readonly neverExpiring: Float64Array;
  readonly serviceBroken: Float64Array;
  readonly serviceKinds: Float64Array;
  readonly serviceKeepAlives: Float64Array;
  constructor(private readonly K: number, private readonly slots: number) {
    const K1 = K + 1;
    this.sessions = new Float64Array(K1);
    this.kinds = new Float64Array(3 * K1);
    this.keepAlives = new Float64Array(K1);
    this.packets = new Float64Array(K1);
    this.neverExpiring = new Float64Array(K1);
    this.serviceBroken = new Float64Array(slots * K1);
    this.serviceKinds = new Float64Array(slots * 3 * K1);
    this.serviceKeepAlives = new Float64Array(slots * K1);
  }

  /** v added to every rank in [from, to) of the count held at offset `base` of `a`. */
  add(a: Float64Array, from: number, to: number, v: number, base = 0): void {
    a[base + from]! += v;
    a[base + to]! -= v;
  }

  /** A session broken for the ranks [from, to), of kind bk, with what is dropped after it. */
  addBreak(from: number, to: number, bk: number, drops: Drops, slot: number): void {
    const K1 = this.K + 1;
    this.add(this.sessions, from, to, 1);
    this.add(this.kinds, from, to, 1, bk * K1);
    this.add(this.keepAlives, from, to, drops.keepAlives);
    this.add(this.packets, from, to, drops.packets);
    if (slot < 0) return;
    this.add(this.serviceBroken, from, to, 1, slot * K1);
    this.add(this.serviceKinds, from, to, 1, (slot * 3 + bk) * K1);
    this.add(this.serviceKeepAlives, from, to, drops.keepAlives, slot * K1);
  }

  totals(): ScheduledCounts {
    const K = this.K, K1 = K + 1;
    // Prefix sums of integers: exact in any order.
    const sum = (a: Float64Array, rows: number): Float64Array => {
      const out = new Float64Array(rows * K);
      for (let row = 0; row < rows; row++) {
        let acc = 0;
        for (let r = 0; r < K; r++) { acc += a[row * K1 + r]!; out[row * K + r] = acc; }
      }
      return out;
    };
    return {
      sessionsWithDrops: sum(this.sessions, 1), byKind: sum(this.kinds, 3), droppedKeepAlives: sum(this.keepAlives, 1),
      droppedPackets: sum(this.packets, 1), neverExpiring: sum(this.neverExpiring, 1),
      serviceBroken: sum(this.serviceBroken, this.slots), serviceKinds: sum(this.serviceKinds, this.slots * 3), serviceKeepAlives: sum(this.serviceKeepAlives, this.slots),
    };
  }
}
