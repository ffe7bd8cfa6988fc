/**
 * Endpoint TCP keep-alive schedules: named profiles, `IDLE/INTERVAL/COUNT` text, and the
 * schedule inferred from the probes a capture shows (Wireshark's tcp.analysis.keep_alive).
 * Sources: the reference sheet reference/timeouts.md "Endpoint keep-alive defaults" (as docs/PLATFORMS.md cites it).
 */
import { medianSorted } from 'simple-statistics';
import { usageError } from '../util/errors.js';
import { parseDuration } from '../util/duration.js';
import type { KeepAliveSchedule } from './types.js';

export interface KeepAliveProfile {
  name: string;
  title: string;
  /** null = keep-alives off. */
  schedule: KeepAliveSchedule | null;
  source: string;
}

const PROFILES: readonly KeepAliveProfile[] = [
  {
    name: 'linux',
    title: 'Linux (sockets with SO_KEEPALIVE)',
    schedule: { idleSeconds: 7200, intervalSeconds: 75, count: 9 },
    source: 'ip-sysctl: net.ipv4.tcp_keepalive_time 7200, tcp_keepalive_intvl 75, tcp_keepalive_probes 9',
  },
  {
    name: 'windows',
    title: 'Windows Vista and later',
    schedule: { idleSeconds: 7200, intervalSeconds: 1, count: 10 },
    source: 'Windows TCP/IP registry KeepAliveTime 7,200,000 ms, KeepAliveInterval 1,000 ms; SIO_KEEPALIVE_VALS: 10 probes, fixed since Vista',
  },
  {
    name: 'macos',
    title: 'macOS / FreeBSD',
    schedule: { idleSeconds: 7200, intervalSeconds: 75, count: 8 },
    source: 'sys/netinet/tcp_timer.h: TCPTV_KEEP_IDLE 120*60 s, TCPTV_KEEPINTVL 75 s, TCPTV_KEEPCNT 8 (net.inet.tcp.keepidle, keepintvl, keepcnt)',
  },
  {
    name: 'off',
    title: 'No keep-alives (RFC 1122 4.2.3.6: off by default)',
    schedule: null,
    source: 'RFC 1122 section 4.2.3.6: keep-alives are off unless the application asks for them',
  },
];

/** Other names accepted for the profiles. */
const ALIASES: Record<string, string> = { freebsd: 'macos', none: 'off' };

const FORMS = 'use linux, windows, macos, off, or IDLE/INTERVAL/COUNT with durations (2h/75s/9, 7200/75/9)';

function invalidKeepAlive(text: string, why: string): never {
  throw usageError('CLI_INVALID_KEEPALIVE', `invalid keep-alive "${text}": ${why}; ${FORMS}`);
}

/** A schedule as `IDLE/INTERVAL/COUNT` in seconds ("7200/75/9"), or "off". */
export function scheduleText(schedule: KeepAliveSchedule | null): string {
  return schedule === null ? 'off' : `${schedule.idleSeconds}/${schedule.intervalSeconds}/${schedule.count}`;
}

export function listKeepAliveProfiles(): KeepAliveProfile[] {
  return PROFILES.map((p) => ({ ...p, schedule: p.schedule ? { ...p.schedule } : null }));
}

/**
 * Parses `--keepalive`: a profile name (case-insensitive) or `IDLE/INTERVAL/COUNT`, where IDLE
 * and INTERVAL are durations above zero and COUNT a whole number >= 1; the latter gives profile
 * 'custom'. Errors: CLI_INVALID_KEEPALIVE (usage).
 *
 * @example parseKeepAlive('2h/75s/9') // => { profile: 'custom', schedule: { idleSeconds: 7200, intervalSeconds: 75, count: 9 } }
 */
export function parseKeepAlive(text: string): { profile: string; schedule: KeepAliveSchedule | null } {
  const t = String(text).trim().toLowerCase();
  if (t === '') invalidKeepAlive(String(text), 'empty');
  const name = ALIASES[t] ?? t;
  const named = PROFILES.find((p) => p.name === name);
  if (named) return { profile: named.name, schedule: named.schedule ? { ...named.schedule } : null };

  const parts = t.split('/');
  if (parts.length !== 3) invalidKeepAlive(String(text), 'not a profile name');
  const [idleText, intervalText, countText] = parts as [string, string, string];
  let idleSeconds: number;
  let intervalSeconds: number;
  try {
    idleSeconds = parseDuration(idleText);
    intervalSeconds = parseDuration(intervalText);
  } catch {
    invalidKeepAlive(String(text), 'IDLE and INTERVAL must be durations');
  }
  if (idleSeconds <= 0) invalidKeepAlive(String(text), 'IDLE must be above zero');
  if (intervalSeconds <= 0) invalidKeepAlive(String(text), 'INTERVAL must be above zero');
  if (!/^\d+$/.test(countText.trim()) || Number(countText) < 1) invalidKeepAlive(String(text), 'COUNT must be a whole number >= 1');
  return { profile: 'custom', schedule: { idleSeconds, intervalSeconds, count: Number(countText) } };
}

export interface KeepAliveInference {
  /** Median idle time before a first probe, seconds. */
  idleSeconds: number;
  /** Median spacing of retried (unanswered) probes, seconds; null when no probe was retried. */
  intervalSeconds: number | null;
  /** Probes the inference rests on (first probes plus retries). */
  probes: number;
}

/**
 * Infers one sender's keep-alive schedule from the idle gaps that ended with one of its
 * keep-alive probes: `idleSeconds[i]` is the gap before probe i, `isRetry[i]` says whether
 * probe i repeats an unanswered probe (gap bit GAP_PROBE_RETRY_BIT).
 *
 *   idle     = median of the gaps before first probes
 *   interval = median of the gaps before retries (null when there are none)
 *
 * Why the median: a first probe follows exactly `idle` seconds of silence only when the capture
 * saw the packet that restarted the sender's timer. A packet missing from the capture, a probe
 * whose gap began before the capture, or an application-level ping mistaken for a probe make
 * single gaps far too long or too short; the median ignores such outliers as long as they are
 * fewer than half, where a mean would be pulled by every one of them.
 *
 * Returns null when no first probe was seen (the idle time cannot be told).
 *
 * @example inferKeepAlive([7200, 75, 75, 7201], [false, true, true, false]) // => { idleSeconds: 7200.5, intervalSeconds: 75, probes: 4 }
 */
export function inferKeepAlive(idleSeconds: ArrayLike<number>, isRetry: ArrayLike<boolean | number>): KeepAliveInference | null {
  if (idleSeconds.length !== isRetry.length) {
    throw new RangeError(`inferKeepAlive: ${idleSeconds.length} gaps but ${isRetry.length} retry flags`);
  }
  // Typed arrays sorted natively (no comparator call per comparison: a sender can have 100 000s of probes).
  let nFirst = 0;
  for (let i = 0; i < idleSeconds.length; i++) {
    const gap = idleSeconds[i]!;
    if (Number.isFinite(gap) && gap >= 0 && !isRetry[i]) nFirst++;
  }
  if (nFirst === 0) return null;
  const first = new Float64Array(nFirst);
  const retries: number[] = [];
  let f = 0;
  for (let i = 0; i < idleSeconds.length; i++) {
    const gap = idleSeconds[i]!;
    if (!Number.isFinite(gap) || gap < 0) continue;
    if (isRetry[i]) retries.push(gap);
    else first[f++] = gap + 0; // + 0: -0 as 0, which Array#sort by a - b does not tell apart
  }
  first.sort();
  const retriesSorted = Float64Array.from(retries).sort();
  // simple-statistics reads only length and indices: typed arrays serve.
  return {
    idleSeconds: medianSorted(first as unknown as number[]),
    intervalSeconds: retries.length > 0 ? medianSorted(retriesSorted as unknown as number[]) : null,
    probes: first.length + retries.length,
  };
}
