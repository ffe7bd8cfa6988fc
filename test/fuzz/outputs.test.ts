// Outputs stay safe whatever the inputs hold (properties, fast-check): text for the terminal
// keeps no control character or escape sequence, error lines are one line, CSV cells cannot be
// run as formulas and read back exactly, Markdown and HTML escape input-derived text.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { parse as parseCsv } from 'csv-parse/sync';
import { sanitizeText } from '../../src/util/text.js';
import { errorLine, MAX_ERROR_LINE } from '../../src/cli/main.js';
import { csvCell, csvLine } from '../../src/report/csv.js';
import { mdCell } from '../../src/report/escape.js';
import { mdText } from '../../src/report/escape.js';
import { escapeHtml } from '../../src/report/escape.js';

// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Strings rich in what attacks a terminal: ESC, CSI/OSC/DCS introducers, C0/C1, bidi overrides. */
const hostile = fc.array(fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
  { weight: 3, arbitrary: fc.constantFrom('\u001b', '\u001b[', '\u001b]', '\u001bP', '\u001b\\', '\u0007', '\u009b', '\u009d', '\r', '\n', '\t', '\u0000', '\u007f', '\u202e', '\u2066', '\u200f', '[31m', ']0;title', '2J', 'a', ' ', 'é', '\ud83d\ude00') },
), { maxLength: 20 }).map((a) => a.join(''));

describe('sanitizeText (src/util/text.ts)', () => {
  it('leaves no ESC, no C0 control but tab and newline, no DEL, no C1 control, no bidi formatting character', () => {
    fc.assert(fc.property(hostile, (s) => !FORBIDDEN.test(sanitizeText(s))), { numRuns: 5000, seed: 7 });
  });

  it('is idempotent, and leaves printable text, tabs and newlines as they are', () => {
    fc.assert(fc.property(hostile, (s) => sanitizeText(sanitizeText(s)) === sanitizeText(s)), { numRuns: 2000, seed: 8 });
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom(...'abc XYZ09-_./:;[]()\t\né€'.split('')) }), (s) => sanitizeText(s) === s), { numRuns: 2000, seed: 9 });
  });

  it('removes whole sequences, not only their ESC: CSI colour, OSC title, cursor moves', () => {
    expect(sanitizeText('a\u001b[31mred\u001b[0m b')).toBe('ared b');
    expect(sanitizeText('x\u001b]0;owned\u0007y')).toBe('xy');
    expect(sanitizeText('x\u001b]8;;http://e.x\u001b\\link\u001b]8;;\u001b\\y')).toBe('xlinky');
    expect(sanitizeText('n\u001b[2J\u001b[Hm')).toBe('nm');
    expect(sanitizeText('evil\u202egnp.exe')).toBe('evilgnp.exe');
    // Unterminated, an OSC loses only its introducer: the text after it stays.
    expect(sanitizeText('a\u001b]0;b: byte 7: cut [X]')).toBe('a0;b: byte 7: cut [X]');
  });
});

describe('error lines (src/cli/main.ts errorLine)', () => {
  it('one line, no control character, at most MAX_ERROR_LINE characters, the code kept at the end', () => {
    fc.assert(fc.property(hostile, fc.string({ maxLength: 3000 }), (name, message) => {
      const tail = ' [SOME_CODE]';
      const line = errorLine(`${name}: byte 7: ${message}${tail}`, tail);
      return !/[\n\r]/.test(line) && !FORBIDDEN.test(line) && line.length <= MAX_ERROR_LINE && line.endsWith(tail);
    }), { numRuns: 2000, seed: 10 });
  });

  it('a short line is only cleaned', () => {
    expect(errorLine('a\u001b[31m.pcap:\nline 2\tx [C]', ' [C]')).toBe('a.pcap: line 2 x [C]');
  });
});

describe('CSV cells (src/report/csv.ts)', () => {
  const FORMULA = /^[=+\-@\t\r]/;
  const cell = fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: fc.constantFrom(...'=+-@\t\r\n",; a1\'|'.split('')), maxLength: 8 }) },
    { weight: 2, arbitrary: fc.string({ maxLength: 8 }) },
    { weight: 1, arbitrary: fc.double({ noNaN: false }) },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.constantFrom(null, undefined, '=HYPERLINK("http://e.x","x")', '@SUM(A1)', '-2+3', '+cmd|\' /C calc\'!A0', '\t=1', '\r=1') },
  );

  it('a row reads back (RFC 4180) as the values, with a leading apostrophe on text a spreadsheet would run', () => {
    // Two cells at least: a row of one empty cell is an empty line, which RFC 4180 does not tell apart.
    fc.assert(fc.property(fc.array(cell, { minLength: 2, maxLength: 6 }), (values) => {
      const rows = parseCsv(csvLine(values), { relax_column_count: false }) as string[][];
      if (rows.length !== 1 || rows[0]!.length !== values.length) return false;
      return values.every((v, i) => {
        const got = rows[0]![i];
        if (v === null || v === undefined) return got === '';
        if (typeof v === 'number') return got === (Number.isFinite(v) ? String(v) : '');
        if (typeof v === 'boolean') return got === String(v);
        return got === (FORMULA.test(v) ? `'${v}` : v);
      });
    }), { numRuns: 5000, seed: 11 });
  });

  it('no text cell starts with = + - @ tab or carriage return once read', () => {
    fc.assert(fc.property(fc.string({ maxLength: 10 }), (s) => {
      const [[got]] = parseCsv(csvCell(s) === '' ? '""' : csvCell(s)) as [[string]];
      return !FORMULA.test(got);
    }), { numRuns: 5000, seed: 12 });
  });
});

describe('Markdown (src/report/plan.ts mdCell, src/report/markdown.ts mdText)', () => {
  // A permissive renderer, as GitHub and GitLab are: raw HTML passes through when not escaped.
  const md = new MarkdownIt({ html: true });
  const STRUCTURE = /<\/?(table|thead|tbody|tr|th|td|s)>/g;
  const unescape = (h: string): string => h.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  const mdAlphabet = [...'ab <>&[]()*_`\\|#!+-=~.:/"\'{}\r\t\u001b\u0085x1'.split(''), '&amp;', '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '](javascript:alert(1))', '***', '&#x3c;'];
  const oneLine = fc.array(fc.constantFrom(...mdAlphabet), { maxLength: 14 }).map((a) => a.join(''));
  const table = (cellText: string): string => md.render(`| h |\n| --- |\n| ${cellText} |\n`);

  // What each shows: mdCell the sanitised text; mdText the same with line breaks as spaces.
  const shown = { mdCell: (s: string): string => sanitizeText(s), mdText: (s: string): string => sanitizeText(s.replace(/[\r\n\u2028\u2029]+/g, ' ')) };
  for (const [name, escape] of [['mdCell', mdCell], ['mdText', mdText]] as const) {
    it(`${name}: a table cell stays one cell and carries no HTML element, no link, no emphasis`, () => {
      fc.assert(fc.property(oneLine, (s) => {
        const html = table(escape(s));
        // GFM strikethrough (~~x~~) is not escaped: formatting only, noted in docs/LIMITS.md.
        return (html.match(/<td>/g) ?? []).length === 1 && !/<[a-z]/i.test(html.replace(STRUCTURE, ''));
      }), { numRuns: 5000, seed: 13 });
    });

    it(`${name}: the cell shows the text itself (without & and ~, which Markdown interprets)`, () => {
      const plain = fc.array(fc.constantFrom(...mdAlphabet.filter((t) => !t.includes('&') && !t.includes('~'))), { maxLength: 14 }).map((a) => a.join(''));
      fc.assert(fc.property(plain, (s) => {
        const td = /<td>(.*)<\/td>/s.exec(table(escape(s)));
        return td !== null && unescape(td[1]!) === shown[name](s).trim();
      }), { numRuns: 5000, seed: 14 });
    });
  }

  it('mdText: line breaks (and U+2028/9) become spaces, so a cell never breaks the table', () => {
    const multi = fc.array(fc.constantFrom(...mdAlphabet, '\n', '\r\n', '\u2028', '\n---\n', '\n# h\n'), { maxLength: 14 }).map((a) => a.join(''));
    fc.assert(fc.property(multi, (s) => {
      const html = table(mdText(s));
      return (html.match(/<td>/g) ?? []).length === 1 && !/<[a-z]/i.test(html.replace(STRUCTURE, ''));
    }), { numRuns: 5000, seed: 15 });
  });

  it('mdCell in a list item: whatever the line breaks, no raw HTML, link or image comes out', () => {
    const multi = fc.array(fc.constantFrom(...mdAlphabet, '\n', '\n\n', '\n    ', '\n---\n'), { maxLength: 14 }).map((a) => a.join(''));
    fc.assert(fc.property(multi, (s) => !/<(script|img|a|iframe|svg|style|div|span|object|embed|form|input)\b/i.test(md.render(`- ${mdCell(s)}\n`))),
      { numRuns: 5000, seed: 16 });
  });
});

describe('HTML (src/report/html.ts escapeHtml)', () => {
  it('leaves no < > " \' and no & that does not begin one of its entities; reads back as the sanitised text', () => {
    const unescape = (h: string): string => h.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    fc.assert(fc.property(fc.oneof(hostile, fc.string({ unit: fc.constantFrom(...'<>"\'&;#ltamp x/='.split('')), maxLength: 20 })), (s) => {
      const e = escapeHtml(s);
      return !/[<>"']/.test(e) && !/&(?!(?:lt|gt|quot|amp|#39);)/.test(e) && !FORBIDDEN.test(e) && unescape(e) === sanitizeText(s);
    }), { numRuns: 5000, seed: 17 });
  });
});
