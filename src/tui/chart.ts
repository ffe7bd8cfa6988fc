/**
 * The idle-gap ECDF as text: braille dots (2 x 4 per character, U+2800..U+28FF) on a
 * logarithmic time axis, with whole-column markers for the candidates, the selected one and
 * the endpoints' keep-alive idle time. Pure: the GapChart component only colours the segments.
 */
import type { GapSummary } from '../flows/types.js';
import { ecdfAt } from '../flows/distribution.js';

export type MarkerKind = 'selected' | 'candidate' | 'keepalive';

export interface ChartMarker {
  seconds: number;
  kind: MarkerKind;
}

export type SegmentKind = 'curve' | 'axis' | MarkerKind;

export interface Segment {
  text: string;
  kind: SegmentKind;
}

/** Marker glyphs; distinct without colour. */
export const MARKER_GLYPH: Record<MarkerKind, string> = { selected: '┃', candidate: '┊', keepalive: '╎' };

/** Width of the y-axis gutter: "100%" and the axis line. */
const GUTTER = 5;

/** Braille dot bits by (column 0..1, row 0..3) within a cell (Unicode Braille Patterns). */
const DOT_BITS = [
  [0x01, 0x02, 0x04, 0x40],
  [0x08, 0x10, 0x20, 0x80],
];

/** Axis labels, most useful first: a label is placed only where it does not touch one placed before. */
const TICKS: Array<[number, string]> = [
  [3600, '1h'], [60, '1m'], [1, '1s'], [86400, '1d'], [600, '10m'], [10, '10s'], [36000, '10h'],
  [0.1, '100ms'], [0.01, '10ms'], [0.001, '1ms'], [864000, '10d'], [8640000, '100d'],
];

/** The log10 domain covering the gaps (above zero) and every marker, with a little margin. */
export function chartDomain(ecdf: GapSummary['ecdf'], markers: readonly ChartMarker[]): { lo: number; hi: number } {
  const values = [...ecdf.map((p) => p.seconds), ...markers.map((m) => m.seconds)].filter((s) => s > 0 && Number.isFinite(s));
  if (values.length === 0) return { lo: 0, hi: 5 };
  let lo = Math.log10(Math.min(...values));
  let hi = Math.log10(Math.max(...values));
  if (hi - lo < 1) { lo -= 0.5; hi += 0.5; }
  const pad = (hi - lo) * 0.03;
  return { lo: lo - pad, hi: hi + pad };
}

/** Character column (0..plotWidth-1) of a time on the log axis. */
export function columnOf(seconds: number, domain: { lo: number; hi: number }, plotWidth: number): number {
  const x = (Math.log10(Math.max(seconds, 1e-9)) - domain.lo) / (domain.hi - domain.lo);
  return Math.max(0, Math.min(plotWidth - 1, Math.floor(x * plotWidth)));
}

/**
 * Lines of the chart, `height` rows of `width` columns: height-1 plot rows (y: share of gaps
 * 0..100 %, x: idle time, log scale) and one row of time labels.
 */
export function renderEcdf(ecdf: GapSummary['ecdf'], markers: readonly ChartMarker[], width: number, height: number): Segment[][] {
  const plotRows = Math.max(1, height - 1);
  const plotWidth = Math.max(1, width - GUTTER);
  const domain = chartDomain(ecdf, markers);
  const dotCols = plotWidth * 2;
  const dotRows = plotRows * 4;
  const cells = new Uint8Array(plotRows * plotWidth);
  const dot = (dx: number, dy: number): void => {
    cells[Math.floor(dy / 4) * plotWidth + Math.floor(dx / 2)]! |= DOT_BITS[dx & 1]![dy & 3]!;
  };
  if (ecdf.length > 0) {
    let prevRow = -1;
    for (let dx = 0; dx < dotCols; dx++) {
      const seconds = 10 ** (domain.lo + ((dx + 0.5) / dotCols) * (domain.hi - domain.lo));
      const row = Math.round((1 - ecdfAt(ecdf, seconds)) * (dotRows - 1));
      // Join steep steps with a vertical run so the curve stays connected.
      const from = prevRow < 0 ? row : Math.min(prevRow, row);
      const to = prevRow < 0 ? row : Math.max(prevRow, row);
      for (let dy = from; dy <= to; dy++) dot(dx, dy);
      prevRow = row;
    }
  }
  // Markers: whole columns. The selected one over everything; the others only on empty cells.
  const markerAt = new Map<number, MarkerKind>();
  const rank: Record<MarkerKind, number> = { selected: 3, keepalive: 2, candidate: 1 };
  for (const m of markers) {
    if (!(m.seconds > 0)) continue;
    const c = columnOf(m.seconds, domain, plotWidth);
    const had = markerAt.get(c);
    if (had === undefined || rank[m.kind] > rank[had]) markerAt.set(c, m.kind);
  }
  const lines: Segment[][] = [];
  for (let r = 0; r < plotRows; r++) {
    const label = r === 0 ? '100%' : r === plotRows - 1 ? '  0%' : r === Math.floor((plotRows - 1) / 2) && plotRows >= 5 ? ' 50%' : '    ';
    const segs: Segment[] = [{ text: `${label}│`, kind: 'axis' }];
    for (let c = 0; c < plotWidth; c++) {
      const bits = cells[r * plotWidth + c]!;
      const mk = markerAt.get(c);
      let seg: Segment;
      if (mk !== undefined && (mk === 'selected' || bits === 0)) seg = { text: MARKER_GLYPH[mk], kind: mk };
      else seg = { text: bits === 0 ? ' ' : String.fromCharCode(0x2800 + bits), kind: 'curve' };
      const last = segs[segs.length - 1]!;
      if (last.kind === seg.kind) last.text += seg.text;
      else segs.push(seg);
    }
    lines.push(segs);
  }
  if (height >= 2) lines.push([{ text: axisLabels(domain, plotWidth), kind: 'axis' }]);
  return lines;
}

/** The time axis: "    └" then a tick and a label at decades and round times (1s, 1m, 1h, 1d ...) where they fit. */
function axisLabels(domain: { lo: number; hi: number }, plotWidth: number): string {
  const row = new Array<string>(plotWidth).fill('─');
  const used = new Uint8Array(plotWidth + 2);
  for (const [seconds, label] of TICKS) {
    const x = (Math.log10(seconds) - domain.lo) / (domain.hi - domain.lo);
    if (x < 0 || x > 1) continue;
    const c = columnOf(seconds, domain, plotWidth);
    // The label after its tick, or before it at the right edge; a free column on each side.
    const start = c + label.length < plotWidth ? c + 1 : c - label.length;
    if (start < 0) continue;
    const first = Math.min(c, start);
    const last = Math.max(c, start + label.length - 1);
    let free = true;
    for (let k = Math.max(0, first - 1); k <= last + 1; k++) if (used[k] === 1) free = false;
    if (!free) continue;
    used.fill(1, first, last + 1);
    row[c] = '┬';
    for (let k = 0; k < label.length; k++) row[start + k] = label[k]!;
  }
  return `    └${row.join('')}`;
}
