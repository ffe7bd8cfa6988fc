/**
 * Runs the built command line (`node bin/fwtp.js`) for tests, rebuilding dist/ first when a
 * source file is newer than its compiled output (as `npm test` would have done).
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'fwtp.js');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** True when some src/ file has no compiled twin in dist/ or is newer than it. */
export function distIsStale(): boolean {
  const src = join(ROOT, 'src');
  for (const f of sources(src)) {
    const js = join(ROOT, 'dist', relative(src, f)).replace(/\.tsx?$/, '.js');
    if (!existsSync(js) || statSync(f).mtimeMs > statSync(js).mtimeMs) return true;
  }
  return false;
}

/** Compile when stale. tsc still emits when another file has type errors; those show in its own tests. */
export function ensureBuilt(): void {
  if (!distIsStale()) return;
  spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
}

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stderr split into lines, without the empty last one. */
  errLines: string[];
}

export function runCli(args: string[], opts: { input?: Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    input: opts.input,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
  });
  const stderr = r.stderr ?? '';
  return { status: r.status, stdout: r.stdout ?? '', stderr, errLines: stderr.split('\n').filter((l) => l !== '') };
}
