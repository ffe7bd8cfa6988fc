#!/usr/bin/env node
// tshark's answers for the corpus, kept as a golden file (test/oracle/tshark-golden.json) so CI
// compares fwtp with them without running tshark ~1,600 times (docs/WIRESHARK-RULES.md §4).
// Only the compared figures are kept, one line per capture, with the tshark version they came
// from; test/oracle/tshark.test.ts fails when the installed tshark's version differs, when the
// corpus has files the golden lacks (or of another size), and when live tshark on a sample that
// changes with the commit disagrees with the golden.
//
//   node scripts/tshark-golden.mjs [--concurrency 2] [--from-facts FACTS.json] [--corpus DIR]
//
// --from-facts converts a saved `node scripts/tshark-oracle.mjs --out FACTS.json CORPUS` run
// instead of running tshark (it must have been made with the installed tshark).
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listCaptureFiles, tsharkArgs, tsharkFactsMany, tsharkVersion } from './tshark-oracle.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const GOLDEN_PATH = join(ROOT, 'test', 'oracle', 'tshark-golden.json');
export const DEFAULT_CORPUS = resolve(ROOT, '../shared/corpus/pcap');
export const REGENERATE = 'node scripts/tshark-golden.mjs';
/** Columns of each file's row. bytes: the file's size, to notice a capture changed in place. */
export const COLUMNS = ['bytes', 'readOk', 'packets', 'tcpStreams', 'keepAliveProbes', 'keepAliveAcks'];

/**
 * A golden row from tshark facts (the non-tunnelled view compared with fwtp, oracle-diff.mjs).
 * @param {import('./tshark-oracle.mjs').TsharkFacts} f
 * @param {number} bytes
 */
export function rowOf(f, bytes) {
  return [bytes, f.readOk ? 1 : 0, f.packets, f.nonTunnelled.tcpStreams, f.nonTunnelled.keepAliveProbes, f.nonTunnelled.keepAliveAcks];
}

/**
 * A golden row as the part of TsharkFacts that compareFile() reads.
 * @param {string} file absolute path
 * @param {number[]} row
 * @returns {import('./tshark-oracle.mjs').TsharkFacts} (tcpFrames undefined: compareFile() does not read it)
 */
export function factsOfRow(file, row) {
  const [, ok, packets, tcpStreams, keepAliveProbes, keepAliveAcks] = row;
  return {
    file, readOk: ok === 1, exitCode: ok === 1 ? 0 : null, signal: null, stderr: '', elapsedMs: 0, packets,
    nonTunnelled: { tcpFrames: undefined, tcpStreams, keepAliveProbes, keepAliveAcks },
  };
}

/** @returns {{ tshark: string, args: string[], columns: string[], files: Record<string, number[]> }} */
export function loadGolden(path = GOLDEN_PATH) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** The golden as text: a header, then one capture per line (sorted), so a regeneration diffs well. */
export function formatGolden(version, rows) {
  const names = Object.keys(rows).sort();
  const body = names.map((n, i) => `  ${JSON.stringify(n)}: ${JSON.stringify(rows[n])}${i < names.length - 1 ? ',' : ''}`).join('\n');
  return `{\n "tshark": ${JSON.stringify(version)},\n "generatedBy": ${JSON.stringify(REGENERATE)},\n` +
    ` "args": ${JSON.stringify(tsharkArgs('FILE'))},\n "columns": ${JSON.stringify(COLUMNS)},\n "files": {\n${body}\n }\n}\n`;
}

/**
 * n corpus-relative names picked by sha256(seed + name): a sample that changes with the commit
 * (seed = git HEAD) but is the same for everyone checking that commit.
 * @param {string[]} names
 * @param {string} seed
 * @param {number} n
 */
export function pickSample(names, seed, n) {
  const key = (name) => createHash('sha256').update(`${seed}\0${name}`).digest('hex');
  return names.map((name) => [key(name), name]).sort((a, b) => (a[0] < b[0] ? -1 : 1)).slice(0, n).map(([, name]) => name).sort();
}

async function main(argv) {
  let concurrency = 2;
  let fromFacts = null;
  let corpus = DEFAULT_CORPUS;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--concurrency') concurrency = Number(argv[++i]);
    else if (a === '--from-facts') fromFacts = argv[++i];
    else if (a === '--corpus') corpus = resolve(argv[++i]);
    else {
      process.stderr.write('usage: node scripts/tshark-golden.mjs [--concurrency N] [--from-facts FACTS.json] [--corpus DIR]\n');
      process.exitCode = 2;
      return;
    }
  }
  const version = await tsharkVersion();
  if (version === null) {
    process.stderr.write('tshark-golden: tshark cannot be run (install tshark or set TSHARK)\n');
    process.exitCode = 1;
    return;
  }
  const files = listCaptureFiles([corpus]);
  let facts;
  if (fromFacts) {
    const saved = JSON.parse(readFileSync(fromFacts, 'utf8'));
    if (saved.tshark !== version) {
      process.stderr.write(`tshark-golden: ${fromFacts} was made by ${saved.tshark}, the installed one is ${version}\n`);
      process.exitCode = 1;
      return;
    }
    const byFile = new Map(saved.files.map((f) => [f.file, f]));
    const missing = files.filter((f) => !byFile.has(f));
    if (missing.length) process.stderr.write(`tshark-golden: running tshark on ${missing.length} files missing from ${fromFacts}\n`);
    const fresh = new Map((await tsharkFactsMany(missing, { concurrency })).map((f) => [f.file, f]));
    facts = files.map((f) => byFile.get(f) ?? fresh.get(f));
  } else {
    facts = await tsharkFactsMany(files, {
      concurrency,
      onResult: (_f, done) => {
        if (done % 100 === 0 || done === files.length) process.stderr.write(`tshark-golden: ${done}/${files.length}\n`);
      },
    });
  }
  /** @type {Record<string, number[]>} */
  const rows = {};
  for (const f of facts) rows[relative(corpus, f.file)] = rowOf(f, statSync(f.file).size);
  writeFileSync(GOLDEN_PATH, formatGolden(version, rows));
  process.stderr.write(`tshark-golden: wrote ${relative(process.cwd(), GOLDEN_PATH)} (${files.length} captures, ${version})\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.exitCode = 1;
  });
}
