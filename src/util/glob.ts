/**
 * Glob patterns over relative paths with `/` separators (`*`, `?`, `**`, `[...]`, `[!...]`,
 * `{a,b}`), and the files and directories a pattern names under its fixed leading directories.
 * Hidden entries (names starting with a dot) never match, as in the shells.
 */
import { existsSync, lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { naturalCompare } from './natural-compare.js';

/** Whether the text has a glob character (so it is a pattern, not a path). */
export function hasGlob(s: string): boolean {
  return /[*?[{]/.test(s);
}

/** A glob (`*`, `?`, `**`, `[...]`, `{a,b}`) as a regular expression over `/`-separated relative paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches any number of directories, `**` at the end anything.
        if (glob[i + 2] === '/') { re += '(?:[^/]+/)*'; i += 2; } else { re += '.*'; i += 1; }
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) { re += '\\['; continue; }
      let body = glob.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) { re += '\\{'; continue; }
      re += `(?:${glob.slice(i + 1, end).split(',').map((alt) => alt.replace(/[.+^$()|\\]/g, '\\$&')).join('|')})`;
      i = end;
    } else re += /[.+^$()|\\\]}]/.test(c) ? `\\${c}` : c;
  }
  return new RegExp(`^${re}$`);
}
export interface GlobMatches {
  /** The pattern's leading directories without glob characters, where the search started ("." when none). */
  base: string;
  /** Files whose path below `base` matches, in natural name order, directory by directory. */
  files: string[];
  /** Directories whose path below `base` matches (not searched further). */
  dirs: string[];
}

/**
 * Files and directories under the pattern's fixed leading directories whose relative path
 * matches it. Symlinked directories are not descended into (they may loop); `skipDir` names
 * directories to leave out (batch: its own output directory).
 */
export function expandGlob(pattern: string, skipDir: (path: string) => boolean = () => false): GlobMatches {
  const parts = pattern.split('/');
  let k = 0;
  while (k < parts.length - 1 && !hasGlob(parts[k]!)) k++;
  const base = parts.slice(0, k).join('/') || (pattern.startsWith('/') ? '/' : '.');
  const re = globToRegExp(parts.slice(k).join('/'));
  const files: string[] = [];
  const dirs: string[] = [];
  const visit = (dir: string, rel: string): void => {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) return;
    for (const name of readdirSync(dir).sort(naturalCompare)) {
      if (name.startsWith('.')) continue;
      const p = join(dir, name);
      const r = rel === '' ? name : `${rel}/${name}`;
      let st;
      try { st = statSync(p); } catch { continue; }
      if (re.test(r)) {
        if (st.isDirectory()) dirs.push(p);
        else if (st.isFile()) files.push(p);
      } else if (st.isDirectory() && !lstatSync(p).isSymbolicLink() && !skipDir(p)) visit(p, r);
    }
  };
  visit(base, '');
  return { base, files, dirs };
}
