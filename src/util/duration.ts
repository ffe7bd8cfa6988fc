/**
 * Durations as people and firewalls write them, in seconds.
 *
 * Accepted forms (parseDuration):
 * - plain seconds: `3600`, `2.5`
 * - unit sequence, units in decreasing order, each at most once: `90s`, `60m`, `2h30m`,
 *   `1d`, `1h30m15s`, `2.5s`, `500ms` (units d, h, m, s, ms; case-insensitive)
 * - h:mm:ss as Cisco ASA writes timeouts: `1:00:00`, `0:10:00`, `1193:0:0` (hours may
 *   exceed 24; minutes and seconds must be below 60; seconds may have a fraction)
 */
import { usageError } from './errors.js';

const UNIT_SECONDS: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1, ms: 0.001 };
/** Order a unit sequence must follow: each unit after the previous one in this list. */
const UNIT_ORDER = ['d', 'h', 'm', 's', 'ms'];

const ACCEPTED_FORMS = 'use seconds (3600, 2.5), units d/h/m/s/ms in decreasing order (2h30m, 90s, 1d, 500ms) or h:mm:ss (1:00:00)';

const PLAIN_RE = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
const CLOCK_RE = /^(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/;
/** One `<number><unit>` component; `ms` before `m` so that `500ms` is not `500m` + junk. */
const COMPONENT_RE = /(\d+(?:\.\d*)?|\.\d+)(ms|d|h|m|s)/y;

function invalidDuration(text: string, why?: string): never {
  const detail = why ? ` (${why})` : '';
  throw usageError('CLI_INVALID_DURATION', `invalid duration "${text}"${detail}: ${ACCEPTED_FORMS}`);
}

/**
 * Parses a duration into seconds (a float; `500ms` -> 0.5). Zero is allowed (`0`, `0s`);
 * negative, empty, non-finite and malformed text throw FwtpError CLI_INVALID_DURATION (usage).
 *
 * @example parseDuration('2h30m') // => 9000
 * @example parseDuration('1:00:00') // => 3600
 */
export function parseDuration(text: string): number {
  const raw = String(text);
  const t = raw.trim().toLowerCase();
  if (t === '') invalidDuration(raw, 'empty');

  if (PLAIN_RE.test(t)) return finite(raw, Number(t));

  const clock = CLOCK_RE.exec(t);
  if (clock) {
    const hours = Number(clock[1]);
    const minutes = Number(clock[2]);
    const seconds = Number(clock[3]);
    if (minutes >= 60) invalidDuration(raw, 'minutes must be 0..59');
    if (seconds >= 60) invalidDuration(raw, 'seconds must be below 60');
    return finite(raw, hours * 3600 + minutes * 60 + seconds);
  }

  let total = 0;
  let pos = 0;
  let lastUnitIndex = -1;
  while (pos < t.length) {
    COMPONENT_RE.lastIndex = pos;
    const m = COMPONENT_RE.exec(t);
    if (!m) invalidDuration(raw);
    const unitIndex = UNIT_ORDER.indexOf(m[2]!);
    if (unitIndex <= lastUnitIndex) invalidDuration(raw, 'units must appear once each, largest first');
    lastUnitIndex = unitIndex;
    total += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
    pos = COMPONENT_RE.lastIndex;
  }
  return finite(raw, total);
}

function finite(raw: string, seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 0) invalidDuration(raw, 'out of range');
  return seconds;
}

/**
 * Rounds a positive value in seconds to a "nice" candidate: 2 significant digits, and
 * whole seconds at least 1 (300 -> 300, 502.0 -> 500, 840.1 -> 840, 1405.9 -> 1400,
 * 3937 -> 3900, 51663 -> 52000). Two significant digits keep neighbouring steps of a
 * logarithmic sweep distinct as long as they are >= 1.25x apart (rounding error <= 5 %).
 */
export function niceSeconds(seconds: number): number {
  if (seconds < 10) return Math.max(1, Math.round(seconds));
  const stepSeconds = 10 ** (Math.floor(Math.log10(seconds)) - 1);
  return Math.round(seconds / stepSeconds) * stepSeconds;
}

function invalidTimeouts(spec: string, why: string): never {
  throw usageError('CLI_INVALID_TIMEOUTS',
    `invalid timeouts "${spec}": ${why}; give a comma-separated list (3600,7200,2h30m) or a range LO..HI (300..86400, 5m..1d) of durations`);
}

function parseTimeoutValue(spec: string, part: string): number {
  let seconds: number;
  try {
    seconds = parseDuration(part);
  } catch {
    invalidTimeouts(spec, `"${part.trim()}" is not a duration (${ACCEPTED_FORMS})`);
  }
  if (seconds <= 0) invalidTimeouts(spec, `"${part.trim()}" must be above zero`);
  return seconds;
}

/**
 * Candidate timeouts in seconds, sorted ascending, without duplicates.
 *
 * - List: `3600,7200,9000` (any duration forms, comma separated).
 * - Range: `LO..HI` gives `steps` (default 12) values spaced logarithmically from LO to HI,
 *   v_k = LO * (HI/LO)^(k/(steps-1)), k = 0..steps-1; LO and HI are kept exactly and the
 *   values between are rounded with niceSeconds (2 significant digits, whole seconds).
 *   Values that round onto a neighbour are merged, so a narrow range can give fewer than
 *   `steps` values. `300..86400` gives 300, 500, 840, 1400, 2400, 3900, 6600, 11000, 18000,
 *   31000, 52000, 86400.
 *
 * Errors: FwtpError CLI_INVALID_TIMEOUTS (usage).
 */
export function parseTimeouts(spec: string, steps = 12): number[] {
  const t = String(spec).trim();
  if (t === '') invalidTimeouts(String(spec), 'empty');

  if (t.includes('..')) {
    const parts = t.split('..');
    if (parts.length !== 2 || parts[0]!.trim() === '' || parts[1]!.trim() === '') invalidTimeouts(t, 'a range is LO..HI');
    const loSeconds = parseTimeoutValue(t, parts[0]!);
    const hiSeconds = parseTimeoutValue(t, parts[1]!);
    if (hiSeconds < loSeconds) invalidTimeouts(t, 'LO must not exceed HI');
    if (!Number.isInteger(steps) || steps < 2) invalidTimeouts(t, `steps must be an integer >= 2 (got ${steps})`);
    if (hiSeconds === loSeconds) return [loSeconds];
    const values = new Set<number>([loSeconds, hiSeconds]);
    const ratio = hiSeconds / loSeconds;
    for (let k = 1; k < steps - 1; k++) {
      const v = niceSeconds(loSeconds * ratio ** (k / (steps - 1)));
      if (v > loSeconds && v < hiSeconds) values.add(v);
    }
    return [...values].sort((a, b) => a - b);
  }

  const values = new Set<number>();
  for (const part of t.split(',')) {
    if (part.trim() === '') invalidTimeouts(t, 'empty list item');
    values.add(parseTimeoutValue(t, part));
  }
  return [...values].sort((a, b) => a - b);
}

/**
 * Compact human form that parseDuration reads back: `3600` -> `1h`, `9000` -> `2h30m`,
 * `90` -> `1m30s`, `0.5` -> `500ms`, `432000` -> `5d`, `0` -> `0s`.
 * Resolution is one millisecond (values below 1 s that are not whole milliseconds keep up to
 * three decimals of ms: `0.0005` -> `0.5ms`). Negative or non-finite input is printed as is
 * with an `s` suffix, since it is not a duration.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return `${seconds}s`;
  const exactMs = seconds * 1000;
  if (seconds < 1 && Math.abs(exactMs - Math.round(exactMs)) > 1e-9) {
    return `${Number(exactMs.toFixed(3))}ms`;
  }
  let totalMs = Math.round(exactMs);
  if (totalMs === 0) return '0s';
  const days = Math.floor(totalMs / 86_400_000);
  totalMs -= days * 86_400_000;
  const hours = Math.floor(totalMs / 3_600_000);
  totalMs -= hours * 3_600_000;
  const minutes = Math.floor(totalMs / 60_000);
  totalMs -= minutes * 60_000;
  const secs = Math.floor(totalMs / 1000);
  const ms = totalMs - secs * 1000;
  let out = '';
  if (days > 0) out += `${days}d`;
  if (hours > 0) out += `${hours}h`;
  if (minutes > 0) out += `${minutes}m`;
  if (secs > 0) out += `${secs}s`;
  if (ms > 0) out += `${ms}ms`;
  return out;
}
