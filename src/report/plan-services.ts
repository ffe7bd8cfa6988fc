/**
 * The per-service figures and the memory breakdown of plan's candidates (model/types.ts
 * ServiceResult, MemoryBreakdown) as text, Markdown and CSV: shared by `plan`, `recommend`,
 * the report and the compare view so that every output says the same thing.
 */
import type { CandidateResult, MemoryBreakdown, PlanResult, ServiceResult } from '../model/types.js';
import { formatDuration } from '../util/duration.js';
import { hostPort } from '../util/endpoints.js';
import { renderTable, sanitizeText } from '../util/text.js';
import { csvLine } from './csv.js';
import { mdCell } from './escape.js';
import { formatBytes } from '../util/bytes.js';

export function serviceName(s: ServiceResult): string {
  return `${s.service.protocol} ${hostPort(s.service.serverAddr, s.service.serverPort)}`;
}

/** "+1.50 KiB", "-512 B", "0 B". */
export function signedBytes(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (n === 0) return '0 B';
  return `${n < 0 ? '-' : '+'}${formatBytes(Math.abs(n))}`;
}

function num(v: number, digits = 1): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(digits);
}

export const SERVICE_HEADER = ['service', 'sessions', 'broken', 'dropped KA', 'KA/data/close', 'mean entries', 'peak', 'entry memory (peak)'];

export function serviceRow(s: ServiceResult): string[] {
  return [sanitizeText(serviceName(s)), String(s.sessions), String(s.sessionsWithDrops), num(s.droppedKeepAlives),
    `${s.brokenByKind.keepAlive}/${s.brokenByKind.data}/${s.brokenByKind.close}`, num(s.tableEntries.mean, 2), String(s.tableEntries.peak), formatBytes(s.memoryBytes.peak)];
}

/** The memory line under a table: what the columns hold and the fixed cost they leave out. */
export function memoryNote(r: Pick<PlanResult, 'candidates' | 'platform'>): string | null {
  const m = r.candidates.find((c) => c.memory !== undefined)?.memory;
  if (m === undefined) return null;
  return `memory: entry memory = entries x ${m.bytesPerEntry} bytes; the table's fixed cost (${formatBytes(m.fixedBytes)}${r.platform.name === 'linux' || r.platform.name === 'kube-proxy' ? ', the hash buckets' : ''}) comes on top of every candidate; ` +
    `"vs current" is the change in entry memory (mean / peak) against ${formatDuration(m.currentSeconds)} (${m.currentSeconds} s)`;
}

/** Columns for the candidate tables: entry memory at peak and its change against the current timeout. */
export function memoryCells(m: MemoryBreakdown | undefined, totalPeak: number): [string, string] {
  if (m === undefined) return [formatBytes(totalPeak), '-'];
  return [formatBytes(m.entryBytesPeak), `${signedBytes(m.changeFromCurrentBytes.mean)} / ${signedBytes(m.changeFromCurrentBytes.peak)}`];
}

/** Per-service blocks under the candidates table (text). */
export function serviceBlocks(candidates: CandidateResult[]): string[] {
  const out: string[] = [];
  for (const c of candidates) {
    if (c.services === undefined || c.services.length === 0) continue;
    out.push('', `at ${formatDuration(c.timeoutSeconds)} (${c.timeoutSeconds} s), per service (the ${c.services.length} with the most sessions):`);
    out.push(...renderTable(SERVICE_HEADER, c.services.map(serviceRow)).trimEnd().split('\n').map((l) => `  ${l}`));
  }
  return out;
}

/** Per-service tables (Markdown). */
export function serviceMarkdown(candidates: CandidateResult[], heading = '##'): string[] {
  const out: string[] = [];
  for (const c of candidates) {
    if (c.services === undefined || c.services.length === 0) continue;
    out.push(`${heading} At ${formatDuration(c.timeoutSeconds)}, per service`, '');
    out.push(`| ${SERVICE_HEADER.join(' | ')} |`);
    out.push(`|${SERVICE_HEADER.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
    for (const s of c.services) out.push(`| ${serviceRow(s).map(mdCell).join(' | ')} |`);
    out.push('');
  }
  return out;
}

/** `plan --format csv --per-service`: one row per candidate and service. */
export function planServicesCsv(r: PlanResult): string {
  const header = ['timeout_s', 'protocol', 'server_address', 'server_port', 'sessions', 'sessions_with_drops', 'dropped_keepalives',
    'broken_keepalive', 'broken_data', 'broken_close', 'entries_mean', 'entries_peak', 'entry_memory_mean_bytes', 'entry_memory_peak_bytes', 'platform'];
  const lines = [header.join(',')];
  for (const c of r.candidates) {
    for (const s of c.services ?? []) {
      lines.push(csvLine([c.timeoutSeconds, s.service.protocol, s.service.serverAddr, s.service.serverPort, s.sessions, s.sessionsWithDrops, s.droppedKeepAlives,
        s.brokenByKind.keepAlive, s.brokenByKind.data, s.brokenByKind.close, s.tableEntries.mean, s.tableEntries.peak, s.memoryBytes.mean, s.memoryBytes.peak, r.platform.name]));
    }
  }
  return lines.join('\n') + '\n';
}

/** Memory columns appended to plan's CSV (after the schemaVersion 1 columns, so their positions stay). */
export const MEMORY_CSV_HEADER = ['entry_memory_mean_bytes', 'entry_memory_peak_bytes', 'fixed_bytes', 'current_timeout_s', 'entry_memory_change_mean_bytes', 'entry_memory_change_peak_bytes'];

export function memoryCsvCells(m: MemoryBreakdown | undefined): Array<number | null> {
  if (m === undefined) return [null, null, null, null, null, null];
  return [m.entryBytesMean, m.entryBytesPeak, m.fixedBytes, m.currentSeconds, m.changeFromCurrentBytes.mean, m.changeFromCurrentBytes.peak];
}
