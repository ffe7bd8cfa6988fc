/**
 * Small field parsers shared by the firewall-log readers: IP addresses, protocol names and
 * numbers, `h:mm:ss` durations, and key=value / key:"value" scanning.
 */

/** Dotted IPv4 with every octet 0-255. */
export function isIPv4(s: string): boolean {
  let parts = 0, v = 0, digits = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || v > 255) return false;
      parts++; v = 0; digits = 0;
    } else if (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48); digits++;
      if (digits > 3) return false;
    } else return false;
  }
  return parts === 4;
}

/** IPv6 text (hex groups with colons, one `::` at most, optional IPv4 tail, optional %zone). */
export function isIPv6(s: string): boolean {
  const pct = s.indexOf('%');
  const t = pct >= 0 ? s.slice(0, pct) : s;
  if (t.length < 2 || t.indexOf(':') < 0) return false;
  const dbl = t.indexOf('::');
  if (dbl >= 0 && t.indexOf('::', dbl + 1) >= 0) return false;
  const groups = t.split(':');
  let count = 0;
  for (let g = 0; g < groups.length; g++) {
    const x = groups[g]!;
    if (x === '') continue;
    if (g === groups.length - 1 && x.indexOf('.') >= 0) { if (!isIPv4(x)) return false; count += 2; continue; }
    if (x.length > 4 || !/^[0-9a-fA-F]+$/.test(x)) return false;
    count++;
  }
  return dbl >= 0 ? count < 8 : count === 8;
}

export function isIP(s: string): boolean {
  return isIPv4(s) || isIPv6(s);
}

const PROTOCOL_NAMES: Record<number, string> = {
  1: 'icmp', 2: 'igmp', 6: 'tcp', 17: 'udp', 41: 'ipv6', 47: 'gre', 50: 'esp', 51: 'ah', 58: 'ipv6-icmp', 89: 'ospf', 103: 'pim', 112: 'vrrp', 132: 'sctp',
};
const PROTOCOL_NUMBERS: Record<string, number> = {
  icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, 'ipv6-icmp': 58, icmpv6: 58, icmp6: 58, ospf: 89, pim: 103, vrrp: 112, sctp: 132,
};

/** [lower-case name, IANA number or null] from a protocol as logged ('TCP', '6', 'ICMPv6', 'protocol 47'). */
const TCP: [string, number] = ['tcp', 6];
const UDP: [string, number] = ['udp', 17];

export function protocolOf(text: string): [string, number | null] {
  // The common spellings first: this runs per line.
  if (text === 'TCP' || text === 'tcp' || text === '6') return TCP;
  if (text === 'UDP' || text === 'udp' || text === '17') return UDP;
  const t = text.trim().toLowerCase();
  if (t === '') return ['', null];
  if (/^\d{1,3}$/.test(t)) {
    const n = Number(t);
    return [PROTOCOL_NAMES[n] ?? t, n];
  }
  const n = PROTOCOL_NUMBERS[t];
  if (n !== undefined) return [n === 58 ? 'ipv6-icmp' : t, n];
  return [t, null];
}

/** Seconds of `h:mm:ss` (hours unpadded, may pass 24 or 99: session-logs.md), or NaN. */
export function parseHms(s: string): number {
  const a = s.indexOf(':');
  const b = s.indexOf(':', a + 1);
  if (a <= 0 || b !== a + 3 || s.length !== b + 3) return NaN;
  const h = Number(s.slice(0, a)), m = Number(s.slice(a + 1, b)), sec = Number(s.slice(b + 1));
  if (!Number.isInteger(h) || !Number.isInteger(m) || !Number.isInteger(sec) || m > 59 || sec > 59 || h < 0) return NaN;
  return h * 3600 + m * 60 + sec;
}

/** A whole number 0..65535, or null. */
export function portOf(s: string | undefined): number | null {
  if (s === undefined || s === '' || s.length > 5) return null;
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c < 48 || c > 57) return null; }
  const n = Number(s);
  return n <= 65535 ? n : null;
}

/** A non-negative integer, or null. */
export function countOf(s: string | undefined): number | null {
  if (s === undefined || s === '' || s.length > 20) return null;
  for (let i = 0; i < s.length; i++) { const c = s.charCodeAt(i); if (c < 48 || c > 57) return null; }
  return Number(s);
}

/**
 * Pairs `key=value` or `key="quoted value"` (FortiGate, kernel LOG), or with `sep` ':' and
 * `"`-quoted values separated by `; ` (Check Point Log Exporter). Backslash escapes inside
 * quotes are kept as the escaped character. Later duplicates do not replace earlier ones.
 */
export function scanPairs(s: string, start: number, sep: 61 | 58, out: Map<string, string>): Map<string, string> {
  let i = start;
  const n = s.length;
  while (i < n) {
    while (i < n && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 59 || s.charCodeAt(i) === 91 || s.charCodeAt(i) === 93)) i++; // space ; [ ]
    const k0 = i;
    while (i < n && s.charCodeAt(i) !== sep && s.charCodeAt(i) !== 32) i++;
    if (i >= n || s.charCodeAt(i) !== sep) { continue; }
    const key = s.slice(k0, i);
    i++;
    if (sep === 58 && s.charCodeAt(i) === 58) i++; // Check Point `sys_message::"..."`
    let value: string;
    if (s.charCodeAt(i) === 34) {
      let j = i + 1, buf = '', from = j;
      while (j < n && s.charCodeAt(j) !== 34) {
        if (s.charCodeAt(j) === 92 && j + 1 < n) { buf += s.slice(from, j); j++; from = j; }
        j++;
      }
      value = buf + s.slice(from, j);
      i = j + 1;
    } else {
      const j0 = i;
      while (i < n && s.charCodeAt(i) !== 32 && !(sep === 58 && s.charCodeAt(i) === 59)) i++;
      value = s.slice(j0, i);
    }
    if (key !== '' && !out.has(key)) out.set(key, value);
  }
  return out;
}
