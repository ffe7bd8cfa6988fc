// Glob patterns (src/util/glob.ts): the regular expression of a pattern, and what a pattern names
// in a small directory tree made here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expandGlob, globToRegExp, hasGlob } from '../../src/util/glob.js';

describe('globToRegExp', () => {
  it('* and ? stay within a name, ** crosses directories, [..] and {a,b} choose', () => {
    const re = globToRegExp('**/cap-?.{pcap,pcapng}');
    expect(['cap-1.pcap', 'a/cap-2.pcapng', 'a/b/cap-x.pcap'].every((p) => re.test(p))).toBe(true);
    expect(['cap-10.pcap', 'cap-1.pcap.gz', 'a/cap-1.txt'].some((p) => re.test(p))).toBe(false);
    expect(globToRegExp('*.pcap').test('a/b.pcap')).toBe(false);
    expect(globToRegExp('day[12].pcap').test('day2.pcap')).toBe(true);
    expect(globToRegExp('day[!12].pcap').test('day2.pcap')).toBe(false);
    expect(globToRegExp('a+b.pcap').test('a+b.pcap')).toBe(true);
  });

  it('takes an unclosed [ or { literally, and regular-expression characters as themselves', () => {
    expect(globToRegExp('a[b').test('a[b')).toBe(true);
    expect(globToRegExp('a{b').test('a{b')).toBe(true);
    expect(globToRegExp('(x)|y.pcap').test('(x)|y.pcap')).toBe(true);
    expect(globToRegExp('a.pcap').test('aXpcap')).toBe(false);
    expect(globToRegExp('logs/**').test('logs/a/b/c')).toBe(true);
  });

  it('hasGlob tells a pattern from a path', () => {
    expect(['*.pcap', 'a?', 'day[12]', '{a,b}'].every(hasGlob)).toBe(true);
    expect(['caps/day1.pcap', 'a-b_c.pcapng'].some(hasGlob)).toBe(false);
  });
});

describe('expandGlob', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fwtp-glob-'));
    for (const f of ['sites/a/cap.10.pcap', 'sites/a/cap.2.pcap', 'sites/b/cap.1.pcap', 'sites/b/notes.txt', 'sites/.hidden/cap.1.pcap', 'out/x.pcap']) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), '');
    }
    symlinkSync(join(dir, 'sites'), join(dir, 'sites', 'loop'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const rel = (paths: string[]): string[] => paths.map((p) => relative(dir, p));

  it('files in natural order below the fixed base; hidden entries and symlinked directories left out', () => {
    const m = expandGlob(`${dir}/sites/**/*.pcap`);
    expect(m.base).toBe(`${dir}/sites`);
    expect(rel(m.files)).toEqual(['sites/a/cap.2.pcap', 'sites/a/cap.10.pcap', 'sites/b/cap.1.pcap']);
    expect(m.dirs).toEqual([]);
  });

  it('a pattern ending in a directory name gives the directories, not searched further', () => {
    const m = expandGlob(`${dir}/sites/*`);
    expect(rel(m.dirs)).toEqual(['sites/a', 'sites/b', 'sites/loop']);
    expect(m.files).toEqual([]);
  });

  it('skipDir keeps a directory out of the search', () => {
    const m = expandGlob(`${dir}/**/*.pcap`, (p) => p === join(dir, 'out'));
    expect(rel(m.files)).toEqual(['sites/a/cap.2.pcap', 'sites/a/cap.10.pcap', 'sites/b/cap.1.pcap']);
  });

  it('nothing for a base that does not exist', () => {
    expect(expandGlob(`${dir}/none/*.pcap`)).toEqual({ base: `${dir}/none`, files: [], dirs: [] });
  });
});
