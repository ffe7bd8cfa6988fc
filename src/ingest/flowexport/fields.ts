/**
 * Field parsers shared by the flow-export readers. Each returns NaN (or -1) for text it cannot
 * read, so a reader can name the field in its skip reason; none allocates on the common path.
 * Times become integer microseconds since the epoch (STYLE.md pitfall 5: never Date for times).
 */
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from '../../util/protocols.js';

/** Time unit of a numeric epoch value: 'auto' decides by magnitude (see parseEpochUs). */
export type EpochUnit = 'auto' | 's' | 'ms' | 'us';

/**
 * A decimal number of seconds, milliseconds or microseconds since the epoch, to microseconds.
 * 'auto': below 1e11 seconds (until the year 5138), below 1e14 milliseconds (from 1973 on),
 * else microseconds. Rounded to whole microseconds: a decimal with six places parses within
 * 0.2 us of the exact value at today's epoch (2^-52 relative), so rounding recovers it exactly.
 */
export function parseEpochUs(text: string, unit: EpochUnit = 'auto'): number {
  if (text.length === 0) return Number.NaN;
  const c0 = text.charCodeAt(0);
  if (!((c0 >= 48 && c0 <= 57) || c0 === 46)) return Number.NaN; // Number() would take "Infinity", " 1"
  if (text.length > 1 && (text.charCodeAt(1) | 32) >= 98 && (text.charCodeAt(1) | 32) !== 101) return Number.NaN; // "0x10", "0b1", "0o7"
  const v = Number(text);
  if (v !== v) return Number.NaN;
  let u = unit;
  if (u === 'auto') u = v < 1e11 ? 's' : v < 1e14 ? 'ms' : 'us';
  return Math.round(u === 's' ? v * 1e6 : u === 'ms' ? v * 1e3 : v);
}

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Fraction digits after a '.' at `at` to microseconds (first six digits, rest ignored); -1 if none. */
function fractionUs(s: string, at: number, end: number): { us: number; next: number } {
  let us = 0, scale = 100000, i = at;
  while (i < end) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    if (scale >= 1) { us += c * scale; scale /= 10; }
    i++;
  }
  return { us: i === at ? -1 : us, next: i };
}

/**
 * ISO 8601 date and time, `YYYY-MM-DD[T ]hh:mm[:ss[.fraction]][Z|+hh[:]mm|-hh[:]mm]`, to
 * microseconds. Without a zone the time is taken as UTC (nfdump and CICFlowMeter print local
 * time without a zone: run them with TZ=UTC, docs/EXPORTS.md).
 */
export function parseIsoUs(s: string): number {
  const end = s.length;
  if (end < 16 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return Number.NaN;
  const sep = s.charCodeAt(10);
  if (sep !== 84 && sep !== 32 && sep !== 116) return Number.NaN;
  const y = digits(s, 0, 4), mo = digits(s, 5, 2), d = digits(s, 8, 2), h = digits(s, 11, 2), mi = digits(s, 14, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 24 || mi < 0 || mi > 59 || s.charCodeAt(13) !== 58) return Number.NaN;
  let sec = 0, fracUs = 0, i = 16;
  if (i < end && s.charCodeAt(i) === 58) {
    sec = digits(s, 17, 2);
    if (sec < 0 || sec > 60) return Number.NaN;
    i = 19;
    if (i < end && (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44)) {
      const f = fractionUs(s, i + 1, end);
      if (f.us < 0) return Number.NaN;
      fracUs = f.us;
      i = f.next;
    }
  }
  let offsetMin = 0;
  if (i < end) {
    const z = s.charCodeAt(i);
    if ((z === 90 || z === 122) && i + 1 === end) {
      // UTC
    } else if (z === 43 || z === 45) {
      const oh = digits(s, i + 1, 2);
      let j = i + 3;
      if (j < end && s.charCodeAt(j) === 58) j++;
      const om = j === end ? 0 : digits(s, j, 2);
      if (oh < 0 || om < 0 || (j !== end && j + 2 !== end)) return Number.NaN;
      offsetMin = (z === 43 ? 1 : -1) * (oh * 60 + om);
    } else {
      return Number.NaN;
    }
  }
  const seconds = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offsetMin * 60;
  return seconds * 1e6 + fracUs;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date, in integer arithmetic (H. Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms", days_from_civil): no Date object per record.
 * @example daysFromCivil(1970, 1, 1) === 0; daysFromCivil(2000, 3, 1) === 11017
 */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * CICFlowMeter's timestamp: `dd/MM/yyyy hh:mm:ss a` (Java CICFlowMeter, BasicFlow.dumpFlowBasedFeaturesEx),
 * also `d/M/yyyy H:mm` as in the CIC-IDS2017 CSVs; local time of the machine that ran it, taken as UTC.
 */
export function parseDayFirstUs(s: string): number {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(?: ?([AaPp])[Mm])?$/.exec(s);
  if (m === null) return Number.NaN;
  const d = +m[1]!, mo = +m[2]!, y = +m[3]!;
  let h = +m[4]!;
  const mi = +m[5]!, sec = m[6] === undefined ? 0 : +m[6];
  if (m[8] !== undefined) {
    if (h < 1 || h > 12) return Number.NaN;
    const pm = m[8] === 'P' || m[8] === 'p';
    h = (h % 12) + (pm ? 12 : 0);
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return Number.NaN;
  const frac = m[7] === undefined ? 0 : Number(m[7].padEnd(6, '0'));
  return Date.UTC(y, mo - 1, d, h, mi, sec) * 1000 + frac;
}

/** Any of the time forms: epoch number, ISO 8601, day-first. */
export function parseAnyTimeUs(s: string, unit: EpochUnit = 'auto'): number {
  if (s.length >= 10 && s.charCodeAt(4) === 45) return parseIsoUs(s);
  if (s.indexOf('/') > 0) return parseDayFirstUs(s);
  return parseEpochUs(s, unit);
}

/** A count (packets, bytes): a non-negative decimal; '-' or '' (unset) give NaN, anything else -1. */
export function parseCount(s: string): number {
  if (s.length === 0 || s === '-' || s === '(empty)') return Number.NaN;
  const c0 = s.charCodeAt(0);
  if (c0 < 48 || c0 > 57) return -1;
  const v = Number(s);
  return v === v && v >= 0 ? v : -1;
}

/** A port: decimal, or hexadecimal `0x..` (Argus prints ICMP type/code so); '' or '-' give 0; else -1. */
export function parsePort(s: string): number {
  const n = s.length;
  if (n === 0 || s === '-') return 0;
  let v = 0;
  if (n > 2 && s.charCodeAt(0) === 48 && (s.charCodeAt(1) === 120 || s.charCodeAt(1) === 88)) {
    v = parseInt(s.slice(2), 16);
    if (v !== v) return -1;
  } else {
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return -1;
      v = v * 10 + c;
    }
  }
  return v <= 0xffff ? v : -1;
}

const PROTO_NAMES: Record<string, number> = {
  icmp: PROTO_ICMP, igmp: 2, ipip: 4, ipencap: 4, tcp: PROTO_TCP, egp: 8, udp: PROTO_UDP, ipv6: 41, rsvp: 46,
  gre: 47, esp: 50, ah: 51, icmp6: PROTO_ICMPV6, icmpv6: PROTO_ICMPV6, 'ipv6-icmp': PROTO_ICMPV6, ipv6_icmp: PROTO_ICMPV6,
  ospf: 89, ospfigp: 89, pim: 103, vrrp: 112, l2tp: 115, sctp: 132, udplite: 136,
};

/** Protocol number from a number or a name (tcp, UDP, ipv6-icmp ...); -1 if unknown. */
export function parseProto(s: string): number {
  const n = s.length;
  if (n === 0) return -1;
  const c0 = s.charCodeAt(0);
  if (c0 >= 48 && c0 <= 57) {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i) - 48;
      if (c < 0 || c > 9) return -1;
      v = v * 10 + c;
    }
    return v <= 255 ? v : -1;
  }
  // Own keys only: "constructor" is not a protocol (test/fuzz/regressions.test.ts).
  const k = Object.hasOwn(PROTO_NAMES, s) ? s : s.toLowerCase();
  return Object.hasOwn(PROTO_NAMES, k) ? PROTO_NAMES[k]! : -1;
}

/** Header names compared loosely: lower case, without spaces, underscores, dots, dashes or slashes. */
export function normaliseHeader(name: string): string {
  return name.replace(/^\uFEFF/, '').toLowerCase().replace(/[\s_.\-/()]+/g, '');
}
