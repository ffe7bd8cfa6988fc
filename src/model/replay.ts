/**
 * The replay of one candidate (docs/MODEL.md, "Replay"): walk the stored gaps of every flow the
 * candidate can change, find where its entry expires, what the next packet then meets (strict or
 * loose pickup, datagram re-creation) and what is dropped after a break.
 */
import { FlowEnd, PacketKind, gapDirection, gapKind, gapState } from '../flows/types.js';
import { FlowState, PROTO_TCP } from '../util/protocols.js';
import { AffectedTally, noteAffected } from './affected-services.js';
import { breakKind, KIND_DATA } from './break-kind.js';
import { OUTCOME_END, OUTCOME_UNCHANGED, type BreakSchedule } from './break-schedule.js';
import { dropsAfterBreak, type Drops } from './drops-after-break.js';
import { ReplayBuffers } from './replay-buffers.js';
import type { F64List, I16List } from './typed-list.js';
import { timeoutOf, type FlowModel } from './flow-model.js';
import { ServiceTally } from './service-figures.js';

/** What one candidate's replay found, and its exceptions to the precomputed end orders. */
export interface ReplayOutcome {
  sessionsWithDrops: number;
  droppedKeepAlives: number;
  droppedPackets: number;
  /** Broken sessions by break kind (break-kind.ts). */
  byKind: number[];
  /** Entries that never expire (open sessions refreshed by keep-alives). */
  neverExpiring: number;
  /** Per flow: 1 when this replay computed its entry's end (broken, evidence survivor, re-picked, kept alive). */
  replayed: Uint8Array;
  /** The flows with replayed[i] === 1, in flow order. */
  replayedList: Int32Array;
  /** replayed, in candEndOrder (aligned with it): the sweep reads it in order. */
  candReplayed: Uint8Array;
  /** Entry starts and ends this replay adds (re-pickups; expiries and ends of replayed flows). */
  extraStarts: F64List;
  extraEnds: F64List;
  /** The tracked service slot of each extra start and end (-1: untracked); empty without tracked services. */
  extraStartSlots: I16List;
  extraEndSlots: I16List;
  affected: AffectedTally;
  /** Breaks per tracked service (null without tracked services). */
  services: ServiceTally | null;
}

/**
 * The replay of candidate T. With a break schedule (break-schedule.ts) that holds T as its
 * candidate c, the flows it covers take their outcome from it; the others (and all of them
 * without one) are walked gap by gap here. Either way the lists are filled in flow order. With
 * `buffers` (replay-buffers.ts) the outcome's arrays are theirs, valid until their next replay.
 */
export function replayFlows(p: FlowModel, T: number, schedule: BreakSchedule | null = null, c = 0, buffers: ReplayBuffers = new ReplayBuffers(p)): ReplayOutcome {
  const fs = p.fs;
  const Tus = T * 1e6;
  const strict = p.platform.pickup === 'strict';
  const flagKeepAlive = p.keepalive.source === 'flag';
  let sessionsWithDrops = 0;
  let droppedKeepAlives = 0;
  let droppedPackets = 0;
  const byKind = [0, 0, 0];
  let neverExpiring = 0;
  // Per-candidate exceptions to the precomputed end orders.
  buffers.reset();
  const replayed = buffers.replayed; // 1: entry end computed by this replay (broken, evidence survivor, re-picked, kept alive)
  const { extraEnds, extraStarts, extraStartSlots, extraEndSlots, affected } = buffers;
  const slotOf = p.services?.slotOf ?? null;
  const services = p.services !== null ? new ServiceTally(p.services.services.length) : null;
  // The hot loop reads the flow and model arrays through locals (one property load each, not per gap).
  const gapOffset = fs.gapOffset, gapInfo = fs.gapInfo, gapStartUs = fs.gapStartUs, gapEndUs = fs.gapEndUs;
  const proto = fs.proto, flowEnd = fs.end, lastUs = fs.lastUs, endState = fs.endState;
  const timeoutIndex = p.timeoutIndex, followsCandidate = p.followsCandidate, timeouts = p.timeouts;
  const fixedBreaks = p.fixedBreak, evidence = p.evidence, maxCandGapUs = p.maxCandGapUs, keptByKeepAlive = p.keptByKeepAlive;
  const drops: Drops = { keepAlives: 0, packets: 0 };
  const rank = schedule !== null ? schedule.rank[c]! : -1;
  const covered = schedule?.covered ?? null;
  const rangeOffset = schedule?.rangeOffset, rangeEnd = schedule?.rangeEnd, rangeCode = schedule?.rangeCode;
  const rangeLabel = schedule?.rangeLabel, rangeKind = schedule?.rangeKind, rangeIdle = schedule?.rangeIdleSeconds;
  const rangeGapStartUs = schedule?.rangeGapStartUs, rangeGapState = schedule?.rangeGapState;

  // At most every sensitive flow is replayed: a list of that size, filled from the front.
  const sensitive = p.sensitive;
  const replayedList = buffers.replayedList;
  let replayedCount = 0;
  const candPos = p.candPos;
  const candReplayed = buffers.candReplayed;
  // With a schedule, only the flows it says to visit (the others are unchanged for every candidate), in the same order.
  const visit = schedule?.visit ?? null;
  const visits = visit !== null ? visit.length : sensitive.length;
  for (let v = 0; v < visits; v++) {
    const si = visit !== null ? visit[v]! : v;
    const i = sensitive[si]!;
    if (covered !== null && covered[si] === 1) {
      // Scheduled: the outcome for this candidate is one of the flow's ranges (outcomeOf, inlined); its counts are the schedule's.
      let q = rangeOffset![si]!;
      while (rangeEnd![q]! <= rank) q++;
      const code = rangeCode![q]!;
      if (code === OUTCOME_UNCHANGED) continue;
      replayed[i] = 1;
      replayedList[replayedCount++] = i;
      if (candPos[i]! >= 0) candReplayed[candPos[i]!] = 1;
      let end = Number.POSITIVE_INFINITY;
      const ti = timeoutIndex[i]!;
      if (code >= 0) {
        // Broken at gap `code`: the entry expired at its start plus the timeout of its state (both kept with the range).
        const s = rangeGapState![q]!;
        end = rangeGapStartUs![q]! + ((followsCandidate[ti]! & (1 << s)) !== 0 ? Tus : timeouts[ti]![s]! * 1e6);
        affected.add(rangeLabel![q]!, rangeKind![q]!, rangeIdle![q]!);
      } else if (code === OUTCOME_END) {
        const es = endState[i]!;
        end = lastUs[i]! + ((followsCandidate[ti]! & (1 << es)) !== 0 ? Tus : timeouts[ti]![es]! * 1e6);
      }
      extraEnds.push(end); if (slotOf !== null) extraEndSlots.push(slotOf[i]!);
      continue;
    }
    const fixedBreak = fixedBreaks[i]!;
    const ev = evidence[i]!;
    if (fixedBreak < 0 && ev < 0 && maxCandGapUs[i]! <= Tus) {
      // Unbroken flow: its entry ends after its last packet (precomputed order), unless a
      // keep-alive keeps it alive for good.
      if (flowEnd[i] === FlowEnd.Open && keptByKeepAlive[i] === 1 && isKeptAlive(p, i, T)) {
        replayed[i] = 1;
        replayedList[replayedCount++] = i;
        if (candPos[i]! >= 0) candReplayed[candPos[i]!] = 1;
        extraEnds.push(Number.POSITIVE_INFINITY); if (slotOf !== null) extraEndSlots.push(slotOf[i]!);
        neverExpiring++;
      }
      continue;
    }
    // Walk the stored gaps in order.
    replayed[i] = 1;
    replayedList[replayedCount++] = i;
    if (candPos[i]! >= 0) candReplayed[candPos[i]!] = 1;
    const isTcp = proto[i] === PROTO_TCP;
    const ti = timeoutIndex[i]!;
    const mask = followsCandidate[ti]!;
    const fixed = timeouts[ti]!;
    let broken = false;
    let alive = true; // an entry exists
    let ended = false;
    const g1 = gapOffset[i + 1]!;
    for (let k = gapOffset[i]!; k < g1; k++) {
      const info = gapInfo[k]!;
      const s = gapState(info);
      // timeoutOf (flow-model.ts), inlined: the candidate for the states that follow it.
      const tau = (mask & (1 << s)) !== 0 ? Tus : fixed[s]! * 1e6;
      const gapUs = gapEndUs[k]! - gapStartUs[k]!;
      if (k === ev && gapUs <= tau && alive) {
        // The capture shows the path dropping here, but this candidate keeps the state: the
        // probes are answered and the session lives on, refreshed by keep-alives.
        extraEnds.push(Number.POSITIVE_INFINITY); if (slotOf !== null) extraEndSlots.push(slotOf[i]!);
        if (gapKind(info) === PacketKind.KeepAliveProbe) neverExpiring++;
        ended = true;
        break;
      }
      if (!alive) {
        // No entry: with loose pickup, or for a datagram flow when the client sends, a packet creates one again.
        if ((isTcp && !strict) || (!isTcp && gapDirection(info) === 0)) {
          alive = true;
          extraStarts.push(gapEndUs[k]!); if (slotOf !== null) extraStartSlots.push(slotOf[i]!);
        } else if (!isTcp) droppedPackets++;
        continue;
      }
      if (gapUs <= tau) continue;
      // A keep-alive schedule the user gives (not the one the capture shows) probes after its
      // idle time of silence: within the timeout, each probe refreshes the entry (docs/MODEL.md).
      if (isTcp && s === FlowState.Established && flagKeepAlive && isKeptAlive(p, i, T)) continue;
      // The entry expired at gap start + tau; the packet that ends the gap finds no state.
      const expiredAt = gapStartUs[k]! + tau;
      extraEnds.push(expiredAt); if (slotOf !== null) extraEndSlots.push(slotOf[i]!);
      const kind = gapKind(info);
      const dir = gapDirection(info);
      if (isTcp && !strict) {
        // Loose pickup: the mid-stream packet creates a new entry; nothing is dropped.
        extraStarts.push(gapEndUs[k]!); if (slotOf !== null) extraStartSlots.push(slotOf[i]!);
        continue;
      }
      if (!isTcp) {
        if (dir === 0) {
          // A datagram from the client creates a new entry.
          extraStarts.push(gapEndUs[k]!); if (slotOf !== null) extraStartSlots.push(slotOf[i]!);
          continue;
        }
        // A reply to a forgotten datagram flow is dropped.
        if (!broken) { broken = true; sessionsWithDrops++; byKind[KIND_DATA]!++; noteAffected(affected, p, i, dir, KIND_DATA, gapUs / 1e6); if (services !== null) services.addBreak(slotOf![i]!, KIND_DATA, 0); }
        droppedPackets++;
        alive = false;
        continue;
      }
      // TCP, strict pickup: the session is broken from here on.
      broken = true;
      alive = false;
      sessionsWithDrops++;
      const bk = breakKind(kind);
      byKind[bk]!++;
      noteAffected(affected, p, i, dir, bk, gapUs / 1e6);
      dropsAfterBreak(p, i, k, bk, dir, drops);
      droppedKeepAlives += drops.keepAlives;
      droppedPackets += drops.packets;
      if (services !== null) services.addBreak(slotOf![i]!, bk, drops.keepAlives);
      break;
    }
    if (!ended) {
      if (alive) {
        // Entry lives past the last packet for the timeout of the final state.
        const es = endState[i]!;
        const end = lastUs[i]! + ((mask & (1 << es)) !== 0 ? Tus : fixed[es]! * 1e6);
        if (flowEnd[i] === FlowEnd.Open && keptByKeepAlive[i] === 1 && isKeptAlive(p, i, T)) {
          extraEnds.push(Number.POSITIVE_INFINITY); if (slotOf !== null) extraEndSlots.push(slotOf[i]!);
          neverExpiring++;
        } else { extraEnds.push(end); if (slotOf !== null) extraEndSlots.push(slotOf[i]!); }
      }
    }
  }
  if (schedule !== null) {
    const sc = schedule.counts, K = schedule.timeouts.length;
    sessionsWithDrops += sc.sessionsWithDrops[rank]!;
    droppedKeepAlives += sc.droppedKeepAlives[rank]!;
    droppedPackets += sc.droppedPackets[rank]!;
    neverExpiring += sc.neverExpiring[rank]!;
    for (let b = 0; b < 3; b++) byKind[b]! += sc.byKind[b * K + rank]!;
    if (services !== null) services.addScheduled(sc, K, rank);
  }
  return { sessionsWithDrops, droppedKeepAlives, droppedPackets, byKind, neverExpiring, replayed, replayedList: replayedList.subarray(0, replayedCount), candReplayed, extraStarts, extraEnds, extraStartSlots, extraEndSlots, affected, services };
}

/** A session whose keep-alive idle is within its established timeout never expires. */
function isKeptAlive(p: FlowModel, i: number, T: number): boolean {
  // Either side's idle within tau is the shorter one within it (kaIdleMinSeconds, prepared once).
  return p.kaIdleMinSeconds[i]! <= timeoutOf(p, i, FlowState.Established, T);
}

