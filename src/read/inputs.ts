/**
 * All inputs of one run: each is opened and recognised by its content (never its name):
 * captures go into one flow tracker (so flows continue across consecutive capture files);
 * profiles, flow exports and conntrack series/events bring flows of their own; single conntrack
 * snapshots are kept for the dump analysis. Everything ends in one canonical FlowSet, so the
 * same data gives the same plan however it was split and merged.
 */
import { openInput } from '../ingest/source.js';
import type { InputSummary } from '../ingest/input-summary.js';
import { captureFormat, readCapture, type Progress } from '../ingest/captures.js';
import { FlowTracker, type TrackerOptions, type TrackerStats } from '../flows/tracker.js';
import type { FlowSet, GapDistribution } from '../flows/types.js';
import { inputError } from '../util/errors.js';
import type { ConntrackInput } from '../ingest/conntrack.js';
import { addTrackerStats, isProfile, readProfile } from '../profile/profile.js';
import { canonicalFlowSet, isCanonicalFlowSet, mergeCanonicalFlowSets, mergeGapDistributions } from '../flows/canonical.js';
import type { FwVendor } from '../ingest/fwlog/types.js';
import { peek, PEEK_BYTES } from './peek.js';
import { parallelReaders, readCaptureParallel, type ParallelCaptureRead } from './parallel-capture.js';
import type { FirewallLogRead, JoinedFirewallLog, LogTimeout } from './firewall-logs.js';

type TextReaders = typeof import('./text-readers.js');
let textReaders: TextReaders | null = null;
/** Loaded the first time an input is neither a capture nor a profile (text-readers.ts). */
async function loadTextReaders(): Promise<TextReaders> {
  return textReaders ??= await import('./text-readers.js');
}


export interface ReadResult {
  flows: FlowSet;
  distribution: GapDistribution;
  inputs: InputSummary[];
  tracker: TrackerStats;
  warnings: string[];
  /** Single conntrack snapshots (ages, not gaps): for the dump analysis of plan. */
  dumps: ConntrackInput[];
  /** sysctl values given as inputs (net.netfilter.nf_conntrack_*), by name. */
  sysctl: Record<string, number> | null;
  /** Firewall logs read (issue 13): what the model needs to say where its figures are lower bounds. */
  firewallLogs?: FirewallLogRead[];
}

export interface ReadOptions extends Partial<TrackerOptions> {
  /** Flow exports: a column map for generic CSV/TSV, strict lines, the exporter's inactive timeout. */
  map?: Record<string, string>;
  strict?: boolean;
  exportInactiveTimeoutSeconds?: number;
  /** conntrack: the time of a snapshot without a timestamp line (epoch seconds). */
  at?: number;
  /** conntrack series and events: the timeouts the table ran under (seconds by state name). */
  conntrackTimeouts?: Record<string, number>;
  maxDecompressedBytes?: number;
  /** Firewall logs: the year of dates without one, the zone of times without one, the timeout in force T. */
  year?: number;
  tz?: string;
  logTimeout?: (vendor: FwVendor) => LogTimeout;
  /** Worker threads for one large capture file (parallel-capture.ts): undefined = auto, 1 = never. */
  threads?: number;
  /** Files smaller than this are read on one thread (default 32 MiB). */
  parallelMinBytes?: number;
  /** Called with (input index, bytes read of that input, its size or null, packets so far). */
  onProgress?: (input: number, bytes: number, sizeBytes: number | null, packets: number) => void;
}

const FORMATS_READ = 'a pcap or pcapng capture (optionally gzip), a fwtp profile, a conntrack dump (-L, -o extended, -o xml, /proc/net/nf_conntrack, -E events, a series, sysctl), or a flow export (Zeek conn.log, nfdump/Argus/CICFlowMeter CSV, AWS VPC flow logs, any CSV with --map), or a firewall log (Cisco ASA/FTD, PAN-OS, FortiGate, Juniper SRX, Check Point, Linux LOG, pf filterlog)';

function emptySummary(path: string, format: string, gzip: boolean): InputSummary {
  return {
    path, format, gzip, linkTypes: {}, packets: 0, ipPackets: 0, nonIpPackets: 0, undecodedLinkTypes: {}, malformedPackets: 0,
    truncated: false, warnings: [],
  };
}

/** One large capture file on several threads, when that gives the same result (else null). */
async function readParallel(paths: string[], opts: ReadOptions): Promise<ParallelCaptureRead | null> {
  const popts = {
    threads: opts.threads, parallelMinBytes: opts.parallelMinBytes, tracker: opts, maxDecompressedBytes: opts.maxDecompressedBytes,
    ...(opts.onProgress !== undefined ? { onProgress: (bytes: number, size: number, packets: number) => opts.onProgress!(0, bytes, size, packets) } : {}),
  };
  const readers = parallelReaders(paths, { ...popts, shard: opts.shard });
  return readers < 2 ? null : readCaptureParallel(paths[0]!, readers, popts);
}

export async function readInputs(paths: string[], opts: ReadOptions = {}): Promise<ReadResult> {
  const parallel = await readParallel(paths, opts);
  const tracker = new FlowTracker(opts);
  const gapFloorUs = opts.gapFloorUs ?? 1e6;
  const inputs: InputSummary[] = [];
  const parts: Array<{ flows: FlowSet; distribution: GapDistribution }> = [];
  const conntrack: ConntrackInput[] = [];
  const conntrackSummaries = new Map<ConntrackInput, InputSummary>();
  const warnings: string[] = [];
  let sysctl: Record<string, number> | null = null;
  let captures = 0;
  const extraStats: TrackerStats[] = [];
  const firewallLogs: FirewallLogRead[] = [];
  // Firewall logs become flows after all are read (their drops may belong to another log's sessions); where they go in inputs and parts.
  const joinedLogs: Array<{ log: JoinedFirewallLog; inputAt: number; partAt: number }> = [];
  if (parallel !== null) {
    inputs.push(parallel.summary);
    captures++;
  }
  for (let i = parallel !== null ? paths.length : 0; i < paths.length; i++) {
    const input = await openInput(paths[i]!, opts.maxDecompressedBytes);
    const { head, chunks } = await peek(input);
    const format = captureFormat(head);
    if (format !== null) {
      const progress: Progress | undefined = opts.onProgress === undefined ? undefined
        : (bytes, packets) => opts.onProgress!(i, bytes, input.sizeBytes, packets);
      inputs.push(await readCapture(input, chunks, format, tracker, progress));
      captures++;
      continue;
    }
    if (isProfile(head)) {
      const profile = await readProfile(input.name, chunks);
      parts.push({ flows: profile.flows, distribution: profile.distribution });
      inputs.push(...profile.inputs);
      extraStats.push(profile.tracker);
      warnings.push(...profile.warnings);
      continue;
    }
    const text = head.toString('utf8', 0, Math.min(head.length, PEEK_BYTES));
    const { readConntrack, sniffConntrack, readFlowExport, sniffFlowExport, readFirewallLogInput, sniffFirewallLogInput } = await loadTextReaders();
    const ct = sniffConntrack(text);
    if (ct !== null) {
      const c = await readConntrack(input.name, chunks, { strict: opts.strict, at: opts.at });
      const summary = emptySummary(input.name, c.format, input.gzip);
      summary.records = c.linesRead;
      summary.skipped = c.skippedCount;
      summary.warnings.push(...c.warnings);
      for (const sk of c.skipped.slice(0, 20)) summary.warnings.push(`line ${sk.line}: ${sk.reason} (skipped)`);
      inputs.push(summary);
      if (c.sysctlRaw !== undefined) sysctl = { ...(sysctl ?? {}), ...c.sysctlRaw };
      conntrack.push(c);
      conntrackSummaries.set(c, summary);
      continue;
    }
    if (sniffFlowExport(text) !== null || opts.map !== undefined) {
      const e = await readFlowExport(input.name, chunks, {
        map: opts.map, strict: opts.strict, gapFloorUs, exportInactiveTimeoutSeconds: opts.exportInactiveTimeoutSeconds,
        ...(opts.map !== undefined && sniffFlowExport(text) === null ? { format: 'csv' } : {}),
      });
      const summary = emptySummary(input.name, e.format, input.gzip);
      summary.records = e.records;
      summary.skipped = e.skipped.length;
      summary.warnings.push(...e.warnings);
      for (const sk of e.skipped.slice(0, 20)) summary.warnings.push(`line ${sk.line}: ${sk.reason} (skipped)`);
      inputs.push(summary);
      parts.push({ flows: e.flows, distribution: e.distribution });
      continue;
    }
    const vendor = sniffFirewallLogInput(text);
    if (vendor !== null) {
      const log = await readFirewallLogInput(paths[i]!, input, chunks, vendor, {
        year: opts.year, tz: opts.tz, strict: opts.strict, gapFloorUs, timeout: opts.logTimeout,
      });
      joinedLogs.push({ log, inputAt: inputs.length, partAt: parts.length });
      continue;
    }
    throw inputError('INPUT_UNKNOWN_FORMAT', `not a format fwtp reads (expected ${FORMATS_READ})`, { file: input.name, byteOffset: 0 });
  }
  const dumps: ConntrackInput[] = [];
  if (conntrack.length + joinedLogs.length > 0) {
    const { conntrackFlows, eventLogFlows, joinEventsAsSessions, joinLogsAcross, logFlows } = await loadTextReaders();
    // conntrack -E events beside a Linux drop log are its session-end log (issue 13, item 1): their
    // entries become sessions of the join, and then flows through the join only, not also through
    // conntrackFlows (one source per session, so plan counts each once). The join's flows are the
    // ones that carry the gap a later drop reveals (which the event flows cannot see) and the
    // sessions the model's lower-bound marks count (firewallLogs).
    const eventLogs = conntrack.flatMap((c) => { const e = joinEventsAsSessions(c, joinedLogs.map((x) => x.log)); return e === null ? [] : [{ c, e }]; });
    joinLogsAcross([...joinedLogs.map((x) => x.log), ...eventLogs.map((x) => x.e)]);
    const joinedEvents = new Set(eventLogs.map((x) => x.c));
    for (const { c, e } of eventLogs) {
      const l = eventLogFlows(e);
      conntrackSummaries.get(c)?.warnings.push(...l.warnings);
      parts.push({ flows: l.flows, distribution: l.distribution });
      firewallLogs.push(l.read);
    }
    // Inserted in order: the k logs placed before this one have shifted its place by k.
    joinedLogs.forEach(({ log, inputAt, partAt }, k) => {
      const l = logFlows(log);
      inputs.splice(inputAt + k, 0, l.summary);
      parts.splice(partAt + k, 0, { flows: l.flows, distribution: l.distribution });
      firewallLogs.push(l.read);
    });
    // conntrack: series (several timed snapshots) and event streams become flows; single snapshots stay dumps.
    const flowing = conntrack.filter((c) => c.format !== 'sysctl' && !joinedEvents.has(c) && (c.events !== undefined || c.snapshots.length > 1));
    const snapshotsOnly = conntrack.filter((c) => c.format !== 'sysctl' && c.events === undefined && c.snapshots.length === 1);
    if (flowing.length > 0 || snapshotsOnly.length > 1) {
      const series = [...flowing, ...(snapshotsOnly.length > 1 ? snapshotsOnly : [])];
      const timeouts = { ...(opts.conntrackTimeouts ?? {}) };
      const cf = conntrackFlows(sysctl !== null ? [...series, ...conntrack.filter((c) => c.format === 'sysctl')] : series, timeouts, { gapFloorSeconds: gapFloorUs / 1e6 });
      parts.push({ flows: cf.flows, distribution: cf.distribution });
      warnings.push(...cf.warnings);
      if (snapshotsOnly.length === 1) dumps.push(snapshotsOnly[0]!);
    } else if (snapshotsOnly.length === 1) {
      dumps.push(snapshotsOnly[0]!);
    }
  }

  const stats = parallel?.stats ?? tracker.stats;
  const trackerFlows = parallel?.flows ?? tracker.finish();
  const trackerDist = parallel?.distribution ?? tracker.gapsAll.result();
  for (const extra of extraStats) addTrackerStats(stats, extra);
  let flows: FlowSet;
  let distribution: GapDistribution;
  if (parts.length === 0) {
    flows = isCanonicalFlowSet(trackerFlows) ? trackerFlows : canonicalFlowSet(trackerFlows);
    distribution = trackerDist;
  } else {
    const all = captures > 0 ? [{ flows: trackerFlows, distribution: trackerDist }, ...parts] : parts;
    flows = mergeCanonicalFlowSets(all.map((x) => x.flows));
    distribution = mergeGapDistributions(all.map((x) => x.distribution));
  }
  if (stats.evictedForSpace > 0) {
    warnings.push(`${stats.evictedForSpace} flows were evicted to stay within --max-flows (least recently active first); their later packets started new flows`);
  }
  if (stats.evictedIdle > 0) {
    warnings.push(`${stats.evictedIdle} flows were evicted after idling longer than --flow-idle-limit; a later packet on the same addresses and ports started a new flow`);
  }
  if (stats.timeReversals > 0) {
    warnings.push(`${stats.timeReversals} packets carry a timestamp earlier than the previous packet of their flow (taken as a gap of 0)`);
  }
  if (stats.fragmentsOrphaned > 0) {
    warnings.push(`${stats.fragmentsOrphaned} IP fragments arrived without their first fragment: counted, not in any flow`);
  }
  return { flows, distribution, inputs, tracker: stats, warnings, dumps, sysctl, ...(firewallLogs.length > 0 ? { firewallLogs } : {}) };
}
