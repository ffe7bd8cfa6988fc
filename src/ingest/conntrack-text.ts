/**
 * The small text forms around conntrack dumps: the timestamp lines that separate the snapshots
 * of a series (`date +%s`, `date +%s.%N`, `date -Is`, alone or behind `#`), `sysctl` lines, the
 * summary conntrack prints on stderr, and recognising which form a file holds.
 */

/** Formats readConntrack recognises by content. */
export type ConntrackFormat = 'conntrack-list' | 'conntrack-xml' | 'conntrack-events' | 'sysctl';

export const FORMATS_READ = [
  '`conntrack -L` (plain or `-o extended`, optionally `,id`)',
  '`cat /proc/net/nf_conntrack`',
  '`conntrack -L -o xml`',
  '`conntrack -E` (optionally `-o timestamp,id`)',
  'series of dumps, each after a `date +%s.%N` or `date -Is` line',
  '`sysctl net.netfilter` / `sysctl -a`',
].join(', ');

const EPOCH_RE = /^#?\s*(\d{9,11})(?:\.(\d{1,9}))?\s*$/;
const ISO_RE = /^#?\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2})\s*$/;

/**
 * Seconds since the epoch written by a timestamp line, or null when the line is not one:
 * `1795550618`, `1795550618.832678840`, `2026-11-24T20:03:58+00:00` (`date -Is`; `date -Ins`
 * with a `,` fraction too), each optionally after `#`. Epoch values have 9 to 11 digits (years
 * 1973 to 5138) so that a count or a port never passes for a time.
 *
 * @example parseTimestampLine('# 2026-11-24T20:03:58+00:00') // => 1795550638
 */
export function parseTimestampLine(text: string): number | null {
  const t = text.trim();
  let m = EPOCH_RE.exec(t);
  if (m) return Number(m[1]) + (m[2] === undefined ? 0 : Number(m[2]) / 10 ** m[2].length);
  m = ISO_RE.exec(t);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'Z') {
    const z = zone.replace(':', '');
    offsetMinutes = (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
  }
  // Date.UTC only does the calendar arithmetic here; the value stays in seconds.
  const utcSeconds = Date.UTC(Number(y), month - 1, day, hour, minute, second) / 1000 - offsetMinutes * 60;
  return utcSeconds + (frac === undefined ? 0 : Number(frac) / 10 ** frac.length);
}

const SYSCTL_RE = /^(?:([a-z0-9_]+(?:\.[A-Za-z0-9_@:+-]+)+)\s*=\s*(.*)|\/proc\/sys\/([^:\s]+):(.*))$/;

/** `name = value` of a sysctl line (`/proc/sys/a/b:value` from `grep . /proc/sys/...` too), or null. */
export function parseSysctlLine(text: string): { name: string; value: string } | null {
  const m = SYSCTL_RE.exec(text.trim());
  if (!m) return null;
  if (m[1] !== undefined) return { name: m[1], value: m[2]!.trim() };
  return { name: m[3]!.replace(/\//g, '.'), value: m[4]!.trim() };
}

/** The line conntrack prints on stderr when a dump or event stream ends (kept when run with 2>&1). */
export function isConntrackSummaryLine(text: string): boolean {
  return /^conntrack v[\d.]+ \(conntrack-tools\): \d+ flow (entries|events) ha(ve|s) been shown\.\s*$/.test(text.trim());
}

const EVENT_RE = /^\s*(?:\[\d+(?:\.\d+)?\]\s*)?\[(?:NEW|UPDATE|DESTROY)\]\s/;
const LIST_RE = /^(?:(?:ipv4|ipv6|unknown)\s+\d+\s+)?[a-z][a-z0-9-]*\s+\d+\s+(?:\d+\s+)?(?:[A-Z][A-Z0-9_]*\s+)?src=\S+\s+dst=/;

/** Which kind of line this is, for sniffing. */
function lineKind(line: string): ConntrackFormat | 'timestamp' | 'skip' | 'unknown' {
  const t = line.trim();
  if (t === '') return 'skip';
  if (parseTimestampLine(t) !== null) return 'timestamp';
  if (t.startsWith('<?xml') || t.startsWith('<conntrack') || t.startsWith('<flow')) return 'conntrack-xml';
  if (EVENT_RE.test(t)) return 'conntrack-events';
  if (LIST_RE.test(t)) return 'conntrack-list';
  if (isConntrackSummaryLine(t) || t.startsWith('#')) return 'skip';
  if (parseSysctlLine(t) !== null) return 'sysctl';
  return 'unknown';
}

/**
 * Recognises a conntrack form from the start of a file (its first lines as text): the first
 * decisive line wins; a file of timestamp lines alone is a series of empty listings. Returns
 * null when the first decisive lines are something else (then readConntrack names the forms it
 * reads).
 */
export function sniffConntrack(head: string): ConntrackFormat | null {
  const lines = head.split('\n');
  // The last piece may be a cut line; use it only when it is all there is.
  const usable = lines.length > 1 ? lines.slice(0, -1) : lines;
  let timestamps = 0;
  for (const raw of usable) {
    const kind = lineKind(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    if (kind === 'skip') continue;
    if (kind === 'timestamp') { timestamps++; continue; }
    return kind === 'unknown' ? null : kind;
  }
  return timestamps > 0 ? 'conntrack-list' : null;
}

/** First few printable characters of a line, for messages. */
export function excerpt(text: string, max = 60): string {
  const t = text.replace(/[^\x20-\x7e]/g, '?');
  return t.length > max ? `${t.slice(0, max)}...` : t;
}
