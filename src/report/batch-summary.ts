/**
 * `fwtp batch`'s summary across datasets: per dataset its status, inputs, outputs and the
 * figures of each candidate (what summary.json keeps of a plan, no series, no affected lists),
 * and summary.csv with one row per dataset and candidate.
 */
import type { PlanResult } from '../model/types.js';
import { csvLine } from './csv.js';

/** What summary.csv / summary.json keep of a plan (no series, no affected lists). */
export interface DatasetRow {
  inputs: string[];
  flows: number;
  window: PlanResult['window'];
  platform: string;
  candidates: Array<Omit<PlanResult['candidates'][number], 'series' | 'affected' | 'warnings' | 'extrapolatedReason'>>;
  warnings: string[];
}

/** The summary row of a plan (also used for datasets whose outputs are up to date). */
export function rowFromPlan(r: PlanResult, extraWarnings: string[] = []): DatasetRow {
  return {
    inputs: r.inputs.map((i) => i.path),
    flows: r.flows,
    window: r.window,
    platform: r.platform.name,
    candidates: r.candidates.map((c) => ({
      timeoutSeconds: c.timeoutSeconds, sessionsWithDrops: c.sessionsWithDrops, droppedKeepAlives: c.droppedKeepAlives,
      droppedPackets: c.droppedPackets, brokenByKind: c.brokenByKind, tableEntries: c.tableEntries, memoryBytes: c.memoryBytes,
      headroom: c.headroom, growthPerHour: c.growthPerHour, extrapolated: c.extrapolated,
    })),
    warnings: [...extraWarnings, ...r.warnings, ...r.candidates.flatMap((c) => c.warnings.map((w) => `at ${c.timeoutSeconds} s: ${w}`))],
  };
}

export interface DatasetEntry {
  name: string;
  inputs: string[];
  status: 'planned' | 'up-to-date' | 'failed';
  error: { code: string; message: string } | null;
  outputs: { json: string; md: string } | null;
  flows: number | null;
  window: PlanResult['window'] | null;
  platform: string | null;
  candidates: DatasetRow['candidates'];
  warnings: string[];
}

export interface Summary {
  schemaVersion: 1;
  settings: Record<string, unknown>;
  totals: { datasets: number; planned: number; upToDate: number; failed: number };
  datasets: DatasetEntry[];
  /** Files and directories under the sources that were not planned, each with the reason. */
  leftOut: Array<{ path: string; reason: string }>;
}

const CSV_HEADER = ['dataset', 'status', 'inputs', 'flows', 'window_start', 'window_end', 'window_seconds', 'platform', 'timeout_s', 'sessions_with_drops',
  'dropped_keepalives', 'dropped_packets', 'broken_keepalive', 'broken_data', 'broken_close', 'entries_mean', 'entries_peak', 'entries_p99',
  'entries_at_end', 'memory_mean_bytes', 'memory_peak_bytes', 'headroom', 'growth_per_hour', 'extrapolated', 'error'];

/** summary.csv: one row per dataset and candidate; a failed dataset has one row with its error. */
export function summaryCsv(s: Summary): string {
  const lines = [CSV_HEADER.join(',')];
  for (const d of s.datasets) {
    const head = [d.name, d.status, d.inputs.length, d.flows, d.window?.start, d.window?.end, d.window?.seconds, d.platform];
    if (d.candidates.length === 0) {
      lines.push(csvLine([...head, ...new Array(CSV_HEADER.length - head.length - 1).fill(null), d.error === null ? null : d.error.message]));
      continue;
    }
    for (const c of d.candidates) {
      lines.push(csvLine([...head, c.timeoutSeconds, c.sessionsWithDrops, c.droppedKeepAlives, c.droppedPackets, c.brokenByKind.keepAlive, c.brokenByKind.data,
        c.brokenByKind.close, c.tableEntries.mean, c.tableEntries.peak, c.tableEntries.p99, c.tableEntries.atEnd, c.memoryBytes.mean, c.memoryBytes.peak,
        c.headroom, c.growthPerHour, c.extrapolated, null]));
    }
  }
  return lines.join('\n') + '\n';
}

/** The summary of a run: the settings it was made with, the totals and the datasets in order. */
export function batchSummary(settings: Record<string, unknown>, entries: DatasetEntry[], leftOut: Summary['leftOut'] = []): Summary {
  return {
    schemaVersion: 1,
    settings,
    totals: { datasets: entries.length, planned: entries.filter((e) => e.status === 'planned').length, upToDate: entries.filter((e) => e.status === 'up-to-date').length,
      failed: entries.filter((e) => e.status === 'failed').length },
    datasets: entries,
    leftOut,
  };
}
