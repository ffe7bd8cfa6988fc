/**
 * What the comparison view asks of the model, memoised: one Planner per (platform, keep-alive)
 * profile pair, made lazily, and one CandidateResult per (platform, keep-alive, timeout).
 *
 * Why: making a Planner prepares every flow (about 100-250 ms for 100 000 flows) and evaluating
 * a candidate sweeps them (about 40 ms), so the view evaluates only what it shows, never twice,
 * and a key that returns to a profile or a timeout seen before costs nothing (docs/COMPARE.md,
 * "Responsiveness").
 *
 * A new pair is always made from a cached planner that shares one of its two profiles
 * (`withPlatform` keeps the keep-alive setting, `withKeepAlive` keeps the platform), so a key
 * that changes one profile costs one preparation, not two. The given pair (the Planner the
 * command made, with the user's overrides) is never evicted; the others are kept in LRU order.
 */
import type { CandidateResult, Planner } from '../model/types.js';
import { platformNames } from '../model/platforms.js';
import { listKeepAliveProfiles } from '../model/keepalive.js';
import { scheduleText } from '../model/keepalive.js';

/** One entry of the `p` or `k` cycle. `key` '' is the setting the command was given. */
export interface ProfileChoice {
  key: string;
  label: string;
}

export const GIVEN = '';

export interface StoreStats {
  /** Planners made (each one a preparation over all flows). */
  prepares: number;
  /** Candidates evaluated (each one a sweep over all flows). */
  evaluations: number;
  /** Candidate look-ups answered from the memo. */
  hits: number;
}

export interface PlanStoreOptions {
  /** Planners kept besides the given one (each holds about 50 bytes per flow). */
  maxPlanners?: number;
  /** Candidate results kept (a few kB each). */
  maxResults?: number;
}

function keepAliveText(planner: Planner): string {
  const ka = planner.keepalive;
  const s = ka.schedule;
  const schedule = scheduleText(s);
  return `${ka.profile} ${schedule}`;
}

/** Whether any platform value came from a flag or a file (the given profile is then not the built-in one). */
function platformAdjusted(planner: Planner): boolean {
  return Object.values(planner.platform.sources).some((s) => s === 'flag' || s === 'file');
}

export class PlanStore {
  readonly base: Planner;
  readonly platformChoices: ProfileChoice[];
  readonly keepAliveChoices: ProfileChoice[];
  readonly stats: StoreStats = { prepares: 0, evaluations: 0, hits: 0 };
  private readonly planners = new Map<string, { pk: string; kk: string; planner: Planner }>();
  private readonly results = new Map<string, CandidateResult>();
  private readonly maxPlanners: number;
  private readonly maxResults: number;

  constructor(base: Planner, opts: PlanStoreOptions = {}) {
    this.base = base;
    this.maxPlanners = opts.maxPlanners ?? 6;
    this.maxResults = opts.maxResults ?? 5000;
    const given = base.platform.name;
    const adjusted = platformAdjusted(base);
    this.platformChoices = [
      { key: GIVEN, label: adjusted ? `${given} (adjusted)` : given },
      // The built-in profile of the same name differs from the given one only when it was adjusted.
      ...platformNames().filter((n) => adjusted || n !== given).map((n) => ({ key: n, label: n })),
    ];
    this.keepAliveChoices = [
      { key: GIVEN, label: `${keepAliveText(base)} (${base.keepalive.source})` },
      ...listKeepAliveProfiles().map((p) => {
        const s = p.schedule;
        return { key: p.name, label: `${p.name} ${scheduleText(s)}` };
      }),
    ];
    this.planners.set(pairKey(GIVEN, GIVEN), { pk: GIVEN, kk: GIVEN, planner: base });
  }

  /** Whether the planner for this pair is ready (no preparation needed). */
  hasPlanner(platformIndex: number, keepAliveIndex: number): boolean {
    return this.planners.has(pairKey(this.pk(platformIndex), this.kk(keepAliveIndex)));
  }

  planner(platformIndex: number, keepAliveIndex: number): Planner {
    const pk = this.pk(platformIndex);
    const kk = this.kk(keepAliveIndex);
    const key = pairKey(pk, kk);
    const hit = this.planners.get(key);
    if (hit !== undefined) {
      // Refresh LRU order.
      this.planners.delete(key);
      this.planners.set(key, hit);
      return hit.planner;
    }
    // A cached planner with the same platform only needs the keep-alive changed, and vice versa.
    // Pairs with the given platform or keep-alive are made from the base, which keeps the user's
    // overrides; the others from the most recently used planner that shares a profile.
    let made: Planner | undefined;
    const entries = [...this.planners.values()].reverse();
    const samePlatform = entries.find((e) => e.pk === pk);
    const sameKeepAlive = entries.find((e) => e.kk === kk);
    if (samePlatform !== undefined) made = kk === GIVEN ? undefined : samePlatform.planner.withKeepAlive(kk);
    if (made === undefined && sameKeepAlive !== undefined && pk !== GIVEN) made = sameKeepAlive.planner.withPlatform(pk);
    if (made === undefined) {
      // No cached planner shares a profile (or the given setting must be restored): two steps from the base.
      const withPlatform = pk === GIVEN ? this.base : this.base.withPlatform(pk);
      if (pk !== GIVEN) this.stats.prepares++;
      made = kk === GIVEN ? withPlatform : withPlatform.withKeepAlive(kk);
    }
    this.stats.prepares++;
    this.planners.set(key, { pk, kk, planner: made });
    this.evictPlanners();
    return made;
  }

  /** A memoised result, or undefined when this candidate was not evaluated for this pair yet. */
  peek(platformIndex: number, keepAliveIndex: number, timeoutSeconds: number): CandidateResult | undefined {
    return this.results.get(resultKey(this.pk(platformIndex), this.kk(keepAliveIndex), timeoutSeconds));
  }

  evaluate(platformIndex: number, keepAliveIndex: number, timeoutSeconds: number): CandidateResult {
    const key = resultKey(this.pk(platformIndex), this.kk(keepAliveIndex), timeoutSeconds);
    const hit = this.results.get(key);
    if (hit !== undefined) {
      this.stats.hits++;
      return hit;
    }
    const r = this.planner(platformIndex, keepAliveIndex).evaluate(timeoutSeconds);
    this.stats.evaluations++;
    this.results.set(key, r);
    if (this.results.size > this.maxResults) this.results.delete(this.results.keys().next().value as string);
    return r;
  }

  private pk(i: number): string {
    return this.platformChoices[mod(i, this.platformChoices.length)]!.key;
  }

  private kk(i: number): string {
    return this.keepAliveChoices[mod(i, this.keepAliveChoices.length)]!.key;
  }

  private evictPlanners(): void {
    for (const [key, e] of this.planners) {
      if (this.planners.size <= this.maxPlanners + 1) return;
      if (e.pk === GIVEN && e.kk === GIVEN) continue;
      this.planners.delete(key);
    }
  }
}

function pairKey(pk: string, kk: string): string {
  return `${pk}|${kk}`;
}

function resultKey(pk: string, kk: string, timeoutSeconds: number): string {
  return `${pk}|${kk}|${timeoutSeconds}`;
}

export function mod(i: number, n: number): number {
  return ((i % n) + n) % n;
}
