/**
 * `fwtp recommend`: the range of timeouts that keeps broken sessions and table memory within
 * limits, and the keep-alive setting that would make a shorter timeout safe.
 */
import type { CandidateResult, Planner } from './types.js';

export interface RecommendLimits {
  maxBroken: number;
  maxMemoryBytes: number | null;
}

export interface Recommendation {
  limits: { maxBroken: number; maxMemoryBytes: number | null };
  /** Candidates evaluated, ascending. */
  candidates: CandidateResult[];
  /** Smallest and largest candidate meeting both limits, or null when none does. */
  range: { minSeconds: number; maxSeconds: number } | null;
  /** The smallest timeout in range: fewest entries held while no more sessions break than allowed. */
  recommendedSeconds: number | null;
  /** Why there is no range, when there is none. */
  reason?: string;
  /** For the keep-alive senders whose probes come after the shortest safe-for-memory timeout. */
  keepAlive: KeepAliveAdvice | null;
}

export interface KeepAliveAdvice {
  /** The timeout the advice is for (seconds). */
  forTimeoutSeconds: number;
  /** Keep-alive idle to set on the endpoints (seconds): below the timeout with a margin of one interval. */
  idleSeconds: number;
  intervalSeconds: number;
  count: number;
  /** The candidate re-planned with that keep-alive. */
  withAdvice: CandidateResult;
  /** Configuration lines that apply it. */
  settings: string[];
}

export function recommend(planner: Planner, timeouts: number[], limits: RecommendLimits): Recommendation {
  const sorted = [...new Set(timeouts)].sort((a, b) => a - b);
  const candidates = planner.evaluateAll(sorted);
  const ok = candidates.filter((c) => c.sessionsWithDrops <= limits.maxBroken && (limits.maxMemoryBytes === null || c.memoryBytes.peak <= limits.maxMemoryBytes));
  let range: Recommendation['range'] = null;
  let reason: string | undefined;
  if (ok.length > 0) range = { minSeconds: ok[0]!.timeoutSeconds, maxSeconds: ok[ok.length - 1]!.timeoutSeconds };
  else {
    const brokenOk = candidates.filter((c) => c.sessionsWithDrops <= limits.maxBroken);
    const memOk = candidates.filter((c) => limits.maxMemoryBytes === null || c.memoryBytes.peak <= limits.maxMemoryBytes);
    if (brokenOk.length === 0) reason = `every candidate up to ${sorted[sorted.length - 1]} s breaks more than ${limits.maxBroken} sessions`;
    else if (memOk.length === 0) reason = `every candidate from ${sorted[0]} s needs more than ${limits.maxMemoryBytes} bytes of table memory`;
    else reason = `the timeouts that break few enough sessions (from ${brokenOk[0]!.timeoutSeconds} s) need more memory than allowed (up to ${memOk[memOk.length - 1]!.timeoutSeconds} s fit)`;
  }

  // Keep-alive advice: for the largest timeout memory allows (or the shortest candidate), a
  // keep-alive idle below it keeps idle sessions refreshed, so the timeout breaks none of them.
  let keepAlive: KeepAliveAdvice | null = null;
  const memOk = candidates.filter((c) => limits.maxMemoryBytes === null || c.memoryBytes.peak <= limits.maxMemoryBytes);
  const target = (range === null ? memOk[memOk.length - 1] : ok[0]) ?? candidates[0];
  if (target !== undefined && target.brokenByKind.keepAlive + target.brokenByKind.data > 0) {
    const base = planner.keepalive.schedule ?? { idleSeconds: 7200, intervalSeconds: 75, count: 9 };
    const interval = Math.min(base.intervalSeconds, Math.max(1, Math.floor(target.timeoutSeconds / 10)));
    const idle = Math.max(1, Math.floor(target.timeoutSeconds - interval * 2));
    const withAdvice = planner.withKeepAlive(`${idle}/${interval}/${base.count}`).evaluate(target.timeoutSeconds);
    keepAlive = {
      forTimeoutSeconds: target.timeoutSeconds,
      idleSeconds: idle,
      intervalSeconds: interval,
      count: base.count,
      withAdvice,
      settings: keepAliveSettings(idle, interval, base.count),
    };
  }
  return {
    limits,
    candidates,
    range,
    recommendedSeconds: range?.minSeconds ?? null,
    ...(reason !== undefined ? { reason } : {}),
    keepAlive,
  };
}

/** Where the keep-alive is set: sources in the reference sheet reference/per-service-timeouts.md ("Application-side alternatives"). */
export function keepAliveSettings(idle: number, interval: number, count: number): string[] {
  return [
    `Linux (sockets with SO_KEEPALIVE): sysctl -w net.ipv4.tcp_keepalive_time=${idle} net.ipv4.tcp_keepalive_intvl=${interval} net.ipv4.tcp_keepalive_probes=${count}`,
    `per socket: setsockopt TCP_KEEPIDLE=${Math.min(idle, 32767)} TCP_KEEPINTVL=${interval} TCP_KEEPCNT=${count}`,
    `Oracle (server sqlnet.ora): SQLNET.EXPIRE_TIME = ${Math.max(1, Math.floor(idle / 60))}`,
    `HikariCP: keepaliveTime=${Math.max(30000, idle * 1000)} (ms; must stay below maxLifetime)`,
  ];
}
