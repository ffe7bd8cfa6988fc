/**
 * recommend(): the range, the recommended timeout, the reason when there is no range, and the
 * keep-alive advice, on a stub planner whose figures per candidate are given by hand, so every
 * expected value below follows from the rules in src/model/recommend.ts by arithmetic.
 */
import { describe, expect, it } from 'vitest';
import { FlowEnd, PacketKind } from '../../src/flows/types.js';
import { FlowState } from '../../src/util/protocols.js';
import { makePlanner } from '../../src/model/plan.js';
import { getPlatform } from '../../src/model/platforms.js';
import { keepAliveSettings, recommend } from '../../src/model/recommend.js';
import type { CandidateResult, KeepAliveSchedule, Planner } from '../../src/model/types.js';
import { buildFlowSet, emptyDistribution } from '../helpers/flowset.js';

interface Figures { broken: number; peakBytes: number; kind?: 'keepAlive' | 'data' | 'close' }

function candidate(t: number, f: Figures): CandidateResult {
  const kind = f.kind ?? 'data';
  return {
    timeoutSeconds: t, sessionsWithDrops: f.broken, droppedKeepAlives: 0, droppedPackets: f.broken,
    brokenByKind: { keepAlive: kind === 'keepAlive' ? f.broken : 0, data: kind === 'data' ? f.broken : 0, close: kind === 'close' ? f.broken : 0 },
    tableEntries: { mean: 0, peak: 0, p99: 0, atEnd: 0 }, memoryBytes: { mean: 0, peak: f.peakBytes },
    headroom: null, growthPerHour: null, extrapolated: false, series: [], affected: [], warnings: [],
  };
}

/** A planner that answers from a table; withKeepAlive records the profile and breaks nothing. */
function stubPlanner(table: Record<number, Figures>, schedule: KeepAliveSchedule | null, asked: string[] = []): Planner {
  const self: Planner = {
    platform: { name: 'stub', stateTimeouts: {}, pickup: 'strict', bytesPerEntry: 1, fixedBytes: 0, tableMax: null, sources: {} },
    keepalive: { profile: 'custom', schedule, source: 'flag', observed: [] },
    window: { start: null, end: null, seconds: 86400 },
    gaps: { count: 0, p50: null, p90: null, p99: null, max: null, censored: 0, exact: true, ecdf: [], histogram: [] },
    evaluate: (t) => candidate(t, table[t]!),
    evaluateAll: (ts) => ts.map((t) => self.evaluate(t)),
    withPlatform: () => self,
    withKeepAlive: (profile) => {
      asked.push(profile);
      const evaluate = (t: number): CandidateResult => candidate(t, { broken: 0, peakBytes: table[t]!.peakBytes });
      return { ...self, evaluate, evaluateAll: (ts) => ts.map(evaluate) };
    },
  };
  return self;
}

const LINUX_KA: KeepAliveSchedule = { idleSeconds: 7200, intervalSeconds: 75, count: 9 };
const TABLE: Record<number, Figures> = {
  60: { broken: 5, peakBytes: 1000 },
  600: { broken: 2, peakBytes: 2000 },
  3600: { broken: 0, peakBytes: 5000 },
};

describe('recommend (hand-computed, stub planner)', () => {
  it('sorts and de-duplicates the candidates; the range is the candidates within both limits', () => {
    const asked: string[] = [];
    const r = recommend(stubPlanner(TABLE, LINUX_KA, asked), [3600, 60, 600, 600], { maxBroken: 2, maxMemoryBytes: 3000 });
    expect(r.candidates.map((c) => c.timeoutSeconds)).toEqual([60, 600, 3600]);
    expect(r.range).toEqual({ minSeconds: 600, maxSeconds: 600 });
    expect(r.recommendedSeconds).toBe(600);
    expect('reason' in r).toBe(false);
    // Advice for 600 s: interval = min(75, floor(600 / 10)) = 60; idle = 600 - 2 x 60 = 480.
    expect(asked).toEqual(['480/60/9']);
    expect(r.keepAlive).toMatchObject({ forTimeoutSeconds: 600, idleSeconds: 480, intervalSeconds: 60, count: 9 });
    expect(r.keepAlive?.withAdvice.sessionsWithDrops).toBe(0);
    expect(r.keepAlive?.settings).toEqual(keepAliveSettings(480, 60, 9));
  });

  it('without a memory limit the range runs to the largest candidate that breaks few enough', () => {
    const r = recommend(stubPlanner(TABLE, LINUX_KA), [60, 600, 3600], { maxBroken: 2, maxMemoryBytes: null });
    expect(r.range).toEqual({ minSeconds: 600, maxSeconds: 3600 });
    expect(r.recommendedSeconds).toBe(600);
  });

  it('no range because every candidate breaks too many: advice for the largest candidate memory allows', () => {
    const table = { 60: { broken: 5, peakBytes: 1000 }, 600: { broken: 2, peakBytes: 2000 }, 3600: { broken: 1, peakBytes: 5000 } };
    const r = recommend(stubPlanner(table, LINUX_KA), [60, 600, 3600], { maxBroken: 0, maxMemoryBytes: 3000 });
    expect(r.range).toBeNull();
    expect(r.recommendedSeconds).toBeNull();
    expect(r.reason).toBe('every candidate up to 3600 s breaks more than 0 sessions');
    // memory allows 60 and 600: the advice is for 600 s (idle 480, interval 60).
    expect(r.keepAlive).toMatchObject({ forTimeoutSeconds: 600, idleSeconds: 480, intervalSeconds: 60, count: 9 });
  });

  it('no range because every candidate needs too much memory: advice for the shortest candidate', () => {
    const r = recommend(stubPlanner(TABLE, LINUX_KA), [60, 600, 3600], { maxBroken: 2, maxMemoryBytes: 500 });
    expect(r.range).toBeNull();
    expect(r.reason).toBe('every candidate from 60 s needs more than 500 bytes of table memory');
    // 60 s: interval = min(75, floor(60 / 10)) = 6; idle = 60 - 12 = 48.
    expect(r.keepAlive).toMatchObject({ forTimeoutSeconds: 60, idleSeconds: 48, intervalSeconds: 6, count: 9 });
    expect(r.keepAlive?.settings).toEqual([
      'Linux (sockets with SO_KEEPALIVE): sysctl -w net.ipv4.tcp_keepalive_time=48 net.ipv4.tcp_keepalive_intvl=6 net.ipv4.tcp_keepalive_probes=9',
      'per socket: setsockopt TCP_KEEPIDLE=48 TCP_KEEPINTVL=6 TCP_KEEPCNT=9',
      'Oracle (server sqlnet.ora): SQLNET.EXPIRE_TIME = 1', // floor(48 / 60) = 0, at least 1 minute
      'HikariCP: keepaliveTime=48000 (ms; must stay below maxLifetime)', // 48 s = 48000 ms, above the 30000 ms floor
    ]);
  });

  it('no range because the limits conflict: the reason names both ends', () => {
    const table = { 60: { broken: 5, peakBytes: 1000 }, 600: { broken: 2, peakBytes: 2000 }, 3600: { broken: 0, peakBytes: 5000 } };
    const r = recommend(stubPlanner(table, LINUX_KA), [60, 600, 3600], { maxBroken: 0, maxMemoryBytes: 3000 });
    expect(r.range).toBeNull();
    expect(r.reason).toBe('the timeouts that break few enough sessions (from 3600 s) need more memory than allowed (up to 600 s fit)');
  });

  it('keep-alives off: the advice starts from the Linux defaults (interval 75, count 9)', () => {
    const table = { 7200: { broken: 3, peakBytes: 1 } };
    const r = recommend(stubPlanner(table, null), [7200], { maxBroken: 0, maxMemoryBytes: null });
    // interval = min(75, floor(7200 / 10) = 720) = 75; idle = 7200 - 150 = 7050.
    expect(r.keepAlive).toMatchObject({ forTimeoutSeconds: 7200, idleSeconds: 7050, intervalSeconds: 75, count: 9 });
  });

  it('no advice when the target candidate breaks only at close (keep-alives would not help)', () => {
    const table = { 600: { broken: 4, peakBytes: 1, kind: 'close' as const } };
    const r = recommend(stubPlanner(table, LINUX_KA), [600], { maxBroken: 0, maxMemoryBytes: null });
    expect(r.keepAlive).toBeNull();
  });
});

describe('keepAliveSettings', () => {
  it('caps the per-socket idle at 32767 s (TCP_KEEPIDLE maximum) and converts minutes and milliseconds', () => {
    const s = keepAliveSettings(40000, 75, 9);
    expect(s[1]).toBe('per socket: setsockopt TCP_KEEPIDLE=32767 TCP_KEEPINTVL=75 TCP_KEEPCNT=9');
    expect(s[2]).toBe('Oracle (server sqlnet.ora): SQLNET.EXPIRE_TIME = 666'); // floor(40000 / 60)
    expect(s[3]).toBe('HikariCP: keepaliveTime=40000000 (ms; must stay below maxLifetime)');
  });
});

describe('recommend on a real planner (hand-computed)', () => {
  // One session idle 1000 s (data from the client after it), then closed; window 5 hours.
  const flows = buildFlowSet([{ first: 0, last: 2000, end: FlowEnd.Fin, endState: FlowState.TimeWait,
    gaps: [{ start: 500, end: 1500, kind: PacketKind.Data, dir: 0 }] }], [0, 18000]);
  const planner = makePlanner({ flows, distribution: emptyDistribution() },
    { platform: getPlatform('linux'), keepalive: 'off', keepaliveSource: 'flag', protocol: 'tcp' });

  it('600 s breaks the session (1000 s gap), 3600 s does not: the range is 3600 s alone', () => {
    const r = recommend(planner, [600, 3600], { maxBroken: 0, maxMemoryBytes: null });
    expect(r.candidates.map((c) => c.sessionsWithDrops)).toEqual([1, 0]);
    expect(r.range).toEqual({ minSeconds: 3600, maxSeconds: 3600 });
    expect(r.keepAlive).toBeNull(); // 3600 s breaks nothing
  });
});
