/** Numbers, shares and durations as the change request's prose and its renderers write them. */
import type { AffectedService, PlanResult } from '../model/types.js';
import { formatDuration } from '../util/duration.js';

/**
 * What the capture showed of one sender's keep-alives: "N probes, idle 2h, retries every 1m15s";
 * `esc` escapes the values for the output format (identity for plain text).
 */
export function observedKeepAliveText(o: PlanResult['keepalive']['observed'][number], esc: (text: string) => string = (t) => t): string {
  return `${o.probes} probes, idle ${esc(formatDuration(o.idleSeconds))}${o.intervalSeconds !== null ? `, retries every ${esc(formatDuration(o.intervalSeconds))}` : ''}`;
}

/** "15 sessions", "1 session". */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * A duration for prose: whole seconds from a minute up (7200.031 -> 2h, 5559.5 -> 1h32m40s),
 * milliseconds below; beyond two days in days, beyond a year in years ("about 24.8 years").
 */
export function readableDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return formatDuration(seconds);
  if (seconds >= 365 * 86400) return `about ${(seconds / (365.25 * 86400)).toFixed(1)} years`;
  if (seconds >= 2 * 86400) return `about ${Math.round(seconds / 86400)} days`;
  if (seconds >= 60) return formatDuration(Math.round(seconds));
  return formatDuration(Math.round(seconds * 1000) / 1000);
}

/** "1h (3600 s)" */
export function durationWithSeconds(seconds: number): string {
  return `${formatDuration(seconds)} (${seconds} s)`;
}

/** A number with `digits` decimals, integers as they are. */
export function fixed(n: number, digits: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(digits);
}

/** A share (0..1) as a percentage, '-' for null. */
export function percent(share: number | null): string {
  if (share === null) return '-';
  const p = share * 100;
  return `${p < 0.01 && p > 0 ? '<0.01' : p.toFixed(2)}%`;
}

export function kindWords(kind: AffectedService['kind']): string {
  return kind === 'keepAlive' ? 'keep-alive' : kind;
}
