/** The change request as CSV (one row per candidate) and as JSON (the object as is). */
import { formatDuration } from '../util/duration.js';
import type { ChangeRequest } from './change-request.js';
import { csvLine } from './csv.js';

const CSV_HEADER = ['role', 'scope', 'services', 'timeout_s', 'timeout', 'sessions_with_drops', 'dropped_keepalives', 'dropped_packets', 'broken_keepalive', 'broken_data', 'broken_close',
  'entries_mean', 'entries_peak', 'entries_p99', 'entries_at_end', 'memory_mean_bytes', 'memory_peak_bytes', 'headroom', 'growth_per_hour', 'extrapolated', 'most_affected', 'platform'];

export function changeRequestCsv(r: ChangeRequest): string {
  const lines = [CSV_HEADER.join(',')];
  for (const c of r.candidates) {
    const x = c.result;
    lines.push(csvLine([c.role, c.scope, c.services.join(' '), c.timeoutSeconds, formatDuration(c.timeoutSeconds), x.sessionsWithDrops, x.droppedKeepAlives, x.droppedPackets,
      x.brokenByKind.keepAlive, x.brokenByKind.data, x.brokenByKind.close, x.tableEntries.mean, x.tableEntries.peak, x.tableEntries.p99, x.tableEntries.atEnd,
      x.memoryBytes.mean, x.memoryBytes.peak, x.headroom, x.growthPerHour, x.extrapolated, x.affected[0]?.label ?? '', r.platform.name]));
  }
  return lines.join('\n') + '\n';
}

/** The JSON output: the change request as is. */
export function changeRequestJson(r: ChangeRequest): string {
  return JSON.stringify(r, null, 2) + '\n';
}
