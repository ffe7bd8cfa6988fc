/**
 * The words of a conntrack line read from bytes in place (no string, no regular expression):
 * numbers, GRE keys, fixed words and state names. Used per line on the hot path.
 */
import { CT_STATE_NAMES } from './conntrack-table.js';

/** Unsigned decimal in b[s..e), or -1 (also when empty). Exact up to 2^53. */
export function parseUint(b: Uint8Array, s: number, e: number): number {
  if (e <= s) return -1;
  let n = 0;
  for (let p = s; p < e; p++) {
    const c = b[p]! - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** `0x`-prefixed hexadecimal (GRE keys) or decimal, or -1. */
export function parseKey(b: Uint8Array, s: number, e: number): number {
  if (e - s > 2 && b[s] === 48 && (b[s + 1] === 120 || b[s + 1] === 88)) {
    let n = 0;
    for (let p = s + 2; p < e; p++) {
      const c = b[p]!;
      const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
      if (d < 0) return -1;
      n = n * 16 + d;
    }
    return n;
  }
  return parseUint(b, s, e);
}

/** Whether b[s..s+text.length) spells `text` (ASCII). */
export function bytesAre(b: Uint8Array, s: number, e: number, text: string): boolean {
  if (e - s !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (b[s + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** State names bucketed by (length, first letter), to find one from bytes without making a string. */
const STATE_BUCKETS = new Map<number, number[]>();
for (let i = 1; i < CT_STATE_NAMES.length; i++) {
  const n = CT_STATE_NAMES[i]!;
  const k = n.length * 256 + n.charCodeAt(0);
  const list = STATE_BUCKETS.get(k) ?? [];
  list.push(i);
  STATE_BUCKETS.set(k, list);
}
const STATE_LOOKUP: Array<number[] | undefined> = new Array(32 * 256);
for (const [k, list] of STATE_BUCKETS) STATE_LOOKUP[k] = list;

/** Index of the state name in b[s..e), or -1. */
export function stateFromBytes(b: Uint8Array, s: number, e: number): number {
  const len = e - s;
  if (len <= 0 || len >= 32) return -1;
  const list = STATE_LOOKUP[len * 256 + b[s]!];
  if (list === undefined) return -1;
  for (let k = 0; k < list.length; k++) if (bytesAre(b, s, e, CT_STATE_NAMES[list[k]!]!)) return list[k]!;
  return -1;
}
