import { describe, expect, it } from 'vitest';
import type { CandidateResult, Planner } from '../../src/model/types.js';
import { makePlanner } from '../../src/model/plan.js';
import { applyOverrides } from '../../src/model/platform-overrides.js';
import { getPlatform, platformNames } from '../../src/model/platforms.js';
import { PlanStore } from '../../src/tui/store.js';
import { storyData, storyOptions } from './fixtures.js';

/** A planner that records how it was made and what it was asked. */
function fakePlanner(name: string, ka: string, log: string[], adjusted = false): Planner {
  return {
    platform: { name, stateTimeouts: { established: 3600 }, pickup: 'strict', bytesPerEntry: 512, fixedBytes: 0, tableMax: null, sources: adjusted ? { tableMax: 'flag' } : {} },
    keepalive: { profile: ka, schedule: { idleSeconds: 7200, intervalSeconds: 75, count: 9 }, source: 'profile', observed: [] },
    window: { start: null, end: null, seconds: 0 },
    gaps: { count: 0, p50: null, p90: null, p99: null, max: null, censored: 0, exact: true, ecdf: [], histogram: [] },
    evaluate(t: number) {
      log.push(`evaluate ${name}/${ka}/${t}`);
      return { timeoutSeconds: t } as CandidateResult;
    },
    evaluateAll(ts: readonly number[]) {
      return ts.map((t) => this.evaluate(t));
    },
    withPlatform(p: string) {
      log.push(`withPlatform ${name}/${ka} -> ${p}`);
      return fakePlanner(p, ka, log);
    },
    withKeepAlive(k: string) {
      log.push(`withKeepAlive ${name}/${ka} -> ${k}`);
      return fakePlanner(name, k, log, adjusted);
    },
  };
}

describe('PlanStore', () => {
  it('offers the given setting first, then the built-in profiles', () => {
    const store = new PlanStore(fakePlanner('cisco-asa', 'linux', []));
    expect(store.platformChoices[0]).toEqual({ key: '', label: 'cisco-asa' });
    expect(store.platformChoices.slice(1).map((c) => c.key)).toEqual(platformNames().filter((n) => n !== 'cisco-asa'));
    expect(store.keepAliveChoices.map((c) => c.key)).toEqual(['', 'linux', 'windows', 'macos', 'off']);
    // An adjusted profile (a flag or a file) differs from the built-in one of the same name: both are offered.
    const adjusted = new PlanStore(fakePlanner('linux', 'linux', [], true));
    expect(adjusted.platformChoices[0]!.label).toBe('linux (adjusted)');
    expect(adjusted.platformChoices.map((c) => c.key)).toContain('linux');
  });

  it('evaluates a (platform, keep-alive, timeout) once', () => {
    const log: string[] = [];
    const store = new PlanStore(fakePlanner('cisco-asa', 'linux', log));
    const a = store.evaluate(0, 0, 3600);
    expect(store.evaluate(0, 0, 3600)).toBe(a);
    expect(store.peek(0, 0, 3600)).toBe(a);
    expect(store.peek(0, 0, 9000)).toBeUndefined();
    expect(log).toEqual(['evaluate cisco-asa/linux/3600']);
    expect(store.stats).toEqual({ prepares: 0, evaluations: 1, hits: 1 });
  });

  it('makes a new pair with one preparation from a planner that shares a profile', () => {
    const log: string[] = [];
    const store = new PlanStore(fakePlanner('cisco-asa', 'linux', log));
    store.planner(1, 0); // linux platform, given keep-alive: from the base
    store.planner(1, 2); // linux platform, windows: from the one above, not from the base again
    store.planner(0, 2); // given platform, windows: from the base (keeps the given platform's overrides)
    store.planner(0, 0); // the base itself
    expect(log).toEqual([
      'withPlatform cisco-asa/linux -> linux',
      'withKeepAlive linux/linux -> windows',
      'withKeepAlive cisco-asa/linux -> windows',
    ]);
    expect(store.stats.prepares).toBe(3);
    expect(store.hasPlanner(1, 2)).toBe(true);
    expect(store.hasPlanner(2, 3)).toBe(false);
  });

  it('keeps the given planner and at most maxPlanners others', () => {
    const log: string[] = [];
    const store = new PlanStore(fakePlanner('cisco-asa', 'linux', log), { maxPlanners: 2 });
    store.planner(1, 0);
    store.planner(2, 0);
    store.planner(3, 0);
    expect(store.hasPlanner(0, 0)).toBe(true);
    expect(store.hasPlanner(1, 0)).toBe(false); // least recently used
    expect(store.hasPlanner(2, 0) && store.hasPlanner(3, 0)).toBe(true);
  });

  it('gives the figures the model gives for the same profiles', () => {
    const data = storyData();
    const store = new PlanStore(makePlanner(data, storyOptions('cisco-asa')));
    const linux = store.platformChoices.findIndex((c) => c.key === 'linux');
    const windows = store.keepAliveChoices.findIndex((c) => c.key === 'windows');
    const direct = makePlanner(data, { ...storyOptions('linux'), keepalive: 'windows', keepaliveSource: 'flag' }).evaluate(3600);
    expect(store.evaluate(linux, windows, 3600)).toEqual(direct);
    // Back to the given platform with its overrides intact.
    const adjusted = applyOverrides(getPlatform('cisco-asa'), { bytesPerEntry: 1000 }, 'flag');
    const s2 = new PlanStore(makePlanner(data, { ...storyOptions(), platform: adjusted }));
    s2.evaluate(1, 0, 3600);
    expect(s2.evaluate(0, windows, 3600).memoryBytes.peak).toBe(3 * 1000);
  });
});
