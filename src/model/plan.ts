/**
 * The timeout model (docs/MODEL.md): replay every flow against the firewall's state machine
 * for each candidate, classify what breaks, and sweep entry lifetimes for table occupancy.
 *
 * Everything that does not depend on the candidate is computed once in `prepareFlowModel`
 * (prepare.ts: per-flow timeouts by service, keep-alive schedules per sender, flows sorted by
 * start and by the end of their last entry), so `evaluate(T)` is one pass over the flows and
 * one merge sweep: no re-reading, no per-candidate sort of all flows. This file holds the
 * public entry points and the order of the steps; each step lives in its own file.
 */
import { beyondWindow } from './beyond-window.js';
import { KIND_CLOSE, KIND_DATA, KIND_KEEPALIVE } from './break-kind.js';
import { scheduleBreaks, type BreakSchedule } from './break-schedule.js';
import { ReplayBuffers } from './replay-buffers.js';
import { labelText, topAffected } from './affected-services.js';
import type { FlowModel } from './flow-model.js';
import { prepareKeepAlive } from './keepalive-senders.js';
import { sweep } from './occupancy.js';
import { getPlatform } from './platforms.js';
import { prepareFlowModel, type PlanData, type PlanOptions } from './prepare.js';
import { replayFlows } from './replay.js';
import { withLogBound } from './log-bounds.js';
import { ServiceSweep, serviceResults } from './service-figures.js';
import type { CandidateResult, MemoryBreakdown, PlanResult, Planner } from './types.js';

export type { PlanData, PlanOptions } from './prepare.js';

/** The timeout a candidate's memory change is measured against, and its entries (mean, peak). */
export interface CurrentEntries {
  seconds: number;
  entries: { mean: number; peak: number };
}

/**
 * Evaluate one candidate: replay, classify, sweep (with the tracked services' figures in the
 * same passes). `current` gives the entries at the timeout in force, for the memory change;
 * without it the change is taken against this candidate itself (0). A break schedule made for
 * several candidates (break-schedule.ts), with T as its candidate c, spares the replay its walk;
 * the replay's buffers (replay-buffers.ts) can be kept from one candidate to the next.
 */
export function evaluate(p: FlowModel, T: number, current: CurrentEntries | null = null, schedule: BreakSchedule | null = null, c = 0,
  buffers: ReplayBuffers = new ReplayBuffers(p)): CandidateResult {
  const replay = replayFlows(p, T, schedule, c, buffers);
  const beyond = beyondWindow(p, T, replay.replayed, replay.services);
  const sessionsWithDrops = replay.sessionsWithDrops + beyond.sessionsWithDrops;
  const droppedKeepAlives = replay.droppedKeepAlives + beyond.droppedKeepAlives;
  const { droppedPackets, byKind, neverExpiring, affected } = replay;
  const extrapolated = beyond.extrapolated;
  const reasons = beyond.reasons;
  const warnings: string[] = [];

  const svc = p.services !== null ? new ServiceSweep(p.services, buffers.sweep.serviceNet) : null;
  const occ = sweep(p, T, replay.replayed, replay.replayedList, replay.candReplayed, replay.extraStarts, replay.extraEnds, svc, replay.extraStartSlots, replay.extraEndSlots, buffers.sweep);
  const services = svc !== null && replay.services !== null ? serviceResults(p, T, replay.replayed, svc, replay.services, buffers.sweep) : [];
  const bytesPerEntry = p.platform.bytesPerEntry;
  const fixed = p.platform.fixedBytes;
  const base = current ?? { seconds: T, entries: { mean: occ.mean, peak: occ.peak } };
  const memory: MemoryBreakdown = {
    bytesPerEntry,
    entryBytesMean: occ.mean * bytesPerEntry,
    entryBytesPeak: occ.peak * bytesPerEntry,
    fixedBytes: fixed,
    totalBytesMean: occ.mean * bytesPerEntry + fixed,
    totalBytesPeak: occ.peak * bytesPerEntry + fixed,
    currentSeconds: base.seconds,
    changeFromCurrentBytes: { mean: (occ.mean - base.entries.mean) * bytesPerEntry, peak: (occ.peak - base.entries.peak) * bytesPerEntry },
  };
  const tableMax = p.platform.tableMax;
  if (tableMax !== null && occ.peak > tableMax) warnings.push(`peak entries ${occ.peak} exceed the table maximum ${tableMax}: new connections would be refused`);
  const hours = p.windowSeconds / 3600;
  const shareOfTableMax = tableMax !== null && tableMax > 0 ? occ.peak / tableMax : null;
  return {
    timeoutSeconds: T,
    sessionsWithDrops,
    droppedKeepAlives,
    droppedPackets,
    brokenByKind: { keepAlive: byKind[KIND_KEEPALIVE]!, data: byKind[KIND_DATA]!, close: byKind[KIND_CLOSE]! },
    tableEntries: { mean: occ.mean, peak: occ.peak, p99: occ.p99, atEnd: occ.atEnd },
    memoryBytes: { mean: occ.mean * bytesPerEntry + fixed, peak: occ.peak * bytesPerEntry + fixed },
    headroom: shareOfTableMax, // the JSON key of schemaVersion 1; it holds the share used (types.ts)
    growthPerHour: neverExpiring > 0 && hours > 0 ? neverExpiring / hours : null,
    extrapolated,
    ...(extrapolated ? { extrapolatedReason: reasons.join('; ') } : {}),
    series: occ.series,
    affected: topAffected(affected, (id) => labelText(p, id), p.affectedLimit),
    memory,
    services,
    warnings,
  };
}

/** The timeout in force by default: the platform's established timeout (udp_replied with --protocol udp). */
export function defaultCurrentSeconds(p: FlowModel): number {
  return p.platform.stateTimeouts[p.protocol === 'udp' ? 'udp_replied' : 'established'] ?? 0;
}

export interface PlanRequest extends PlanOptions {
  timeouts: number[];
  inputs: Array<{ path: string; format: string }>;
  warnings?: string[];
}

/**
 * What the gap floor hides: candidates, and state timeouts other than established, shorter
 * than the floor (gaps below it were not kept per flow, so expiries there are not seen).
 */
export function gapFloorWarnings(timeoutsSeconds: readonly number[], stateTimeouts: Record<string, number>, floorSeconds: number): string[] {
  const warnings: string[] = [];
  const below = [...new Set(timeoutsSeconds.filter((t) => t < floorSeconds))];
  if (below.length > 0) warnings.push(`candidates ${below.join(', ')} s are shorter than the gap floor (${floorSeconds} s): gaps below the floor were not kept per flow, so these figures miss expiries (lower --gap-floor)`);
  for (const [state, secs] of Object.entries(stateTimeouts)) {
    if (secs < floorSeconds && state !== 'established') warnings.push(`the ${state} timeout (${secs} s) is shorter than the gap floor (${floorSeconds} s): expiries in that state are not seen`);
  }
  return warnings;
}

/** Plan every candidate: the PlanResult behind `fwtp plan --format json`. */
export function plan(data: PlanData, req: PlanRequest): PlanResult {
  const planner = makePlanner(data, req);
  const candidates = planner.evaluateAll(req.timeouts);
  const warnings = [...(req.warnings ?? [])];
  warnings.push(...gapFloorWarnings(req.timeouts, req.platform.stateTimeouts, data.flows.gapFloorUs / 1e6));
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
  return plannerOf(data, opts, prepareFlowModel(data, opts));
}

/**
 * A planner over a prepared model. Another platform re-prepares (timeouts per service change
 * the orders) but keeps the gap summary; another keep-alive profile only re-derives the
 * keep-alive schedules: everything else in the prepared model does not depend on them.
 */
function plannerOf(data: PlanData, opts: PlanOptions, p: FlowModel): Planner {
  const fs = data.flows;
  const iso = (us: number): string | null => (Number.isFinite(us) ? new Date(us / 1000).toISOString() : null);
  // The entries at the timeout in force, evaluated once (the first time another candidate needs them).
  const currentSeconds = opts.currentSeconds ?? defaultCurrentSeconds(p);
  let current: CurrentEntries | null = null;
  // Candidate c of the schedule (the timeout in force is its last one while current is unknown),
  // or with no schedule the candidate t alone, walked (replay.ts).
  const evaluateWithCurrent = (t: number, schedule: BreakSchedule | null, c: number, buffers: ReplayBuffers): CandidateResult => {
    if (current === null) {
      const at = evaluate(p, currentSeconds, null, schedule, schedule !== null ? schedule.timeouts.length - 1 : 0, buffers);
      current = { seconds: currentSeconds, entries: { mean: at.tableEntries.mean, peak: at.tableEntries.peak } };
      if (t === currentSeconds) return at;
    }
    return evaluate(p, t, current, schedule, c, buffers);
  };
  const evaluateAll = (ts: readonly number[]): CandidateResult[] => {
    // One schedule for all of them, and for the timeout in force the first time; one set of
    // replay buffers, made after the schedule (which made the labels of every break).
    const schedule = scheduleBreaks(p, current === null ? [...ts, currentSeconds] : ts);
    const buffers = new ReplayBuffers(p);
    return ts.map((t, c) => withLogBound(evaluateWithCurrent(t, schedule, c, buffers), opts.logEvidence));
  };
  return {
    platform: p.platformSetting,
    keepalive: p.keepalive,
    window: { start: iso(fs.windowStartUs), end: iso(fs.windowEndUs), seconds: p.windowSeconds },
    gaps: p.gaps,
    // One candidate (the view's keys, the threshold searches): the walk, no schedule to build.
    evaluate: (t: number) => withLogBound(evaluateWithCurrent(t, null, 0, new ReplayBuffers(p)), opts.logEvidence),
    evaluateAll,
    withPlatform: (name: string) => {
      const next = { ...opts, platform: getPlatform(name), platformProvenance: {} };
      return plannerOf(data, next, prepareFlowModel(data, next, p.gaps));
    },
    withKeepAlive: (profile: string) => {
      const next: PlanOptions = { ...opts, keepalive: profile, keepaliveSource: 'flag' };
      const kaSchedule = new Int32Array(fs.count * 2);
      const { setting, schedules, kaIdleMinSeconds } = prepareKeepAlive(fs, profile, 'flag', kaSchedule);
      return plannerOf(data, next, { ...p, keepalive: setting, schedules, kaSchedule, kaIdleMinSeconds, labelIds: p.labelIds, labels: p.labels, labelSides: p.labelSides, labelIndex: p.labelIndex, labelByEndpoints: p.labelByEndpoints });
    },
  };
}
