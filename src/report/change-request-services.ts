/**
 * The report's memory rows and per-service section (docs/MODEL.md, "Memory" and "Per service"):
 * entry memory apart from the table's fixed cost, the change against the current timeout, and
 * each tracked service at the current timeout against the proposal. Cells are raw text; each
 * renderer (markdown.ts, html.ts) escapes them.
 */
import type { ChangeRequest, ReportCandidate } from './change-request.js';
import { formatBytes } from '../util/bytes.js';
import { serviceName, signedBytes } from './plan-services.js';
import { fixed } from './prose-format.js';

function current(r: ChangeRequest): ReportCandidate | undefined {
  return r.candidates.find((c) => c.role === 'current');
}

function proposed(r: ChangeRequest): ReportCandidate | undefined {
  return r.candidates.find((c) => c.role === 'proposed');
}

/** Cells for a candidates-table row: entry memory at peak, and its change (mean / peak) against the current row. */
export function memoryCellsOf(r: ChangeRequest, c: ReportCandidate): [string, string] {
  const fixedBytes = r.coverage.platform.fixedBytes;
  const cur = current(r);
  const entryPeak = c.result.memoryBytes.peak - fixedBytes;
  if (cur === undefined) return [formatBytes(entryPeak), '-'];
  const mean = c.result.memoryBytes.mean - cur.result.memoryBytes.mean;
  const peak = c.result.memoryBytes.peak - cur.result.memoryBytes.peak;
  return [formatBytes(entryPeak), `${signedBytes(mean)} / ${signedBytes(peak)}`];
}

export const CANDIDATE_MEMORY_HEADER = ['entry memory (peak)', 'vs current (mean / peak)'];

/** Rows for the impact table: entry memory (mean, peak) with its change, and the fixed cost that does not change. */
export function memoryImpactRows(r: ChangeRequest): string[][] {
  const i = r.impact;
  const f = r.coverage.platform.fixedBytes;
  const row = (label: string, before: number, after: number): string[] => [label, formatBytes(before - f), formatBytes(after - f), signedBytes(after - before)];
  return [
    row('entry memory, mean (entries x bytes per entry)', i.memoryBytes.before.mean, i.memoryBytes.after.mean),
    row('entry memory, peak', i.memoryBytes.before.peak, i.memoryBytes.after.peak),
    ['table fixed cost (whatever the entries)', formatBytes(f), formatBytes(f), signedBytes(0)],
    ['memory in all, peak', formatBytes(i.memoryBytes.before.peak), formatBytes(i.memoryBytes.after.peak), signedBytes(i.memoryBytes.after.peak - i.memoryBytes.before.peak)],
  ];
}

export const SERVICE_SECTION_HEADER = ['service', 'sessions', 'broken now', 'broken proposed', 'mean entries now', 'mean entries proposed', 'entry memory peak now', 'entry memory peak proposed'];

/** One row per tracked service (the most sessions first): the current timeout against the proposal. Empty when either lacks them. */
export function serviceSectionRows(r: ChangeRequest): string[][] {
  const now = current(r)?.result.services;
  const next = proposed(r)?.result.services;
  if (now === undefined || next === undefined || now.length === 0) return [];
  const key = (s: { service: { protocol: string; serverAddr: string; serverPort: number } }): string => `${s.service.protocol} ${s.service.serverAddr} ${s.service.serverPort}`;
  const after = new Map(next.map((s) => [key(s), s]));
  return now.map((s) => {
    const a = after.get(key(s));
    return [serviceName(s), String(s.sessions), String(s.sessionsWithDrops), a === undefined ? '-' : String(a.sessionsWithDrops),
      fixed(s.tableEntries.mean, 2), a === undefined ? '-' : fixed(a.tableEntries.mean, 2), formatBytes(s.memoryBytes.peak), a === undefined ? '-' : formatBytes(a.memoryBytes.peak)];
  });
}
