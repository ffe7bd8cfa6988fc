/**
 * What `fwtp batch` plans: the candidate files under directories, globs and names on the command
 * line (de-duplicated, the output directory left out), whether each is an input fwtp reads, and
 * the datasets they make (one per file, or per directory).
 *
 * Nothing is lost without a word (docs/BATCH.md "What is left out"):
 * - a file named on the command line, or whose name says capture, log, dump or profile
 *   (INPUT_NAME_RE), is always an input: if its content is none of them, its dataset fails with
 *   readInputs' error (INPUT_UNKNOWN_FORMAT), like a damaged capture;
 * - any other file is recognised by content (only INPUT_UNKNOWN_FORMAT means "not an input");
 * - every file or directory left out (hidden, symlinked directory, the output directory, the same
 *   file twice, content fwtp does not read) is listed with its reason (`leftOut` of summary.json).
 * `.txt`, `.csv`, `.tsv`, `.json` and `.xml` are not input names: conntrack listings, sysctl dumps
 * and flow exports carry them as often as READMEs and spreadsheets do, so they go by content.
 */
import { closeSync, existsSync, lstatSync, openSync, readSync, readdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { readInputs } from '../read/inputs.js';
import { FwtpError, usageError } from '../util/errors.js';
import { expandGlob, hasGlob } from '../util/glob.js';
import { naturalCompare } from '../util/natural-compare.js';

/** Bytes of a file's head handed to readInputs to learn whether it is an input at all. */
const SNIFF_BYTES = 64 * 1024;

export interface Found {
  /** The path as it will be read and shown (relative paths stay relative). */
  path: string;
  /** Where dataset names start: the parent of the directory or glob base the file came from. */
  root: string;
  /** Named on the command line (not found by a walk or a glob): never sniffed, its errors are failures. */
  explicit: boolean;
}
/**
 * Names that say capture (pcap, pcapng, cap, ntar, and anything gzip-compressed), log (.log:
 * Zeek conn.log, firewall logs), dump (.dmp) or fwtp profile (.fwtp).
 */
export const INPUT_NAME_RE = /\.(pcap|pcapng|cap|ntar|gz|log|dmp|fwtp)$/i;

/** A file or directory batch did not plan, and why (summary.json `leftOut`). */
export interface LeftOut {
  path: string;
  reason: string;
}

/** Files under `dir` (recursively; hidden entries, symlinked directories and `skip` left out and noted), sorted. */
function walk(dir: string, skip: string | null, out: string[], leftOut: LeftOut[]): void {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort(naturalCompare);
  } catch (e) {
    throw new FwtpError('BATCH_UNREADABLE_DIR', 'input', `cannot list the directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { file: dir });
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (name.startsWith('.')) { leftOut.push({ path: p, reason: 'hidden (the name starts with a dot): not looked at' }); continue; }
    let st;
    try { st = lstatSync(p); } catch (e) { leftOut.push({ path: p, reason: `cannot be examined (${(e as NodeJS.ErrnoException).code ?? 'error'})` }); continue; }
    if (st.isDirectory()) {
      if (skip !== null && safeRealpath(p) === skip) { leftOut.push({ path: p, reason: 'the output directory (--out)' }); continue; }
      walk(p, skip, out, leftOut);
    } else if (st.isFile() || (st.isSymbolicLink() && existsSync(p) && statSync(p).isFile())) out.push(p);
    else if (st.isSymbolicLink() && existsSync(p) && statSync(p).isDirectory()) leftOut.push({ path: p, reason: 'a symbolic link to a directory: not followed (name the directory itself)' });
    else if (st.isSymbolicLink()) leftOut.push({ path: p, reason: 'a symbolic link to nothing' });
    else leftOut.push({ path: p, reason: 'not a regular file (device, socket or pipe)' });
  }
}

function safeRealpath(p: string): string {
  try { return realpathSync(p); } catch { return resolve(p); }
}
/** Every candidate file named by the sources, de-duplicated (by real path), in source order; what was passed over goes to `leftOut`. */
export function findFiles(sources: string[], outDir: string, leftOut: LeftOut[] = []): Found[] {
  const skip = safeRealpath(outDir);
  const all: Found[] = [];
  const fromDir = (dir: string, root = dirname(resolve(dir))): void => {
    const files: string[] = [];
    walk(dir, skip, files, leftOut);
    for (const f of files) all.push({ path: f, root, explicit: false });
  };
  for (const s of sources) {
    if (existsSync(s)) {
      if (statSync(s).isDirectory()) fromDir(s);
      else all.push({ path: s, root: dirname(resolve(s)), explicit: true });
    } else if (hasGlob(s)) {
      const { base, files, dirs } = expandGlob(s.length > 1 ? s.replace(/\/+$/, '') : s, (p) => safeRealpath(p) === skip);
      if (files.length === 0 && dirs.length === 0) throw usageError('BATCH_NO_MATCH', `${s} matches no file or directory`);
      const root = dirname(resolve(base));
      for (const f of files) all.push({ path: f, root, explicit: false });
      for (const d of dirs) fromDir(d, root);
    } else {
      throw usageError('BATCH_NO_SUCH_SOURCE', `${s}: no such file or directory`);
    }
  }
  const seen = new Map<string, string>();
  return all.filter((f) => {
    const key = safeRealpath(f.path);
    const first = seen.get(key);
    if (first !== undefined) {
      leftOut.push({ path: f.path, reason: `the same file as ${first} (planned once)` });
      return false;
    }
    seen.set(key, f.path);
    return true;
  });
}

/**
 * Whether a found file is planned: always when named on the command line or when its name says
 * it is an input (INPUT_NAME_RE: the real read then reports what is wrong with it); otherwise
 * when readInputs takes it, judged on its first bytes. Null when it is an input, else the reason
 * it is left out.
 */
export async function leftOutReason(f: Found, scratch: string): Promise<string | null> {
  if (f.explicit || INPUT_NAME_RE.test(basename(f.path))) return null;
  if (await isInput(f.path, scratch)) return null;
  return 'content is none of the inputs fwtp reads (capture, profile, conntrack, flow export), and the name does not say it is one';
}

/**
 * Whether readInputs takes the file, judged on its first bytes (a copy of the head, so a large
 * capture is not read twice): only INPUT_UNKNOWN_FORMAT means "not an input". Every other error
 * (a damaged header, a cut-short gzip) leaves the file in, for the real read to report.
 */
export async function isInput(path: string, scratch: string): Promise<boolean> {
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

export interface Dataset {
  name: string;
  files: string[];
  jsonPath: string;
  mdPath: string;
  sizeBytes: number;
}

export function datasets(found: Found[], perDir: boolean, outDir: string): Dataset[] {
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
