// The HTML change request: one self-contained file (no URL, no external resource, no script),
// and rendered in headless Chromium (the oracle for "it displays"): the charts are in the DOM,
// nothing is logged to the console, the page makes no network request, the screenshot is not
// blank and it prints to a few PDF pages. Chromium runs with name resolution disabled, so even
// its own background requests never leave the machine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { changeRequestHtml } from '../../src/report/html.js';
import { logTimeTicks, niceStep } from '../../src/report/svg.js';
import { ecdfAt } from '../../src/flows/distribution.js';
import { storyReport } from './fixtures.js';

const r = await storyReport({ candidates: [7200, 14400] });
const html = changeRequestHtml(r);

describe('self-contained', () => {
  it('has no URL, no script and no external reference', () => {
    expect(html).not.toMatch(/https?:/i);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|<object|@import|javascript:/i);
    // Attributes of the elements (text is escaped, so every "<" opens one of ours).
    const tags = html.match(/<[a-zA-Z][^>]*>/g) ?? [];
    expect(tags.length).toBeGreaterThan(100);
    for (const tag of tags) {
      for (const m of tag.matchAll(/\s(src|href|xlink:href|srcset|action|poster|background)\s*=\s*["']?([^"' >]*)/gi)) expect(m[2]!.startsWith('#') || m[2]!.startsWith('data:'), tag).toBe(true);
    }
    for (const m of html.matchAll(/url\(([^)]*)\)/gi)) expect(m[1]!.replace(/["']/g, '').startsWith('data:'), m[0]).toBe(true);
    expect(html).toContain('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">');
  });

  it('draws the two charts: the ECDF with a line per candidate and the keep-alive, entries over time per candidate', () => {
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html.match(/<path class="ecdf"/g)).toHaveLength(1);
    // current, proposed, two alternatives, the observed keep-alive idle
    expect([...html.matchAll(/class="marker marker-(\w+)"/g)].map((m) => m[1])).toEqual(['current', 'proposed', 'alternative', 'alternative', 'keepalive']);
    expect([...html.matchAll(/<polyline class="series series-(\w+)" points="([^"]*)"/g)].map((m) => [m[1], m[2]!.split(' ').length])).toEqual([
      ['current', 60], ['proposed', 60], ['alternative', 60], ['alternative', 60],
    ]);
    expect(html).toContain('current 1h: 96.2% of gaps are shorter');
  });

  it('print CSS keeps tables and charts whole', () => {
    expect(html).toContain('@media print');
    expect(html).toMatch(/table, figure, pre, svg, p\.summary \{ break-inside: avoid; page-break-inside: avoid; \}/);
  });
});

describe('chart helpers', () => {
  it('reads the ECDF as a step function and picks round ticks', () => {
    const pts = [{ seconds: 1, fraction: 0.5 }, { seconds: 10, fraction: 0.9 }, { seconds: 100, fraction: 1 }];
    expect([ecdfAt(pts, 0.5), ecdfAt(pts, 1), ecdfAt(pts, 9.99), ecdfAt(pts, 10), ecdfAt(pts, 1e6)]).toEqual([0, 0.5, 0.5, 0.9, 1]);
    expect(logTimeTicks(0.001, 100000)).toEqual([0.001, 0.01, 0.1, 1, 10, 60, 600, 3600, 36000, 86400]);
    expect([niceStep(22, 5), niceStep(100, 5), niceStep(7, 5), niceStep(0, 5)]).toEqual([5, 20, 2, 1]);
  });
});

const CHROMIUM = process.env.CHROMIUM ?? 'chromium';
const hasChromium = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8', timeout: 30_000 }).status === 0;
if (!hasChromium) console.warn(`test/report/html.test.ts: ${CHROMIUM} not found (Debian package chromium): skipping the headless rendering checks`);

/** Hosts Chromium itself calls (time, updates, accounts) despite the flags; resolution is disabled, so they fail locally. */
const CHROMIUM_OWN_HOSTS = /^https?:\/\/(clients\d*\.google\.com|update\.googleapis\.com|accounts\.google\.com|[a-z0-9.-]+\.gvt1\.com|optimizationguide-pa\.googleapis\.com)\//;

interface Rendered { dom: string; consoleLines: string[]; requests: string[]; status: number | null }

(hasChromium ? describe : describe.skip)('rendered in headless Chromium', () => {
  let dir = '';
  let page = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fwtp-report-html-'));
    page = join(dir, 'change.html');
    writeFileSync(page, html);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // Chromium's start-up is the slow part on a loaded machine; the limits (240 s per run, 300 s per
  // test) only bound a hang: no assertion depends on timing (docs/LAB.md, "Timing margins").
  function chromium(file: string, ...extra: string[]): { stdout: string; stderr: string; status: number | null } {
    const profile = mkdtempSync(join(dir, 'profile-'));
    const run = spawnSync(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--host-resolver-rules=MAP * ~NOTFOUND', ...extra, pathToFileURL(file).href],
    { encoding: 'utf8', timeout: 240_000, maxBuffer: 64 * 1024 * 1024 });
    return { stdout: run.stdout ?? '', stderr: run.stderr ?? '', status: run.status };
  }

  /** DOM after load, console messages (from the log on stderr) and the URLs the net log saw. */
  function render(file: string): Rendered {
    const netlog = join(dir, `net-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
    const run = chromium(file, '--enable-logging=stderr', '--v=0', `--log-net-log=${netlog}`, '--dump-dom');
    const log = readFileSync(netlog, 'utf8');
    const requests = [...new Set([...log.matchAll(/"url":"([^"]*)"/g)].map((m) => m[1]!))].filter((u) => !CHROMIUM_OWN_HOSTS.test(u));
    return { dom: run.stdout, consoleLines: run.stderr.split('\n').filter((l) => /:CONSOLE[:(]/.test(l)), requests, status: run.status };
  }

  it('the oracle sees console messages and page requests', () => {
    const bad = join(dir, 'bad.html');
    writeFileSync(bad, '<!DOCTYPE html><html><head><title>x</title></head><body><p>x</p><img src="http://example.invalid/x.png"><script>console.error("boom")</script></body></html>');
    const seen = render(bad);
    expect(seen.status).toBe(0);
    expect(seen.consoleLines.some((l) => l.includes('"boom"'))).toBe(true);
    expect(seen.requests).toContain('http://example.invalid/x.png');
  }, 300_000);

  it('renders the report: charts in the DOM, no console message, no request', () => {
    const seen = render(page);
    expect(seen.status).toBe(0);
    expect(seen.consoleLines).toEqual([]);
    expect(seen.requests).toEqual([]);
    expect(seen.dom.match(/<svg /g)).toHaveLength(2);
    expect(seen.dom).toContain('<path class="ecdf"');
    expect(seen.dom.match(/<polyline class="series/g)).toHaveLength(4);
    expect(seen.dom).toContain(`<h1>${r.title}</h1>`);
    for (const id of ['summary', 'comparison', 'impact', 'evidence', 'coverage', 'assumptions', 'configuration', 'risks', 'watch']) expect(seen.dom).toContain(`<section id="${id}">`);
  }, 300_000);

  it('takes a screenshot that is not blank', () => {
    const png = join(dir, 'change.png');
    const run = chromium(page, '--window-size=1100,2400', '--hide-scrollbars', `--screenshot=${png}`);
    expect(run.status).toBe(0);
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // IHDR: width and height, big-endian, at bytes 16..24
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1100, 2400]);
    // A blank page compresses to a few KiB; text, tables and charts do not.
    expect(statSync(png).size).toBeGreaterThan(100_000);
  }, 300_000);

  it('prints to a few A4/Letter pages', () => {
    const pdf = join(dir, 'change.pdf');
    const run = chromium(page, '--no-pdf-header-footer', `--print-to-pdf=${pdf}`);
    expect(run.status).toBe(0);
    const text = readFileSync(pdf).toString('latin1');
    expect(text.startsWith('%PDF-')).toBe(true);
    const pages = (text.match(/\/Type \/Page\b/g) ?? []).length;
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(pages).toBeLessThanOrEqual(6);
  }, 300_000);
});
