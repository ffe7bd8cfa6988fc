/**
 * Beyond the window (docs/MODEL.md, "Beyond the window"): sessions idle at capture end whose
 * fate the capture cannot show. A keep-alive sender with an idle time above the timeout will
 * break for sure; sessions without keep-alives break with the Kaplan-Meier probability that
 * their idle period outlasts the timeout, times the share of idle periods that resume at all.
 */
import { FlowEnd } from '../flows/types.js';
import { FlowState, PROTO_TCP } from '../util/protocols.js';
import { scheduleOf, timeoutOf, type FlowModel } from './flow-model.js';
import type { ServiceTally } from './service-figures.js';
import { conditionalSurvival } from './survival.js';

export interface BeyondWindow {
  /** Whether the window is too short for this candidate to be seen in full. */
  extrapolated: boolean;
  /** Why, for extrapolatedReason (reasons joined by "; "). */
  reasons: string[];
  /** Sessions expected to break after the window (rounded), and their dropped keep-alives. */
  sessionsWithDrops: number;
  droppedKeepAlives: number;
}

/**
 * Flows with `replayed[i] === 1` already have their fate from the replay and are skipped. With a
 * service tally, each tracked service's expected breaks are added to it too (rounded per service).
 */
export function beyondWindow(p: FlowModel, T: number, replayed: Uint8Array, services: ServiceTally | null = null): BeyondWindow {
  const fs = p.fs;
  const n = fs.count;
  const we = p.windowEndUs;
  const reasons: string[] = [];
  let extrapolated = false;
  let sessionsWithDrops = 0;
  let droppedKeepAlives = 0;
  const kaIdle = maxScheduleIdle(p);
  if (p.windowSeconds < T + kaIdle) {
    extrapolated = true;
    reasons.push(`the window (${round(p.windowSeconds)} s) is shorter than the timeout plus the keep-alive idle time (${round(T)} + ${round(kaIdle)} s)`);
    let expected = 0;
    let expectedKa = 0;
    for (let i = 0; i < n; i++) {
      if (replayed[i] === 1 || fs.proto[i] !== PROTO_TCP) continue;
      if (fs.end[i] !== FlowEnd.Open || fs.endState[i] !== FlowState.Established) continue;
      const idleAtEnd = (we - fs.lastUs[i]!) / 1e6;
      const tau = timeoutOf(p, i, FlowState.Established, T);
      if (idleAtEnd >= tau) continue; // already expired inside the window: its next packet is outside it
      const srv = scheduleOf(p, i, 1) ?? scheduleOf(p, i, 0);
      if (srv !== null && srv.idleSeconds > tau) {
        // A keep-alive will come after srv.idle of silence and find no state.
        expected += 1;
        expectedKa += srv.count;
        const slot = services !== null ? p.services!.slotOf[i]! : -1;
        if (slot >= 0) { services!.expected[slot]! += 1; services!.expectedKeepAlives[slot]! += srv.count; }
      } else if (srv === null) {
        const x = conditionalSurvival(p.survival, tau, idleAtEnd) * resumeProbability(p);
        expected += x;
        const slot = services !== null ? p.services!.slotOf[i]! : -1;
        if (slot >= 0) services!.expected[slot]! += x;
      }
    }
    if (expected > 0) {
      reasons.push(`${round(expected)} more sessions idle at capture end are expected to break (Kaplan-Meier estimate with an exponential tail over ${p.survival.events} gaps and ${p.survival.censored} censored idle periods)`);
      sessionsWithDrops += Math.round(expected);
      droppedKeepAlives += expectedKa;
    }
  }
  return { extrapolated, reasons, sessionsWithDrops, droppedKeepAlives };
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

/** The longest keep-alive idle time of any sender (0 when keep-alives are off). */
function maxScheduleIdle(p: FlowModel): number {
  let m = 0;
  for (const s of p.schedules) if (s.idleSeconds > m) m = s.idleSeconds;
  return m;
}

/** Share of candidate-state idle periods that ended with a packet (vs. still running at the end). */
function resumeProbability(p: FlowModel): number {
  const total = p.survival.events + p.survival.censored;
  return total > 0 ? p.survival.events / total : 0;
}
