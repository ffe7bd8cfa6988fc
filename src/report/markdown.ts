/**
 * The change request as plain GitHub-flavoured Markdown (`fwtp report --format md`): headings,
 * pipe tables, lists and fenced code blocks only, so it renders the same in a ticket system,
 * a pull request or a wiki. Every input-derived text goes through `mdText` (mdCell: Markdown
 * metacharacters backslash-escaped, control characters and line breaks removed), so a file
 * name or label cannot open a link, inject HTML or break a table row.
 */
import { formatDuration } from '../util/duration.js';
import { sanitizeText } from '../util/text.js';
import type { ChangeRequest, ConfigBlock, ReportCandidate } from './change-request.js';
import { summaryText } from './change-request-prose.js';
import { durationWithSeconds, fixed, kindWords, percent, plural, readableDuration } from './prose-format.js';
import { formatBytes } from '../util/bytes.js';
import { mdText } from './escape.js';
import { loggedDropsMarkdown } from './logged-drops-render.js';
import { observedKeepAliveText } from './prose-format.js';
import { scheduleText } from '../model/keepalive.js';
import { CANDIDATE_MEMORY_HEADER, SERVICE_SECTION_HEADER, memoryCellsOf, memoryImpactRows, serviceSectionRows } from './change-request-services.js';


function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(header: string[], rows: string[][], align: Array<'l' | 'r'>): string[] {
  return [row(header), `|${align.map((a) => (a === 'r' ? ' ---: ' : ' --- ')).join('|')}|`, ...rows.map(row)];
}

/** A fenced code block; a fence inside the lines (there should be none) is defused. */
function codeBlock(lines: string[]): string[] {
  return ['```', ...lines.map((l) => sanitizeText(l).replace(/```/g, "'''")), '```'];
}

/** "global" or "per-service: 198.51.100.24:1521=9000" (raw; escape before use). */
export function scopeText(c: ReportCandidate): string {
  return c.scope === 'global' ? 'global' : `global ${formatDuration(c.timeoutSeconds)} + per-service: ${c.services.join(', ')}`;
}

function change(before: number, after: number, digits = 0): string {
  const d = after - before;
  if (d === 0) return '0';
  return `${d > 0 ? '+' : '-'}${fixed(Math.abs(d), digits)}`;
}

function configSection(heading: string, block: ConfigBlock): string[] {
  const out = [`### ${heading}: ${mdText(block.title)}`, ''];
  if (block.lines.length > 0) out.push(...codeBlock(block.lines), '');
  for (const n of block.notes) out.push(`- ${mdText(n)}`);
  if (block.notes.length > 0) out.push('');
  return out;
}

export function changeRequestMarkdown(r: ChangeRequest): string {
  const out: string[] = [];
  const cov = r.coverage;
  out.push(`# ${mdText(r.title)}`, '');
  out.push(`Prepared with fwtp from ${cov.inputs.length} input(s) covering ${mdText(readableDuration(cov.window.seconds))} (${mdText(cov.window.start ?? '-')} to ${mdText(cov.window.end ?? '-')}); platform profile ${mdText(r.platform.name)}: ${mdText(r.platform.title)}.`, '');

  out.push('## Summary', '', summaryText(r, mdText), '');

  out.push('## Current against proposed', '');
  const header = ['', 'timeout', 'scope', 'broken sessions', 'dropped keep-alives', 'first drop KA/data/close', 'mean entries', 'peak entries', 'entries at end', ...CANDIDATE_MEMORY_HEADER, 'of table max', 'growth/h'];
  const rows = r.candidates.map((c) => {
    const x = c.result;
    return [c.role, `${durationWithSeconds(c.timeoutSeconds)}${x.extrapolated ? '*' : ''}`, scopeText(c), `${x.lowerBound === true ? 'at least ' : ''}${x.sessionsWithDrops}`, String(x.droppedKeepAlives),
      `${x.brokenByKind.keepAlive}/${x.brokenByKind.data}/${x.brokenByKind.close}`, fixed(x.tableEntries.mean, 1), String(x.tableEntries.peak), String(x.tableEntries.atEnd),
      ...memoryCellsOf(r, c), percent(x.headroom), x.growthPerHour === null ? '-' : fixed(x.growthPerHour, 2)].map(mdText);
  });
  out.push(...table(header, rows, ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']), '');
  out.push(`Entry memory is entries x ${r.coverage.platform.bytesPerEntry} bytes; the table's fixed cost (${mdText(formatBytes(r.coverage.platform.fixedBytes))}) comes on top of every row and does not change with the timeout.`, '');
  if (r.candidates.some((c) => c.result.extrapolated)) out.push(`${mdText('*')} extrapolated beyond the capture window (see data coverage).`, '');

  const i = r.impact;
  out.push('## Impact', '');
  out.push(`${plural(i.sessionsWithDrops.avoided, 'session')} no longer broken, ${plural(i.droppedKeepAlives.avoided, 'keep-alive probe')} no longer dropped.`, '');
  const b = i.brokenByKind;
  const impactRows: string[][] = [
    ['sessions that lose their state while in use', String(i.sessionsWithDrops.before), String(i.sessionsWithDrops.after), change(i.sessionsWithDrops.before, i.sessionsWithDrops.after)],
    ['first dropped packet keep-alive/data/close', `${b.before.keepAlive}/${b.before.data}/${b.before.close}`, `${b.after.keepAlive}/${b.after.data}/${b.after.close}`, ''],
    ['keep-alive probes dropped', String(i.droppedKeepAlives.before), String(i.droppedKeepAlives.after), change(i.droppedKeepAlives.before, i.droppedKeepAlives.after)],
    ['packets dropped', String(i.droppedPackets.before), String(i.droppedPackets.after), change(i.droppedPackets.before, i.droppedPackets.after)],
    ['table entries, mean', fixed(i.tableEntries.before.mean, 1), fixed(i.tableEntries.after.mean, 1), change(i.tableEntries.before.mean, i.tableEntries.after.mean, 1)],
    ['table entries, peak', String(i.tableEntries.before.peak), String(i.tableEntries.after.peak), change(i.tableEntries.before.peak, i.tableEntries.after.peak)],
    ['table entries, 99th percentile', String(i.tableEntries.before.p99), String(i.tableEntries.after.p99), change(i.tableEntries.before.p99, i.tableEntries.after.p99)],
    ['table entries at the end of the window', String(i.tableEntries.before.atEnd), String(i.tableEntries.after.atEnd), change(i.tableEntries.before.atEnd, i.tableEntries.after.atEnd)],
    ...memoryImpactRows(r),
    [`share of the table maximum at peak${i.tableMax !== null ? ` (${i.tableMax} entries)` : ''}`, percent(i.headroom.before), percent(i.headroom.after), ''],
    ['entries kept for good, per hour', i.growthPerHour.before === null ? '-' : fixed(i.growthPerHour.before, 2), i.growthPerHour.after === null ? '-' : fixed(i.growthPerHour.after, 2), ''],
  ].map((cells) => cells.map(mdText));
  out.push(...table(['', 'current', 'proposed', 'change'], impactRows, ['l', 'r', 'r', 'r']), '');
  if (i.hoursToTableMax !== null) out.push(`At ${fixed(i.growthPerHour.after ?? 0, 2)} entries per hour the table maximum would be reached in ${mdText(readableDuration(i.hoursToTableMax * 3600))}.`, '');

  const svcRows = serviceSectionRows(r);
  if (svcRows.length > 0) {
    out.push('## Per service', '');
    out.push(`The ${svcRows.length} service(s) with the most sessions, at the current timeout and with the proposal (entry memory: the service's entries x bytes per entry):`, '');
    out.push(...table(SERVICE_SECTION_HEADER, svcRows.map((row) => row.map(mdText)), ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r']), '');
  }

  out.push('## Evidence', '');
  const ev = (list: ChangeRequest['evidence']['current']): string[] => table(['protocol', 'source -> destination (as the drop log shows it)', 'sessions', 'first dropped packet', 'idle before it (median)'],
    list.map((a) => {
      const m = /^(\S+) (.*)$/.exec(a.label);
      return [m ? m[1]! : '', m ? m[2]! : a.label, String(a.sessions), kindWords(a.kind), readableDuration(a.idleSeconds)].map(mdText);
    }), ['l', 'l', 'r', 'l', 'r']);
  if (r.evidence.current.length > 0) {
    out.push(`Sessions that lose their state at the current ${mdText(formatDuration(r.change.currentSeconds))}, by the first packet the firewall drops (client ports vary and are shown as ${mdText('*')}):`, '');
    out.push(...ev(r.evidence.current), '');
  } else out.push('No session loses its state at the current timeout in the data.', '');
  if (r.evidence.proposed.length > 0) {
    out.push('Still losing their state with the proposal:', '', ...ev(r.evidence.proposed), '');
  }
  out.push(`On this platform such a drop shows as: ${mdText(r.evidence.dropLog)}.`, '');
  if (r.evidence.loggedDrops !== undefined) out.push(...loggedDropsMarkdown(r.evidence.loggedDrops));

  out.push('## Data coverage', '');
  out.push(`- Window: ${mdText(cov.window.start ?? '-')} to ${mdText(cov.window.end ?? '-')} (${mdText(readableDuration(cov.window.seconds))})`);
  for (const inp of cov.inputs) {
    const extra = [inp.format, inp.packets !== undefined ? `${inp.packets} packets` : '', inp.truncated === true ? 'truncated' : ''].filter((x) => x !== '').join(', ');
    out.push(`- Input: ${mdText(inp.path)} (${mdText(extra)})`);
  }
  out.push(`- Flows: ${cov.flows}; ${cov.censoredFlows} still open at the end of the window (their last idle period is censored)`);
  const g = cov.gaps;
  const q = (v: number | null): string => (v === null ? '-' : mdText(formatDuration(v)));
  out.push(`- Idle gaps: ${g.count} (median ${q(g.p50)}, 90th percentile ${q(g.p90)}, 99th ${q(g.p99)}, longest ${q(g.max)}${g.exact ? '' : ', from the log-binned sketch'}); gaps of at least ${mdText(formatDuration(cov.gapFloorSeconds))} are kept per flow for the model`);
  const ka = cov.keepalive;
  out.push(`- Keep-alive: ${mdText(ka.profile)} ${scheduleText(ka.schedule)} (idle/interval/count), source ${ka.source}`);
  for (const o of ka.observed) {
    out.push(`  - observed from ${mdText(o.sender)}: ${observedKeepAliveText(o, mdText)}`);
  }
  const p = cov.platform;
  out.push(`- Platform ${mdText(p.name)}: pickup ${p.pickup}, ${p.bytesPerEntry} bytes per entry, ${p.fixedBytes} fixed bytes, table maximum ${p.tableMax ?? 'unknown'}; other states: ${mdText(Object.entries(p.stateTimeouts).filter(([s]) => s !== 'established').map(([s, v]) => `${s} ${v}`).join(', '))} (seconds)`);
  if (cov.extrapolated.length === 0) out.push('- Extrapolated figures: none (the window shows every timeout compared plus the keep-alive idle)');
  for (const e of cov.extrapolated) out.push(`- Extrapolated (${e.role}, ${mdText(formatDuration(e.timeoutSeconds))}): ${mdText(e.reason)}`);
  for (const w of cov.warnings) out.push(`- Warning: ${mdText(w)}`);
  out.push('');

  out.push('## Assumptions', '');
  for (const a of r.assumptions) out.push(`- ${mdText(a)}`);
  out.push('');

  out.push('## Configuration', '');
  if (r.change.scope === 'per-service') {
    out.push(`The proposal is per service: ${r.change.services.map((s) => mdText(s.label)).join(', ')}; the global timeout stays ${mdText(durationWithSeconds(r.change.currentSeconds))}.`, '');
  }
  out.push(...configSection('Apply', r.configuration.apply));
  out.push(`Existing sessions: ${mdText(r.configuration.existingSessions)}`, '');
  out.push(...configSection('Rollback', r.configuration.rollback));

  out.push('## Risks', '');
  for (const x of r.risks) out.push(`- ${mdText(x)}`);
  out.push('');

  out.push('## What to watch after the change', '');
  for (const x of r.watch) out.push(`- ${mdText(x)}`);
  out.push('');
  return out.join('\n');
}
