/**
 * Syslog framing shared by the firewall-log readers: the `<PRI>` part, BSD (RFC 3164) and
 * RFC 5424 headers, ISO 8601 times, and the year and zone of times written without them.
 * Hand-written scanning (indexOf and char codes), no backtracking regexes: it runs per line.
 *
 * Year: a BSD date has none (RFC 3164 4.1.2); it comes from options.year, else the file's time,
 * else the clock (said in the result). Going back more than 6 months from the previous yearless
 * line means the year turned; a month more than one past the file-time's month is the year before.
 * Zone: times without one are read in options.tz (default UTC).
 */
import { usageError } from '../../util/errors.js';

/** Month 1-12 of the English abbreviation at i (`Jan` ... `Dec`, case as written), else 0; by char codes: it runs per line. */
function monthAt(s: string, i: number): number {
  const a = s.charCodeAt(i), b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2);
  switch (a) {
    case 74: return b === 97 && c === 110 ? 1 : b === 117 ? (c === 110 ? 6 : c === 108 ? 7 : 0) : 0; // Jan Jun Jul
    case 70: return b === 101 && c === 98 ? 2 : 0; // Feb
    case 77: return b === 97 ? (c === 114 ? 3 : c === 121 ? 5 : 0) : 0; // Mar May
    case 65: return b === 112 && c === 114 ? 4 : b === 117 && c === 103 ? 8 : 0; // Apr Aug
    case 83: return b === 101 && c === 112 ? 9 : 0; // Sep
    case 79: return b === 99 && c === 116 ? 10 : 0; // Oct
    case 78: return b === 111 && c === 118 ? 11 : 0; // Nov
    case 68: return b === 101 && c === 99 ? 12 : 0; // Dec
    default: return 0;
  }
}

/** Zone abbreviations seen after ASA timestamps (`EDT:`), minutes east of UTC. */
const ZONE_ABBREVIATIONS: Record<string, number> = {
  UTC: 0, GMT: 0, Z: 0, EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
  CET: 60, CEST: 120, EET: 120, EEST: 180, BST: 60, IST: 330, JST: 540, AEST: 600, AEDT: 660,
};

/** Minutes east of UTC for '+02:00', '+0200', '-05', 'UTC', 'Z', 'EDT'; NaN when not a zone. */
export function parseZoneOffsetMinutes(text: string): number {
  const t = text.trim();
  const abbr = ZONE_ABBREVIATIONS[t.toUpperCase()];
  if (abbr !== undefined) return abbr;
  const c = t.charCodeAt(0);
  if (c !== 43 && c !== 45) return NaN; // + or -
  const digits = t.slice(1).replace(':', '');
  if (!/^\d{2}(\d{2})?$/.test(digits)) return NaN;
  const minutes = Number(digits.slice(0, 2)) * 60 + (digits.length === 4 ? Number(digits.slice(2)) : 0);
  if (minutes > 14 * 60) return NaN;
  return c === 45 ? -minutes : minutes;
}

const DAY_US = 86_400_000_000;

/** Whole days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Calendar year of a time in µs (UTC). */
export function yearOfUs(us: number): number {
  return new Date(Math.floor(us / 1000)).getUTCFullYear();
}

/** Year and zone state for one file. */
export class SyslogClock {
  readonly year: number;
  readonly yearSource: 'option' | 'file-time' | 'clock';
  readonly tzOffsetMinutes: number;
  readonly tzLabel: string;
  private readonly fileMonth: number;
  private yearlessYear: number;
  private lastYearlessMonth = 0;

  constructor(options: { year?: number; tz?: string; fileTimeUs?: number }) {
    if (options.year !== undefined) {
      if (!Number.isInteger(options.year) || options.year < 1970 || options.year > 9999) {
        throw usageError('CLI_INVALID_YEAR', `--year ${options.year}: give a year from 1970 to 9999`);
      }
      this.year = options.year; this.yearSource = 'option'; this.fileMonth = 0;
    } else if (options.fileTimeUs !== undefined && Number.isFinite(options.fileTimeUs)) {
      const d = new Date(Math.floor(options.fileTimeUs / 1000));
      this.year = d.getUTCFullYear(); this.yearSource = 'file-time'; this.fileMonth = d.getUTCMonth() + 1;
    } else {
      this.year = new Date().getUTCFullYear(); this.yearSource = 'clock'; this.fileMonth = 0;
    }
    this.yearlessYear = this.year;
    const tz = options.tz ?? 'UTC';
    const off = parseZoneOffsetMinutes(tz);
    if (Number.isNaN(off)) throw usageError('CLI_INVALID_TZ', `--tz ${JSON.stringify(tz)}: give UTC, Z or an offset such as +02:00`);
    this.tzOffsetMinutes = off;
    this.tzLabel = tz;
  }

  /** Year for a yearless date of this month, following the file forward (see the module comment). */
  yearFor(month: number): number {
    if (this.lastYearlessMonth === 0) {
      // The file's time is when it was last written: later months than that belong to the year before.
      if (this.yearSource === 'file-time' && month > this.fileMonth + 1) this.yearlessYear = this.year - 1;
    } else if (month < this.lastYearlessMonth - 6) {
      this.yearlessYear++;
    } else if (month > this.lastYearlessMonth + 6) {
      this.yearlessYear--;
    }
    this.lastYearlessMonth = month;
    return this.yearlessYear;
  }

  private cacheKey = -1;
  private cacheDayUs = 0;

  /** µs since the epoch; offsetMinutes null = the configured zone. NaN for an impossible date. */
  toUs(y: number, mo: number, d: number, h: number, mi: number, s: number, fracUs: number, offsetMinutes: number | null): number {
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return NaN;
    const key = (y * 16 + mo) * 32 + d;
    if (key !== this.cacheKey) { this.cacheKey = key; this.cacheDayUs = daysFromCivil(y, mo, d) * DAY_US; }
    const off = offsetMinutes ?? this.tzOffsetMinutes;
    return this.cacheDayUs + ((h * 60 + mi - off) * 60 + s) * 1_000_000 + fracUs;
  }
}

/** A time found in a line. */
export interface ParsedTime {
  timeUs: number;
  /** Index just after the time (and its zone, if any). */
  end: number;
  yearInferred: boolean;
}

function isDigit(c: number): boolean { return c >= 48 && c <= 57; }

/** Number from `len` digits at i, or -1. */
function digitsAt(s: string, i: number, len: number): number {
  let v = 0;
  for (let k = 0; k < len; k++) {
    const c = s.charCodeAt(i + k);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/** Fraction digits at i (after '.' or ','): [µs, end]. */
function fractionAt(s: string, i: number): [number, number] {
  let j = i, us = 0, scale = 100_000;
  while (isDigit(s.charCodeAt(j))) {
    if (scale >= 1) us += (s.charCodeAt(j) - 48) * scale;
    scale /= 10; j++;
  }
  return [Math.round(us), j];
}

/** `hh:mm:ss[.frac]` at i: [h, m, s, fracUs, end] or null. Hours may have one digit. */
function clockAt(s: string, i: number): [number, number, number, number, number] | null {
  let h = digitsAt(s, i, 2), j = i + 2;
  if (h < 0) { h = digitsAt(s, i, 1); j = i + 1; }
  if (h < 0 || s.charCodeAt(j) !== 58) return null;
  const mi = digitsAt(s, j + 1, 2);
  if (mi < 0 || s.charCodeAt(j + 3) !== 58) return null;
  const sec = digitsAt(s, j + 4, 2);
  if (sec < 0) return null;
  j += 6;
  let frac = 0;
  const c = s.charCodeAt(j);
  if ((c === 46 || c === 44) && isDigit(s.charCodeAt(j + 1))) [frac, j] = fractionAt(s, j + 1);
  return [h, mi, sec, frac, j];
}

/** A numeric zone right at i (`Z`, `+02:00`, `+0200`): [minutes, end] or null. */
function numericZoneAt(s: string, i: number): [number, number] | null {
  const c = s.charCodeAt(i);
  if (c === 90) return [0, i + 1]; // Z
  if (c !== 43 && c !== 45) return null;
  const hh = digitsAt(s, i + 1, 2);
  if (hh < 0) return null;
  let j = i + 3;
  if (s.charCodeAt(j) === 58) j++;
  const mm = digitsAt(s, j, 2);
  const minutes = hh * 60 + (mm < 0 ? 0 : mm);
  return [c === 45 ? -minutes : minutes, mm < 0 ? i + 3 : j + 2];
}

/** ISO 8601 `YYYY-MM-DD[T ]hh:mm:ss[.frac][zone]` at i. */
export function isoTimeAt(s: string, i: number, clock: SyslogClock): ParsedTime | null {
  const y = digitsAt(s, i, 4);
  if (y < 0 || s.charCodeAt(i + 4) !== 45) return null;
  const mo = digitsAt(s, i + 5, 2), d = digitsAt(s, i + 8, 2);
  if (mo < 0 || d < 0 || s.charCodeAt(i + 7) !== 45) return null;
  const sep = s.charCodeAt(i + 10);
  if (sep !== 84 && sep !== 32) return null; // T or space
  const c = clockAt(s, i + 11);
  if (c === null) return null;
  const z = numericZoneAt(s, c[4]);
  const us = clock.toUs(y, mo, d, c[0], c[1], c[2], c[3], z === null ? null : z[0]);
  if (Number.isNaN(us)) return null;
  return { timeUs: us, end: z === null ? c[4] : z[1], yearInferred: false };
}

/**
 * BSD-style `Mmm dd [yyyy ]hh:mm:ss[.frac][ ZONE]` at i (ASA `logging timestamp` adds the year;
 * ASA may add a zone abbreviation, e.g. `EDT`).
 */
export function bsdTimeAt(s: string, i: number, clock: SyslogClock): ParsedTime | null {
  const mo = monthAt(s, i);
  if (mo === 0 || s.charCodeAt(i + 3) !== 32) return null;
  let j = i + 4;
  if (s.charCodeAt(j) === 32) j++; // `Jan  5`
  let d = digitsAt(s, j, 2);
  if (d >= 0) j += 2; else { d = digitsAt(s, j, 1); if (d < 0) return null; j += 1; }
  if (s.charCodeAt(j) !== 32) return null;
  j++;
  let year = -1;
  const y = digitsAt(s, j, 4);
  if (y >= 0 && s.charCodeAt(j + 4) === 32) { year = y; j += 5; }
  const c = clockAt(s, j);
  if (c === null) return null;
  j = c[4];
  let offset: number | null = null;
  // A zone abbreviation or offset after one space, when followed by ':' / space / end.
  // Every zone word starts with A-Z, '+' or '-': a host name such as `fw` is not sliced and looked up.
  const z0 = s.charCodeAt(j + 1);
  if (s.charCodeAt(j) === 32 && (z0 >= 65 && z0 <= 90 || z0 === 43 || z0 === 45)) {
    let k = j + 1;
    while (k < s.length && k - j <= 6 && s.charCodeAt(k) !== 32 && s.charCodeAt(k) !== 58) k++;
    const word = s.slice(j + 1, k);
    if (word.length >= 1 && (ZONE_ABBREVIATIONS[word] !== undefined || /^[+-]\d{2}:?\d{2}$/.test(word))) {
      offset = parseZoneOffsetMinutes(word); j = k;
    }
  }
  const inferred = year < 0;
  const us = clock.toUs(inferred ? clock.yearFor(mo) : year, mo, d, c[0], c[1], c[2], c[3], offset);
  if (Number.isNaN(us)) return null;
  return { timeUs: us, end: j, yearInferred: inferred };
}

/** ISO or BSD time at i, or null. */
export function timeAt(s: string, i: number, clock: SyslogClock): ParsedTime | null {
  return isDigit(s.charCodeAt(i)) ? isoTimeAt(s, i, clock) : bsdTimeAt(s, i, clock);
}

/** A syslog header read off the start of a line. */
export interface SyslogHeader {
  /** PRI value, or -1 when absent. */
  pri: number;
  rfc5424: boolean;
  time: ParsedTime | null;
  host: string | null;
  /** RFC 5424 APP-NAME, or the BSD tag (`kernel`, `filterlog`, `RT_FLOW`), without `[pid]` and `:`; null if none. */
  app: string | null;
  /** RFC 5424 MSGID, or null. */
  msgId: string | null;
  /** Index where the message (after the header, and after RFC 5424 structured data `-`) starts. */
  msgStart: number;
}

function skipSpaces(s: string, i: number): number {
  while (s.charCodeAt(i) === 32) i++;
  return i;
}

function tokenEnd(s: string, i: number): number {
  let j = i;
  while (j < s.length && s.charCodeAt(j) !== 32) j++;
  return j;
}

/**
 * Reads `[<PRI>][1 ]TIME HOST [TAG[pid]:] ` (BSD) or `<PRI>1 TIME HOST APP PROCID MSGID ` (RFC
 * 5424; structured data is left in the message unless it is `-`). With `withTag` false the BSD
 * tag is not taken (the ASA message starts with its own `%ASA-` tag). Never throws; fields it
 * cannot find are null.
 */
export function readSyslogHeader(s: string, clock: SyslogClock, withTag = true): SyslogHeader {
  let i = 0, pri = -1;
  if (s.charCodeAt(0) === 60) { // <
    const close = s.indexOf('>', 1);
    if (close > 1 && close <= 4) {
      const v = Number(s.slice(1, close));
      if (Number.isInteger(v)) { pri = v; i = close + 1; }
    }
  }
  // RFC 5424: VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP
  if (s.charCodeAt(i) === 49 && s.charCodeAt(i + 1) === 32) {
    const tStart = i + 2;
    const time = s.charCodeAt(tStart) === 45 ? null : isoTimeAt(s, tStart, clock);
    let j = time === null ? tokenEnd(s, tStart) : time.end;
    const fields: string[] = [];
    for (let k = 0; k < 4; k++) {
      j = skipSpaces(s, j);
      const e = tokenEnd(s, j);
      fields.push(s.slice(j, e));
      j = e;
    }
    j = skipSpaces(s, j);
    if (s.charCodeAt(j) === 45 && s.charCodeAt(j + 1) === 32) j = skipSpaces(s, j + 2); // no structured data
    const nil = (v: string): string | null => (v === '-' || v === '' ? null : v);
    return { pri, rfc5424: true, time, host: nil(fields[0]!), app: nil(fields[1]!), msgId: nil(fields[3]!), msgStart: j };
  }
  const time = timeAt(s, i, clock);
  let j = time === null ? i : skipSpaces(s, time.end);
  if (time !== null && s.charCodeAt(j) === 58) j = skipSpaces(s, j + 1); // `... 12:59:50: %ASA`
  let host: string | null = null, app: string | null = null;
  if (time !== null && withTag) {
    // HOST then TAG: — or TAG: alone (`Jul  3 19:10:30 filterlog[72237]:`)
    const e = tokenEnd(s, j);
    const first = s.slice(j, e);
    if (first.endsWith(':')) {
      app = stripPid(first.slice(0, -1)); j = skipSpaces(s, e);
    } else {
      host = first || null;
      j = skipSpaces(s, e);
      const e2 = tokenEnd(s, j);
      const second = s.slice(j, e2);
      if (second.endsWith(':') && second.length > 1) { app = stripPid(second.slice(0, -1)); j = skipSpaces(s, e2); }
    }
  }
  return { pri, rfc5424: false, time, host, app, msgId: null, msgStart: j };
}

function stripPid(tag: string): string {
  const b = tag.indexOf('[');
  return b > 0 ? tag.slice(0, b) : tag;
}
