// Agreement with Wireshark: for every capture in ../shared/corpus/pcap,
// `fwtp gaps FILE --format json` must not crash, and for files tshark reads
// without error it must report tshark's frame count and tshark's
// non-tunnelled TCP stream and keep-alive counts (docs/WIRESHARK-RULES.md §4).
// Accepted per-file differences live in ./known-differences.ts.
//
// tshark's answers come from ./tshark-golden.json (scripts/tshark-golden.mjs), checked three ways:
// it must cover the corpus file for file, it must come from the installed tshark's version, and
// live tshark on a sample that changes with the commit (sha256(HEAD + path), 100 files) must give
// the same answers. fwtp runs in one process over all files (scripts/fwtp-gaps-many.mjs).
//
// FWTP_ORACLE_SAMPLE=N (or 'all') sizes the live sample; FWTP_ORACLE_SEED replaces git HEAD;
// FWTP_ORACLE_BIN=stub.mjs replaces bin/fwtp.js, one process per file (to test this harness).
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareFile, describeComparison, runFwtpGaps, runFwtpGapsMany } from '../../scripts/oracle-diff.mjs';
import { COLUMNS, GOLDEN_PATH, REGENERATE, factsOfRow, loadGolden, pickSample, rowOf } from '../../scripts/tshark-golden.mjs';
import { listCaptureFiles, mapPool, tsharkFactsMany } from '../../scripts/tshark-oracle.mjs';
import { KNOWN_DIFFERENCES, type ComparedField } from './known-differences.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = resolve(HERE, '../..');
const CORPUS = resolve(HERE, '../../../shared/corpus/pcap');
const FWTP_MAIN = resolve(HERE, '../../dist/cli/main.js');

function tsharkVersion(): string | null {
  try {
    const out = execFileSync(process.env.TSHARK ?? 'tshark', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return (out.split('\n')[0] ?? '').trim();
  } catch {
    return null;
  }
}

/** The commit being tested, so each commit checks another sample against live tshark. */
function sampleSeed(): string {
  if (process.env.FWTP_ORACLE_SEED) return process.env.FWTP_ORACLE_SEED;
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'no-git';
  }
}

const haveCorpus = existsSync(CORPUS);
const version = tsharkVersion();
if (!haveCorpus) console.warn(`SKIP test/oracle/tshark.test.ts: corpus folder ${CORPUS} is absent`);
else if (version === null) console.warn('SKIP test/oracle/tshark.test.ts (live tshark parts): tshark is not installed');

type Comparison = ReturnType<typeof compareFile>;
type FwtpRun = Awaited<ReturnType<typeof runFwtpGaps>>;

/** Sorts comparisons into crashes, unexpected and accepted differences (known-differences.ts). */
function judge(comparisons: Comparison[]) {
  const crashes: string[] = [];
  const unexpected: string[] = [];
  const accepted: string[] = [];
  const stale: string[] = [];
  let compared = 0;
  let agreed = 0;
  let tsharkErrors = 0;
  for (const c of comparisons) {
    const name = relative(CORPUS, c.file);
    const known = KNOWN_DIFFERENCES[name] ?? {};
    if (c.status === 'crash') {
      crashes.push(describeComparison(c, CORPUS));
      continue;
    }
    if (c.status === 'tshark-error') {
      tsharkErrors++;
      continue;
    }
    compared++;
    const fields = Object.keys(c.differences) as ComparedField[];
    if (fields.length === 0) agreed++;
    if (fields.some((f) => known[f] === undefined)) unexpected.push(describeComparison(c, CORPUS));
    for (const f of fields.filter((f) => known[f] !== undefined)) accepted.push(`${name} ${f}: ${known[f]}`);
    for (const f of Object.keys(known) as ComparedField[]) {
      if (!fields.includes(f)) stale.push(`${name} ${f}: listed in known-differences.ts but fwtp now agrees`);
    }
  }
  return { crashes, unexpected, accepted, stale, compared, agreed, tsharkErrors };
}

function problemsOf(j: ReturnType<typeof judge>, against: string): string {
  return [
    j.crashes.length ? `fwtp crashed (exit code not 0/1/2, signal, or JS stack) on:\n${j.crashes.join('\n')}` : '',
    j.unexpected.length ? `fwtp differs from ${against} (not in known-differences.ts) on:\n${j.unexpected.join('\n')}` : '',
    j.stale.length ? `stale entries in known-differences.ts:\n${j.stale.join('\n')}` : '',
  ].filter((p) => p !== '').join('\n\n');
}

describe.skipIf(!haveCorpus)('agreement with Wireshark on the corpus', () => {
  const files = haveCorpus ? listCaptureFiles([CORPUS]) : [];
  const golden = existsSync(GOLDEN_PATH) ? loadGolden() : null;
  let fwtpRuns: Promise<FwtpRun[]> | null = null;
  /** fwtp on every corpus file, once for all the tests below. */
  const runsOfFwtp = (): Promise<FwtpRun[]> => {
    const bin = process.env.FWTP_ORACLE_BIN;
    fwtpRuns ??= bin ? mapPool(files, 2, (f: string) => runFwtpGaps(f, { bin })) : runFwtpGapsMany(files);
    return fwtpRuns;
  };

  it(`the golden file (${relative(ROOT, GOLDEN_PATH)}) holds every corpus capture, at its current size`, () => {
    expect(golden, `${GOLDEN_PATH} is missing: run \`${REGENERATE}\``).not.toBeNull();
    expect(golden!.columns).toEqual(COLUMNS);
    const names = files.map((f) => relative(CORPUS, f));
    const missing = names.filter((n) => !(n in golden!.files));
    const extra = Object.keys(golden!.files).filter((n) => !names.includes(n));
    const resized = names.filter((n) => n in golden!.files && golden!.files[n]![0] !== statSync(join(CORPUS, n)).size);
    const problems = [
      missing.length ? `not in the golden file: ${missing.join(', ')}` : '',
      extra.length ? `in the golden file but not in the corpus: ${extra.join(', ')}` : '',
      resized.length ? `changed size since the golden file was made: ${resized.join(', ')}` : '',
    ].filter((p) => p !== '');
    expect(problems.length ? `${problems.join('\n')}\nthe corpus changed: run \`${REGENERATE}\`` : '').toBe('');
  });

  it.skipIf(version === null)('the golden file comes from the installed tshark', () => {
    expect(golden).not.toBeNull();
    expect(golden!.tshark === version
      ? ''
      : `the golden file was made by "${golden!.tshark}", the installed tshark is "${version}": run \`${REGENERATE}\` and review the diff`).toBe('');
  });

  it('fwtp gaps never crashes and matches tshark (the golden file) on every readable capture', { timeout: 900_000 }, async () => {
    if (process.env.FWTP_ORACLE_BIN === undefined) {
      expect(existsSync(FWTP_MAIN), 'dist/cli/main.js is missing: run `npm run build` (npm test does)').toBe(true);
    }
    expect(golden).not.toBeNull();
    expect(files.length).toBeGreaterThan(0);
    const runs = await runsOfFwtp();
    const comparisons = files.flatMap((file, i) => {
      const row = golden!.files[relative(CORPUS, file)];
      return row ? [compareFile(file, factsOfRow(file, row), runs[i]!)] : [];
    });
    const j = judge(comparisons);
    for (const name of Object.keys(KNOWN_DIFFERENCES)) {
      if (!files.some((f) => relative(CORPUS, f) === name)) j.stale.push(`${name}: listed in known-differences.ts but not in the corpus`);
    }
    console.log([
      `tshark oracle (golden, ${golden!.tshark}): ${files.length} files; ${j.compared} compared, ${j.agreed} agree, ` +
        `${j.accepted.length} known differences, ${j.unexpected.length} unexpected, ${j.crashes.length} crashes, ` +
        `${j.tsharkErrors} unreadable by tshark (not compared), ${j.stale.length} stale known-difference entries`,
      ...j.accepted.map((a) => `  known: ${a}`),
    ].join('\n'));
    // One assertion with every problem, so a failing run shows all of them.
    expect(problemsOf(j, 'tshark')).toBe('');
  });

  it.skipIf(version === null)('live tshark on a sample that changes with the commit agrees with the golden file and with fwtp', { timeout: 900_000 }, async () => {
    expect(golden).not.toBeNull();
    const names = files.map((f) => relative(CORPUS, f));
    const wanted = process.env.FWTP_ORACLE_SAMPLE ?? '100';
    const seed = sampleSeed();
    const sample = wanted === 'all' ? names : pickSample(names, seed, Number(wanted)) as string[];
    const live = await tsharkFactsMany(sample.map((n) => join(CORPUS, n)), { concurrency: 2 });
    const runs = await runsOfFwtp();
    const stale: string[] = [];
    const comparisons: Comparison[] = [];
    for (const facts of live) {
      const name = relative(CORPUS, facts.file);
      const row = rowOf(facts, statSync(facts.file).size);
      const kept = golden!.files[name];
      if (JSON.stringify(row) !== JSON.stringify(kept)) stale.push(`${name}: live ${JSON.stringify(row)}, golden ${JSON.stringify(kept)} (${COLUMNS.join(', ')})`);
      comparisons.push(compareFile(facts.file, facts, runs[names.indexOf(name)]!));
    }
    const j = judge(comparisons);
    j.stale.length = 0; // entries for files outside the sample are judged on the whole corpus above
    console.log(`tshark oracle (live, ${version}): ${sample.length} files sampled by sha256(${seed.slice(0, 12)} + path); ` +
      `${j.compared} compared, ${j.agreed} agree, ${j.accepted.length} known differences, ${j.unexpected.length} unexpected; ` +
      `${stale.length} differ from the golden file`);
    expect([
      stale.length ? `live tshark differs from the golden file on:\n${stale.join('\n')}\nrun \`${REGENERATE}\` and review the diff` : '',
      problemsOf(j, 'live tshark'),
    ].filter((p) => p !== '').join('\n\n')).toBe('');
  });
});
