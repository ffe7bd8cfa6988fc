/**
 * The break schedule (src/model/break-schedule.ts) against the walk it replaces: for random flow
 * sets, settings and candidate lists (unsorted, repeated), each candidate's replay read from one
 * schedule over all of them (through one set of reused replay buffers) equals the per-candidate
 * walk (replayFlows without a schedule, fresh arrays) field for field and bit for bit, and plan's evaluateAll equals evaluating each candidate on its own.
 * A hand-computed case pins the ranges themselves.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PacketKind } from '../../src/flows/types.js';
import { FlowState } from '../../src/util/protocols.js';
import { OUTCOME_FOREVER, OUTCOME_UNCHANGED, outcomeOf, scheduleBreaks } from '../../src/model/break-schedule.js';
import { evaluate, makePlanner } from '../../src/model/plan.js';
import { getPlatform } from '../../src/model/platforms.js';
import { parseServiceRule } from '../../src/model/policy.js';
import { prepareFlowModel, type PlanOptions } from '../../src/model/prepare.js';
import { replayFlows, type ReplayOutcome } from '../../src/model/replay.js';
import { ReplayBuffers } from '../../src/model/replay-buffers.js';
import { buildFlowSet, emptyDistribution, type FlowSpec } from '../helpers/flowset.js';
import { flowArbitrary, toSpecs } from '../helpers/flow-draws.js';

const WINDOW: [number, number] = [0, 20000];

const gapArb = fc.record({
  pause: fc.integer({ min: 0, max: 30 }),
  // Lengths equal to candidates drawn below now and then: a gap exactly as long as the timeout survives it.
  len: fc.oneof(fc.integer({ min: 1, max: 6000 }), fc.constantFrom(30, 300, 2000, 4000)),
  kind: fc.constantFrom(PacketKind.Data, PacketKind.KeepAliveProbe, PacketKind.KeepAliveAck, PacketKind.Fin, PacketKind.Rst),
  dir: fc.constantFrom<0 | 1>(0, 1),
  retry: fc.boolean(),
  retransmission: fc.boolean(),
  // Some gaps in a state with a fixed timeout (FIN_WAIT and the like), so fixed breaks occur.
  state: fc.constantFrom(FlowState.Established, FlowState.Established, FlowState.Established, FlowState.FinWait, FlowState.CloseWait),
});

const flowArb = flowArbitrary(gapArb, 4, 5);

const settingArb = fc.record({
  platform: fc.constantFrom('linux', 'cisco-asa', 'pf'),
  pickup: fc.constantFrom<'strict' | 'loose'>('strict', 'strict', 'loose'),
  keepalive: fc.constantFrom('off', 'linux', '300/30/5', '300/30/5', '5000/60/3'),
  keepaliveSource: fc.constantFrom<'flag' | 'profile'>('flag', 'flag', 'profile'),
  // A service whose established timeout is fixed (it does not follow the candidate).
  rule: fc.constantFrom(null, 'tcp/443=2000', 'tcp/1521=established:4000,fin_wait:30'),
});
type Setting = typeof settingArb extends fc.Arbitrary<infer T> ? T : never;

// Candidates in any order, repeats allowed, some equal to gap lengths drawn above.
const timeoutsArb = fc.array(fc.oneof(fc.integer({ min: 1, max: 12000 }), fc.constantFrom(30, 300, 2000, 4000)), { minLength: 1, maxLength: 7 });

function optionsFor(s: Setting): PlanOptions {
  return { platform: { ...getPlatform(s.platform), pickup: s.pickup }, keepalive: s.keepalive, keepaliveSource: s.keepaliveSource, protocol: 'tcp',
    rules: s.rule === null ? [] : [parseServiceRule(s.rule)], serviceLimit: 3 };
}

/** A replay outcome as plain data: the lists cut to their length. */
function plain(r: ReplayOutcome): unknown {
  return {
    counts: [r.sessionsWithDrops, r.droppedKeepAlives, r.droppedPackets, r.byKind, r.neverExpiring],
    replayed: Array.from(r.replayed), replayedList: Array.from(r.replayedList), candReplayed: Array.from(r.candReplayed),
    extraStarts: Array.from(r.extraStarts.data.subarray(0, r.extraStarts.length)), extraEnds: Array.from(r.extraEnds.data.subarray(0, r.extraEnds.length)),
    startSlots: Array.from(r.extraStartSlots.data.subarray(0, r.extraStartSlots.length)), endSlots: Array.from(r.extraEndSlots.data.subarray(0, r.extraEndSlots.length)),
    affected: { used: r.affected.used, sessions: Array.from(r.affected.sessions.subarray(0, r.affected.used)), kinds: Array.from(r.affected.kinds.subarray(0, 3 * r.affected.used)),
      // The idle samples each label holds (up to 64 each, in the order added).
      idle: r.affected.idleSamples(Array.from({ length: r.affected.used }, (_, id) => id)) },
    services: r.services === null ? null : { broken: Array.from(r.services.broken), kinds: Array.from(r.services.kinds), ka: Array.from(r.services.droppedKeepAlives) },
  };
}

describe('one break schedule for all candidates equals walking each', () => {
  it('every field of every candidate replay, on random flow sets and settings', () => {
    fc.assert(fc.property(fc.array(flowArb, { minLength: 1, maxLength: 14 }), settingArb, timeoutsArb, (draws, s, timeouts) => {
      const p = prepareFlowModel({ flows: buildFlowSet(toSpecs(draws), WINDOW), distribution: emptyDistribution() }, optionsFor(s));
      const schedule = scheduleBreaks(p, timeouts);
      // One set of buffers for every candidate, as evaluateAll keeps them: nothing of one candidate may stay in the next.
      const buffers = new ReplayBuffers(p);
      timeouts.forEach((T, c) => {
        expect(plain(replayFlows(p, T, schedule, c, buffers))).toEqual(plain(replayFlows(p, T, null)));
      });
    }), { numRuns: 1500 });
  });

  it("plan's evaluateAll equals each candidate evaluated alone", () => {
    fc.assert(fc.property(fc.array(flowArb, { minLength: 1, maxLength: 10 }), settingArb, timeoutsArb, (draws, s, timeouts) => {
      const data = { flows: buildFlowSet(toSpecs(draws), WINDOW), distribution: emptyDistribution() };
      const all = makePlanner(data, optionsFor(s)).evaluateAll(timeouts);
      const p = prepareFlowModel(data, optionsFor(s));
      const current = evaluate(p, getPlatform(s.platform).stateTimeouts.established!);
      const entries = { seconds: current.timeoutSeconds, entries: { mean: current.tableEntries.mean, peak: current.tableEntries.peak } };
      expect(all).toEqual(timeouts.map((T) => evaluate(p, T, entries)));
    }), { numRuns: 100 });
  });
});

describe('the ranges of one flow (hand-computed)', () => {
  it('an open TCP session with established gaps of 100 s and 500 s, then 20 s to its last packet', () => {
    // Candidates 50, 200, 1000 (given unsorted): 50 breaks at the first gap (index 0), 200 at the
    // second (index 1); 1000 is above its longest gap, so its entry ends as the prepared orders
    // have it (not replayed); keep-alives off, so nothing is kept for good.
    const flows: FlowSpec[] = [{ first: 0, last: 620, gaps: [{ start: 0, end: 100 }, { start: 100, end: 600 }] }];
    const p = prepareFlowModel({ flows: buildFlowSet(flows, [0, 5000]), distribution: emptyDistribution() },
      { platform: getPlatform('linux'), keepalive: 'off', keepaliveSource: 'flag', protocol: 'tcp' });
    const s = scheduleBreaks(p, [1000, 50, 200]);
    expect(Array.from(s.rank)).toEqual([2, 0, 1]);
    expect([0, 1, 2].map((r) => outcomeOf(s, 0, r))).toEqual([0, 1, OUTCOME_UNCHANGED]);
    expect(Array.from(s.counts.sessionsWithDrops)).toEqual([1, 1, 0]);
    // A fixed break walks every candidate: FIN_WAIT (linux: 120 s) idle 300 s after the 500 s gap
    // breaks 1000 there (index 2), while 50 still breaks at the first gap.
    const f = prepareFlowModel({ flows: buildFlowSet([{ ...flows[0]!, last: 920, gaps: [...flows[0]!.gaps!, { start: 600, end: 900, state: FlowState.FinWait }] }], [0, 5000]), distribution: emptyDistribution() },
      { platform: getPlatform('linux'), keepalive: 'off', keepaliveSource: 'flag', protocol: 'tcp' });
    const t = scheduleBreaks(f, [1000, 50]);
    expect([0, 1].map((r) => outcomeOf(t, 0, r))).toEqual([0, 2]);
    expect(Array.from(t.counts.sessionsWithDrops)).toEqual([1, 1]);
    // With keep-alives every 300 s (flag) and the session kept by them, 600 s and above keep it for good.
    const k = prepareFlowModel({ flows: buildFlowSet([{ ...flows[0]!, gaps: [{ start: 0, end: 100 }, { start: 100, end: 600, kind: PacketKind.KeepAliveProbe, dir: 1 }], keepAlivesS2C: 1 }], [0, 5000]), distribution: emptyDistribution() },
      { platform: getPlatform('linux'), keepalive: '300/30/5', keepaliveSource: 'flag', protocol: 'tcp' });
    const u = scheduleBreaks(k, [50, 600]);
    expect([0, 1].map((r) => outcomeOf(u, 0, r))).toEqual([0, OUTCOME_FOREVER]);
    expect(Array.from(u.counts.neverExpiring)).toEqual([0, 1]);
  });
});
