/** Byte sizes: 1048576, 512KiB, 64MiB, 2GiB (binary) and 2GB, 500MB (decimal). */
import { usageError } from './errors.js';

const UNITS: Record<string, number> = {
  '': 1, b: 1, k: 1024, kib: 1024, kb: 1000, m: 1024 ** 2, mib: 1024 ** 2, mb: 1000 ** 2,
  g: 1024 ** 3, gib: 1024 ** 3, gb: 1000 ** 3, t: 1024 ** 4, tib: 1024 ** 4, tb: 1000 ** 4,
};

export function parseBytes(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw usageError('CLI_INVALID_BYTES', `invalid size "${text}": use a number of bytes or a unit (KiB, MiB, GiB, TiB; KB, MB, GB, TB)`);
  }
  return Math.round(Number(m[1]) * unit);
}

/** A size for people: 512 B, 1.50 KiB, 64.0 MiB, 2.00 GiB (binary units, three significant digits); "-" when not finite. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = -1;
  do { v /= 1024; u++; } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`;
}
