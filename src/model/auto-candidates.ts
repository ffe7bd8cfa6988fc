/**
 * `plan --timeouts auto` (docs/MODEL.md, "Exact thresholds"): instead of a grid, the candidates
 * are the data's own steps. sessionsWithDrops is a step function of the timeout whose steps are
 * the flows' gaps and keep-alive idles (thresholds.ts); each step is shown as the value to set
 * just above it (the step plus the platform's timer margin, whole seconds up, as `recommend`
 * proposes it), together with the timeout in force today.
 */
import type { PlanData, PlanOptions } from './prepare.js';
import { makePlanner } from './plan.js';
import { breakpoints } from './thresholds.js';
import { thresholdMargin } from './timer-slack.js';
import type { AutoCandidate, AutoCandidates } from './types.js';


/** One microsecond above a breakpoint, as thresholds.ts evaluates it. */
const ABOVE = 1e-6;

/**
 * The data's steps as settings (at most `limit`, the largest changes in broken sessions first
 * when there are more), and the current timeout. Steps whose settings coincide (within one
 * timer margin of each other) are one candidate: a bisection over the breakpoints stops at a
 * range whose two ends give the same setting, so the evaluations grow with the number of
 * distinct settings (a few hundred at most over 1 s .. 5 d), not with the number of gaps.
 * Steps at or below `fromSeconds` are left out (plan passes the default grid's lower end, 5 min).
 */
export function autoCandidates(data: PlanData, options: PlanOptions, currentSeconds: number, limit: number, fromSeconds: number): AutoCandidates {
  const found: Array<AutoCandidate & { change: number }> = [];
  if (data.flows.count > 0) {
    const planner = makePlanner(data, { ...options, serviceLimit: 0 }); // only its steps are needed
    // Steps below `fromSeconds` (and the gap floor, below which gaps were not kept) are not settings anyone means.
    const from = Math.max(fromSeconds, data.flows.gapFloorUs / 1e6);
    const points = breakpoints(data.flows, planner, options.protocol).filter((x) => x > from);
    const name = options.platform.name;
    const setting = (x: number): number => Math.ceil(x + thresholdMargin(name, x).seconds);
    // Two steps within one margin of each other are one setting: the later one's covers both.
    const near = (x: number, y: number): boolean => y - x <= thresholdMargin(name, y).seconds;
    const value = (k: number): number => planner.evaluate(points[k]! + ABOVE).sessionsWithDrops;
    const record = (a: number, va: number, b: number, vb: number): void => {
      // The last step in (a, b]: the first breakpoint where the value is already vb.
      let lo = a + 1, hi = b;
      while (lo < hi) { const m = (lo + hi) >> 1; if (value(m) === vb) hi = m; else lo = m + 1; }
      const step = points[lo]!;
      const last = found[found.length - 1];
      const t = setting(step);
      if (last !== undefined && near(last.stepSeconds, step)) { last.timeoutSeconds = t; last.stepSeconds = step; last.marginSeconds = thresholdMargin(name, step).seconds; last.sessionsWithDrops = vb; last.change += va - vb; return; }
      found.push({ timeoutSeconds: t, stepSeconds: step, marginSeconds: thresholdMargin(name, step).seconds, sessionsWithDrops: vb, change: va - vb });
    };
    const walk = (a: number, va: number, b: number, vb: number): void => {
      if (va === vb) return;
      if (b - a === 1 || near(points[a]!, points[b]!)) { record(a, va, b, vb); return; }
      const m = (a + b) >> 1;
      const vm = value(m);
      walk(a, va, m, vm);
      walk(m, vm, b, vb);
    };
    if (points.length > 0) {
      const v0 = value(0);
      const before = planner.evaluate(Math.max(ABOVE, points[0]! - ABOVE)).sessionsWithDrops;
      if (before !== v0) found.push({ timeoutSeconds: setting(points[0]!), stepSeconds: points[0]!, marginSeconds: thresholdMargin(name, points[0]!).seconds, sessionsWithDrops: v0, change: before - v0 });
      walk(0, v0, points.length - 1, value(points.length - 1));
    }
  }
  const kept = [...found].sort((x, y) => y.change - x.change || y.stepSeconds - x.stepSeconds).slice(0, Math.max(0, limit)).sort((x, y) => x.stepSeconds - y.stepSeconds);
  const steps: AutoCandidate[] = kept.map(({ timeoutSeconds, stepSeconds, marginSeconds, sessionsWithDrops }) => ({ timeoutSeconds, stepSeconds, marginSeconds, sessionsWithDrops }));
  const timeouts = [...new Set([...steps.map((s) => s.timeoutSeconds), currentSeconds])].sort((a, b) => a - b);
  return { timeouts, steps, currentSeconds };
}
