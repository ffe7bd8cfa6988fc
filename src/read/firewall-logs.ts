/**
 * Firewall logs as inputs (issue 13, items 5 and 8): a log recognised by its content is read
 * (src/ingest/fwlog), joined into sessions and flows (src/flows/fwlog-flows.ts) and summarised
 * per file: vendor, lines, records, unreadable lines with their numbers, lines not needed by
 * kind, where the year and the zone came from, and the timeout in force the join assumed.
 */
import { statSync } from 'node:fs';
import { STDIN_PATH, type OpenedInput } from '../ingest/source.js';
import type { InputSummary } from '../ingest/input-summary.js';
import { FirewallLogReader, sniffFirewallLog, type FwLogResult, type FwVendor } from '../ingest/fwlog/index.js';
import { flowsFromLog, type LogFlowStats } from '../flows/fwlog-flows.js';
import type { FlowSet, GapDistribution } from '../flows/types.js';

/** The timeout in force T per protocol, and where it came from ('--current', 'platform asa' ...). */
export interface LogTimeout {
  seconds: (protocol: string) => number;
  source: string;
}

export interface FirewallLogOptions {
  year?: number;
  tz?: string;
  strict?: boolean;
  gapFloorUs: number;
  /** T for a log of this vendor (the cli layer knows --current and the platform profiles). */
  timeout?: (vendor: FwVendor) => LogTimeout;
  reorderSlackSeconds?: number;
}

/** What one log gave, beside its InputSummary: what the model needs for its lower bounds. */
export interface FirewallLogRead {
  file: string;
  vendor: FwVendor;
  stats: LogFlowStats;
  /** T per protocol seen in the log's sessions, seconds. */
  timeoutSeconds: Record<string, number>;
  timeoutSource: string;
}

/** InputSummary of a firewall log: the common fields plus what the reader counted. */
export interface FirewallLogSummary extends InputSummary {
  firewallLog: {
    vendor: FwVendor;
    lines: number;
    records: number;
    unreadable: number;
    /** First unreadable lines (line numbers), at most 20. */
    unreadableLines: number[];
    notNeeded: Record<string, number>;
    year: FwLogResult['year'];
    tz: string;
    timeoutSeconds: Record<string, number>;
    timeoutSource: string;
    sessions: LogFlowStats;
  };
}

/** Default T when the caller gives none (library use): the common 1 h TCP idle timeout, said in the summary. */
const ASSUMED_TIMEOUT: LogTimeout = { seconds: (p) => (p === 'tcp' ? 3600 : p === 'udp' ? 120 : 30), source: 'assumed (tcp 3600 s, udp 120 s, other 30 s)' };

/** The vendor when `text` (the head of an input) is a firewall log, else null. */
export function sniffFirewallLogInput(text: string): FwVendor | null {
  return sniffFirewallLog(text);
}

function fileTimeUs(path: string): number | undefined {
  if (path === STDIN_PATH) return undefined;
  try { return statSync(path).mtimeMs * 1000; } catch { return undefined; }
}

/** Reads one firewall log into flows and its summary. */
export async function readFirewallLogInput(path: string, input: OpenedInput, chunks: AsyncIterable<Buffer>, vendor: FwVendor, opts: FirewallLogOptions): Promise<{
  flows: FlowSet; distribution: GapDistribution; summary: FirewallLogSummary; read: FirewallLogRead; warnings: string[];
}> {
  const timeout = opts.timeout?.(vendor) ?? ASSUMED_TIMEOUT;
  const ft = fileTimeUs(path);
  const reader = new FirewallLogReader(vendor, {
    ...(opts.year !== undefined ? { year: opts.year } : {}), ...(opts.tz !== undefined ? { tz: opts.tz } : {}),
    ...(opts.strict ? { strict: true } : {}), ...(ft !== undefined ? { fileTimeUs: ft } : {}),
  }, input.name);
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) reader.push(decoder.decode(chunk, { stream: true }));
  reader.push(decoder.decode());
  const r = reader.end();
  const lf = flowsFromLog(r.records, input.name, { timeoutSeconds: timeout.seconds, gapFloorUs: opts.gapFloorUs, ...(opts.reorderSlackSeconds !== undefined ? { reorderSlackSeconds: opts.reorderSlackSeconds } : {}) });
  const timeoutSeconds: Record<string, number> = {};
  for (const s of lf.sessions) if (!(s.protocol in timeoutSeconds)) timeoutSeconds[s.protocol] = timeout.seconds(s.protocol);
  const summary: FirewallLogSummary = {
    path: input.name, format: `firewall-log/${vendor}`, gzip: input.gzip, linkTypes: {}, packets: 0, ipPackets: 0, nonIpPackets: 0,
    undecodedLinkTypes: {}, malformedPackets: 0, truncated: false, warnings: [],
    records: r.recordCount, skipped: r.unreadableCount,
    firewallLog: {
      vendor, lines: r.linesRead, records: r.recordCount, unreadable: r.unreadableCount, unreadableLines: r.unreadable.slice(0, 20).map((u) => u.line),
      notNeeded: r.notNeeded, year: r.year, tz: r.tz, timeoutSeconds, timeoutSource: timeout.source, sessions: lf.stats,
    },
  };
  summary.warnings.push(...r.warnings);
  for (const u of r.unreadable.slice(0, 20)) summary.warnings.push(`line ${u.line}: ${u.reason} (skipped)`);
  if (r.notNeededLines > 0) {
    summary.warnings.push(`${r.notNeededLines} lines not needed, by kind: ${Object.entries(r.notNeeded).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  }
  if (r.records.some((x) => x.yearInferred) && r.year.source !== 'option') {
    summary.warnings.push(`dates without a year read as ${r.year.value} (${r.year.source === 'file-time' ? "the file's modification time" : 'the clock'}; pass --year to set it)`);
  }
  summary.warnings.push(`times without a zone read in ${r.tz}${opts.tz === undefined ? ' (the default; pass --tz to set it)' : ''}`);
  if (lf.stats.sessions > 0) {
    const ts = Object.entries(timeoutSeconds).map(([p, s]) => `${p} ${s} s`).join(', ');
    summary.warnings.push(`timeout in force for the join: ${ts} (${timeout.source})`);
  }
  summary.warnings.push(...lf.warnings.map((w) => w.startsWith(`${input.name}: `) ? w.slice(input.name.length + 2) : w));
  const read: FirewallLogRead = { file: input.name, vendor, stats: lf.stats, timeoutSeconds, timeoutSource: timeout.source };
  return { flows: lf.flows, distribution: lf.distribution, summary, read, warnings: [] };
}
