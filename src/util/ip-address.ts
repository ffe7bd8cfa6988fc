/**
 * IPv4 and IPv6 addresses in text form (RFC 4291 section 2.2 for IPv6: full, `::` compressed,
 * with an IPv4 tail), parsed into numbers without allocation: IPv4 as an unsigned 32-bit number,
 * IPv6 as four 32-bit words (most significant first), or bytes for prefix matching.
 *
 * What is accepted, on purpose wider than node:net isIP in one way: an IPv4 part may have
 * leading zeros (`010.1.1.1` is 10.1.1.1, never octal), as exporters pad them. A zone
 * (`fe80::1%eth0`) is ignored by the text parsers and refused by the byte parser (conntrack
 * never prints one). test/util/ip-address.test.ts checks this against node:net.
 */

/** Longest address text read (an IPv6 address with an IPv4 tail is at most 45 characters). */
const MAX_TEXT = 64;
const scratchText = new Uint8Array(MAX_TEXT);
const groups = new Uint32Array(9);
const words = new Uint32Array(4);

/** Dotted quad in b[s..e) as an unsigned 32-bit number, or -1. */
export function parseIPv4Bytes(b: Uint8Array, s: number, e: number): number {
  let a = 0, part = 0, digits = 0, dots = 0;
  for (let p = s; p < e; p++) {
    const c = b[p]!;
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3) return -1;
    } else if (c === 46) {
      if (digits === 0 || part > 255 || ++dots > 3) return -1;
      a = a * 256 + part;
      part = 0;
      digits = 0;
    } else return -1;
  }
  if (dots !== 3 || digits === 0 || part > 255) return -1;
  return a * 256 + part;
}

/**
 * IPv6 text in b[s..e) into four 32-bit words; false when malformed (a zone is malformed here).
 */
export function parseIPv6Bytes(b: Uint8Array, s: number, e: number, out: Uint32Array): boolean {
  let n = 0, dbl = -1, p = s;
  if (e - s >= 2 && b[s] === 58 && b[s + 1] === 58) {
    dbl = 0;
    p = s + 2;
  } else if (s < e && b[s] === 58) return false;
  while (p < e) {
    let v = 0, d = 0, q = p;
    for (; q < e; q++) {
      const c = b[q]!;
      const h = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (h < 0) break;
      v = v * 16 + h;
      d++;
    }
    if (q < e && b[q] === 46) { // an IPv4 tail
      const a = parseIPv4Bytes(b, p, e);
      if (a < 0 || n > 6) return false;
      groups[n++] = a >>> 16;
      groups[n++] = a & 0xffff;
      p = e;
      break;
    }
    if (d === 0 || d > 4 || n === 8) return false;
    groups[n++] = v;
    if (q === e) { p = e; break; }
    if (b[q] !== 58) return false;
    if (q + 1 < e && b[q + 1] === 58) {
      if (dbl >= 0) return false;
      dbl = n;
      p = q + 2;
    } else {
      p = q + 1;
      if (p === e) return false;
    }
  }
  if (dbl < 0 ? n !== 8 : n > 7) return false;
  const zeros = 8 - n;
  let w = 0;
  for (let g = 0; g < 8; g += 2) {
    const hi = groupAt(g, dbl, zeros), lo = groupAt(g + 1, dbl, zeros);
    out[w++] = ((hi << 16) | lo) >>> 0;
  }
  return true;
}

function groupAt(g: number, dbl: number, zeros: number): number {
  if (dbl < 0 || g < dbl) return groups[g]!;
  if (g < dbl + zeros) return 0;
  return groups[g - zeros]!;
}

/** Copies text[from..to) into the scratch bytes; false when too long or not ASCII. */
function toScratch(text: string, from: number, to: number): boolean {
  if (to - from > MAX_TEXT) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c > 127) return false;
    scratchText[i - from] = c;
  }
  return true;
}

/** Dotted-quad text[from..to) as an unsigned 32-bit number, or -1. */
export function parseIPv4(text: string, from = 0, to = text.length): number {
  return toScratch(text, from, to) ? parseIPv4Bytes(scratchText, 0, to - from) : -1;
}

/** IPv6 text into four 32-bit words, a `%zone` suffix ignored; false when it is not an address. */
export function parseIPv6(text: string, out: Uint32Array): boolean {
  let end = text.indexOf('%');
  if (end < 0) end = text.length;
  return toScratch(text, 0, end) && parseIPv6Bytes(scratchText, 0, end, out);
}

/** IPv4 text as its 4 bytes (network order), or null. */
export function ipv4Bytes(text: string): Uint8Array | null {
  const a = parseIPv4(text);
  if (a < 0) return null;
  return Uint8Array.of(a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255);
}

/** IPv6 text (a zone ignored) as its 16 bytes (network order), or null. */
export function ipv6Bytes(text: string): Uint8Array | null {
  if (!parseIPv6(text, words)) return null;
  const out = new Uint8Array(16);
  for (let k = 0; k < 4; k++) {
    const w = words[k]!;
    out[4 * k] = w >>> 24; out[4 * k + 1] = (w >>> 16) & 255; out[4 * k + 2] = (w >>> 8) & 255; out[4 * k + 3] = w & 255;
  }
  return out;
}
