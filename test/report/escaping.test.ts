// Input-derived text in the reports: an input path, labels, a keep-alive sender and a platform
// name carrying <script>, |, * and =cmd() are escaped in HTML and Markdown and neutralised in CSV,
// through the renderers and through the built command line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { changeRequestCsv } from '../../src/report/change-request-csv-json.js';
import { changeRequestHtml } from '../../src/report/html.js';
import { escapeHtml } from '../../src/report/escape.js';
import { changeRequestMarkdown } from '../../src/report/markdown.js';
import { ensureBuilt, runCli } from '../helpers/cli.js';
import { HOSTILE, STORY, hostileReport } from './fixtures.js';
import { parseMarkdown } from './mdparse.js';

/** The elements fwtp's HTML report is made of; anything else was injected. */
const OUR_TAGS = new Set(['html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'h3', 'p', 'section', 'div', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
  'code', 'pre', 'ul', 'li', 'figure', 'figcaption', 'svg', 'rect', 'line', 'text', 'path', 'polyline']);

function tagsOf(html: string): string[] {
  return [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => m[1]!.toLowerCase());
}

const FORMULA = /^[=+\-@\t\r]/;

describe('escapeHtml', () => {
  it('escapes the five HTML characters, ampersand first, and drops control characters', () => {
    expect(escapeHtml('<script>"x"</script>')).toBe('&lt;script&gt;&quot;x&quot;&lt;/script&gt;');
    expect(escapeHtml("a & b's &lt;")).toBe('a &amp; b&#39;s &amp;lt;');
    expect(escapeHtml('bell\u0007 esc\u001b[31mred')).toBe('bell escred');
    expect(escapeHtml('plain 198.51.100.24:1521 -> 192.0.2.10:*')).toBe('plain 198.51.100.24:1521 -&gt; 192.0.2.10:*');
  });
});

describe('renderers with hostile labels', () => {
  const r = hostileReport();

  it('HTML: only our own elements, the hostile text shown as text', () => {
    const html = changeRequestHtml(r);
    expect(html).not.toMatch(/<script/i);
    expect(new Set(tagsOf(html)).size).toBeGreaterThan(10);
    for (const tag of tagsOf(html)) expect(OUR_TAGS.has(tag), tag).toBe(true);
    const shown = escapeHtml(HOSTILE);
    expect(shown).toBe('&lt;script&gt;alert(1)&lt;/script&gt; | *x* =cmd()');
    expect(html).toContain(`Input: /tmp/${shown}.pcap (pcap, 10 packets)`);
    expect(html).toContain(`<code>${shown} -&gt; 192.0.2.10:*</code>`);
    expect(html).toContain(`Observed keep-alives from ${shown}:1521`);
    expect(html).toContain(`<title>${escapeHtml(r.title)}</title>`);
  });

  it('Markdown: no markup, the text reads back as written', () => {
    const md = parseMarkdown(changeRequestMarkdown(r));
    expect(md.markup).toEqual([]);
    expect(md.items).toContain(`Input: /tmp/${HOSTILE}.pcap (pcap, 10 packets)`);
  });

  it('CSV: formula cells neutralised with an apostrophe, every row whole', () => {
    const csv = changeRequestCsv(r);
    const rows = parse(csv) as string[][];
    expect(rows).toHaveLength(4);
    const header = rows[0]!;
    for (const row of rows) expect(row).toHaveLength(header.length);
    const col = (name: string): number => header.indexOf(name);
    expect(rows[1]![col('most_affected')]).toBe(`'=cmd() ${HOSTILE} -> 192.0.2.10:*`);
    expect(rows[1]![col('platform')]).toBe(`'=HYPERLINK("x") ${HOSTILE}`);
    for (const row of rows.slice(1)) for (const cell of row) expect(FORMULA.test(cell), cell).toBe(false);
  });
});

describe('the built command line with a hostile input path and platform name', () => {
  let dir = '';
  let input = '';
  let profile = '';
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'fwtp-report-esc-'));
    // The path reads "<script>alert(1)</script>|*=cmd().pcap": the directory separator closes the tag.
    mkdirSync(join(dir, '<script>alert(1)<'));
    input = join(dir, '<script>alert(1)<', 'script>|*=cmd().pcap');
    copyFileSync(STORY, input);
    profile = join(dir, 'profile.json');
    writeFileSync(profile, JSON.stringify({ base: 'linux', name: '=cmd()|<b>fw</b>*', title: '<i>edge</i>' }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const args = (...more: string[]): string[] => ['report', input, '--current', '3600', '--proposed', '9000', '--platform-file', profile, ...more];

  it('HTML escapes the path and the platform name', () => {
    const run = runCli(args('--format', 'html'));
    expect(run.status).toBe(0);
    expect(run.stdout).not.toMatch(/<script|<b>|<i>/i);
    for (const tag of tagsOf(run.stdout)) expect(OUR_TAGS.has(tag), tag).toBe(true);
    expect(run.stdout).toContain(escapeHtml(`Input: ${input} (pcap, 1479 packets)`));
    expect(run.stdout).toContain('=cmd()|&lt;b&gt;fw&lt;/b&gt;*');
  });

  it('Markdown reads back the path exactly, with no markup', () => {
    const run = runCli(args('--format', 'md'));
    expect(run.status).toBe(0);
    const md = parseMarkdown(run.stdout);
    expect(md.markup).toEqual([]);
    expect(md.items).toContain(`Input: ${input} (pcap, 1479 packets)`);
    expect(md.headings[0]!.text).toBe('Change request: raise the TCP established idle timeout on =cmd()|<b>fw</b>* from 1h to 2h30m');
  });

  it('CSV neutralises the platform name; -o writes the same bytes as stdout', () => {
    const run = runCli(args('--format', 'csv'));
    expect(run.status).toBe(0);
    const rows = parse(run.stdout) as string[][];
    const platform = rows[0]!.indexOf('platform');
    expect(rows.slice(1).map((row) => row[platform])).toEqual(["'=cmd()|<b>fw</b>*", "'=cmd()|<b>fw</b>*"]);
    const out = join(dir, 'change.csv');
    expect(runCli(args('-o', out)).status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(run.stdout);
  });
});
