/**
 * What every command that reads inputs shares: the input options, progress on a TTY,
 * writing the output (stdout or -o FILE, atomically).
 */
import type { Argv } from 'yargs';
import { readInputs, type ReadOptions, type ReadResult } from '../read/inputs.js';
import { STDIN_PATH } from '../ingest/source.js';
import { parseDuration } from '../util/duration.js';
import { formatBytes } from '../util/bytes.js';
import { writeFileAtomic, assertNotAnInput } from '../util/atomic.js';
import { usageError } from '../util/errors.js';
import { sanitizeText } from '../util/text.js';
import { parseColumnMap } from '../ingest/flowexport/column-map.js';
import { logTimeoutFromArgs } from './log-timeout.js';

/** yargs drops a lone `-` from positionals (yargs#1312): it is swapped for this before parsing. */
export const STDIN_SENTINEL = '__fwtp_stdin__';

export interface InputArgs {
  inputs: string[];
  'gap-floor': string;
  'flow-idle-limit': string;
  'max-flows': number;
  'max-decompressed': number;
  threads?: string;
  quiet: boolean;
  output?: string;
  map?: string;
  strict: boolean;
  'export-inactive-timeout'?: string;
  at?: string;
  year?: number;
  tz?: string;
}

/**
 * Every kind of input the commands read (recognised by content, src/read/inputs.ts), for the
 * help of every command that takes inputs: one text, so that no command's help tells less.
 */
export const INPUT_KINDS_HELP = [
  'Inputs (recognised by content, not by name; several files are read as one):',
  '  captures       pcap and pcapng, either gzip-compressed (.gz); - reads standard input',
  '  conntrack      listings (conntrack -L, -o extended, -o xml, /proc/net/nf_conntrack), series of',
  '                 listings (timestamp lines between them), events (conntrack -E -o timestamp), and',
  '                 `sysctl net.netfilter` output: the timeouts in force, which a single listing needs',
  '  flow exports   Zeek conn.log, nfdump (CSV), Argus (CSV), CICFlowMeter (CSV), AWS VPC flow logs,',
  '                 and any CSV/TSV with --map',
  '  profiles       .fwtp files written by fwtp extract or fwtp merge',
  '  firewall logs  Cisco ASA/FTD, PAN-OS, FortiGate, Juniper SRX, Check Point,',
  '                 Linux kernel LOG/ulogd2, pf filterlog',
].join('\n');

/** The inputs positional's text (see INPUT_KINDS_HELP for the kinds). */
export const INPUTS_DESCRIBE = 'files of any kind listed under "Inputs" below (captures, conntrack, flow exports, profiles, firewall logs), or - for standard input';

/** The list of input kinds below a command's options. */
export function inputKindsHelp<T>(y: Argv<T>): Argv<T> {
  return y.epilogue(INPUT_KINDS_HELP);
}

export function inputOptions<T>(y: Argv<T>): Argv<T & InputArgs> {
  return inputKindsHelp(y)
    .positional('inputs', { describe: INPUTS_DESCRIBE, type: 'string', array: true, demandOption: true })
    .option('gap-floor', { describe: 'store per flow the gaps at least this long (the shortest timeout the model can judge)', type: 'string', default: '1s' })
    .option('flow-idle-limit', { describe: 'end a flow idle this long (0 = never); a later packet starts a new flow', type: 'string', default: '0' })
    .option('max-flows', { describe: 'most flows held open at once; beyond it the least recently active is ended', type: 'number', default: 4_000_000 })
    .option('max-decompressed', { describe: 'stop reading a gzip input that inflates beyond this many bytes', type: 'number', default: 64 * 1024 ** 3 })
    .option('threads', { describe: 'threads that read one large capture file (auto = 1: two readers measured slower on 2 cores, docs/LIMITS.md); the same output either way', type: 'string', default: 'auto' })
    .option('map', { describe: 'flow exports: column map for any CSV/TSV, e.g. start=ts,end=te,src=sa,dst=da,sport=sp,dport=dp,proto=pr', type: 'string' })
    .option('strict', { describe: 'text inputs: a line that cannot be read stops the run (default: skipped, counted, reported)', type: 'boolean', default: false })
    .option('export-inactive-timeout', { describe: "flow exports: the exporter's inactive timeout (default: detected); shorter gaps are invisible", type: 'string' })
    .option('at', { describe: 'conntrack: the time of a dump without a timestamp line (ISO 8601 or epoch seconds)', type: 'string' })
    .option('year', { describe: 'firewall logs: the year of dates written without one (default: the year of the file\'s modification time, said)', type: 'number' })
    .option('tz', { describe: 'firewall logs: the time zone of times written without one (UTC, +02:00, -0500; default UTC, said)', type: 'string' })
    .option('quiet', { alias: 'q', describe: 'no progress or warnings on stderr', type: 'boolean', default: false })
    .option('output', { alias: 'o', describe: 'write to FILE (atomically) instead of standard output', type: 'string' }) as unknown as Argv<T & InputArgs>;
}

/** --current, the same for every command: the idle timeout in force today. */
export const CURRENT_OPTION = {
  type: 'string',
  describe: "the idle timeout in force today (3600, 1h): T of firewall-log inputs, the timeout a conntrack listing's ages count from, the base of the memory change; default: the platform profile's (a listing needs it, or a sysctl input)",
} as const;

/** Adds --current (CURRENT_OPTION). */
export function currentOption<T>(y: Argv<T>): Argv<T & { current?: string }> {
  return y.option('current', CURRENT_OPTION) as unknown as Argv<T & { current?: string }>;
}

/** Seconds of --current, undefined when not given. Errors: CLI_INVALID_TIMEOUTS (usage). */
export function currentSecondsFromArgs(args: { current?: string }): number | undefined {
  if (args.current === undefined) return undefined;
  const seconds = parseDuration(String(args.current));
  if (!(seconds > 0)) throw usageError('CLI_INVALID_TIMEOUTS', `--current must be above zero (got "${args.current}")`);
  return seconds;
}

export function inputPaths(args: { inputs: string[] }): string[] {
  const paths = (args.inputs ?? []).map((p) => (p === STDIN_SENTINEL ? STDIN_PATH : String(p)));
  if (paths.length === 0) throw usageError('CLI_NO_INPUT', 'no input given (a capture path, or - for standard input)');
  if (paths.filter((p) => p === STDIN_PATH).length > 1) throw usageError('CLI_STDIN_TWICE', 'standard input (-) can be read only once');
  return paths;
}

/** Progress on stderr, only on a TTY, at most every 200 ms; cleared when done. */
export function makeProgress(paths: string[], quiet: boolean): { update: (i: number, bytes: number, size: number | null, packets: number) => void; done: () => void } {
  const tty = process.stderr.isTTY === true && !quiet;
  let lastDraw = 0;
  const started = Date.now();
  let drawn = false;
  return {
    update(i, bytes, size, packets) {
      if (!tty) return;
      const now = Date.now();
      if (now - lastDraw < 200) return;
      lastDraw = now;
      const secs = (now - started) / 1000;
      const rate = secs > 0 ? packets / secs : 0;
      let left = '';
      if (size !== null && bytes > 0 && bytes < size) left = `, ${Math.ceil(((size - bytes) / bytes) * secs)} s left`;
      const of = size !== null ? ` of ${formatBytes(size)}` : '';
      process.stderr.write(`\r\x1b[Kreading ${i + 1}/${paths.length}: ${formatBytes(bytes)}${of}, ${packets.toLocaleString('en-US')} packets, ${Math.round(rate).toLocaleString('en-US')} pkt/s${left}`);
      drawn = true;
    },
    done() {
      if (drawn) process.stderr.write('\r\x1b[K');
    },
  };
}

function parseAt(text: string): number {
  const n = Number(text);
  if (Number.isFinite(n)) return n;
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw usageError('CLI_INVALID_TIME', `--at "${text}" is not a time (ISO 8601, e.g. 2026-11-25T10:00:00Z, or epoch seconds)`);
  return ms / 1000;
}

/** The reader options of the input flags (also used by extract and batch). */
export function readOptionsFromArgs(args: Omit<InputArgs, 'inputs' | 'quiet' | 'output'>): ReadOptions {
  const gapFloorSeconds = parseDuration(String(args['gap-floor']));
  const idle = String(args['flow-idle-limit']);
  const idleSeconds = idle === '0' || idle === 'never' ? 0 : parseDuration(idle);
  const maxFlows = Number(args['max-flows']);
  if (!Number.isInteger(maxFlows) || maxFlows < 1) throw usageError('CLI_INVALID_MAX_FLOWS', `--max-flows must be a whole number of at least 1 (got ${args['max-flows']})`);
  return {
    gapFloorUs: gapFloorSeconds * 1e6,
    idleLimitUs: idleSeconds * 1e6,
    maxFlows,
    maxDecompressedBytes: Number(args['max-decompressed']),
    ...(args.map !== undefined ? { map: parseColumnMap(String(args.map)) } : {}),
    strict: args.strict === true,
    ...(args['export-inactive-timeout'] !== undefined ? { exportInactiveTimeoutSeconds: parseDuration(String(args['export-inactive-timeout'])) } : {}),
    ...(args.at !== undefined ? { at: parseAt(String(args.at)) } : {}),
    ...(args.year !== undefined ? { year: parseYear(args.year) } : {}),
    ...(args.tz !== undefined ? { tz: String(args.tz) } : {}),
    ...threadOptions(args.threads === undefined ? undefined : String(args.threads)),
  };
}

/**
 * --threads: undefined for auto. FWTP_PARALLEL_MIN_BYTES lowers the size from which a file is
 * read on several threads (tests make small files take that path).
 */
function threadOptions(threads: string | undefined): Pick<ReadOptions, 'threads' | 'parallelMinBytes'> {
  const minBytes = process.env.FWTP_PARALLEL_MIN_BYTES;
  const out: Pick<ReadOptions, 'threads' | 'parallelMinBytes'> = minBytes !== undefined && minBytes !== '' && Number.isInteger(Number(minBytes)) ? { parallelMinBytes: Number(minBytes) } : {};
  if (threads === undefined || threads === 'auto') return out;
  const n = Number(threads);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw usageError('CLI_INVALID_THREADS', `--threads must be auto or a whole number from 1 to 64 (got ${threads})`);
  return { ...out, threads: n };
}

function parseYear(y: unknown): number {
  const n = Number(y);
  if (!Number.isInteger(n) || n < 1970 || n > 9999) throw usageError('CLI_INVALID_YEAR', `--year must be a year such as 2026 (got ${String(y)})`);
  return n;
}

export async function readFromArgs(args: InputArgs, conntrackTimeouts?: Record<string, number>): Promise<{ paths: string[]; result: ReadResult }> {
  const paths = inputPaths(args);
  if (args.output !== undefined) assertNotAnInput(args.output, paths);
  const options = readOptionsFromArgs(args);
  const progress = makeProgress(paths, args.quiet);
  try {
    const result = await readInputs(paths, {
      ...options,
      logTimeout: logTimeoutFromArgs(args as InputArgs & { current?: unknown; platform?: unknown }, conntrackTimeouts),
      onProgress: progress.update,
      ...(conntrackTimeouts !== undefined ? { conntrackTimeouts } : {}),
    });
    return { paths, result };
  } finally {
    progress.done();
  }
}

/** Warnings on stderr (unless --quiet), one line each, prefixed with the input. */
export function printWarnings(result: ReadResult, quiet: boolean): void {
  if (quiet) return;
  // Paths and messages can carry input-derived text: never let it act on the terminal.
  for (const inp of result.inputs) for (const w of inp.warnings) process.stderr.write(`fwtp: warning: ${sanitizeText(inp.path)}: ${sanitizeText(w)}\n`);
  for (const w of result.warnings) process.stderr.write(`fwtp: warning: ${sanitizeText(w)}\n`);
}

/** Write the command's output to -o FILE atomically, or to stdout. */
export function emit(text: string, output: string | undefined): void {
  if (output !== undefined && output !== '-') writeFileAtomic(output, text);
  else process.stdout.write(text);
}
