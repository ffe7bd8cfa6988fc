#!/usr/bin/env node
// Compares `fwtp gaps FILE --format json` with tshark's facts for every
// capture under the given paths (default ../shared/corpus/pcap) and prints
// only the files that differ, with both sides' numbers. Used to iterate on
// the packet reader; test/oracle/tshark.test.ts asserts the same comparison.
//
//   node scripts/oracle-diff.mjs [--facts /tmp/tshark-facts.json] [--concurrency 2] [--json] [PATH...]
//
// --facts reuses a saved `tshark-oracle.mjs --out` run (files missing from
// it, or a file without one, are run fresh). Exit code: 0 all agree, 1 some
// differ or crash, 2 usage.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listCaptureFiles, mapPool, runProcess, tsharkFacts } from './tshark-oracle.mjs';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_CORPUS = resolve(PROJECT_ROOT, '../shared/corpus/pcap');
const FWTP_BIN = join(PROJECT_ROOT, 'bin', 'fwtp.js');

/** Fields compared, named as in test/oracle/known-differences.ts. */
export const COMPARED_FIELDS = ['packets', 'tcpStreams', 'keepAliveProbes', 'keepAliveAcks'];

/**
 * @typedef {object} FwtpRun
 * @property {number|null} exitCode
 * @property {string|null} signal
 * @property {string} stderr
 * @property {number} elapsedMs
 * @property {boolean} crashed   exit code outside 0/1/2, a signal/timeout, or a JS stack on stderr
 * @property {any} json          parsed stdout when it parses, else null
 * @property {string|null} jsonError
 */

/**
 * Runs `node bin/fwtp.js gaps FILE --format json` (`options.bin` replaces
 * bin/fwtp.js, e.g. with a stub when testing this script).
 * @param {string} file
 * @param {{ timeoutMs?: number, node?: string, bin?: string }} [options]
 * @returns {Promise<FwtpRun>}
 */
export function runFwtpGaps(file, options = {}) {
  return runProcess(options.node ?? process.execPath, [options.bin ?? FWTP_BIN, 'gaps', file, '--format', 'json'],
    { timeout: options.timeoutMs ?? 300_000, cwd: PROJECT_ROOT }).then(({ stdout, stderr, exitCode, signal, elapsedMs }) => {
    // A JS stack means an unhandled error escaped the CLI's handler.
    const crashed = isCrash(exitCode, signal, stderr);
    let json = null;
    let jsonError = null;
    if (exitCode === 0) {
      try {
        json = JSON.parse(stdout);
      } catch (e) {
        jsonError = String(e?.message ?? e);
      }
    }
    return { exitCode, signal, stderr: stderr.trim().slice(0, 2000), elapsedMs, crashed, json, jsonError };
  });
}

/** True for an exit code outside 0/1/2, a signal or timeout, or a JS stack on stderr. */
function isCrash(exitCode, signal, stderr) {
  return signal !== null || exitCode === null || ![0, 1, 2].includes(exitCode) || /\n\s{4}at /.test(`\n${stderr}`);
}

/**
 * `fwtp gaps FILE --format json` for many files in one node process (scripts/fwtp-gaps-many.mjs
 * calls the built CLI's main() per file). Same results as runFwtpGaps per file, without ~1,600
 * process starts. A file that kills the process, or runs longer than timeoutMs, is reported as a
 * crash (signal 'SIGKILL' for the timeout) and the process is restarted on the files after it.
 * @param {string[]} files
 * @param {{ timeoutMs?: number, node?: string }} [options]
 * @returns {Promise<FwtpRun[]>}
 */
export async function runFwtpGapsMany(files, options = {}) {
  const timeoutMs = options.timeoutMs ?? 300_000;
  /** @type {FwtpRun[]} */
  const runs = new Array(files.length);
  let from = 0;
  while (from < files.length) {
    const batch = files.slice(from);
    const got = await new Promise((resolveBatch) => {
      const child = spawn(options.node ?? process.execPath, [join(PROJECT_ROOT, 'scripts', 'fwtp-gaps-many.mjs')],
        { cwd: PROJECT_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
      let done = 0;
      let stderr = '';
      let timedOut = false;
      let timer;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
      };
      arm();
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
      createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
        const r = JSON.parse(line);
        runs[from + r.i] = { exitCode: r.exitCode, signal: null, stderr: r.stderr, elapsedMs: r.elapsedMs,
          crashed: isCrash(r.exitCode, null, r.stderr), json: r.json, jsonError: r.jsonError };
        done = r.i + 1;
        arm();
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolveBatch({ done, code, signal: timedOut ? 'SIGKILL' : signal, stderr });
      });
      child.stdin.on('error', () => {});
      child.stdin.end(`${batch.join('\n')}\n`);
    });
    from += got.done;
    if (from < files.length) {
      // The process ended (or was killed) on files[from]: that file crashed it.
      const stderr = got.stderr.trim().slice(0, 2000);
      runs[from] = { exitCode: got.signal ? null : got.code, signal: got.signal, stderr, elapsedMs: 0, crashed: true, json: null, jsonError: null };
      from++;
    }
  }
  return runs;
}

/**
 * Reads fwtp's JSON into the compared figures (undefined when a field is absent).
 * @param {any} json
 */
export function fwtpFigures(json) {
  const input = Array.isArray(json?.inputs) ? json.inputs[0] : undefined;
  return {
    packets: input?.packets,
    tcpStreams: json?.tcpStreams,
    keepAliveProbes: json?.keepAlives?.probes,
    keepAliveAcks: json?.keepAlives?.acks,
    truncated: input?.truncated,
    warnings: input?.warnings,
    overallPackets: json?.packets,
  };
}

/**
 * The tshark side of the comparison: frames and the non-tunnelled TCP figures
 * (docs/WIRESHARK-RULES.md §4).
 * @param {import('./tshark-oracle.mjs').TsharkFacts} facts
 */
export function tsharkFigures(facts) {
  return {
    packets: facts.packets,
    tcpStreams: facts.nonTunnelled.tcpStreams,
    keepAliveProbes: facts.nonTunnelled.keepAliveProbes,
    keepAliveAcks: facts.nonTunnelled.keepAliveAcks,
  };
}

/**
 * @typedef {object} Comparison
 * @property {string} file
 * @property {'compared'|'tshark-error'|'fwtp-input-error'|'fwtp-usage-error'|'fwtp-bad-json'|'crash'} status
 * @property {Record<string, { tshark: any, fwtp: any }>} differences  field -> both values ('exitCode' for rejections)
 * @property {ReturnType<typeof tsharkFigures>} tshark
 * @property {ReturnType<typeof fwtpFigures> | null} fwtp
 * @property {import('./tshark-oracle.mjs').TsharkFacts} tsharkFacts
 * @property {FwtpRun} fwtpRun
 */

/**
 * Compares one file's tshark facts with one fwtp run.
 * - crash: always reported, whatever tshark says;
 * - tshark could not read the file: nothing else is compared (fwtp may accept or reject it);
 * - fwtp exit 1 (input error) or 2 (usage) on a file tshark reads: difference on 'exitCode';
 * - otherwise the four figures must be equal.
 * @param {string} file
 * @param {import('./tshark-oracle.mjs').TsharkFacts} facts
 * @param {FwtpRun} run
 * @returns {Comparison}
 */
export function compareFile(file, facts, run) {
  const tshark = tsharkFigures(facts);
  const base = { file, tshark, fwtp: null, tsharkFacts: facts, fwtpRun: run, differences: {} };
  if (run.crashed) {
    return { ...base, status: 'crash', differences: { exitCode: { tshark: facts.exitCode, fwtp: run.signal ?? run.exitCode } } };
  }
  if (!facts.readOk) return { ...base, status: 'tshark-error' };
  if (run.exitCode === 1) return { ...base, status: 'fwtp-input-error', differences: { exitCode: { tshark: 0, fwtp: 1 } } };
  if (run.exitCode === 2) return { ...base, status: 'fwtp-usage-error', differences: { exitCode: { tshark: 0, fwtp: 2 } } };
  if (run.json === null) return { ...base, status: 'fwtp-bad-json', differences: { json: { tshark: 'n/a', fwtp: run.jsonError } } };
  const fwtp = fwtpFigures(run.json);
  /** @type {Record<string, { tshark: any, fwtp: any }>} */
  const differences = {};
  for (const field of COMPARED_FIELDS) {
    if (fwtp[field] !== tshark[field]) differences[field] = { tshark: tshark[field], fwtp: fwtp[field] };
  }
  return { ...base, status: 'compared', fwtp, differences };
}

/**
 * tshark facts for a file: from a saved oracle run when it has the file, else fresh.
 * @param {string} file
 * @param {Map<string, any>} saved
 */
async function factsFor(file, saved) {
  return saved.get(file) ?? tsharkFacts(file);
}

/**
 * Runs both sides over the files with a pool of `concurrency` (each task runs
 * tshark then fwtp, so at most `concurrency` subprocesses at once).
 * @param {string[]} files
 * @param {{ concurrency?: number, savedFacts?: Map<string, any>, bin?: string, onResult?: (c: Comparison, done: number) => void }} [options]
 * @returns {Promise<Comparison[]>}
 */
export async function compareFiles(files, options = {}) {
  const saved = options.savedFacts ?? new Map();
  let done = 0;
  return mapPool(files, options.concurrency ?? 2, async (file) => {
    const facts = await factsFor(file, saved);
    const run = await runFwtpGaps(file, { bin: options.bin });
    const comparison = compareFile(file, facts, run);
    done++;
    options.onResult?.(comparison, done);
    return comparison;
  });
}

/**
 * Loads a saved `tshark-oracle.mjs --out` report as file -> facts.
 * @param {string} path
 * @returns {Map<string, any>}
 */
export function loadSavedFacts(path) {
  const report = JSON.parse(readFileSync(path, 'utf8'));
  return new Map((report.files ?? []).map((f) => [f.file, f]));
}

/** One line per differing field, for humans. */
export function describeComparison(c, root = DEFAULT_CORPUS) {
  const name = relative(root, c.file) || c.file;
  const lines = [`${name}  [${c.status}]`];
  for (const [field, v] of Object.entries(c.differences)) {
    lines.push(`    ${field.padEnd(16)} tshark=${JSON.stringify(v.tshark)}  fwtp=${JSON.stringify(v.fwtp)}`);
  }
  if (c.status === 'compared' && c.fwtp) {
    lines.push(
      `    context          tshark: tunnelledTcpFrames=${c.tsharkFacts.tunnelledTcpFrames ?? '?'} icmpQuotedTcpFrames=${c.tsharkFacts.icmpQuotedTcpFrames ?? '?'}` +
        ` allStreams=${c.tsharkFacts.all?.tcpStreams ?? '?'}; fwtp: truncated=${JSON.stringify(c.fwtp.truncated)} warnings=${JSON.stringify(c.fwtp.warnings)}`,
    );
  }
  if (c.fwtpRun.stderr && c.status !== 'compared') lines.push(`    fwtp stderr      ${c.fwtpRun.stderr.split('\n').slice(0, 6).join('\n                     ')}`);
  return lines.join('\n');
}

async function main(argv) {
  let concurrency = 2;
  let factsPath = null;
  let asJson = false;
  const paths = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--concurrency') concurrency = Number(argv[++i]);
    else if (a === '--facts') factsPath = argv[++i];
    else if (a === '--json') asJson = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: node scripts/oracle-diff.mjs [--facts FILE.json] [--concurrency N] [--json] [PATH...]\n');
      return;
    } else paths.push(a);
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    process.stderr.write('oracle-diff: --concurrency must be a positive integer\n');
    process.exitCode = 2;
    return;
  }
  if (!existsSync(join(PROJECT_ROOT, 'dist', 'cli', 'main.js'))) {
    process.stderr.write('oracle-diff: dist/cli/main.js is missing; run `npm run build` first\n');
    process.exitCode = 2;
    return;
  }
  const roots = paths.length ? paths.map((p) => resolve(p)) : [DEFAULT_CORPUS];
  const files = listCaptureFiles(roots);
  const savedFacts = factsPath ? loadSavedFacts(factsPath) : new Map();
  const comparisons = await compareFiles(files, {
    concurrency,
    savedFacts,
    onResult: (_c, done) => {
      if (done % 100 === 0) process.stderr.write(`oracle-diff: ${done}/${files.length}\n`);
    },
  });
  const bad = comparisons.filter((c) => Object.keys(c.differences).length > 0);
  const counts = {};
  for (const c of comparisons) counts[c.status] = (counts[c.status] ?? 0) + 1;
  if (asJson) {
    const slim = bad.map((c) => ({ file: c.file, status: c.status, differences: c.differences, fwtpStderr: c.fwtpRun.stderr }));
    process.stdout.write(`${JSON.stringify({ files: files.length, counts, differing: slim }, null, 1)}\n`);
  } else {
    for (const c of bad) process.stdout.write(`${describeComparison(c, roots.length === 1 ? roots[0] : '/')}\n`);
    const agreed = comparisons.filter((c) => c.status === 'compared' && Object.keys(c.differences).length === 0).length;
    process.stdout.write(
      `\n${files.length} files: ${agreed} agree, ${bad.length} differ; by status ${JSON.stringify(counts)}\n`,
    );
  }
  process.exitCode = bad.length > 0 ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exitCode = 1;
  });
}
