/**
 * The logged-drop evidence (logged-drops.ts) in the change request's Markdown and HTML: the
 * summary line, the quoted drop lines as the device wrote them, and the model at the current
 * timeout beside the logged drops per service and direction.
 */
import { escapeHtml, mdText } from './escape.js';
import { predictedLines } from './drops.js';
import type { LoggedDropEvidence, QuotedDropLine } from './logged-drops.js';
import { sanitizeText } from '../util/text.js';

const INTRO = 'The firewall\'s own logs, classified as `fwtp drops` does:';

function quoteIntro(ev: LoggedDropEvidence): string {
  const n = ev.quoted.length;
  return n === ev.expiredSessions
    ? `The first drop of each of the ${n} session(s) whose state expired, as logged:`
    : `The first drop of the first ${n} of the ${ev.expiredSessions} sessions whose state expired, as logged:`;
}

/** "drops.log:17: <text>", or the place alone when the line could not be read back (standard input). */
function quotedText(q: QuotedDropLine): string {
  return `${q.file}:${q.line}: ${q.text ?? '(line not kept: the log was read from standard input)'}`;
}

export function loggedDropsMarkdown(ev: LoggedDropEvidence): string[] {
  const p = predictedLines(ev.predicted);
  const out = ['### From the firewall\'s logs', '', INTRO, '', mdText(ev.summary), ''];
  if (ev.quoted.length > 0) {
    out.push(quoteIntro(ev), '', '```', ...ev.quoted.map((q) => sanitizeText(quotedText(q)).replace(/```/g, "'''")), '```', '');
  }
  out.push(`Predicted against logged: ${mdText(p.head)}`, '');
  out.push(`| ${p.header.join(' | ')} |`, '| --- | --- | ---: | ---: | ---: |', ...p.rows.map((r) => `| ${r.map(mdText).join(' | ')} |`), '');
  out.push(mdText(p.unexplained), '', ...ev.predicted.notes.map((n) => `- ${mdText(n)}`), '');
  return out;
}

export function loggedDropsHtml(ev: LoggedDropEvidence): string {
  const p = predictedLines(ev.predicted);
  let s = `<h3>From the firewall's logs</h3><p>${escapeHtml(INTRO)}</p><p>${escapeHtml(ev.summary)}</p>`;
  if (ev.quoted.length > 0) s += `<p>${escapeHtml(quoteIntro(ev))}</p><pre>${escapeHtml(ev.quoted.map(quotedText).join('\n'))}</pre>`;
  const rows = p.rows.map((r) => `<tr>${r.map((c, i) => `<td${i >= 2 ? ' class="num"' : ''}>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  s += `<p>${escapeHtml(`Predicted against logged: ${p.head}`)}</p>`;
  s += `<div class="table-wrap"><table><thead><tr>${p.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table></div>`;
  s += `<p>${escapeHtml(p.unexplained)}</p><ul>${ev.predicted.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`;
  return s;
}
