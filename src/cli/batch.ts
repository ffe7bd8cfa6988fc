/**
 * `fwtp batch`: plan many datasets at once. Finds the inputs under directories and globs
 * (recognised by content: anything readInputs refuses as INPUT_UNKNOWN_FORMAT is not an input),
 * makes one dataset per file or per directory, plans them in parallel on worker threads, and
 * writes each plan (JSON, Markdown) and a summary across all of them (CSV, JSON), atomically.
 * A bad dataset is reported and skipped; the exit code says whether any failed. Wiring only.
 */
import { closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { Argv, CommandModule } from 'yargs';
import { modelOptions, resolveModel, type ModelArgs } from './model-options.js';
import { readOptionsFromArgs } from './shared.js';
import { rowFromPlan, type DatasetJob, type DatasetOutcome, type DatasetRow } from './batch-worker.js';
import { readInputs, type ReadOptions } from '../ingest/inputs.js';
import type { PlanResult } from '../model/types.js';
import { csvLine } from '../report/csv.js';
import { writeFileAtomic } from '../util/atomic.js';
import { FwtpError, usageError } from '../util/errors.js';

// ---- finding inputs ----

/** Bytes of a file's head handed to readInputs to learn whether it is an input at all. */
const SNIFF_BYTES = 64 * 1024;

function hasGlob(s: string): boolean {
  return /[*?[{]/.test(s);
}

/** A glob (`*`, `?`, `**`, `[...]`, `{a,b}`) as a regular expression over `/`-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches any number of directories, `**` at the end anything.
        if (glob[i + 2] === '/') { re += '(?:[^/]+/)*'; i += 2; } else { re += '.*'; i += 1; }
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) { re += '\\['; continue; }
      let body = glob.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) { re += '\\{'; continue; }
      re += `(?:${glob.slice(i + 1, end).split(',').map((alt) => alt.replace(/[.+^$()|\\]/g, '\\$&')).join('|')})`;
      i = end;
    } else re += /[.+^$()|\\\]}]/.test(c) ? `\\${c}` : c;
  }
  return new RegExp(`^${re}$`);
}

interface Found {
  /** The path as it will be read and shown (relative paths stay relative). */
  path: string;
  /** Where dataset names start: the parent of the directory or glob base the file came from. */
  root: string;
  /** Named on the command line (not found by a walk or a glob): never sniffed, its errors are failures. */
  explicit: boolean;
}

/** Files under `dir` (recursively; hidden entries, symlinked directories and `skip` left out), sorted. */
function walk(dir: string, skip: string | null, out: string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort(naturalCompare);
  } catch (e) {
    throw new FwtpError('BATCH_UNREADABLE_DIR', 'input', `cannot list the directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: dir });
  }
  for (const name of entries) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    let st;
    try { st = lstatSync(p); } catch { continue; }
    if (st.isDirectory()) {
      if (skip !== null && safeRealpath(p) === skip) continue;
      walk(p, skip, out);
    } else if (st.isFile() || (st.isSymbolicLink() && existsSync(p) && statSync(p).isFile())) out.push(p);
  }
}

function safeRealpath(p: string): string {
  try { return realpathSync(p); } catch { return resolve(p); }
}

/** Numbers inside names compare as numbers (capture.2 before capture.10, as rotated files are named). */
function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true }) || (a < b ? -1 : a > b ? 1 : 0);
}

function expandGlob(pattern: string, skip: string | null): { found: Found[]; dirs: string[]; root: string } {
  const parts = pattern.split('/');
  let k = 0;
  while (k < parts.length - 1 && !hasGlob(parts[k])) k++;
  const base = parts.slice(0, k).join('/') || (pattern.startsWith('/') ? '/' : '.');
  const re = globToRegExp(parts.slice(k).join('/'));
  const root = dirname(resolve(base));
  const found: Found[] = [];
  const dirs: string[] = [];
  const visit = (dir: string, rel: string): void => {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) return;
    for (const name of readdirSync(dir).sort(naturalCompare)) {
      if (name.startsWith('.')) continue;
      const p = join(dir, name);
      const r = rel === '' ? name : `${rel}/${name}`;
      let st;
      try { st = statSync(p); } catch { continue; }
      if (re.test(r)) {
        if (st.isDirectory()) dirs.push(p);
        else if (st.isFile()) found.push({ path: p, root, explicit: false });
      } else if (st.isDirectory() && !lstatSync(p).isSymbolicLink() && !(skip !== null && safeRealpath(p) === skip)) visit(p, r);
    }
  };
  visit(base, '');
  return { found, dirs, root };
}

/** Every candidate file named by the sources, de-duplicated (by real path), in source order. */
function findFiles(sources: string[], outDir: string): Found[] {
  const skip = safeRealpath(outDir);
  const all: Found[] = [];
  const fromDir = (dir: string, root = dirname(resolve(dir))): void => {
    const files: string[] = [];
    walk(dir, skip, files);
    for (const f of files) all.push({ path: f, root, explicit: false });
  };
  for (const s of sources) {
    if (existsSync(s)) {
      if (statSync(s).isDirectory()) fromDir(s);
      else all.push({ path: s, root: dirname(resolve(s)), explicit: true });
    } else if (hasGlob(s)) {
      const { found, dirs, root } = expandGlob(s.length > 1 ? s.replace(/\/+$/, '') : s, skip);
      if (found.length === 0 && dirs.length === 0) throw usageError('BATCH_NO_MATCH', `${s} matches no file or directory`);
      all.push(...found);
      for (const d of dirs) fromDir(d, root);
    } else {
      throw usageError('BATCH_NO_SUCH_SOURCE', `${s}: no such file or directory`);
    }
  }
  const seen = new Set<string>();
  return all.filter((f) => {
    const key = safeRealpath(f.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Whether readInputs takes the file, judged on its first bytes (a copy of the head, so a large
 * capture is not read twice): only INPUT_UNKNOWN_FORMAT means "not an input". Every other error
 * (a damaged header, a cut-short gzip) leaves the file in, for the real read to report.
 */
async function isInput(path: string, scratch: string): Promise<boolean> {
  const head = Buffer.alloc(SNIFF_BYTES);
  let n: number;
  try {
    const fd = openSync(path, 'r');
    try { n = readSync(fd, head, 0, SNIFF_BYTES, 0); } finally { closeSync(fd); }
  } catch {
    return true; // unreadable: let the dataset fail with readInputs' own message
  }
  const probe = join(scratch, 'head');
  writeFileSync(probe, head.subarray(0, n));
  try {
    // Deflate inflates at most about 1032:1, so the head's content is never cut by the bound.
    await readInputs([probe], { maxDecompressedBytes: 1100 * SNIFF_BYTES });
    return true;
  } catch (e) {
    return !(e instanceof FwtpError && e.code === 'INPUT_UNKNOWN_FORMAT');
  }
}

interface Dataset {
  name: string;
  files: string[];
  jsonPath: string;
  mdPath: string;
  sizeBytes: number;
}

function datasets(found: Found[], perDir: boolean, outDir: string): Dataset[] {
  const groups = new Map<string, { name: string; files: string[] }>();
  for (const f of found) {
    const abs = resolve(f.path);
    const key = perDir ? dirname(abs) : abs;
    const rel = relative(f.root, perDir ? dirname(abs) : abs) || basename(key);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { name: rel.split(sep).join('/'), files: [] }));
    g.files.push(f.path);
  }
  const used = new Set<string>();
  const out: Dataset[] = [];
  for (const g of [...groups.values()].sort((a, b) => naturalCompare(a.name, b.name))) {
    let name = g.name;
    for (let k = 2; used.has(name); k++) name = `${g.name}~${k}`;
    used.add(name);
    if (perDir) g.files.sort((a, b) => naturalCompare(basename(a), basename(b)));
    const sizeBytes = g.files.reduce((s, f) => s + statSync(f).size, 0);
    out.push({ name, files: g.files, jsonPath: join(outDir, `${name}.plan.json`), mdPath: join(outDir, `${name}.plan.md`), sizeBytes });
  }
  return out;
}

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

interface Slot {
  worker: Worker;
  current: DatasetJob | undefined;
  dead: boolean;
}

/**
 * Worker threads, started before the inputs are looked for so that their modules load
 * meanwhile. Jobs run largest first (the longest must not start last); a worker that dies
 * fails its job and is replaced while work remains.
 */
class WorkerPool {
  private slots: Slot[] = [];
  private queue: DatasetJob[] = [];
  private onOutcome: (o: DatasetOutcome) => void = () => undefined;
  private resolveRun: (() => void) | null = null;
  private closing = false;
  private spawnsLeft: number;

  constructor(private readonly file: string, size: number) {
    // V8 recompiles hot functions on background threads by default. With every core busy
    // planning, that work competes with the other workers for nothing: measured on 2 cores,
    // the same wall time per worker with 15-25 % less CPU when each worker compiles on its own
    // thread (bench/batch-speed.js). Read by each isolate when it starts, so set it before.
    if (size > 1) setFlagsFromString('--no-concurrent-recompilation');
    this.spawnsLeft = size;
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    this.spawnsLeft--;
    const slot: Slot = { worker: new Worker(this.file, { workerData: { fwtpBatch: true } }), current: undefined, dead: false };
    slot.worker.on('message', (o: DatasetOutcome) => {
      slot.current = undefined;
      this.onOutcome(o);
      this.feed(slot);
      this.check();
    });
    slot.worker.on('error', (e) => this.died(slot, e.message));
    slot.worker.on('exit', (code) => this.died(slot, `exit code ${code}`));
    return slot;
  }

  run(jobs: DatasetJob[], sizes: number[], onOutcome: (o: DatasetOutcome) => void): Promise<void> {
    this.queue = jobs.map((j, i) => ({ j, size: sizes[i] })).sort((a, b) => b.size - a.size).map((x) => x.j);
    this.spawnsLeft += jobs.length;
    this.onOutcome = onOutcome;
    return new Promise((resolve) => {
      this.resolveRun = resolve;
      for (const slot of [...this.slots]) this.feed(slot);
      this.check();
    });
  }

  private feed(slot: Slot): void {
    if (slot.dead || slot.current !== undefined) return;
    const job = this.queue.shift();
    if (job === undefined) return;
    slot.current = job;
    slot.worker.postMessage(job);
  }

  private died(slot: Slot, message: string): void {
    if (slot.dead) return;
    slot.dead = true;
    this.slots = this.slots.filter((s) => s !== slot);
    if (this.closing) return;
    const failed = (job: DatasetJob): void => this.onOutcome({ id: job.id, error: {
      code: 'INTERNAL', line: `internal error: the worker stopped: ${message} (a bug in fwtp, or out of memory)`, internal: true, namesFile: false } });
    if (slot.current !== undefined) failed(slot.current);
    slot.current = undefined;
    if (this.queue.length > 0) {
      if (this.spawnsLeft > 0) {
        const fresh = this.spawn();
        this.slots.push(fresh);
        this.feed(fresh);
      } else if (this.slots.length === 0) {
        // Workers cannot start at all: every job left fails with the reason.
        for (const job of this.queue.splice(0)) failed(job);
      }
    }
    this.check();
  }

  private check(): void {
    if (this.resolveRun !== null && this.queue.length === 0 && this.slots.every((s) => s.current === undefined)) {
      const resolve = this.resolveRun;
      this.resolveRun = null;
      resolve();
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

// ---- the summary ----

interface DatasetEntry {
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

interface Summary {
  schemaVersion: 1;
  settings: Record<string, unknown>;
  totals: { datasets: number; planned: number; upToDate: number; failed: number };
  datasets: DatasetEntry[];
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
    modelOptions(y
      .positional('sources', { describe: 'directories (searched recursively), globs (quoted: "caps/**/*.pcap") or files', type: 'string', array: true, demandOption: true })
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
    const pool = new WorkerPool(workerFile(), jobsArg);
    try {
      await batch(args, outDir, read, model, settings, pool);
    } finally {
      await pool.close();
    }
  },
};

/** Find the datasets, plan what is not up to date on the pool, write the summaries. */
async function batch(args: BatchArgs, outDir: string, read: ReadOptions, model: ModelArgs, settings: Record<string, unknown>, pool: WorkerPool): Promise<void> {
  // Find and recognise the inputs.
  const candidates = findFiles((args.sources ?? []).map(String), outDir);
  const scratch = mkdtempSync(join(tmpdir(), 'fwtp-batch-'));
  const inputs: typeof candidates = [];
  try {
    for (const f of candidates) if (f.explicit || await isInput(f.path, scratch)) inputs.push(f);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const sets = datasets(inputs, args['dataset-per-dir'], outDir);
  if (sets.length === 0) throw usageError('BATCH_NO_INPUTS', `no capture, profile or other input fwtp reads under ${args.sources.join(' ')}`);

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
      fill(entries[id], d, { ...rowFromPlan(plan), warnings: before.get(d.name)?.warnings ?? [] }, 'up-to-date');
      return;
    }
    jobs.push({ id, name: d.name, files: d.files, jsonPath: d.jsonPath, mdPath: d.mdPath, read, model });
    sizes.push(d.sizeBytes);
  });

  const progress = makeProgress(jobs.length, args.quiet);
  const state: Progress = { done: 0, failed: 0, total: jobs.length };
  progress.update(state);
  await pool.run(jobs, sizes, (o) => {
    const e = entries[o.id];
    state.done++;
    if (o.row !== undefined) fill(e, sets[o.id], o.row, 'planned');
    else {
      state.failed++;
      const err = o.error ?? { code: 'INTERNAL', line: 'internal error', internal: true, namesFile: false };
      e.status = 'failed';
      e.error = { code: err.code, message: err.line };
      progress.finish();
      process.stderr.write(`fwtp: ${err.namesFile ? '' : `${e.name}: `}${err.line}\n`);
    }
    progress.update(state);
  });
  progress.finish();

  const failed = entries.filter((e) => e.status === 'failed').length;
  const summary: Summary = {
    schemaVersion: 1,
    settings,
    totals: { datasets: entries.length, planned: entries.filter((e) => e.status === 'planned').length, upToDate: entries.filter((e) => e.status === 'up-to-date').length, failed },
    datasets: entries,
  };
  const json = JSON.stringify(summary, null, 2) + '\n';
  writeFileAtomic(join(outDir, 'summary.csv'), summaryCsv(summary));
  writeFileAtomic(summaryJson, json);
  if (args.format === 'json') process.stdout.write(json);
  else if (!args.quiet) {
    const t = summary.totals;
    process.stdout.write(`${t.datasets} dataset(s): ${t.planned} planned, ${t.upToDate} up to date, ${t.failed} failed; summary in ${join(outDir, 'summary.csv')} and summary.json\n`);
  }
  if (failed > 0) {
    process.stderr.write(`fwtp: ${failed} of ${entries.length} dataset(s) failed (listed above and in ${summaryJson})\n`);
    process.exitCode = 1;
  }
}
