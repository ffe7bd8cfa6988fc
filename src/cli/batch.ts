/**
 * `fwtp batch`: plan many datasets at once. Finds the inputs under directories and globs and
 * groups them into datasets (batch-inputs.ts), plans them in parallel on worker threads
 * (batch-worker.ts on util/worker-pool.ts), skips those whose outputs are up to date, and writes
 * each plan (JSON, Markdown) and the summary across all of them (report/batch-summary.ts: CSV,
 * JSON), atomically. A bad dataset is reported and skipped; the exit code says whether any
 * failed. Wiring only.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv, CommandModule } from 'yargs';
import { modelOptions, resolveModel, type ModelArgs } from './model-options.js';
import { inputKindsHelp, readOptionsFromArgs } from './shared.js';
import type { DatasetJob, DatasetOutcome } from './batch-worker.js';
import { datasets, findFiles, leftOutReason, type Dataset, type LeftOut } from './batch-inputs.js';
import type { ReadOptions } from '../read/inputs.js';
import type { PlanResult } from '../model/types.js';
import { batchSummary, rowFromPlan, summaryCsv, type DatasetEntry, type DatasetRow, type Summary } from '../report/batch-summary.js';
import { writeFileAtomic } from '../util/atomic.js';
import { usageError } from '../util/errors.js';
import { WorkerPool } from '../util/worker-pool.js';
import { naturalCompare } from '../util/natural-compare.js';

// ---- running ----

/** The compiled worker next to this module; from src/ (tests) the one in dist/. */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const sibling = join(dirname(here), 'batch-worker.js');
  if (existsSync(sibling)) return sibling;
  const fromDist = sibling.replace(`${sep}src${sep}cli${sep}`, `${sep}dist${sep}cli${sep}`);
  if (existsSync(fromDist)) return fromDist;
  throw new Error(`the batch worker ${sibling} is missing: build fwtp first (npm run build)`);
}

interface Progress {
  done: number;
  failed: number;
  total: number;
}

function makeProgress(total: number, quiet: boolean): { update: (p: Progress) => void; finish: () => void } {
  const tty = process.stderr.isTTY === true && !quiet;
  const started = Date.now();
  let drawn = false;
  let last = 0;
  return {
    update(p) {
      if (!tty) return;
      const now = Date.now();
      if (now - last < 200 && p.done < p.total) return;
      last = now;
      const secs = (now - started) / 1000;
      const rate = secs > 0 ? p.done / secs : 0;
      const left = rate > 0 ? `, ${Math.ceil((p.total - p.done) / rate)} s left` : '';
      process.stderr.write(`\r\x1b[Kbatch: ${p.done}/${total} datasets done, ${p.failed} failed, ${rate.toFixed(2)}/s${left}`);
      drawn = true;
    },
    finish() {
      if (drawn) process.stderr.write('\r\x1b[K');
    },
  };
}

/** The pool of batch-worker.ts threads. */
type BatchPool = WorkerPool<DatasetJob, DatasetOutcome>;

// ---- the last run ----

function readJson<T>(path: string): T | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return null;
  }
}

/** The outputs are newer than every input (and were made from the same inputs and settings). */
function upToDate(d: Dataset, previous: DatasetEntry | undefined): PlanResult | null {
  if (previous === undefined || previous.status === 'failed' || JSON.stringify(previous.inputs) !== JSON.stringify(d.files)) return null;
  if (!existsSync(d.jsonPath) || !existsSync(d.mdPath)) return null;
  const outTime = Math.min(statSync(d.jsonPath).mtimeMs, statSync(d.mdPath).mtimeMs);
  for (const f of d.files) if (statSync(f).mtimeMs >= outTime) return null;
  return readJson<PlanResult>(d.jsonPath);
}

// ---- the command ----

interface BatchArgs extends ModelArgs {
  sources: string[];
  out: string;
  jobs?: number;
  'dataset-per-dir': boolean;
  force: boolean;
  quiet: boolean;
  format: 'text' | 'json';
  'gap-floor': string;
  'flow-idle-limit': string;
  'max-flows': number;
  'max-decompressed': number;
  map?: string;
  strict: boolean;
  'export-inactive-timeout'?: string;
  at?: string;
}

export const batchCommand: CommandModule<object, BatchArgs> = {
  command: 'batch <sources..>',
  describe: 'Plan many datasets (each file, or each directory) in parallel; per-dataset plans and a summary across them',
  builder: (y: Argv) =>
    modelOptions(inputKindsHelp(y)
      .positional('sources', { describe: 'directories (searched recursively), globs (quoted: "caps/**/*.pcap") or files, of the kinds under "Inputs" below', type: 'string', array: true, demandOption: true })
      .option('out', { type: 'string', demandOption: true, describe: 'directory for the plans and summary.csv / summary.json' })
      .option('jobs', { alias: 'j', type: 'number', describe: `datasets planned at once, on worker threads (default: one per core, ${availableParallelism()} here)` })
      .option('dataset-per-dir', { type: 'boolean', default: false, describe: 'one dataset per directory (its files read as one, in name order) instead of one per file' })
      .option('force', { type: 'boolean', default: false, describe: 'plan again even when the outputs are newer than the inputs' })
      .option('format', { alias: 'f', choices: ['text', 'json'] as const, default: 'text' as const, describe: 'what to print at the end: a line per failure and a total, or summary.json' })
      .option('gap-floor', { describe: 'store per flow the gaps at least this long', type: 'string', default: '1s' })
      .option('flow-idle-limit', { describe: 'end a flow idle this long (0 = never)', type: 'string', default: '0' })
      .option('max-flows', { describe: 'most flows held open at once per dataset', type: 'number', default: 4_000_000 })
      .option('max-decompressed', { describe: 'stop reading a gzip input that inflates beyond this many bytes', type: 'number', default: 64 * 1024 ** 3 })
      .option('map', { describe: 'flow exports: column map for any CSV/TSV, e.g. start=ts,end=te,src=sa,dst=da,sport=sp,dport=dp,proto=pr', type: 'string' })
      .option('strict', { describe: 'text inputs: a line that cannot be read fails the dataset (default: skipped, counted, reported)', type: 'boolean', default: false })
      .option('export-inactive-timeout', { describe: "flow exports: the exporter's inactive timeout (default: detected)", type: 'string' })
      .option('at', { describe: 'conntrack: the time of a dump without a timestamp line (ISO 8601 or epoch seconds)', type: 'string' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress on stderr' }))
      .example('$0 batch captures/ --out plans/ --timeouts 3600,9000', 'a plan per capture under captures/, and plans/summary.csv')
      .example('$0 batch "sites/*/" --dataset-per-dir --out plans/ --jobs 4', 'one dataset per site directory, four at a time')
      .example('$0 batch captures/ --out plans/ --force', 'plan every dataset again, even those whose plans are newer than their captures') as unknown as Argv<BatchArgs>,
  handler: async (args) => {
    const { timeouts } = resolveModel(args); // usage errors before any work
    const read: ReadOptions = readOptionsFromArgs(args);
    const jobsArg = args.jobs ?? availableParallelism();
    if (!Number.isInteger(jobsArg) || jobsArg < 1) throw usageError('CLI_INVALID_JOBS', `--jobs must be a whole number of at least 1 (got ${args.jobs})`);
    const outDir = String(args.out);
    mkdirSync(outDir, { recursive: true });
    const model: ModelArgs = {
      timeouts: args.timeouts, steps: args.steps, platform: args.platform, 'platform-file': args['platform-file'], 'state-timeout': args['state-timeout'],
      'bytes-per-entry': args['bytes-per-entry'], 'table-max': args['table-max'], pickup: args.pickup, protocol: args.protocol,
      keepalive: args.keepalive, 'service-timeout': args['service-timeout'],
    };
    const settings = { ...JSON.parse(JSON.stringify(model)), resolvedTimeouts: timeouts, read, datasetPerDir: args['dataset-per-dir'] };
    // Started before the inputs are looked for, so that the workers' modules load meanwhile.
    const pool: BatchPool = new WorkerPool(workerFile(), jobsArg, { fwtpBatch: true });
    try {
      await batch(args, outDir, read, model, settings, pool);
    } finally {
      await pool.close();
    }
  },
};

/** Find the datasets, plan what is not up to date on the pool, write the summaries. */
async function batch(args: BatchArgs, outDir: string, read: ReadOptions, model: ModelArgs, settings: Record<string, unknown>, pool: BatchPool): Promise<void> {
  // Find and recognise the inputs.
  const leftOut: LeftOut[] = [];
  const candidates = findFiles((args.sources ?? []).map(String), outDir, leftOut);
  const scratch = mkdtempSync(join(tmpdir(), 'fwtp-batch-'));
  const inputs: typeof candidates = [];
  try {
    for (const f of candidates) {
      const reason = await leftOutReason(f, scratch);
      if (reason === null) inputs.push(f);
      else leftOut.push({ path: f.path, reason });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const sets = datasets(inputs, args['dataset-per-dir'], outDir);
  if (sets.length === 0) {
    const why = leftOut.length > 0 ? ` (${leftOut.length} file(s) left out, the first: ${leftOut[0]!.path}: ${leftOut[0]!.reason})` : '';
    throw usageError('BATCH_NO_INPUTS', `no capture, profile or other input fwtp reads under ${args.sources.join(' ')}${why}`);
  }
  leftOut.sort((a, b) => naturalCompare(a.path, b.path));

  // What the last run left, to skip what is up to date.
  const summaryJson = join(outDir, 'summary.json');
  const previous = readJson<Summary>(summaryJson);
  const sameSettings = previous !== null && JSON.stringify(previous.settings) === JSON.stringify(settings);
  const before = new Map<string, DatasetEntry>();
  if (sameSettings && Array.isArray(previous.datasets)) for (const d of previous.datasets) before.set(d.name, d);

  const entries: DatasetEntry[] = sets.map((d) => ({
    name: d.name, inputs: d.files, status: 'failed', error: null, outputs: null, flows: null, window: null, platform: null, candidates: [], warnings: [],
  }));
  const fill = (e: DatasetEntry, d: Dataset, row: DatasetRow, status: DatasetEntry['status']): void => {
    Object.assign(e, { status, error: null, outputs: { json: d.jsonPath, md: d.mdPath }, flows: row.flows, window: row.window, platform: row.platform, candidates: row.candidates, warnings: row.warnings });
  };
  const jobs: DatasetJob[] = [];
  const sizes: number[] = [];
  sets.forEach((d, id) => {
    const plan = args.force ? null : upToDate(d, before.get(d.name));
    if (plan !== null) {
      fill(entries[id]!, d, { ...rowFromPlan(plan), warnings: before.get(d.name)?.warnings ?? [] }, 'up-to-date');
      return;
    }
    jobs.push({ id, name: d.name, files: d.files, jsonPath: d.jsonPath, mdPath: d.mdPath, read, model });
    sizes.push(d.sizeBytes);
  });

  const progress = makeProgress(jobs.length, args.quiet);
  const state: Progress = { done: 0, failed: 0, total: jobs.length };
  progress.update(state);
  const onOutcome = (o: DatasetOutcome): void => {
    const e = entries[o.id]!;
    state.done++;
    if (o.row !== undefined) fill(e, sets[o.id]!, o.row, 'planned');
    else {
      state.failed++;
      const err = o.error ?? { code: 'INTERNAL', line: 'internal error', internal: true, namesFile: false };
      e.status = 'failed';
      e.error = { code: err.code, message: err.line };
      progress.finish();
      process.stderr.write(`fwtp: ${err.namesFile ? '' : `${e.name}: `}${err.line}\n`);
    }
    progress.update(state);
  };
  await pool.run(jobs, sizes, onOutcome, (job, reason) => onOutcome({ id: job.id, error: {
    code: 'INTERNAL', line: `internal error: the worker stopped: ${reason} (a bug in fwtp, or out of memory)`, internal: true, namesFile: false } }));
  progress.finish();

  const summary = batchSummary(settings, entries, leftOut);
  const failed = summary.totals.failed;
  const json = JSON.stringify(summary, null, 2) + '\n';
  writeFileAtomic(join(outDir, 'summary.csv'), summaryCsv(summary));
  writeFileAtomic(summaryJson, json);
  if (args.format === 'json') process.stdout.write(json);
  else if (!args.quiet) {
    const t = summary.totals;
    process.stdout.write(`${t.datasets} dataset(s): ${t.planned} planned, ${t.upToDate} up to date, ${t.failed} failed; summary in ${join(outDir, 'summary.csv')} and summary.json\n`);
    if (summary.leftOut.length > 0) process.stdout.write(`${summary.leftOut.length} file(s) left out, not inputs (listed with the reason in summary.json, leftOut)\n`);
  }
  if (failed > 0) {
    process.stderr.write(`fwtp: ${failed} of ${entries.length} dataset(s) failed (listed above and in ${summaryJson})\n`);
    process.exitCode = 1;
  }
}
