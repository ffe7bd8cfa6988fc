// Every file of the public corpus (../shared/corpus: pcap/*, conntrack/*, flows/*), read in
// process through readInputs, the path every command takes: each gives a result, or an FwtpError
// of kind input that names the file and where (byte offset or line), never another exception.
// What was damaged is reported: a capture whose last record or block is cut short (found here by
// walking its length fields, independently of the reader) is marked truncated, with a warning
// that gives the byte offset. (The tshark oracle test runs the same captures through the binary.)
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join, relative } from 'node:path';
import { readInputs, type ReadResult } from '../../src/read/inputs.js';
import { FwtpError } from '../../src/util/errors.js';
import { trackCapture } from '../helpers/capture-run.js';

const CORPUS = join(__dirname, '../../../shared/corpus');
const haveCorpus = existsSync(CORPUS);
if (!haveCorpus) console.warn(`fuzz corpus tests: ${CORPUS} is absent, skipped`);

/**
 * Errors about a file as a whole, where no byte or line is to blame: they name the file only.
 * docs/ERRORS.md says so per code.
 */
const WHOLE_FILE_CODES = new Set(['EXPORT_UNKNOWN_FORMAT', 'EXPORT_MISSING_COLUMN', 'GZIP_TOO_LARGE', 'INPUT_IS_DIRECTORY', 'INPUT_UNREADABLE', 'CONNTRACK_UNKNOWN_FORMAT']);

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

interface Outcome {
  file: string;
  result?: ReadResult;
  error?: FwtpError;
  problem?: string;
  ms: number;
}

async function readOne(file: string): Promise<Outcome> {
  const t0 = performance.now();
  try {
    const result = await readInputs([file]);
    return { file, result, ms: performance.now() - t0 };
  } catch (e) {
    const ms = performance.now() - t0;
    if (!(e instanceof FwtpError)) return { file, problem: `not an FwtpError: ${(e as Error)?.stack ?? String(e)}`, ms };
    if (e.kind !== 'input') return { file, error: e, problem: `an error of kind ${e.kind}`, ms };
    if (e.file !== file) return { file, error: e, problem: `names file ${e.file}`, ms };
    if (e.byteOffset === undefined && e.line === undefined && !WHOLE_FILE_CODES.has(e.code)) return { file, error: e, problem: `${e.code} gives no byte offset or line`, ms };
    return { file, error: e, ms };
  }
}

/** Reads the files of one corpus folder; returns the outcomes and a list of what is wrong. */
async function readAll(dir: string): Promise<{ outcomes: Outcome[]; problems: string[] }> {
  const outcomes: Outcome[] = [];
  for (const f of files(dir)) outcomes.push(await readOne(f));
  const problems = outcomes.filter((o) => o.problem !== undefined).map((o) => `${relative(CORPUS, o.file)}: ${o.problem}${o.error ? ` (${o.error.toLine()})` : ''}`);
  return { outcomes, problems };
}

/** A capture's container walked by its length fields alone, independently of the reader. */
interface Walk {
  /** 'complete': the last record ends at the end of the file; 'cut': the file ends inside one;
   *  'invalid': a length field no reader can follow. */
  end: 'complete' | 'cut' | 'invalid' | 'not a capture';
  format: 'pcap' | 'pcapng' | null;
  /** Offset of every record (pcap) or packet block (pcapng: EPB, SPB, OPB). */
  packetStarts: number[];
  /** Offset of every record or block. */
  starts: number[];
}

function walk(b: Buffer): Walk {
  const MAX = 0x4000000;
  const out: Walk = { end: 'not a capture', format: null, packetStarts: [], starts: [] };
  const pcapMagic = (x: number): boolean => x === 0xa1b2c3d4 || x === 0xa1b23c4d;
  if (b.length >= 4 && (pcapMagic(b.readUInt32LE(0)) || pcapMagic(b.readUInt32BE(0)))) {
    out.format = 'pcap';
    const le = pcapMagic(b.readUInt32LE(0));
    if (b.length < 24) return { ...out, end: 'cut' };
    let pos = 24;
    while (pos + 16 <= b.length) {
      const cap = le ? b.readUInt32LE(pos + 8) : b.readUInt32BE(pos + 8);
      if (cap > MAX) return { ...out, end: 'invalid' };
      out.starts.push(pos);
      if (pos + 16 + cap <= b.length) out.packetStarts.push(pos);
      pos += 16 + cap;
    }
    if (pos < b.length) out.starts.push(pos);
    return { ...out, end: pos === b.length ? 'complete' : 'cut' };
  }
  if (b.length >= 4 && b.readUInt32LE(0) === 0x0a0d0d0a) {
    out.format = 'pcapng';
    let pos = 0;
    let le = true;
    while (pos + 12 <= b.length) {
      if (b.readUInt32LE(pos) === 0x0a0d0d0a) {
        const bom = b.readUInt32LE(pos + 8);
        if (bom !== 0x1a2b3c4d && bom !== 0x4d3c2b1a) return { ...out, end: 'invalid' };
        le = bom === 0x1a2b3c4d;
      }
      const type = le ? b.readUInt32LE(pos) : b.readUInt32BE(pos);
      const len = le ? b.readUInt32LE(pos + 4) : b.readUInt32BE(pos + 4);
      if (len < 12 || len % 4 !== 0 || len > MAX) return { ...out, end: 'invalid' };
      out.starts.push(pos);
      if (pos + len <= b.length && (type === 2 || type === 3 || type === 6)) out.packetStarts.push(pos);
      pos += len;
    }
    if (pos < b.length) out.starts.push(pos);
    return { ...out, end: pos === b.length ? 'complete' : 'cut' };
  }
  return out;
}

function summary(outcomes: Outcome[]): string {
  const codes = new Map<string, number>();
  for (const o of outcomes) if (o.error) codes.set(o.error.code, (codes.get(o.error.code) ?? 0) + 1);
  const slowest = [...outcomes].sort((a, b) => b.ms - a.ms)[0]!;
  const truncated = outcomes.filter((o) => o.result?.inputs.some((i) => i.truncated)).length;
  return `${outcomes.length} files: ${outcomes.filter((o) => o.result).length} read (${truncated} truncated), errors ${JSON.stringify(Object.fromEntries(codes))}; slowest ${relative(CORPUS, slowest.file)} ${Math.round(slowest.ms)} ms`;
}

describe.skipIf(!haveCorpus)('the corpus, in process', () => {
  it('pcap/: every capture is read or refused with a positioned input error; damage is reported', async () => {
    const { outcomes, problems } = await readAll(join(CORPUS, 'pcap'));
    console.log(`corpus pcap: ${summary(outcomes)}`);
    expect(problems).toEqual([]);
    expect(outcomes.length).toBeGreaterThan(1000);
    const unreported: string[] = [];
    const falseAlarms: string[] = [];
    const miscounted: string[] = [];
    let cutFiles = 0;
    for (const o of outcomes) {
      let bytes = readFileSync(o.file);
      let gzipCut = false;
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
        try {
          bytes = gunzipSync(bytes);
        } catch {
          gzipCut = true;
        }
      }
      const w = walk(bytes);
      const end = gzipCut ? 'cut' : w.end;
      const input = o.result?.inputs[0];
      // A whole container read without damage holds exactly the records its length fields give.
      if (!gzipCut && end === 'complete' && input !== undefined && !input.truncated) {
        if (input.packets !== w.packetStarts.length) miscounted.push(`${relative(CORPUS, o.file)}: ${input.packets} packets, ${w.packetStarts.length} records`);
      }
      // Truncated always comes with a warning that says where.
      if (input?.truncated) expect(input.warnings.some((w) => /byte \d+|gzip stream ends early/.test(w)), `${o.file}: ${input.warnings.join(' | ')}`).toBe(true);
      if (end === 'cut') {
        cutFiles++;
        if (input !== undefined && !input.truncated) unreported.push(relative(CORPUS, o.file));
      } else if (end === 'complete' && input?.truncated === true && !input.warnings.some((w) => w.startsWith('damaged at byte'))) {
        falseAlarms.push(`${relative(CORPUS, o.file)}: ${input.warnings.join(' | ')}`);
      }
    }
    console.log(`corpus pcap: ${cutFiles} files end inside a record or block`);
    expect(unreported).toEqual([]);
    expect(falseAlarms).toEqual([]);
    expect(miscounted).toEqual([]);
  }, 600_000);

  it('conntrack/: every dump, series, event stream and sysctl file is read', async () => {
    const { outcomes, problems } = await readAll(join(CORPUS, 'conntrack'));
    console.log(`corpus conntrack: ${summary(outcomes)}`);
    expect(problems).toEqual([]);
    expect(outcomes.filter((o) => o.error).map((o) => o.error!.toLine())).toEqual([]);
  }, 120_000);

  it('flows/: every export is read, or refused with its line (Zeek baselines with masked timestamps)', async () => {
    const { outcomes, problems } = await readAll(join(CORPUS, 'flows'));
    console.log(`corpus flows: ${summary(outcomes)}`);
    expect(problems).toEqual([]);
    for (const o of outcomes) {
      if (/masked-timestamps/.test(o.file)) {
        // Every record line's timestamp is XXXXXXXXXX.XXXXXX: refused, or each line skipped with its number.
        if (o.error) expect(o.error.line, o.error.toLine()).toBeGreaterThan(0);
        else {
          const warnings = o.result!.inputs.flatMap((i) => i.warnings);
          expect(warnings.some((w) => /lines could not be read and were skipped \(first: line \d+: timestamp is masked/.test(w)), warnings.join(' | ')).toBe(true);
        }
      } else {
        expect(o.error?.toLine()).toBeUndefined();
      }
    }
  }, 120_000);

  // The corpus holds no capture cut short (its malformed files are malformed inside packets), so
  // cut some: every 40th capture, at a third and at two thirds of its length. The reader must say
  // truncated, name the byte where the cut record starts, and keep every record before it.
  it('pcap/ cut short: truncated, the byte where the cut record starts, every record before it', async () => {
    const list = files(join(CORPUS, 'pcap')).filter((f, i) => i % 40 === 0 && !f.endsWith('.gz'));
    const wrong: string[] = [];
    let cuts = 0;
    for (const f of list) {
      const whole = readFileSync(f);
      const w = walk(whole);
      if (w.end !== 'complete' || w.format === null) continue;
      for (const frac of [1 / 3, 2 / 3]) {
        const at = Math.floor(whole.length * frac);
        const started = w.starts.filter((s) => s < at);
        const last = started[started.length - 1];
        if (last === undefined || last === at || w.format === 'pcapng' && last === 0) continue;
        cuts++;
        const keep = w.packetStarts.filter((s) => s < last).length;
        const r = await trackCapture(w.format, whole.subarray(0, at), {}, 65536, 'cut');
        const what = w.format === 'pcap' ? 'record' : 'block';
        const ok = r.summary.truncated && r.summary.packets === keep &&
          r.summary.warnings.some((x) => x.includes(`cut short at byte ${at} (${what} starts at byte ${last})`));
        if (!ok) wrong.push(`${relative(CORPUS, f)} cut at ${at}: truncated ${r.summary.truncated}, ${r.summary.packets} packets (expected ${keep}), ${r.summary.warnings.join(' | ')}`);
      }
    }
    console.log(`corpus pcap: ${cuts} cuts of ${list.length} captures`);
    expect(cuts).toBeGreaterThan(40);
    expect(wrong).toEqual([]);
  }, 300_000);
});
