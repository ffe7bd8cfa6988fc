// docs/ERRORS.md lists every FwtpError code used in src/, with the kind it is raised with and the
// exit code of that kind: a new code without a row (or a row for a code gone) fails here.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const DOC = readFileSync(join(ROOT, 'docs/ERRORS.md'), 'utf8');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (/\.tsx?$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Rows of the code table: code -> { kind, exit }. */
function documented(): Map<string, { kind: string; exit: number }> {
  const rows = new Map<string, { kind: string; exit: number }>();
  for (const m of DOC.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| (usage|input) \| (\d+) \|/gm)) {
    expect(rows.has(m[1]!), `${m[1]} has two rows`).toBe(false);
    rows.set(m[1]!, { kind: m[2]!, exit: Number(m[3]) });
  }
  return rows;
}

/**
 * Codes in src/ with the kind they are raised with, when the call shows it: the first argument of
 * inputError / usageError / new FwtpError (kind from its second argument), the second of the
 * profile reader's `bad(name, CODE, ...)` (input), the first of `checkNonNegative(CODE, ...)` (usage).
 */
function raised(): Map<string, Set<string>> {
  const codes = new Map<string, Set<string>>();
  const add = (code: string, kind: string): void => {
    if (!codes.has(code)) codes.set(code, new Set());
    codes.get(code)!.add(kind);
  };
  for (const f of sources(join(ROOT, 'src'))) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(/\binputError\(\s*'([A-Z0-9_]+)'/g)) add(m[1]!, 'input');
    for (const m of text.matchAll(/\busageError\(\s*'([A-Z0-9_]+)'/g)) add(m[1]!, 'usage');
    for (const m of text.matchAll(/\bnew FwtpError\(\s*'([A-Z0-9_]+)',\s*'(usage|input)'/g)) add(m[1]!, m[2]!);
    for (const m of text.matchAll(/\bbad\(\s*\w+,\s*'([A-Z0-9_]+)'/g)) add(m[1]!, 'input');
    for (const m of text.matchAll(/\bcheckNonNegative\(\s*'([A-Z0-9_]+)'/g)) add(m[1]!, 'usage');
  }
  return codes;
}

describe('docs/ERRORS.md', () => {
  const rows = documented();
  const codes = raised();

  it('finds the codes (the scan works)', () => {
    expect(codes.get('PCAP_RECORD_LENGTH')).toEqual(new Set(['input']));
    expect(codes.get('CLI_OUTPUT_IS_INPUT')).toEqual(new Set(['usage']));
    expect(codes.get('PROFILE_TRUNCATED')).toEqual(new Set(['input']));
    expect(codes.get('CLI_INVALID_OVERRIDE')).toEqual(new Set(['usage']));
    expect(codes.size).toBeGreaterThan(50);
  });

  it('has a row for every code raised in src/, with the kind it is raised with', () => {
    const missing = [...codes.keys()].filter((c) => !rows.has(c)).sort();
    expect(missing, 'codes without a row in docs/ERRORS.md').toEqual([]);
    for (const [code, kinds] of codes) {
      expect([...kinds], `${code} is raised with more than one kind`).toHaveLength(1);
      expect(rows.get(code)!.kind, code).toBe([...kinds][0]);
    }
  });

  it('has no row for a code that no longer exists', () => {
    // A code named anywhere in src/ (passed through a variable, or compared) counts as existing.
    const all = sources(join(ROOT, 'src')).map((f) => readFileSync(f, 'utf8')).join('\n');
    const stale = [...rows.keys()].filter((c) => !all.includes(`'${c}'`));
    expect(stale).toEqual([]);
  });

  it('any literal with an error-code prefix in src/ is documented (codes passed through variables)', () => {
    const prefixes = [...new Set([...rows.keys()].map((c) => c.split('_')[0]))];
    const re = new RegExp(`'((?:${prefixes.join('|')})_[A-Z0-9_]+)'`, 'g');
    const found = new Set<string>();
    for (const f of sources(join(ROOT, 'src'))) for (const m of readFileSync(f, 'utf8').matchAll(re)) found.add(m[1]!);
    expect([...found].filter((c) => !rows.has(c)).sort()).toEqual([]);
  });

  it('gives each kind its exit code: usage 2, input 1', () => {
    for (const [code, r] of rows) expect(r.exit, code).toBe(r.kind === 'usage' ? 2 : 1);
    expect(DOC).toMatch(/^\| 70 \| anything else: a bug in fwtp/m);
  });
});
