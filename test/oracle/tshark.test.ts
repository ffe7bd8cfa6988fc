// Agreement with Wireshark: for every capture in ../shared/corpus/pcap,
// `fwtp gaps FILE --format json` must not crash, and for files tshark reads
// without error it must report tshark's frame count and tshark's
// non-tunnelled TCP stream and keep-alive counts (docs/WIRESHARK-RULES.md §4).
// Accepted per-file differences live in ./known-differences.ts.
//
// The run takes minutes (two subprocesses per file, two files at a time).
// FWTP_TSHARK_FACTS=/tmp/tshark-facts.json reuses a saved
// `node scripts/tshark-oracle.mjs --out` run for the tshark side;
// FWTP_ORACLE_BIN=stub.mjs replaces bin/fwtp.js (to test this harness).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareFiles, describeComparison, loadSavedFacts } from '../../scripts/oracle-diff.mjs';
import { listCaptureFiles } from '../../scripts/tshark-oracle.mjs';
import { KNOWN_DIFFERENCES, type ComparedField } from './known-differences.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const CORPUS = resolve(HERE, '../../../shared/corpus/pcap');
const FWTP_MAIN = resolve(HERE, '../../dist/cli/main.js');

function tsharkVersion(): string | null {
  try {
    const out = execFileSync(process.env.TSHARK ?? 'tshark', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n')[0] ?? null;
  } catch {
    return null;
  }
}

const haveCorpus = existsSync(CORPUS);
const version = tsharkVersion();
if (!haveCorpus) console.warn(`SKIP test/oracle/tshark.test.ts: corpus folder ${CORPUS} is absent`);
else if (version === null) console.warn('SKIP test/oracle/tshark.test.ts: tshark is not installed');

describe.skipIf(!haveCorpus || version === null)('agreement with Wireshark on the corpus', () => {
  it('fwtp gaps never crashes and matches tshark on every readable capture', { timeout: 3_600_000 }, async () => {
    const bin = process.env.FWTP_ORACLE_BIN;
    if (bin === undefined) {
      expect(existsSync(FWTP_MAIN), 'dist/cli/main.js is missing: run `npm run build` (npm test does)').toBe(true);
    }
    const files = listCaptureFiles([CORPUS]);
    expect(files.length).toBeGreaterThan(0);
    const saved = process.env.FWTP_TSHARK_FACTS ? loadSavedFacts(process.env.FWTP_TSHARK_FACTS) : undefined;
    const comparisons = await compareFiles(files, { concurrency: 2, savedFacts: saved, bin });

    const crashes: string[] = [];
    const unexpected: string[] = [];
    const accepted: string[] = [];
    const stale: string[] = [];
    const seenKnown = new Set<string>();
    let compared = 0;
    let agreed = 0;
    let tsharkErrors = 0;
    for (const c of comparisons) {
      const name = relative(CORPUS, c.file);
      const known = KNOWN_DIFFERENCES[name] ?? {};
      if (name in KNOWN_DIFFERENCES) seenKnown.add(name);
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
      const unknownFields = fields.filter((f) => known[f] === undefined);
      if (fields.length === 0) agreed++;
      if (unknownFields.length > 0) unexpected.push(describeComparison(c, CORPUS));
      for (const f of fields.filter((f) => known[f] !== undefined)) accepted.push(`${name} ${f}: ${known[f]}`);
      for (const f of Object.keys(known) as ComparedField[]) {
        if (!fields.includes(f)) stale.push(`${name} ${f}: listed in known-differences.ts but fwtp now agrees`);
      }
    }
    for (const name of Object.keys(KNOWN_DIFFERENCES)) {
      if (!seenKnown.has(name)) stale.push(`${name}: listed in known-differences.ts but not in the corpus`);
    }

    const summary = [
      `tshark oracle (${version}): ${files.length} files; ${compared} compared, ${agreed} agree, ` +
        `${accepted.length} known differences, ${unexpected.length} unexpected, ${crashes.length} crashes, ` +
        `${tsharkErrors} unreadable by tshark (not compared), ${stale.length} stale known-difference entries`,
      ...accepted.map((a) => `  known: ${a}`),
    ].join('\n');
    console.log(summary);

    // One assertion with every problem, so a failing run shows all of them.
    const problems = [
      crashes.length ? `fwtp crashed (exit code not 0/1/2, signal, or JS stack) on:\n${crashes.join('\n')}` : '',
      unexpected.length ? `fwtp differs from tshark (not in known-differences.ts) on:\n${unexpected.join('\n')}` : '',
      stale.length ? `stale entries in known-differences.ts:\n${stale.join('\n')}` : '',
    ]
      .filter((p) => p !== '')
      .join('\n\n');
    expect(problems).toBe('');
  });
});
