import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowEnd, PacketKind } from '../../src/flows/types.js';
import { FlowState } from '../../src/util/protocols.js';
import { makePlanner } from '../../src/model/plan.js';
import { getPlatform } from '../../src/model/platforms.js';
import { breakpoints, largestWithinMemory, smallestSafeTimeout, steps } from '../../src/model/thresholds.js';
import { linuxTimerSlackSeconds, thresholdMargin } from '../../src/model/timer-slack.js';
import { buildFlowSet, emptyDistribution, type FlowSpec } from '../helpers/flowset.js';

const WINDOW: [number, number] = [0, 18000];

function plannerOf(flows: FlowSpec[], keepalive = '7200/75/9', window = WINDOW) {
  const fs = buildFlowSet(flows, window);
  const planner = makePlanner({ flows: fs, distribution: emptyDistribution() }, { platform: getPlatform('linux'), keepalive, keepaliveSource: 'flag', protocol: 'tcp' });
  return { fs, planner };
}

/** The story: the database probes after 7200 s of silence; a busy session pauses 5580 s for lunch. */
const leaked: FlowSpec = {
  first: 0, last: 14500.01, keepAlivesS2C: 2,
  gaps: [
    { start: 100, end: 7300.04, kind: PacketKind.KeepAliveProbe, dir: 1 },
    { start: 7300.05, end: 14500, kind: PacketKind.KeepAliveProbe, dir: 1 },
  ],
};
const lunch: FlowSpec = { first: 0, last: 9000, clientPort: 41000, end: FlowEnd.Fin, endState: FlowState.TimeWait, gaps: [{ start: 3000, end: 8580 }] };

describe('exact thresholds (hand-computed)', () => {
  it('the smallest safe timeout is the longest gap that breaks a session, not a grid point', () => {
    const { fs, planner } = plannerOf([leaked, lunch]);
    const pts = breakpoints(fs, planner, 'tcp');
    const safe = smallestSafeTimeout(planner, pts, 0, 1);
    // The given keep-alive (7200/75/9) probes after 7200 s of silence and refreshes the entry at
    // any timeout of at least 7200 s; the lunch pause (5580 s) is the other step.
    expect(safe?.seconds).toBe(7200);
    expect(safe?.at.sessionsWithDrops).toBe(0);
    expect(safe?.brokenBelow).toBe(1);
    // Allowing one broken session: the lunch pause is the threshold.
    expect(smallestSafeTimeout(planner, pts, 1, 1)?.seconds).toBeCloseTo(5580, 6);
    expect(steps(planner, pts, 10).map((s) => [Math.round(s.seconds * 100) / 100, s.sessionsWithDrops])).toEqual([[5580, 1], [7200, 0]]);
  });

  it('the largest timeout within a memory limit, to the second', () => {
    // Two sessions: [0, 10) and [100, 110) closed by RST (close state, 10 s): entries overlap once T > 90.
    const a: FlowSpec = { first: 0, last: 10, end: FlowEnd.Rst, endState: FlowState.Established };
    const b: FlowSpec = { first: 100, last: 110, clientPort: 41001, end: FlowEnd.Rst, endState: FlowState.Established };
    const { planner } = plannerOf([a, b], 'off', [0, 1000]);
    const fixed = getPlatform('linux').fixedBytes;
    // One entry at a time while the first ends (10 + T) no later than the second starts (100): T <= 90.
    expect(largestWithinMemory(planner, 1, 3600, fixed + 256)).toBe(90);
    expect(largestWithinMemory(planner, 1, 3600, fixed + 512)).toBe(3600);
    expect(largestWithinMemory(planner, 1, 3600, fixed)).toBeNull();
  });
});

describe('Linux timer slack (kernel/time/timer.c wheel levels)', () => {
  it('rounds a timer up to its level granularity: 8^level jiffies', () => {
    expect(linuxTimerSlackSeconds(0.1)).toBe(1 / 250); // 25 jiffies: level 0
    expect(linuxTimerSlackSeconds(6)).toBe(64 / 250); // 1500 jiffies: level 2 (504..4031)
    expect(linuxTimerSlackSeconds(7200)).toBe(32768 / 250); // 1.8 M jiffies: level 5 (258048..2064383)
    expect(linuxTimerSlackSeconds(7200, 1000)).toBe(262144 / 1000); // 7.2 M jiffies: level 6
    expect(thresholdMargin('linux', 7200).seconds).toBeCloseTo(131.072, 9);
    expect(thresholdMargin('cisco-asa', 7200).seconds).toBeCloseTo(132.072, 9);
  });
});

/** Random sessions of one service: gaps in the established state, some ending with keep-alives. */
const flowArb = fc.record({
  first: fc.integer({ min: 0, max: 200 }),
  gaps: fc.array(fc.record({ idle: fc.integer({ min: 2, max: 400 }), ka: fc.boolean() }), { maxLength: 4 }),
  closed: fc.boolean(),
});

describe('exact thresholds (property: brute force over a fine grid)', () => {
  it('smallestSafeTimeout equals the smallest grid point that is safe, to within the grid step', () => {
    fc.assert(fc.property(fc.array(flowArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 2 }), (specs, maxBroken) => {
      const flows: FlowSpec[] = specs.map((s, i) => {
        let t = s.first;
        const gaps = s.gaps.map((g) => { const gap = { start: t, end: t + g.idle + 0.25, kind: g.ka ? PacketKind.KeepAliveProbe : PacketKind.Data, dir: (g.ka ? 1 : 0) as 0 | 1 }; t = gap.end + 0.5; return gap; });
        return { first: s.first, last: t, clientPort: 40000 + i, gaps, end: s.closed ? FlowEnd.Fin : FlowEnd.Open, endState: s.closed ? FlowState.TimeWait : FlowState.Established, keepAlivesS2C: s.gaps.filter((g) => g.ka).length };
      });
      // A window long enough that nothing is extrapolated below 600 s.
      const { fs, planner } = plannerOf(flows, 'off', [0, 6000]);
      const safe = smallestSafeTimeout(planner, breakpoints(fs, planner, 'tcp'), maxBroken, 1);
      const step = 0.5;
      let grid: number | null = null;
      for (let t = 1; t <= 600; t += step) if (planner.evaluate(t).sessionsWithDrops <= maxBroken) { grid = t; break; }
      if (grid === null) return safe === null || safe.lowerBound || safe.seconds > 600 - step;
      return safe !== null && safe.seconds <= grid + 1e-9 && safe.seconds > grid - step - 1e-9 && planner.evaluate(safe.seconds + 1e-6).sessionsWithDrops <= maxBroken;
    }), { numRuns: 100, seed: 1201 });
  });
});
