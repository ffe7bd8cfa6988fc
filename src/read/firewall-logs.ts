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
import type { DropRecord } from '../ingest/fwlog/types.js';
import { flowsFromSessions, type LogFlowStats } from '../flows/fwlog-flows.js';
import { joinAcross, SessionJoiner, type SessionJoin } from '../flows/fwlog-sessions.js';
import { linuxDropHost, sessionRecordsOfEvents } from '../flows/conntrack-sessions.js';
import type { ConntrackInput } from '../ingest/conntrack.js';
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
  /** The log's sessions and the drops no session took, after the join across the read's logs (the report's logged-drop evidence). */
  join: SessionJoin;
  /** The drops this file logged (wherever the join put them): which file a quoted drop line is in. */
  ownDrops: readonly DropRecord[];
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

/** One log read and joined on its own, not yet made into flows (readFirewallLogInput, then joinLogsAcross, then logFlows). */
export interface JoinedFirewallLog {
  input: OpenedInput;
  vendor: FwVendor;
  opts: FirewallLogOptions;
  timeout: LogTimeout;
  join: SessionJoin;
  result: FwLogResult;
  yearInferred: boolean;
  /** The drops this file logged, taken before joinAcross moves some to another log's sessions. */
  ownDrops: DropRecord[];
}

/** Reads one firewall log and joins its records into sessions. */
export async function readFirewallLogInput(path: string, input: OpenedInput, chunks: AsyncIterable<Buffer>, vendor: FwVendor, opts: FirewallLogOptions): Promise<JoinedFirewallLog> {
  const timeout = opts.timeout?.(vendor) ?? ASSUMED_TIMEOUT;
  const ft = fileTimeUs(path);
  const slack = opts.reorderSlackSeconds !== undefined ? { reorderSlackSeconds: opts.reorderSlackSeconds } : {};
  // Records go straight into the join (onRecord): the reader keeps none, the join only the open starts.
  const joiner = new SessionJoiner(input.name, { timeoutSeconds: timeout.seconds, ...slack });
  let yearInferred = false;
  const reader = new FirewallLogReader(vendor, {
    ...(opts.year !== undefined ? { year: opts.year } : {}), ...(opts.tz !== undefined ? { tz: opts.tz } : {}),
    ...(opts.strict ? { strict: true } : {}), ...(ft !== undefined ? { fileTimeUs: ft } : {}),
    onRecord: (rec) => { if (rec.yearInferred) yearInferred = true; joiner.push(rec); },
  }, input.name);
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) reader.push(decoder.decode(chunk, { stream: true }));
  reader.push(decoder.decode());
  const result = reader.end();
  const join = joiner.finish();
  const ownDrops = [...join.unmatchedDrops, ...join.sessions.flatMap((s) => s.drops)];
  return { input, vendor, opts, timeout, join, result, yearInferred, ownDrops };
}

/**
 * The logs of one read, each joined on its own: the drops a log's own sessions do not explain go to
 * the sessions of the other logs of the same device family (a teardown log beside a drop log), so
 * that `plan a.log b.log` sees the gaps `fwtp drops a.log b.log` reveals (fwlog-sessions.ts joinAcross).
 */
export function joinLogsAcross(logs: ReadonlyArray<Pick<JoinedFirewallLog, 'vendor' | 'join' | 'opts'>>): void {
  for (const vendor of new Set(logs.map((l) => l.vendor))) {
    const same = logs.filter((l) => l.vendor === vendor);
    joinAcross(same.map((l) => l.join), same[0]?.opts.reorderSlackSeconds);
  }
}

/** One joined log as flows and its summary. */
export function logFlows(log: JoinedFirewallLog): {
  flows: FlowSet; distribution: GapDistribution; summary: FirewallLogSummary; read: FirewallLogRead; warnings: string[];
} {
  const { input, vendor, opts, timeout, result: r, yearInferred } = log;
  const slack = opts.reorderSlackSeconds !== undefined ? { reorderSlackSeconds: opts.reorderSlackSeconds } : {};
  const lf = flowsFromSessions(log.join, input.name, { timeoutSeconds: timeout.seconds, gapFloorUs: opts.gapFloorUs, ...slack });
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
  if (yearInferred && r.year.source !== 'option') {
    summary.warnings.push(`dates without a year read as ${r.year.value} (${r.year.source === 'file-time' ? "the file's modification time" : 'the clock'}; pass --year to set it)`);
  }
  summary.warnings.push(`times without a zone read in ${r.tz}${opts.tz === undefined ? ' (the default; pass --tz to set it)' : ''}`);
  if (lf.stats.sessions > 0) {
    const ts = Object.entries(timeoutSeconds).map(([p, s]) => `${p} ${s} s`).join(', ');
    summary.warnings.push(`timeout in force for the join: ${ts} (${timeout.source})`);
  }
  summary.warnings.push(...lf.warnings.map((w) => w.startsWith(`${input.name}: `) ? w.slice(input.name.length + 2) : w));
  const read: FirewallLogRead = { file: input.name, vendor, stats: lf.stats, timeoutSeconds, timeoutSource: timeout.source, join: log.join, ownDrops: log.ownDrops };
  return { flows: lf.flows, distribution: lf.distribution, summary, read, warnings: [] };
}

/** A conntrack -E event stream joined as the session-end log of the Linux drop logs of the read (issue 13, item 1). */
export interface EventSessionLog {
  name: string;
  vendor: 'linux-log';
  opts: FirewallLogOptions;
  timeout: LogTimeout;
  join: SessionJoin;
  warnings: string[];
}

/**
 * The events of `c` as sessions (flows/conntrack-sessions.ts), when Linux drop logs are among `logs`
 * and the events carry times; else null (the events stay a flow input of their own). The sessions
 * get the drop logs' host name (the join keys on it), and the drop logs' T (the DESTROY of an idle
 * entry comes at its last packet + T).
 */
export function joinEventsAsSessions(c: ConntrackInput, logs: readonly JoinedFirewallLog[]): EventSessionLog | null {
  const linux = logs.filter((l) => l.vendor === 'linux-log');
  const like = linux[0];
  if (like === undefined || c.events === undefined || !c.events.timestamps) return null;
  const { host, hosts } = linuxDropHost(linux.flatMap((l) => l.join.unmatchedDrops));
  const warnings: string[] = [];
  if (hosts > 1) warnings.push(`the Linux drop logs name ${hosts} hosts: the events are tied to none of them, so no drop joins their sessions`);
  const slack = like.opts.reorderSlackSeconds !== undefined ? { reorderSlackSeconds: like.opts.reorderSlackSeconds } : {};
  const joiner = new SessionJoiner(c.name, { timeoutSeconds: like.timeout.seconds, ...slack });
  for (const r of sessionRecordsOfEvents(c, host)) joiner.push(r);
  return { name: c.name, vendor: 'linux-log', opts: like.opts, timeout: like.timeout, join: joiner.finish(), warnings };
}

/** The joined events as flows, their FirewallLogRead, and the warnings for the events' own InputSummary. */
export function eventLogFlows(e: EventSessionLog): { flows: FlowSet; distribution: GapDistribution; read: FirewallLogRead; warnings: string[] } {
  const slack = e.opts.reorderSlackSeconds !== undefined ? { reorderSlackSeconds: e.opts.reorderSlackSeconds } : {};
  const lf = flowsFromSessions(e.join, e.name, { timeoutSeconds: e.timeout.seconds, gapFloorUs: e.opts.gapFloorUs, ...slack });
  const timeoutSeconds: Record<string, number> = {};
  for (const s of lf.sessions) if (!(s.protocol in timeoutSeconds)) timeoutSeconds[s.protocol] = e.timeout.seconds(s.protocol);
  const warnings = [`read as the session-end log of the Linux drop logs: each entry's NEW and DESTROY are one session of the join`, ...e.warnings,
    ...lf.warnings.map((w) => w.startsWith(`${e.name}: `) ? w.slice(e.name.length + 2) : w)];
  if (lf.stats.sessions > 0) warnings.push(`timeout in force for the join: ${Object.entries(timeoutSeconds).map(([p, s]) => `${p} ${s} s`).join(', ')} (${e.timeout.source})`);
  return { flows: lf.flows, distribution: lf.distribution, read: { file: e.name, vendor: 'linux-log', stats: lf.stats, timeoutSeconds, timeoutSource: e.timeout.source, join: e.join, ownDrops: [] }, warnings };
}
