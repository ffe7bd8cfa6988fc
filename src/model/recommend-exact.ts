/**
 * `fwtp recommend` from the data's own thresholds (docs/MODEL.md, "Exact thresholds" and "The
 * fix"): the grid of candidates is still shown, but the recommendation is the exact threshold
 * plus the timer margin, the upper end is the largest whole-second timeout memory allows, and
 * the per-service fix is proposed with its cost against the global change.
 */
import type { PlanData, PlanOptions } from './prepare.js';
import { makePlanner } from './plan.js';
import { proposeFix, type FixProposal } from './proposal.js';
import { recommend, type Recommendation, type RecommendLimits } from './recommend.js';
import { breakpoints, largestWithinMemory, smallestSafeTimeout } from './thresholds.js';
import { thresholdMargin, type ThresholdMargin } from './timer-slack.js';

export interface ExactThreshold {
  /** The breakpoint: sessions within the limit at any timeout above it (seconds). */
  seconds: number;
  /** True when the window cannot show a safe value: at least this. */
  lowerBound: boolean;
  /** Sessions broken just below it (null when it is the gap floor). */
  brokenBelow: number | null;
  margin: ThresholdMargin;
  /** The value to set: threshold plus margin, whole seconds up. */
  timeoutSeconds: number;
}

export interface ExactRecommendation extends Recommendation {
  threshold: ExactThreshold | null;
  proposal: FixProposal;
}

export function recommendExact(data: PlanData, options: PlanOptions, timeouts: number[], limits: RecommendLimits, currentSeconds: number): ExactRecommendation {
  const planner = makePlanner(data, options);
  // Never below the shortest candidate asked for (default 5 min) nor the gap floor: shorter values
  // are not judged, and a global timeout of a few seconds is not a setting anyone means.
  const fromSeconds = Math.max(data.flows.gapFloorUs / 1e6, Math.min(...timeouts));
  const safe = data.flows.count === 0 ? null : smallestSafeTimeout(planner, breakpoints(data.flows, planner, options.protocol), limits.maxBroken, fromSeconds);
  let threshold: ExactThreshold | null = null;
  if (safe !== null) {
    // At the lower end itself no step of the data is crossed: nothing to add.
    const margin = safe.brokenBelow === null ? { seconds: 0, reason: `the shortest candidate considered (${fromSeconds} s) is already safe` } : thresholdMargin(options.platform.name, safe.seconds);
    threshold = { seconds: safe.seconds, lowerBound: safe.lowerBound, brokenBelow: safe.brokenBelow, margin, timeoutSeconds: Math.ceil(safe.seconds + margin.seconds) };
  }
  const grid = recommend(planner, threshold !== null ? [...timeouts, threshold.timeoutSeconds] : timeouts, limits);
  let rec: Recommendation = grid;
  if (threshold !== null) {
    const at = grid.candidates.find((c) => c.timeoutSeconds === threshold!.timeoutSeconds)!;
    const fits = limits.maxMemoryBytes === null || at.memoryBytes.peak <= limits.maxMemoryBytes;
    if (fits && at.sessionsWithDrops <= limits.maxBroken) {
      const top = Math.max(...grid.candidates.map((c) => c.timeoutSeconds));
      const max = limits.maxMemoryBytes === null ? top : largestWithinMemory(planner, threshold.timeoutSeconds, top, limits.maxMemoryBytes) ?? threshold.timeoutSeconds;
      const rest: Recommendation = { ...grid };
      delete rest.reason;
      rec = { ...rest, range: { minSeconds: threshold.timeoutSeconds, maxSeconds: max }, recommendedSeconds: threshold.timeoutSeconds };
    }
  }
  const base = planner.keepalive.schedule ?? { idleSeconds: 7200, intervalSeconds: 75, count: 9 };
  const interval = Math.min(base.intervalSeconds, Math.max(1, Math.floor(currentSeconds / 10)));
  const idle = Math.max(1, Math.floor(currentSeconds - interval * 2));
  const keepAlive = planner.withKeepAlive(`${idle}/${interval}/${base.count}`).evaluate(currentSeconds);
  const proposal = proposeFix({ data, options, currentSeconds, maxBroken: limits.maxBroken, keepAlive });
  return { ...rec, threshold, proposal };
}
