/** Cell text for the comparison view: fixed widths, compact numbers, sparklines. */
import type { CandidateResult } from '../model/types.js';
import { formatDuration } from '../util/duration.js';

/** Shown in a cell whose candidate is still being evaluated. */
export const PENDING = '…';

/** Pad or cut to exactly `width` columns (a cut ends with …). Every character used here is one column wide. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length > width) return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
  return text + ' '.repeat(width - text.length);
}

export function fitRight(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length > width) return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
  return ' '.repeat(width - text.length) + text;
}

/** `1h`, `2h30m*` (the star: figures extrapolated beyond the capture window). */
export function timeoutText(seconds: number, c: CandidateResult | undefined): string {
  return `${formatDuration(seconds)}${c?.extrapolated === true ? '*' : ''}`;
}

/** Whole numbers with thousands separators: 12,345. */
export function countText(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** A mean: one decimal below 100, whole above. */
export function meanText(n: number): string {
  return n < 100 ? n.toFixed(1) : countText(n);
}

/** Share of the table maximum at peak: `0.34%`, `-` without a maximum. */
export function shareText(share: number | null): string {
  if (share === null) return '-';
  const pct = share * 100;
  return `${pct < 10 ? pct.toFixed(2) : pct.toFixed(1)}%`;
}

const SPARKS = '▁▂▃▄▅▆▇█';

/**
 * A one-line chart of `series` in `width` columns: each column the largest sample of its share
 * of the series, scaled so that `scaleMax` is a full block (pass the largest peak of all
 * candidates so that sparklines of different candidates compare).
 */
export function sparkline(series: readonly number[], width: number, scaleMax?: number): string {
  if (width <= 0 || series.length === 0) return '';
  const max = Math.max(scaleMax ?? 0, ...series);
  let out = '';
  for (let j = 0; j < width; j++) {
    const a = Math.floor((j * series.length) / width);
    const b = Math.max(a + 1, Math.floor(((j + 1) * series.length) / width));
    let v = 0;
    for (let k = a; k < b && k < series.length; k++) if (series[k]! > v) v = series[k]!;
    out += SPARKS[max > 0 ? Math.round((v / max) * (SPARKS.length - 1)) : 0];
  }
  return out;
}
