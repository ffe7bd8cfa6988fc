/**
 * `fwtp extract`: read inputs (optionally one shard of their flows) into a profile file that
 * `fwtp merge` combines and every input-taking command reads (docs/PROFILE.md, docs/SCALING.md).
 * Wiring only.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';
import type { Argv, CommandModule } from 'yargs';
import { inputOptions, inputPaths, makeProgress, printWarnings, readOptionsFromArgs, type InputArgs } from './shared.js';
import { readInputs, type ReadResult } from '../read/inputs.js';
import { encodeProfile, isProfile, makeProfile, type Profile } from '../profile/profile.js';
import { formatBytes } from '../util/bytes.js';
import { assertNotAnInput, writeFileAtomic } from '../util/atomic.js';
import { usageError } from '../util/errors.js';
import { STDIN_PATH } from '../ingest/source.js';

/** Whether a file (gzip or not) starts with the profile magic; false when it cannot be read. */
function isProfileFile(path: string): boolean {
  const head = Buffer.alloc(4096);
  let n = 0;
  try {
    const fd = openSync(path, 'r');
    try { n = readSync(fd, head, 0, head.length, 0); } finally { closeSync(fd); }
  } catch {
    return false;
  }
  let content = head.subarray(0, n);
  if (n >= 2 && content[0] === 0x1f && content[1] === 0x8b) {
    try { content = gunzipSync(content, { finishFlush: constants.Z_SYNC_FLUSH }); } catch { return false; }
  }
  return isProfile(content);
}


/**
 * `I/N`: shard I of N. I is taken modulo N, so 0-based numbering (a Kubernetes Indexed Job's
 * JOB_COMPLETION_INDEX, 0..N-1) and 1-based numbering (GNU parallel's job number {#}, 1..N)
 * both name every shard exactly once.
 */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index > count) {
    throw usageError('CLI_INVALID_SHARD', `--shard takes I/N with 1 <= N and 0 <= I <= N (0..N-1, or 1..N as GNU parallel numbers jobs); got "${text}"`);
  }
  return { index: index % count, count };
}

/** Writes a profile to FILE atomically, or to standard output when it is not a terminal. */
export function writeProfile(bytes: Buffer, output: string | undefined): void {
  if (output !== undefined && output !== '-') {
    writeFileAtomic(output, bytes);
    return;
  }
  if (process.stdout.isTTY === true) throw usageError('CLI_PROFILE_TO_TERMINAL', 'a profile is binary: give -o FILE.fwtp, or redirect standard output');
  process.stdout.write(bytes);
}

export interface ProfileSummary {
  output: string;
  bytes: number;
  flows: number;
  gaps: number;
  inputs: string[];
  shards: Array<{ count: number; indices: number[] } | null>;
  window: { start: string | null; end: string | null };
}

export function profileSummary(p: Profile, output: string | undefined, bytes: number): ProfileSummary {
  const iso = (us: number): string | null => (Number.isFinite(us) ? new Date(us / 1000).toISOString() : null);
  return {
    output: output === undefined || output === '-' ? '(stdout)' : output,
    bytes,
    flows: p.flows.count,
    gaps: p.flows.gapStartUs.length,
    inputs: p.inputs.map((i) => i.path),
    shards: p.groups.map((g) => g.shards),
    window: { start: iso(p.windowStartUs), end: iso(p.windowEndUs) },
  };
}

/** The summary: JSON or one line, on stdout when the profile went to a file, else on stderr. */
export function printSummary(s: ProfileSummary, format: 'text' | 'json', quiet: boolean, profileOnStdout: boolean): void {
  const text = format === 'json' ? JSON.stringify(s, null, 2) + '\n'
    : `wrote ${s.output}: ${s.flows} flows, ${s.gaps} stored gaps from ${s.inputs.length} input(s)` +
      `${s.shards.some((x) => x !== null) ? `, shards ${s.shards.map((x) => (x === null ? 'all' : `${x.indices.join(',')}/${x.count}`)).join(' ')}` : ''}, ${formatBytes(s.bytes)}\n`;
  if (profileOnStdout) {
    if (!quiet) process.stderr.write(text);
  } else if (format === 'json' || !quiet) process.stdout.write(text);
}

interface ExtractArgs extends InputArgs {
  shard?: string;
  format: 'text' | 'json';
}

export const extractCommand: CommandModule<object, ExtractArgs> = {
  command: 'extract <inputs..>',
  describe: 'Save what the model needs from the inputs (flows, gaps, window) as a profile for fwtp merge and the other commands',
  builder: (y: Argv) =>
    inputOptions(y)
      .option('shard', { type: 'string', describe: 'keep only the flows whose address pair and protocol hash to shard I of N (I/N; 0..N-1 or 1..N)' })
      .option('format', { alias: 'f', choices: ['text', 'json'] as const, default: 'text' as const, describe: 'the summary of what was written' })
      .example('$0 extract day1.pcap day2.pcap -o days.fwtp', 'one profile of two captures read as one')
      .example('$0 extract /data/*.pcap --shard 3/8 -o shard-3.fwtp', 'shard 3 of 8 of the flows of every capture (one machine of eight)')
      .example('$0 plan days.fwtp --timeouts 3600,9000', 'plan from the profile instead of the captures') as unknown as Argv<ExtractArgs>,
  handler: async (args) => {
    const paths = inputPaths(args);
    if (args.output !== undefined && args.output !== '-') assertNotAnInput(args.output, paths);
    const shard = args.shard !== undefined ? parseShard(String(args.shard)) : undefined;
    // A profile read again would lose which shards it holds (and --shard would not filter it).
    const alreadyProfile = paths.find((p) => p !== STDIN_PATH && isProfileFile(p));
    if (alreadyProfile !== undefined) throw usageError('CLI_EXTRACT_PROFILE', `${alreadyProfile} is a profile already: combine profiles with fwtp merge`);
    const opts = readOptionsFromArgs(args);
    const progress = makeProgress(paths, args.quiet);
    let result: ReadResult;
    try {
      result = await readInputs(paths, { ...opts, ...(shard !== undefined ? { shard } : {}), onProgress: progress.update });
    } finally {
      progress.done();
    }
    printWarnings(result, args.quiet);
    // The shard hash splits packets; flows from exports or conntrack would land in every shard.
    const notCapture = result.inputs.find((i) => i.format !== 'pcap' && i.format !== 'pcapng');
    if (shard !== undefined && notCapture !== undefined) {
      throw usageError('CLI_SHARD_NOT_CAPTURE', `--shard splits packet captures only; ${notCapture.path} is ${notCapture.format}: extract it without --shard`);
    }
    if (!args.quiet) {
      for (const d of result.dumps) process.stderr.write(`fwtp: warning: ${d.name} is a single conntrack snapshot (entry ages, not gaps): a profile keeps flows only, plan the dump itself\n`);
    }
    const profile = makeProfile(result, shard);
    const bytes = encodeProfile(profile);
    writeProfile(bytes, args.output);
    printSummary(profileSummary(profile, args.output, bytes.length), args.format, args.quiet, args.output === undefined || args.output === '-');
  },
};
