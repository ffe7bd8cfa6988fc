// A short, reproducible fuzzing pass over every reader (the long one is `npm run fuzz`):
// scripts/fuzz.mjs with a fixed seed and a fixed number of inputs per reader, seeds from
// samples/, the built-in texts and the captures of ./seeds.ts (never the corpus, so the inputs
// are the same on every machine). Each input runs in a child process over dist/ with a time
// budget and a memory limit; the harness's own canaries prove that a crash, a hang and a memory
// blow-up are caught.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../helpers/cli.js';
import { pcapSeeds, pcapngSeeds } from './seeds.js';
import { FuzzWorker, TARGETS, formatReport, loadSeeds, runFuzz } from '../../scripts/fuzz.mjs';

/** Inputs per reader: about 5 s in all on a quiet machine. */
const RUNS = 200;
const SEED = 20261125;
/**
 * Codes whose messages may still quote raw input (the CLI cleans the line, src/cli/main.ts):
 * PROFILE_BAD_HEADER quotes JSON.parse's message; EXPORT_UNPARSABLE_LINE quotes fields with
 * JSON.stringify, which leaves C1 controls (U+0080..U+009F) as they are.
 */
const KNOWN_UNTIDY = new Set(['PROFILE_BAD_HEADER', 'EXPORT_UNPARSABLE_LINE']);

interface TargetStats {
  tried: number; ok: number; inputErrors: number; crashes: number; hangs: number; memory: number; invalid: number;
  codes: Record<string, number>; untidy: Record<string, string>; skipped?: string;
}
interface Report { seed: number; stats: Record<string, TargetStats>; findings: Array<{ sig: string }> }

let seeds: Record<string, Buffer[]>;

beforeAll(async () => {
  ensureBuilt();
  // Small seeds only (mutating a large one costs more than reading it): samples/mixed-small.pcapng and ./seeds.ts.
  seeds = await loadSeeds({ corpus: false, maxSeedBytes: 64 * 1024, extra: { pcap: pcapSeeds(), pcapng: pcapngSeeds() } });
}, 600_000);

describe('the harness catches what it is for', () => {
  const worker = new FuzzWorker({ heapMb: 256 });
  afterAll(() => worker.close());

  it('a thrown TypeError is a crash, a spin is a hang, 200 MiB kept is a memory finding; other inputs pass', async () => {
    const canary = Buffer.from([0xcc]);
    const calm = Buffer.from([0x00]);
    expect((await worker.run('selftest-crash', canary, {}, 10_000)).kind).toBe('crash');
    expect((await worker.run('selftest-crash', calm, {}, 10_000)).kind).toBe('ok');
    const hang = await worker.run('selftest-hang', canary, {}, 1_000);
    expect(hang.kind).toBe('hang');
    // The sandbox was replaced: the next input runs normally.
    expect((await worker.run('selftest-hang', calm, {}, 10_000)).kind).toBe('ok');
    const memory = await worker.run('selftest-memory', canary, {}, 10_000);
    expect(memory.kind).toBe('memory');
    const grewMiB = Number(/grew by ([\d.]+) MiB/.exec(memory.message ?? '')?.[1]);
    expect(grewMiB).toBeGreaterThan(190);
    expect(grewMiB).toBeLessThan(210);
    expect((await worker.run('selftest-memory', calm, {}, 10_000)).kind).toBe('ok');
  }, 60_000);

  it('an FwtpError of kind input naming the input is an input error, with its code', async () => {
    const notPcap = Buffer.from('d4c3b2a1', 'hex');
    const out = await worker.run('pcap', notPcap, { chunk: 1 << 20 }, 10_000);
    expect(out).toMatchObject({ kind: 'input-error', code: 'PCAP_SHORT_HEADER', positioned: true });
  }, 60_000);
});

describe(`every reader, ${RUNS} inputs each (seed ${SEED})`, () => {
  let report: Report;

  beforeAll(async () => {
    report = await runFuzz({ targets: TARGETS, numRuns: RUNS, seed: SEED, seeds, jobs: 1, minimiseSeconds: 20 }) as Report;
    console.log(formatReport(report));
  }, 600_000);

  it.each(TARGETS as string[])('%s: every input gives a result or an input error, in time and memory', (target) => {
    const s = report.stats[target]!;
    expect(s.skipped, `${target} was not fuzzed`).toBeUndefined();
    expect(s.tried).toBe(RUNS);
    expect(report.findings.filter((f) => f.sig.startsWith(`${target} `)).map((f) => f.sig)).toEqual([]);
    expect(s.ok + s.inputErrors).toBe(RUNS);
    // The inputs reach past the first checks: some are read, some are refused.
    expect(s.ok).toBeGreaterThan(0);
    expect(s.inputErrors).toBeGreaterThan(0);
    for (const code of Object.keys(s.untidy)) expect(KNOWN_UNTIDY.has(code), `${code} quotes raw input: ${s.untidy[code]}`).toBe(true);
  });
});
