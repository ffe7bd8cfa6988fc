/**
 * What the conntrack readers of each form share: the line sink they implement, the skip
 * callback, the line length cap and the tests for noise and timestamp lines.
 */
import { isConntrackSummaryLine, parseTimestampLine } from './conntrack-text.js';

/** Longest line read (bytes); longer lines stop the file (CONNTRACK_LINE_TOO_LONG). */
export const MAX_LINE_BYTES = 64 * 1024;

export interface Sink {
  line(b: Buffer, s: number, e: number, lineNo: number): void;
  finish(): void;
}

export type Skip = (lineNo: number, reason: string, b: Buffer, s: number, e: number) => void;

export function firstNonBlank(b: Buffer, s: number, e: number): number {
  let p = s;
  while (p < e && (b[p] === 32 || b[p] === 9)) p++;
  return p;
}

/** A line that is not an entry: blank, a comment, conntrack's stderr summary. */
export function isNoise(b: Buffer, p: number, e: number): boolean {
  if (p === e) return true;
  const c = b[p];
  if (c === 35) return true; // '#' (a timestamp behind '#' is tested first)
  return c === 99 && isConntrackSummaryLine(b.toString('latin1', p, e)); // 'c'onntrack v1.4.7 ...
}

export function timestampAt(b: Buffer, p: number, e: number): number | null {
  const c = b[p]!;
  // Entry lines start with a letter; only digits and '#' can begin a timestamp line.
  if (!(c >= 48 && c <= 57) && c !== 35) return null;
  if (e - p > 64) return null;
  return parseTimestampLine(b.toString('latin1', p, e));
}
