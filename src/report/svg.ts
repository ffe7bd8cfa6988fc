/**
 * Small SVG charts for the HTML change request, drawn by hand (no library, no script, no
 * external reference): the idle-gap ECDF on a logarithmic time axis with the candidate
 * timeouts marked, and the connection-table entries over the capture window per candidate.
 * Output is inline SVG markup (no xmlns needed inside HTML); every label is escaped.
 */
import { formatDuration } from '../util/duration.js';
import { escapeHtml } from './escape.js';
import { ecdfAt } from '../flows/distribution.js';

export type MarkerRole = 'current' | 'proposed' | 'alternative' | 'keepalive';

export interface Marker {
  seconds: number;
  label: string;
  role: MarkerRole;
}

export interface SeriesLine {
  label: string;
  role: 'current' | 'proposed' | 'alternative';
  values: number[];
}

const WIDTH = 760;
const HEIGHT = 320;
const MARGIN = { left: 58, right: 18, top: 34, bottom: 46 };
const ALT_COLOURS = ['#2e6da4', '#8a6d00', '#6c3483', '#117a8b', '#5d6d7e'];
const DASHES = ['6 3', '2 3', '8 3 2 3', '4 4', '1 2'];

/** Stroke colour and dash pattern of a line: colour for the screen, dashes for black-and-white print. */
export function lineStyle(role: MarkerRole, altIndex = 0): { colour: string; dash: string | null } {
  if (role === 'current') return { colour: '#b03a2e', dash: null };
  if (role === 'proposed') return { colour: '#1e7b45', dash: null };
  if (role === 'keepalive') return { colour: '#444444', dash: '2 2' };
  return { colour: ALT_COLOURS[altIndex % ALT_COLOURS.length]!, dash: DASHES[altIndex % DASHES.length]! };
}

function n(x: number): string {
  return (Math.round(x * 10) / 10).toString();
}

function strokeAttrs(colour: string, dash: string | null, width = 2): string {
  return `stroke="${colour}" stroke-width="${width}" fill="none"${dash !== null ? ` stroke-dasharray="${dash}"` : ''}`;
}

/** Ticks of a log time axis: the human round values (1 µs .. 100 d: 1 µs to 10 s by tens, then 1 min, 10 min, 1 h, 10 h, 1 d, 10 d, 100 d) inside [lo, hi]. */
export function logTimeTicks(loSeconds: number, hiSeconds: number): number[] {
  const nice = [1e-6, 1e-5, 1e-4, 0.001, 0.01, 0.1, 1, 10, 60, 600, 3600, 36000, 86400, 864000, 8640000];
  return nice.filter((t) => t >= loSeconds * (1 - 1e-9) && t <= hiSeconds * (1 + 1e-9));
}

/**
 * The idle-gap ECDF: x = gap length on a log axis, y = fraction of gaps at most that long,
 * with a vertical line per marker (candidates, the keep-alive idle) labelled with the share
 * of gaps it outlasts.
 */
export function ecdfChart(points: Array<{ seconds: number; fraction: number }>, markers: Marker[], title: string): string {
  const pts = points.filter((p) => p.seconds > 0 && Number.isFinite(p.seconds));
  const w = WIDTH - MARGIN.left - MARGIN.right;
  const h = HEIGHT - MARGIN.top - MARGIN.bottom - 10;
  // The marker legend goes below the axis title, two per row.
  const legendTop = HEIGHT - 6;
  const height = legendTop + Math.ceil(markers.length / 2) * 16 + 4;
  const head = `<svg class="chart" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" preserveAspectRatio="xMidYMid meet"><title>${escapeHtml(title)}</title>`;
  if (pts.length === 0) {
    return `${head}<text x="${WIDTH / 2}" y="${height / 2}" text-anchor="middle" class="empty">no idle gaps in the data</text></svg>`;
  }
  const hiData = Math.max(pts[pts.length - 1]!.seconds, ...markers.map((m) => m.seconds));
  const loData = Math.min(pts[0]!.seconds, ...markers.map((m) => m.seconds));
  const lo = Math.max(1e-6, 10 ** Math.floor(Math.log10(loData)));
  const hi = 10 ** Math.ceil(Math.log10(hiData * 1.05));
  const lx = (s: number): number => MARGIN.left + ((Math.log10(Math.max(s, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * w;
  const ly = (f: number): number => MARGIN.top + (1 - f) * h;
  const out: string[] = [head];
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${w}" height="${h}" fill="#ffffff" stroke="#999999" stroke-width="1"/>`);
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + w}" y1="${n(ly(f))}" y2="${n(ly(f))}" stroke="#e3e3e3" stroke-width="1"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${n(ly(f) + 4)}" text-anchor="end" class="tick">${Math.round(f * 100)}%</text>`);
  }
  for (const t of logTimeTicks(lo, hi)) {
    out.push(`<line x1="${n(lx(t))}" x2="${n(lx(t))}" y1="${MARGIN.top}" y2="${MARGIN.top + h}" stroke="#e3e3e3" stroke-width="1"/>`);
    out.push(`<text x="${n(lx(t))}" y="${MARGIN.top + h + 16}" text-anchor="middle" class="tick">${escapeHtml(formatDuration(t))}</text>`);
  }
  // Step path: flat until the next point, then up to its fraction.
  let d = `M${n(lx(lo))},${n(ly(0))}`;
  for (const p of pts) d += ` H${n(lx(p.seconds))} V${n(ly(p.fraction))}`;
  d += ` H${n(lx(hi))}`;
  out.push(`<path class="ecdf" d="${d}" stroke="#222222" stroke-width="2" fill="none"/>`);
  let alt = 0;
  markers.forEach((m, k) => {
    const style = lineStyle(m.role, m.role === 'alternative' ? alt++ : 0);
    const x = lx(m.seconds);
    out.push(`<line class="marker marker-${m.role}" x1="${n(x)}" x2="${n(x)}" y1="${MARGIN.top}" y2="${MARGIN.top + h}" ${strokeAttrs(style.colour, style.dash)}/>`);
    const pct = ecdfAt(pts, m.seconds) * 100;
    const text = `${m.label} ${labelDuration(m.seconds)}: ${pct.toFixed(pct > 99.9 && pct < 100 ? 2 : 1)}% of gaps are shorter`;
    const x0 = MARGIN.left + (k % 2) * (w / 2);
    const y = legendTop + Math.floor(k / 2) * 16 + 12;
    out.push(`<line x1="${n(x0)}" x2="${n(x0 + 22)}" y1="${y - 4}" y2="${y - 4}" ${strokeAttrs(style.colour, style.dash)}/>`);
    out.push(`<text class="marker-label" x="${n(x0 + 28)}" y="${y}" fill="${style.colour}">${escapeHtml(text)}</text>`);
  });
  out.push(`<text x="${MARGIN.left + w / 2}" y="${MARGIN.top + h + 34}" text-anchor="middle" class="axis">idle gap between packets of a flow (log scale)</text>`);
  out.push(`<text x="14" y="${MARGIN.top + h / 2}" text-anchor="middle" class="axis" transform="rotate(-90 14 ${MARGIN.top + h / 2})">gaps at most this long</text>`);
  out.push(`<text x="${MARGIN.left}" y="18" class="chart-title">${escapeHtml(title)}</text>`);
  out.push('</svg>');
  return out.join('');
}

/** Whole seconds from a minute up (7200.024 -> 2h), as the legend reads best. */
function labelDuration(seconds: number): string {
  return formatDuration(seconds >= 60 ? Math.round(seconds) : seconds);
}

/** A round step for a linear axis with about `target` ticks (1, 2, 5 x 10^k). */
export function niceStep(range: number, target: number): number {
  if (!(range > 0)) return 1;
  const raw = range / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

/** Hour steps that read well on a clock axis. */
function timeStepSeconds(windowSeconds: number): number {
  const steps = [60, 300, 600, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];
  for (const s of steps) if (windowSeconds / s <= 8) return s;
  return steps[steps.length - 1]!;
}

function clockLabel(startIso: string | null, offsetSeconds: number, windowSeconds: number): string {
  if (startIso === null) return `+${formatDuration(offsetSeconds)}`;
  const t = new Date(Date.parse(startIso) + offsetSeconds * 1000);
  const iso = t.toISOString();
  return windowSeconds > 2 * 86400 ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
}

/**
 * Table entries over the window, one line per candidate (the `series` samples of each
 * CandidateResult, evenly spaced from the first to the last packet). The x axis is UTC clock
 * time when the window start is known.
 */
export function seriesChart(lines: SeriesLine[], window: { start: string | null; seconds: number }, title: string): string {
  const w = WIDTH - MARGIN.left - MARGIN.right;
  const h = HEIGHT - MARGIN.top - MARGIN.bottom - 18;
  // The legend takes rows of three below the axis; the chart grows by a row beyond two.
  const height = HEIGHT + Math.max(0, Math.ceil(lines.length / 3) - 2) * 14;
  const head = `<svg class="chart" role="img" aria-label="${escapeHtml(title)}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" preserveAspectRatio="xMidYMid meet"><title>${escapeHtml(title)}</title>`;
  const maxV = Math.max(0, ...lines.flatMap((l) => l.values));
  if (lines.length === 0 || lines.every((l) => l.values.length === 0)) {
    return `${head}<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle" class="empty">no entries to chart</text></svg>`;
  }
  const step = niceStep(Math.max(1, maxV), 5);
  const top = Math.max(step, Math.ceil((maxV * 1.05) / step) * step);
  const seconds = window.seconds > 0 ? window.seconds : 1;
  const lx = (t: number): number => MARGIN.left + (t / seconds) * w;
  const ly = (v: number): number => MARGIN.top + (1 - v / top) * h;
  const out: string[] = [head];
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${w}" height="${h}" fill="#ffffff" stroke="#999999" stroke-width="1"/>`);
  for (let v = 0; v <= top + 1e-9; v += step) {
    out.push(`<line x1="${MARGIN.left}" x2="${MARGIN.left + w}" y1="${n(ly(v))}" y2="${n(ly(v))}" stroke="#e3e3e3" stroke-width="1"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${n(ly(v) + 4)}" text-anchor="end" class="tick">${fmtTick(v)}</text>`);
  }
  const ts = timeStepSeconds(seconds);
  // First tick on a round clock value (UTC) inside the window.
  const startMs = window.start !== null ? Date.parse(window.start) : 0;
  const first = window.start !== null ? (Math.ceil(startMs / 1000 / ts) * ts) - startMs / 1000 : 0;
  for (let t = first; t <= seconds + 1e-9; t += ts) {
    out.push(`<line x1="${n(lx(t))}" x2="${n(lx(t))}" y1="${MARGIN.top}" y2="${MARGIN.top + h}" stroke="#e3e3e3" stroke-width="1"/>`);
    out.push(`<text x="${n(lx(t))}" y="${MARGIN.top + h + 16}" text-anchor="middle" class="tick">${escapeHtml(clockLabel(window.start, t, seconds))}</text>`);
  }
  let alt = 0;
  const legend: string[] = [];
  lines.forEach((l, k) => {
    const style = lineStyle(l.role, l.role === 'alternative' ? alt++ : 0);
    const m = l.values.length;
    const pts = l.values.map((v, j) => `${n(lx(m > 1 ? (j / (m - 1)) * seconds : 0))},${n(ly(v))}`).join(' ');
    out.push(`<polyline class="series series-${l.role}" points="${pts}" ${strokeAttrs(style.colour, style.dash, l.role === 'alternative' ? 1.5 : 2.2)}/>`);
    const lxPos = MARGIN.left + (k % 3) * (w / 3);
    const lyPos = HEIGHT - 24 + Math.floor(k / 3) * 14;
    legend.push(`<line x1="${n(lxPos)}" x2="${n(lxPos + 22)}" y1="${lyPos - 4}" y2="${lyPos - 4}" ${strokeAttrs(style.colour, style.dash, 2.2)}/>` +
      `<text x="${n(lxPos + 28)}" y="${lyPos}" class="legend">${escapeHtml(l.label)}</text>`);
  });
  out.push(...legend);
  out.push(`<text x="14" y="${MARGIN.top + h / 2}" text-anchor="middle" class="axis" transform="rotate(-90 14 ${MARGIN.top + h / 2})">entries</text>`);
  out.push(`<text x="${MARGIN.left}" y="18" class="chart-title">${escapeHtml(title)}</text>`);
  out.push('</svg>');
  return out.join('');
}

function fmtTick(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
