/**
 * The stage rules of src/ (README, "Project layout"): bytes -> records (ingest) -> flows ->
 * profile -> read -> model -> report -> tui -> cli, util below all. A stage imports only the
 * stages its row allows (model and later never reach back into ingest: they see flows), no two
 * files import each other through any chain, and no two folders do. A broken rule fails with
 * the file, the import and the rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

/** The stages each stage may import, besides itself and util. */
export const ALLOWED: Record<string, readonly string[]> = {
  util: [],
  ingest: [],
  flows: ['ingest'],
  profile: ['ingest', 'flows'],
  read: ['ingest', 'flows', 'profile'],
  model: ['flows'],
  report: ['flows', 'model', 'read'],
  tui: ['flows', 'model', 'report'],
  cli: ['ingest', 'flows', 'profile', 'read', 'model', 'report', 'tui'],
};

const SRC = join(ROOT, 'src');
// `import x from './a.js'`, `export { y } from './b.js'`, `import './c.js'` (side effects only), `import('./d.js')`.
const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|^\s*import\s+['"](\.[^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : /\.tsx?$/.test(e.name) ? [relative(ROOT, p)] : [];
  });
}

/** The src file a relative specifier names (`./x.js` is x.ts or x.tsx), or null. */
function resolveImport(files: Set<string>, from: string, spec: string): string | null {
  const base = normalize(join(dirname(from), spec)).replace(/\.js$/, '');
  for (const c of [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')]) if (files.has(c)) return c;
  return null;
}

export function stageOf(file: string): string {
  return file.split('/')[1] ?? '';
}

export interface ImportEdge { from: string; to: string; spec: string }

export function importGraph(files: string[], read: (f: string) => string): ImportEdge[] {
  const set = new Set(files);
  const edges: ImportEdge[] = [];
  for (const f of files) {
    for (const m of read(f).matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? '';
      const to = resolveImport(set, f, spec);
      if (to !== null) edges.push({ from: f, to, spec });
    }
  }
  return edges;
}

/** Every broken stage rule, one line each. */
export function stageViolations(edges: ImportEdge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const a = stageOf(e.from);
    const b = stageOf(e.to);
    if (a === b || b === 'util') continue;
    const allowed = ALLOWED[a];
    if (allowed === undefined) out.push(`${e.from}: folder src/${a} is not a stage (add it to ALLOWED in test/layout/stages.test.ts)`);
    else if (!allowed.includes(b)) out.push(`${e.from} imports '${e.spec}' (src/${b}): ${a} may import only ${[...allowed, 'util'].join(', ')}`);
  }
  return out;
}

/** Strongly connected components of more than one node (Tarjan), each sorted. */
export function circles(nodes: string[], next: (n: string) => string[]): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter); low.set(v, counter); counter++;
    stack.push(v); on.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      for (;;) { const w = stack.pop()!; on.delete(w); comp.push(w); if (w === v) break; }
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const n of nodes) if (!index.has(n)) visit(n);
  return out;
}

describe('stage rules of src/', () => {
  const files = sourceFiles(SRC);
  const edges = importGraph(files, (f) => readFileSync(join(ROOT, f), 'utf8'));

  it('no stage imports a later one, and model and later never import ingest', () => {
    expect(stageViolations(edges)).toEqual([]);
  });

  it('no import circle between files', () => {
    const next = new Map<string, string[]>();
    for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
    expect(circles(files, (f) => next.get(f) ?? []).map((c) => c.join(' <-> '))).toEqual([]);
  });

  it('no import circle between folders', () => {
    const next = new Map<string, Set<string>>();
    for (const e of edges) if (stageOf(e.from) !== stageOf(e.to)) next.set(stageOf(e.from), (next.get(stageOf(e.from)) ?? new Set()).add(stageOf(e.to)));
    expect(circles([...new Set(files.map(stageOf))], (s) => [...(next.get(s) ?? [])]).map((c) => c.join(' <-> '))).toEqual([]);
  });

  it('no source file over 500 lines', () => {
    const long = files.map((f) => ({ f, n: readFileSync(join(ROOT, f), 'utf8').split('\n').length - 1 })).filter((x) => x.n > 500);
    expect(long.map((x) => `${x.f} (${x.n} lines)`)).toEqual([]);
  });

  it('the check itself: a later-stage import, an import of ingest from model, a side-effect import and a circle are caught', () => {
    const fake: Record<string, string> = {
      'src/flows/a.ts': "import { x } from '../model/b.js';",
      'src/model/b.ts': "import { y } from '../ingest/c.js';\nimport { z } from './d.js';",
      'src/model/d.ts': "export { w } from './b.js';",
      'src/ingest/c.ts': '',
      'src/ingest/e.ts': "import '../report/f.js';",
      'src/report/f.ts': '',
    };
    const g = importGraph(Object.keys(fake), (f) => fake[f]!);
    expect(stageViolations(g)).toEqual([
      "src/flows/a.ts imports '../model/b.js' (src/model): flows may import only ingest, util",
      "src/model/b.ts imports '../ingest/c.js' (src/ingest): model may import only flows, util",
      "src/ingest/e.ts imports '../report/f.js' (src/report): ingest may import only util",
    ]);
    const next = (f: string): string[] => g.filter((e) => e.from === f).map((e) => e.to);
    expect(circles(Object.keys(fake), next)).toEqual([['src/model/b.ts', 'src/model/d.ts']]);
  });
});
