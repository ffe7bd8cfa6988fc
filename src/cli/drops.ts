/**
 * `fwtp drops <logs...>`: every logged drop classified (expired state, policy denial, unknown),
 * grouped by service and direction, with the idle gaps that session ends and later drops reveal.
 * Wiring only: fwlog readers (ingest) -> joinSessions and classifyDrops (flows) -> report/drops.
 */
import { statSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { FirewallLogReader, sniffFirewallLog, FW_VENDORS, type FwLogOptions, type FwLogResult, type FwRecord, type FwVendor } from '../ingest/fwlog/index.js';
import { openInput, STDIN_PATH } from '../ingest/source.js';
import { joinSessions } from '../flows/fwlog-sessions.js';
import { linuxDropHost, sessionRecordsOfEvents } from '../flows/conntrack-sessions.js';
import { readConntrack, sniffConntrack, type ConntrackInput } from '../ingest/conntrack.js';
import { classifyDrops } from '../flows/drop-classes.js';
import { getPlatform, platformNames, type PlatformProfile } from '../model/platforms.js';
import { buildDropsDocument, comparePredicted, dropsCsv, dropsMarkdown, dropsTable, type DropsDocument, type DropsInput, type TimeoutInForce } from '../report/drops.js';
import { readInputs } from '../read/inputs.js';
import { planFromRead } from './model-options.js';
import { parseDuration } from '../util/duration.js';
import { inputError, usageError } from '../util/errors.js';
import { sanitizeText } from '../util/text.js';
import { assertNotAnInput } from '../util/atomic.js';
import { currentOption, emit, inputPaths } from './shared.js';

interface DropsArgs {
  inputs: string[];
  format: 'table' | 'json' | 'csv' | 'md';
  current?: string;
  platform?: string;
  year?: number;
  tz?: string;
  strict: boolean;
  quiet: boolean;
  output?: string;
  traffic?: string[];
}

/** The platform profile (src/model/platforms.ts) each log family's device runs. */
const VENDOR_PLATFORM: Record<FwVendor, string> = {
  'cisco-asa': 'cisco-asa', panos: 'panos', fortigate: 'fortigate', 'juniper-srx': 'juniper-srx',
  checkpoint: 'checkpoint', 'linux-log': 'linux', 'pf-filterlog': 'pf',
};

/** Bytes looked at to recognise a log (the readers' sniffers want their first 50 lines). */
const SNIFF_BYTES = 65536;

function notALog(file: string, why = ''): Error {
  return inputError('DROPS_NOT_A_FIREWALL_LOG', `not a firewall log fwtp reads (${FW_VENDORS.join(', ')})${why}; captures, conntrack and flow exports go to fwtp gaps / plan`, { file });
}

/**
 * Reads one firewall log through the streaming reader, or a `conntrack -E -o timestamp` event stream
 * (the session-end log of a Linux drop log: issue 13, item 1); anything else is an input error naming the file.
 */
async function readLog(path: string, options: FwLogOptions): Promise<FwLogResult | ConntrackInput> {
  const opened = await openInput(path);
  const decoder = new TextDecoder('utf-8');
  let reader: FirewallLogReader | null = null;
  let head = '';
  let fileTimeUs: number | undefined;
  if (path !== STDIN_PATH && options.year === undefined) {
    try { fileTimeUs = statSync(path).mtimeMs * 1000; } catch { /* openInput has checked it exists */ }
  }
  const start = (text: string): void => {
    const vendor = sniffFirewallLog(text.slice(0, SNIFF_BYTES));
    if (vendor === null) throw notALog(opened.name);
    reader = new FirewallLogReader(vendor, { ...options, ...(fileTimeUs !== undefined ? { fileTimeUs } : {}) }, opened.name);
    reader.push(text);
  };
  const it = opened.chunks[Symbol.asyncIterator]();
  const first = await it.next();
  const firstChunk = first.done ? Buffer.alloc(0) : first.value;
  async function* all(): AsyncGenerator<Buffer> {
    if (firstChunk.length > 0) yield firstChunk;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  if (sniffConntrack(firstChunk.toString('utf8', 0, Math.min(firstChunk.length, SNIFF_BYTES))) === 'conntrack-events') {
    return readConntrack(opened.name, all(), { strict: options.strict });
  }
  for await (const chunk of all()) {
    const text = decoder.decode(chunk, { stream: true });
    if (reader !== null) { (reader as FirewallLogReader).push(text); continue; }
    head += text;
    if (head.length >= SNIFF_BYTES) { start(head); head = ''; }
  }
  const rest = decoder.decode();
  if (reader === null) start(head + rest);
  else if (rest !== '') (reader as FirewallLogReader).push(rest);
  return (reader as unknown as FirewallLogReader).end();
}

/** T per protocol: --current for TCP, the rest from the platform profile (--platform, else the logs' device). */
function timeoutInForce(args: DropsArgs, vendors: FwVendor[]): TimeoutInForce {
  const distinct = [...new Set(vendors)];
  const inferred = distinct.length === 1 && distinct[0] !== undefined ? VENDOR_PLATFORM[distinct[0]] : 'linux';
  const name = args.platform ?? inferred;
  const profile: PlatformProfile = getPlatform(name);
  const why = args.platform !== undefined ? `--platform ${name}`
    : distinct.length === 1 ? `platform ${name}, the logs' device` : `platform ${name}: the logs come from ${distinct.length} device families`;
  let tcpSeconds = profile.stateTimeouts.established ?? 3600;
  let source = `${why}'s defaults`;
  if (args.current !== undefined) {
    tcpSeconds = parseDuration(String(args.current));
    if (!(tcpSeconds > 0)) throw usageError('CLI_INVALID_TIMEOUTS', `--current must be above zero (got "${args.current}")`);
    source = `tcp from --current; udp and icmp: ${why}'s defaults`;
  } else source += '; set T with --current';
  return { tcpSeconds, udpSeconds: profile.stateTimeouts.udp_replied ?? 120, icmpSeconds: profile.stateTimeouts.icmp ?? 30, source, platform: profile.name };
}

function secondsFor(t: TimeoutInForce): (protocol: string) => number {
  return (protocol) => (protocol === 'tcp' ? t.tcpSeconds : protocol === 'udp' ? t.udpSeconds : protocol.startsWith('icmp') || protocol === 'ipv6-icmp' ? t.icmpSeconds : t.tcpSeconds);
}

function inputSummary(r: FwLogResult): DropsInput {
  let drops = 0, ends = 0, starts = 0, yearInferred = false;
  for (const x of r.records) {
    if (x.type === 'drop') drops++; else if (x.type === 'session-end') ends++; else starts++;
    if (x.yearInferred) yearInferred = true;
  }
  return {
    path: r.file, vendor: r.vendor, lines: r.linesRead, drops, sessionEnds: ends, sessionStarts: starts,
    notNeededLines: r.notNeededLines, unreadableLines: r.unreadableCount, year: r.year, yearInferred, tz: r.tz,
  };
}

/** An event stream in the inputs list: its lines and the session records it gave. */
function eventsSummary(e: ConntrackInput, records: readonly FwRecord[]): DropsInput {
  let starts = 0, ends = 0;
  for (const r of records) if (r.type === 'session-start') starts++; else if (r.type === 'session-end') ends++;
  return {
    path: e.name, vendor: 'conntrack-events', lines: e.linesRead, drops: 0, sessionEnds: ends, sessionStarts: starts,
    notNeededLines: 0, unreadableLines: e.skippedCount, year: { value: new Date((e.events?.firstSeconds ?? 0) * 1000).getUTCFullYear(), source: 'epoch' }, yearInferred: false, tz: 'UTC',
  };
}

/** Reads --traffic inputs (readInputs) and runs the plan model at T: one candidate, the logs' platform. */
async function addPrediction(doc: DropsDocument, args: DropsArgs, timeout: TimeoutInForce, logPaths: string[]): Promise<void> {
  const traffic = inputPaths({ inputs: (args.traffic ?? []).map(String) });
  if (traffic.includes(STDIN_PATH) && logPaths.includes(STDIN_PATH)) throw usageError('CLI_STDIN_TWICE', 'standard input (-) can be read only once');
  if (args.output !== undefined) assertNotAnInput(args.output, traffic);
  const platform = getPlatform(timeout.platform);
  const result = await readInputs(traffic, { strict: args.strict, conntrackTimeouts: platform.stateTimeouts });
  for (const i of result.inputs) for (const w of i.warnings) doc.warnings.push(`${i.path}: ${w}`);
  const plan = planFromRead(result, { platform, keepalive: 'linux', keepaliveSource: 'profile', protocol: 'tcp', rules: [], affectedLimit: 10_000 }, [timeout.tcpSeconds]);
  doc.predicted = comparePredicted(doc, plan, traffic.map((p) => (p === STDIN_PATH ? '(stdin)' : p)));
}

export const dropsCommand: CommandModule<object, DropsArgs> = {
  command: 'drops <inputs..>',
  describe: 'Classify the drops in firewall logs: packets of sessions whose state expired, policy denials; the idle gaps they reveal',
  builder: (y: Argv) =>
    currentOption(y)
      .positional('inputs', { describe: 'firewall logs (Cisco ASA/FTD, PAN-OS, FortiGate, Juniper SRX, Check Point, Linux LOG/ulogd, pf filterlog; gzip too), with a Linux drop log its `conntrack -E` events as the session-end log, or - for standard input', type: 'string', array: true, demandOption: true })
      .option('format', { alias: 'f', choices: ['table', 'json', 'csv', 'md'] as const, default: 'table' as const, describe: 'output format' })
      .option('platform', { alias: 'p', type: 'string', describe: `platform profile for T and the margin: ${platformNames().join(', ')} (default: the logs' device, else linux)` })
      .option('year', { type: 'number', describe: 'year of dates logged without one (default: the year of the file\'s time, said)' })
      .option('tz', { type: 'string', describe: 'time zone of times logged without one: UTC, +02:00, -0500 (default UTC, said)' })
      .option('strict', { type: 'boolean', default: false, describe: 'a line that cannot be read stops the run (default: skipped, counted, reported)' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no warnings on stderr' })
      .option('output', { alias: 'o', type: 'string', describe: 'write to FILE (atomically) instead of standard output' })
      .option('traffic', { type: 'string', array: true, describe: 'a capture, conntrack series or flow export of the same period (repeatable): the drops the model predicts at T beside those logged' })
      .example('$0 drops samples/oracle-pool-asa-teardown.log samples/oracle-pool-asa-drops.log', 'the story: 106015 drops from 198.51.100.24:1521 after 302014 Conn-timeout teardowns')
      .example('$0 drops drops.logemu conntrack-events.txt --current 3600', 'a Linux firewall: ulogd2 drop log, conntrack -E -o timestamp events as its session ends')
      .example('$0 drops teardowns.log drops.log --current 1h --format json -o drops.json', 'two logs of one ASA, T = 3600 s, as JSON')
      .example('$0 drops asa.log --traffic db-side.pcap', 'the breaks fwtp predicts at T from a capture, and the logged drops none explains')
      .example('zcat fw.log.gz | $0 drops - --year 2026 --tz +01:00 --format md', 'a yearless syslog in local time, from standard input') as unknown as Argv<DropsArgs>,
  handler: async (args) => {
    const paths = inputPaths(args);
    if (args.output !== undefined) assertNotAnInput(args.output, paths);
    if (args.year !== undefined && !(Number.isInteger(args.year) && args.year >= 1970 && args.year <= 9999)) {
      throw usageError('CLI_INVALID_YEAR', `--year must be a year such as 2026 (got ${args.year})`);
    }
    const options: FwLogOptions = { strict: args.strict, ...(args.year !== undefined ? { year: args.year } : {}), ...(args.tz !== undefined ? { tz: String(args.tz) } : {}) };
    const read: Array<FwLogResult | ConntrackInput> = [];
    for (const p of paths) read.push(await readLog(p, options));
    const results = read.filter((r): r is FwLogResult => 'vendor' in r);
    const events = read.filter((r): r is ConntrackInput => !('vendor' in r));
    // Events are a session-end log of Linux drop logs only: alone or beside other vendors' logs they explain no drop.
    if (events.length > 0 && !results.some((r) => r.vendor === 'linux-log')) {
      throw notALog(events[0]!.name, ': a conntrack -E event stream is read only as the session-end log of a Linux drop log (kernel LOG, nft log, ulogd2 LOGEMU) given beside it');
    }
    const timeout = timeoutInForce(args, [...results.map((r) => r.vendor), ...events.map(() => 'linux-log' as const)]);
    let records: FwRecord[] = results.flatMap((r) => r.records);
    const { host, hosts } = linuxDropHost(records);
    const eventRecords = events.map((e) => sessionRecordsOfEvents(e, host));
    for (const r of eventRecords) records.push(...r);
    // Several logs (a teardown log and a drop log): one time line, so that starts precede their ends.
    if (read.length > 1) records = records.map((r, i) => ({ r, i })).sort((a, b) => (a.r.timeUs ?? Infinity) - (b.r.timeUs ?? Infinity) || a.i - b.i).map((x) => x.r);
    const join = joinSessions(records, read.map((r) => ('vendor' in r ? r.file : r.name)).join(', '), { timeoutSeconds: secondsFor(timeout) });
    const warnings: string[] = [];
    for (const r of results) {
      for (const w of r.warnings) warnings.push(`${r.file}: ${w}`);
      if (r.unreadableCount > 0) warnings.push(`${r.file}: ${r.unreadableCount} unreadable lines (first at line ${r.unreadable[0]?.line ?? '?'})`);
      const undated = r.records.filter((x) => x.type === 'drop' && x.timeUs === null).length;
      if (undated > 0) warnings.push(`${r.file}: ${undated} drops without a wall-clock time (dmesg uptime): they match no session`);
    }
    for (const e of events) {
      for (const w of e.warnings) warnings.push(`${e.name}: ${w}`);
      if (e.events?.timestamps !== true) warnings.push(`${e.name}: the events carry no times (conntrack -E without -o timestamp): no session from them`);
    }
    if (events.length > 0 && hosts > 1) warnings.push(`the Linux drop logs name ${hosts} hosts: the conntrack events are tied to none of them, so no drop joins their sessions`);
    const doc = buildDropsDocument(classifyDrops(join), [...results.map(inputSummary), ...events.map((e, i) => eventsSummary(e, eventRecords[i] ?? []))], timeout, warnings);
    if (args.traffic !== undefined && args.traffic.length > 0) await addPrediction(doc, args, timeout, paths);
    if (!args.quiet) for (const w of doc.warnings) process.stderr.write(`fwtp: warning: ${sanitizeText(w)}\n`);
    const text = args.format === 'json' ? JSON.stringify(doc, null, 2) + '\n' : args.format === 'csv' ? dropsCsv(doc) : args.format === 'md' ? dropsMarkdown(doc) : dropsTable(doc);
    emit(text, args.output);
  },
};
