/**
 * Rendering a PlanResult (and a Recommendation) as a plain-text table, CSV or Markdown.
 * JSON is the PlanResult itself.
 */
import type { CandidateResult, PlanResult } from '../model/types.js';
import type { Recommendation } from '../model/recommend.js';
import { formatDuration } from '../util/duration.js';
import { formatBytes } from '../util/bytes.js';
import { renderTable, sanitizeText } from '../util/text.js';
import { csvLine } from './csv.js';
import { mdCell } from './escape.js';
import { observedKeepAliveText } from './prose-format.js';
import { scheduleText } from '../model/keepalive.js';
import type { ListingCandidate, ListingPlan } from '../model/dump.js';
import { listingAgesLines } from './gaps.js';

/** A plan with the analysis of the single conntrack listings among its inputs (cli/model-options.ts planFromRead). */
export type PlanWithListings = PlanResult & { listings?: ListingPlan[] };

const LISTING_HEADER = ['timeout', 'seconds', 'entries gone', 'remaining', 'sessions at risk', 'data/close', 'memory', 'of max'];

function listingRow(l: ListingPlan, c: ListingCandidate): string[] {
  return [
    `${formatDuration(c.timeoutSeconds)}${c.extrapolated ? '*' : ''}`,
    String(c.timeoutSeconds),
    String(c.entriesGone),
    String(c.entriesRemaining),
    String(c.sessionsAtRisk),
    `${c.atRiskByKind.data}/${c.atRiskByKind.close}`,
    formatBytes(c.memoryBytes),
    l.tableMax !== null && l.tableMax > 0 ? `${((100 * c.entriesRemaining) / l.tableMax).toFixed(2)}%` : '-',
  ];
}

/** The analysis of one listing, as plain text: the listing, then per candidate what is gone and what is at risk. */
export function listingPlanLines(l: ListingPlan): string[] {
  const out = listingAgesLines(l);
  out.push('');
  out.push(`the table now: ${l.entries} entries, ${formatBytes(l.memoryBytesNow)} (${l.bytesPerEntry} bytes per entry plus ${formatBytes(l.fixedBytes)} fixed)${l.tableMax !== null ? `, maximum ${l.tableMax} entries` : ''}`);
  out.push('per candidate established timeout: entries idle longer than their timeout would already be gone; TCP sessions among them are at risk (their next packet finds no entry)');
  out.push(renderTable(LISTING_HEADER, l.candidates.map((c) => listingRow(l, c))).trimEnd());
  if (l.candidates.some((c) => c.extrapolated)) {
    out.push(`* above the established timeout the listing was taken under (${l.timeoutsInForce.establishedSeconds} s): entries idle longer were already removed, so entries and memory are lower bounds`);
  }
  for (const c of l.candidates) {
    if (c.affected.length === 0) continue;
    out.push('');
    out.push(`at ${formatDuration(c.timeoutSeconds)}: sessions at risk`);
    for (const a of c.affected.slice(0, 5)) out.push(`  ${sanitizeText(a.label)}  ${a.sessions} session(s), idle ${formatDuration(a.idleSeconds)} (median), next packet: ${a.kind}`);
  }
  out.push('');
  out.push('what a single listing cannot show:');
  for (const n of l.limits) out.push(`  ${n}`);
  return out;
}
import { MEMORY_CSV_HEADER, memoryCells, memoryCsvCells, memoryNote, serviceBlocks, serviceMarkdown } from './plan-services.js';

function num(v: number, digits = 1): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(digits);
}

function candidateRow(c: CandidateResult): string[] {
  return [
    `${formatDuration(c.timeoutSeconds)}${c.extrapolated ? '*' : ''}`,
    String(c.timeoutSeconds),
    `${c.lowerBound === true ? '≥' : ''}${c.sessionsWithDrops}`,
    String(c.droppedKeepAlives),
    `${c.brokenByKind.keepAlive}/${c.brokenByKind.data}/${c.brokenByKind.close}`,
    num(c.tableEntries.mean),
    String(c.tableEntries.peak),
    String(c.tableEntries.atEnd),
    ...memoryCells(c.memory, c.memoryBytes.peak),
    c.headroom === null ? '-' : `${(c.headroom * 100).toFixed(2)}%`,
    c.growthPerHour === null ? '-' : num(c.growthPerHour, 2),
  ];
}

const HEADER = ['timeout', 'seconds', 'broken', 'dropped KA', 'KA/data/close', 'mean entries', 'peak', 'at end', 'entry memory', 'vs current', 'of max', 'growth/h'];

function settingsLines(r: PlanResult): string[] {
  const ka = r.keepalive;
  const kaText = scheduleText(ka.schedule);
  const lines = [
    `window ${r.window.start ?? '-'} .. ${r.window.end ?? '-'} (${formatDuration(r.window.seconds)}), ${r.flows} flows from ${r.inputs.length} input(s)`,
    `platform ${r.platform.name} (pickup ${r.platform.pickup}, ${r.platform.bytesPerEntry} bytes/entry${r.platform.tableMax !== null ? `, max ${r.platform.tableMax} entries` : ''}); ` +
      `keep-alive ${ka.profile} ${kaText} (${ka.source}); candidate replaces the ${r.protocol} established timeout`,
  ];
  for (const o of ka.observed) {
    lines.push(`observed keep-alives from ${sanitizeText(o.sender)}: ${observedKeepAliveText(o)}`);
  }
  return lines;
}

/** With `--timeouts auto`: where the candidates come from. */
function autoLines(r: PlanResult): string[] {
  if (r.auto === undefined) return [];
  const a = r.auto;
  const lines = [`candidates from the data's steps (--timeouts auto): each step plus the timer margin, whole seconds up; and the current timeout ${a.currentSeconds} s`];
  for (const s of a.steps) {
    lines.push(`  ${s.timeoutSeconds} s: just above the step at ${Math.round(s.stepSeconds * 1e6) / 1e6} s (+${Math.round(s.marginSeconds * 1000) / 1000} s margin), ${s.sessionsWithDrops} session(s) broken above it`);
  }
  if (a.steps.length === 0) lines.push('  no step in the data: broken sessions do not change with the timeout over what the window shows');
  return lines;
}

export function planTable(r: PlanWithListings): string {
  const out = settingsLines(r);
  out.push(...autoLines(r));
  const listings = r.listings ?? [];
  // Only one listing: its analysis is the result (the candidate table would repeat it in flow terms).
  const listingOnly = listings.length === 1 && r.flows === 0;
  for (const l of listings) out.push('', ...listingPlanLines(l));
  if (!listingOnly) {
    out.push('');
    out.push(renderTable(HEADER, r.candidates.map(candidateRow)).trimEnd());
    const note = memoryNote(r);
    if (note !== null) out.push(note);
    if (r.candidates.some((c) => c.extrapolated)) out.push('* extrapolated beyond the capture window (see --format json: extrapolatedReason)');
    for (const c of r.candidates) if (c.lowerBound === true) out.push(`≥ at ${formatDuration(c.timeoutSeconds)}: at least: ${c.lowerBoundReason ?? 'the inputs cannot show it in full'}`);
    out.push(...serviceBlocks(r.candidates));
  }
  for (const c of listingOnly ? [] : r.candidates) {
    if (c.affected.length === 0) continue;
    out.push('');
    out.push(`at ${formatDuration(c.timeoutSeconds)}: sessions that lose their state while in use`);
    for (const a of c.affected.slice(0, 5)) {
      out.push(`  ${sanitizeText(a.label)}  ${a.sessions} session(s), first drop: ${a.kind} after ${formatDuration(a.idleSeconds)} idle`);
    }
  }
  // A listing's extrapolation is marked in its own table; its other candidate warnings stay.
  const candidateWarnings = r.candidates.flatMap((c) => c.warnings.filter((w) => !(listingOnly && w === c.extrapolatedReason)).map((w) => `at ${formatDuration(c.timeoutSeconds)}: ${w}`));
  const warnings = [...r.warnings, ...candidateWarnings];
  if (warnings.length > 0) {
    out.push('');
    for (const w of warnings) out.push(`warning: ${w}`);
  }
  return out.join('\n') + '\n';
}

export function planCsv(r: PlanResult): string {
  const header = ['timeout_s', 'sessions_with_drops', 'dropped_keepalives', 'dropped_packets', 'broken_keepalive', 'broken_data', 'broken_close',
    'entries_mean', 'entries_peak', 'entries_p99', 'entries_at_end', 'memory_mean_bytes', 'memory_peak_bytes', 'headroom', 'growth_per_hour', 'extrapolated', 'platform', 'keepalive',
    ...MEMORY_CSV_HEADER];
  const lines = [header.join(',')];
  const ka = scheduleText(r.keepalive.schedule);
  for (const c of r.candidates) {
    lines.push(csvLine([c.timeoutSeconds, c.sessionsWithDrops, c.droppedKeepAlives, c.droppedPackets, c.brokenByKind.keepAlive, c.brokenByKind.data,
      c.brokenByKind.close, c.tableEntries.mean, c.tableEntries.peak, c.tableEntries.p99, c.tableEntries.atEnd, c.memoryBytes.mean, c.memoryBytes.peak,
      c.headroom, c.growthPerHour, c.extrapolated, r.platform.name, ka, ...memoryCsvCells(c.memory)]));
  }
  return lines.join('\n') + '\n';
}


export function planMarkdown(r: PlanWithListings): string {
  const out: string[] = ['# fwtp plan', ''];
  for (const l of settingsLines(r)) out.push(`- ${mdCell(l)}`);
  for (const l of autoLines(r)) out.push(l.startsWith('  ') ? `  - ${mdCell(l.trim())}` : `- ${mdCell(l)}`);
  out.push('');
  for (const l of r.listings ?? []) {
    out.push(`## Conntrack listing ${mdCell(l.path)}`, '', '```', ...listingPlanLines(l).map((x) => x.replace(/```/g, "'''")), '```', '');
  }
  out.push(`| ${HEADER.join(' | ')} |`);
  out.push(`|${HEADER.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const c of r.candidates) out.push(`| ${candidateRow(c).map(mdCell).join(' | ')} |`);
  out.push('');
  const bounds = r.candidates.filter((c) => c.lowerBound === true);
  for (const c of bounds) out.push(`- ≥ at ${formatDuration(c.timeoutSeconds)}: at least: ${mdCell(c.lowerBoundReason ?? 'the inputs cannot show it in full')}`);
  if (bounds.length > 0) out.push('');
  const note = memoryNote(r);
  if (note !== null) out.push(mdCell(note), '');
  out.push(...serviceMarkdown(r.candidates));
  for (const c of r.candidates) {
    if (c.affected.length === 0) continue;
    out.push(`## At ${formatDuration(c.timeoutSeconds)}`);
    out.push('');
    for (const a of c.affected.slice(0, 10)) out.push(`- ${mdCell(a.label)}: ${a.sessions} session(s), first drop ${a.kind} after ${mdCell(formatDuration(a.idleSeconds))} idle`);
    out.push('');
  }
  const warnings = [...r.warnings, ...r.candidates.flatMap((c) => c.warnings)];
  if (warnings.length > 0) {
    out.push('## Warnings', '');
    for (const w of warnings) out.push(`- ${mdCell(w)}`);
    out.push('');
  }
  return out.join('\n');
}

/** The exact threshold's lines and the fix's (report/recommend-exact.ts). */
export interface ExactText { threshold: string[]; fix: string[] }

export function recommendTable(rec: Recommendation, plan: PlanResult, exact: ExactText = { threshold: [], fix: [] }): string {
  const out = settingsLines(plan);
  out.push('');
  out.push(`limits: at most ${rec.limits.maxBroken} broken session(s)${rec.limits.maxMemoryBytes !== null ? `, at most ${formatBytes(rec.limits.maxMemoryBytes)} of table memory` : ''}`);
  out.push(...exact.threshold);
  if (rec.range !== null) {
    out.push(`timeouts within the limits: ${formatDuration(rec.range.minSeconds)} (${rec.range.minSeconds} s) .. ${formatDuration(rec.range.maxSeconds)} (${rec.range.maxSeconds} s)`);
    out.push(`recommended: ${formatDuration(rec.recommendedSeconds!)} (${rec.recommendedSeconds} s), the shortest in range: least memory for the same safety`);
  } else {
    out.push(`no candidate meets the limits: ${rec.reason}`);
  }
  if (exact.fix.length > 0) out.push('', ...exact.fix);
  if (rec.keepAlive !== null) {
    const k = rec.keepAlive;
    out.push('');
    out.push(`a keep-alive idle of ${formatDuration(k.idleSeconds)} (interval ${k.intervalSeconds} s, ${k.count} probes) would make ${formatDuration(k.forTimeoutSeconds)} safe for idle sessions: ` +
      `${k.withAdvice.sessionsWithDrops} broken instead of ${rec.candidates.find((c) => c.timeoutSeconds === k.forTimeoutSeconds)?.sessionsWithDrops ?? '?'}`);
    for (const s of k.settings) out.push(`  ${s}`);
  }
  out.push('');
  out.push(renderTable(HEADER, rec.candidates.map(candidateRow)).trimEnd());
  const note = memoryNote({ candidates: rec.candidates, platform: plan.platform });
  if (note !== null) out.push(note);
  out.push(...serviceBlocks(rec.candidates.filter((c) => c.timeoutSeconds === rec.recommendedSeconds)));
  return out.join('\n') + '\n';
}

export function recommendMarkdown(rec: Recommendation, plan: PlanResult, exact?: ExactText): string {
  return `# fwtp recommend\n\n\`\`\`\n${recommendTable(rec, plan, exact).replace(/```/g, "'''")}\`\`\`\n`;
}

export function recommendCsv(rec: Recommendation, plan: PlanResult): string {
  const lines = planCsv({ ...plan, candidates: rec.candidates }).trimEnd().split('\n');
  lines[0] += ',within_limits,recommended';
  for (let i = 0; i < rec.candidates.length; i++) {
    const t = rec.candidates[i]!.timeoutSeconds;
    const within = rec.range !== null && t >= rec.range.minSeconds && t <= rec.range.maxSeconds;
    lines[i + 1] += `,${within},${t === rec.recommendedSeconds}`;
  }
  return lines.join('\n') + '\n';
}
