/**
 * Invariants of the timeout model, checked with fast-check on random flow sets (test/helpers/flowset.ts).
 *
 * - Inside the window, a longer timeout never breaks more sessions. The whole sessionsWithDrops
 *   is not monotone: the beyond-the-window estimate (beyond-window.ts) only runs when the window
 *   is shorter than T + the keep-alive idle, and a longer T counts more sessions idle at capture
 *   end (those idle less than T), so it can add breaks (the hand-computed case below: 0 broken at
 *   50 s, 10 at 200 s). The property is stated for the candidates the window covers
 *   (extrapolated false), which is where the replay alone decides.
 * - Table entries (mean, peak, p99, at end) never decrease with the timeout: each flow's entry
 *   lives over a superset of times under a longer timeout.
 * - The occupancy sweep's peak and mean equal a brute-force count over every entry interval.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowEnd, PacketKind } from '../../src/flows/types.js';
import { makePlanner } from '../../src/model/plan.js';
import { getPlatform } from '../../src/model/platforms.js';
import { buildFlowSet, emptyDistribution, type FlowSpec } from '../helpers/flowset.js';
import { flowArbitrary, toSpecs, type FlowDraw } from '../helpers/flow-draws.js';

const WINDOW: [number, number] = [0, 20000];
const RUNS = 200;

const gapArb = fc.record({
  pause: fc.integer({ min: 0, max: 30 }),
  len: fc.integer({ min: 1, max: 6000 }),
  kind: fc.constantFrom(PacketKind.Data, PacketKind.Data, PacketKind.KeepAliveProbe, PacketKind.KeepAliveAck, PacketKind.Fin),
  dir: fc.constantFrom<0 | 1>(0, 1),
  retry: fc.boolean(),
  retransmission: fc.boolean(),
});

const flowArb = flowArbitrary(gapArb, 3, 2);

const settingArb = fc.record({
  platform: fc.constantFrom('linux', 'cisco-asa', 'pf'),
  pickup: fc.constantFrom<'strict' | 'loose'>('strict', 'strict', 'loose'),
  keepalive: fc.constantFrom('off', 'linux', '300/30/5', '5000/60/3'),
  keepaliveSource: fc.constantFrom<'flag' | 'profile'>('flag', 'profile'),
  protocol: fc.constantFrom<'tcp' | 'udp'>('tcp', 'udp'),
});

type Setting = { platform: string; pickup: 'strict' | 'loose'; keepalive: string; keepaliveSource: 'flag' | 'profile'; protocol: 'tcp' | 'udp' };

function plannerFor(draws: FlowDraw[], s: Setting, window: [number, number] = WINDOW) {
  const platform = { ...getPlatform(s.platform), pickup: s.pickup };
  return makePlanner({ flows: buildFlowSet(toSpecs(draws), window), distribution: emptyDistribution() },
    { platform, keepalive: s.keepalive, keepaliveSource: s.keepaliveSource, protocol: s.protocol });
}

const timeoutsArb = fc.uniqueArray(fc.integer({ min: 1, max: 12000 }), { minLength: 2, maxLength: 6 }).map((a) => a.sort((x, y) => x - y));

describe('a longer timeout never breaks more sessions (inside the window)', () => {
  it('sessionsWithDrops is non-increasing in T over the candidates the window covers', () => {
    fc.assert(fc.property(fc.array(flowArb, { minLength: 1, maxLength: 12 }), settingArb, timeoutsArb, (draws, s, timeouts) => {
      const planner = plannerFor(draws, s);
      const covered = timeouts.map((t) => planner.evaluate(t)).filter((c) => !c.extrapolated);
      for (let k = 1; k < covered.length; k++) {
        expect(covered[k]!.sessionsWithDrops).toBeLessThanOrEqual(covered[k - 1]!.sessionsWithDrops);
      }
    }), { numRuns: RUNS });
  });
});

describe('beyond the window the count is not monotone (why the property above is restricted)', () => {
  it('hand-computed: 10 sessions idle 100 s at capture end, keep-alive idle 5000 s, window 1000 s', () => {
    const flows: FlowSpec[] = Array.from({ length: 10 }, (_, i) => ({ first: 800, last: 900, clientPort: 41000 + i }));
    const planner = makePlanner({ flows: buildFlowSet(flows, [0, 1000]), distribution: emptyDistribution() },
      { platform: getPlatform('linux'), keepalive: '5000/60/3', keepaliveSource: 'flag', protocol: 'tcp' });
    // T = 50: idle 100 >= 50, the entries expired inside the window; beyond-window.ts skips them.
    expect(planner.evaluate(50)).toMatchObject({ sessionsWithDrops: 0, extrapolated: true });
    // T = 200: idle 100 < 200 and the keep-alive comes after 5000 s > 200 s: each of the 10 breaks.
    expect(planner.evaluate(200)).toMatchObject({ sessionsWithDrops: 10, extrapolated: true });
  });
});

describe('table entries never decrease with the timeout', () => {
  it('mean, peak, p99 and entries at window end are non-decreasing in T', () => {
    fc.assert(fc.property(fc.array(flowArb, { minLength: 1, maxLength: 12 }), settingArb, timeoutsArb, (draws, s, timeouts) => {
      const planner = plannerFor(draws, s);
      const entries = timeouts.map((t) => planner.evaluate(t).tableEntries);
      for (let k = 1; k < entries.length; k++) {
        const a = entries[k - 1]!, b = entries[k]!;
        expect(b.peak).toBeGreaterThanOrEqual(a.peak);
        expect(b.atEnd).toBeGreaterThanOrEqual(a.atEnd);
        expect(b.p99).toBeGreaterThanOrEqual(a.p99);
        // The mean is a ratio of sums in a different order per candidate: allow rounding.
        expect(b.mean).toBeGreaterThanOrEqual(a.mean - 1e-9 * Math.max(1, a.mean));
      }
    }), { numRuns: RUNS });
  });
});

/**
 * The brute force: every entry as an interval [start, end), written from the model's rules for
 * TCP with strict pickup, established following the candidate, keep-alives off: an entry starts at
 * the first packet and ends at the start of the first established gap longer than T plus T (the
 * session broke), else T after the last packet (open) or the TIME_WAIT timeout after it (closed).
 * Counted by events, ends before starts at equal times; the mean as overlap with the window.
 */
function bruteForce(specs: FlowSpec[], T: number, timeWaitSeconds: number, window: [number, number]): { peak: number; mean: number } {
  const intervals = specs.map((f): [number, number] => {
    const broken = (f.gaps ?? []).find((g) => g.end - g.start > T);
    if (broken !== undefined) return [f.first, broken.start + T];
    return [f.first, f.last + (f.end === FlowEnd.Fin ? timeWaitSeconds : T)];
  });
  const [ws, we] = window;
  let peak = 0;
  for (const [s] of intervals) {
    if (s > we) continue;
    const at = Math.max(s, ws);
    // Entries alive just after `at`: started at or before it, not ended at or before it.
    let c = 0;
    for (const [s2, e2] of intervals) if (s2 <= at && e2 > at) c++;
    if (c > peak) peak = c;
  }
  let area = 0;
  for (const [s, e] of intervals) area += Math.max(0, Math.min(e, we) - Math.max(s, ws));
  return { peak, mean: area / (we - ws) };
}

describe('the occupancy sweep equals a brute-force count', () => {
  // Times on a 100 s grid, so that an entry often ends exactly when another starts (the tie rule).
  const coarse = (x: number): number => Math.round(x / 100) * 100;
  const tcpDraw = flowArb.map((d) => ({ ...d, udp: false, first: coarse(d.first), tail: 0,
    gaps: d.gaps.map((g) => ({ ...g, pause: coarse(g.pause * 10), len: Math.max(100, coarse(g.len)), kind: PacketKind.Data, retry: false, retransmission: false })) }));
  it('peak and mean match on random TCP flow sets (strict pickup, keep-alives off)', () => {
    fc.assert(fc.property(fc.array(tcpDraw, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 120 }).map((x) => x * 100), (draws, T) => {
      const s: Setting = { platform: 'linux', pickup: 'strict', keepalive: 'off', keepaliveSource: 'flag', protocol: 'tcp' };
      const c = plannerFor(draws, s).evaluate(T);
      const want = bruteForce(toSpecs(draws), T, getPlatform('linux').stateTimeouts.time_wait!, WINDOW);
      expect(c.tableEntries.peak).toBe(want.peak);
      expect(c.tableEntries.mean).toBeCloseTo(want.mean, 9);
    }), { numRuns: RUNS });
  });
});
