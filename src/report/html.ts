/**
 * The change request as one self-contained HTML file (`fwtp report --format html`): inline
 * CSS, inline SVG charts (svg.ts), no script, no external resource and no URL at all, so it
 * opens offline, attaches to a ticket and prints (print CSS keeps tables and charts whole).
 * A Content-Security-Policy meta tag forbids every fetch, in case a viewer adds one.
 * Every input-derived text goes through escapeHtml.
 */
import { formatDuration } from '../util/duration.js';
import { CANDIDATE_MEMORY_HEADER, SERVICE_SECTION_HEADER, memoryCellsOf, memoryImpactRows, serviceSectionRows } from './change-request-services.js';
import type { ChangeRequest, ConfigBlock } from './change-request.js';
import { summaryText } from './change-request-prose.js';
import { durationWithSeconds, fixed, kindWords, percent, plural, readableDuration } from './prose-format.js';
import { scopeText } from './markdown.js';
import { formatBytes } from '../util/bytes.js';
import { ecdfChart, seriesChart, type Marker } from './svg.js';
import { escapeHtml } from './escape.js';
import { loggedDropsHtml } from './logged-drops-render.js';
import { observedKeepAliveText } from './prose-format.js';
import { scheduleText } from '../model/keepalive.js';


const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1b1b1b; background: #ffffff; margin: 0 auto; max-width: 1080px; padding: 24px 28px 48px; }
h1 { font-size: 22px; margin: 0 0 6px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #cccccc; padding-bottom: 3px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
p.meta { color: #555555; margin: 0 0 14px; }
p.summary { font-size: 15px; background: #f4f7f4; border-left: 4px solid #1e7b45; padding: 10px 14px; margin: 8px 0; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; margin: 6px 0 10px; font-size: 13px; }
table.compare { font-size: 12.5px; }
table.compare th, table.compare td { padding: 3px 6px; }
th, td { border: 1px solid #c8c8c8; padding: 3px 8px; vertical-align: top; }
th { background: #f0f0f0; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.row-current td:first-child { border-left: 4px solid #b03a2e; }
tr.row-proposed td:first-child { border-left: 4px solid #1e7b45; }
tr.row-proposed { background: #f4f9f5; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: #f6f6f6; border: 1px solid #dddddd; padding: 8px 10px; white-space: pre-wrap; word-break: break-all; }
ul { margin: 4px 0 10px; padding-left: 22px; }
li { margin: 2px 0; }
figure { margin: 10px 0 16px; }
figcaption { color: #555555; font-size: 12.5px; }
svg.chart { max-width: 100%; height: auto; display: block; }
svg .tick { font-size: 11px; fill: #444444; }
svg .axis { font-size: 12px; fill: #333333; }
svg .legend { font-size: 12px; fill: #222222; }
svg .chart-title { font-size: 13px; font-weight: 600; fill: #222222; }
svg .marker-label { font-size: 11px; font-weight: 600; }
svg .empty { font-size: 13px; fill: #666666; }
.note { color: #555555; }
@page { margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  table { font-size: 9pt; }
  table.compare { font-size: 7.5pt; width: 100%; }
  table.compare th, table.compare td { padding: 2px 3px; }
  svg.chart { width: 100%; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3 { break-after: avoid; page-break-after: avoid; }
  table, figure, pre, svg, p.summary { break-inside: avoid; page-break-inside: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  .table-wrap { overflow: visible; }
  p.summary, tr.row-proposed, th, pre { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;

function td(text: string, numeric = false): string {
  return `<td${numeric ? ' class="num"' : ''}>${escapeHtml(text)}</td>`;
}

function th(text: string): string {
  return `<th>${escapeHtml(text)}</th>`;
}

function list(items: string[]): string {
  return items.length === 0 ? '' : `<ul>${items.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>`;
}

function configHtml(heading: string, block: ConfigBlock): string {
  let s = `<h3>${escapeHtml(`${heading}: ${block.title}`)}</h3>`;
  if (block.lines.length > 0) s += `<pre>${escapeHtml(block.lines.join('\n'))}</pre>`;
  s += list(block.notes);
  return s;
}

function evidenceTable(items: ChangeRequest['evidence']['current']): string {
  const rows = items.map((a) => {
    const m = /^(\S+) (.*)$/.exec(a.label);
    return `<tr>${td(m ? m[1]! : '')}<td><code>${escapeHtml(m ? m[2]! : a.label)}</code></td>${td(String(a.sessions), true)}${td(kindWords(a.kind))}${td(readableDuration(a.idleSeconds), true)}</tr>`;
  });
  return `<div class="table-wrap"><table><thead><tr>${['protocol', 'source -> destination (as the drop log shows it)', 'sessions', 'first dropped packet', 'idle before it (median)'].map(th).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

export function changeRequestHtml(r: ChangeRequest): string {
  const cov = r.coverage;
  const i = r.impact;
  const parts: string[] = [];
  parts.push('<!DOCTYPE html>', '<html lang="en"><head><meta charset="utf-8">',
    '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(r.title)}</title><style>${CSS}</style></head><body>`);
  parts.push(`<h1>${escapeHtml(r.title)}</h1>`);
  parts.push(`<p class="meta">${escapeHtml(`Prepared with fwtp from ${cov.inputs.length} input(s) covering ${readableDuration(cov.window.seconds)} (${cov.window.start ?? '-'} to ${cov.window.end ?? '-'}); platform profile ${r.platform.name}: ${r.platform.title}.`)}</p>`);

  parts.push('<section id="summary"><h2>Summary</h2>', `<p class="summary">${summaryText(r, escapeHtml)}</p></section>`);

  // Comparison
  const header = ['', 'timeout', 'scope', 'broken sessions', 'dropped keep-alives', 'first drop KA/data/close', 'mean entries', 'peak entries', 'entries at end', ...CANDIDATE_MEMORY_HEADER, 'of table max', 'growth/h'];
  const rows = r.candidates.map((c) => {
    const x = c.result;
    return `<tr class="row-${c.role}">${td(c.role)}${td(`${durationWithSeconds(c.timeoutSeconds)}${x.extrapolated ? ' *' : ''}`)}${td(scopeText(c))}` +
      `${td(`${x.lowerBound === true ? 'at least ' : ''}${x.sessionsWithDrops}`, true)}${td(String(x.droppedKeepAlives), true)}${td(`${x.brokenByKind.keepAlive}/${x.brokenByKind.data}/${x.brokenByKind.close}`, true)}` +
      `${td(fixed(x.tableEntries.mean, 1), true)}${td(String(x.tableEntries.peak), true)}${td(String(x.tableEntries.atEnd), true)}${memoryCellsOf(r, c).map((t) => td(t, true)).join('')}` +
      `${td(percent(x.headroom), true)}${td(x.growthPerHour === null ? '-' : fixed(x.growthPerHour, 2), true)}</tr>`;
  });
  parts.push('<section id="comparison"><h2>Current against proposed</h2>',
    `<div class="table-wrap"><table class="compare"><thead><tr>${header.map(th).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`);
  parts.push(`<p class="note">${escapeHtml(`Entry memory is entries x ${r.coverage.platform.bytesPerEntry} bytes; the table's fixed cost (${formatBytes(r.coverage.platform.fixedBytes)}) comes on top of every row and does not change with the timeout.`)}</p>`);
  if (r.candidates.some((c) => c.result.extrapolated)) parts.push('<p class="note">* extrapolated beyond the capture window (see data coverage).</p>');
  parts.push('</section>');
  const svcRows = serviceSectionRows(r);
  if (svcRows.length > 0) {
    parts.push('<section id="services"><h2>Per service</h2>',
      `<p>${escapeHtml(`The ${svcRows.length} service(s) with the most sessions, at the current timeout and with the proposal (entry memory: the service's entries x bytes per entry):`)}</p>`,
      `<div class="table-wrap"><table><thead><tr>${SERVICE_SECTION_HEADER.map(th).join('')}</tr></thead><tbody>${svcRows.map((row) => `<tr>${row.map((t, k) => td(t, k > 0)).join('')}</tr>`).join('')}</tbody></table></div></section>`);
  }

  // Impact
  const b = i.brokenByKind;
  const irows: Array<[string, string, string]> = [
    ['sessions that lose their state while in use', String(i.sessionsWithDrops.before), String(i.sessionsWithDrops.after)],
    ['first dropped packet keep-alive/data/close', `${b.before.keepAlive}/${b.before.data}/${b.before.close}`, `${b.after.keepAlive}/${b.after.data}/${b.after.close}`],
    ['keep-alive probes dropped', String(i.droppedKeepAlives.before), String(i.droppedKeepAlives.after)],
    ['packets dropped', String(i.droppedPackets.before), String(i.droppedPackets.after)],
    ['table entries, mean', fixed(i.tableEntries.before.mean, 1), fixed(i.tableEntries.after.mean, 1)],
    ['table entries, peak', String(i.tableEntries.before.peak), String(i.tableEntries.after.peak)],
    ['table entries, 99th percentile', String(i.tableEntries.before.p99), String(i.tableEntries.after.p99)],
    ['table entries at the end of the window', String(i.tableEntries.before.atEnd), String(i.tableEntries.after.atEnd)],
    ...memoryImpactRows(r).map(([label, before, after]) => [label!, before!, after!] as [string, string, string]),
    [`share of the table maximum at peak${i.tableMax !== null ? ` (${i.tableMax} entries)` : ''}`, percent(i.headroom.before), percent(i.headroom.after)],
    ['entries kept for good, per hour', i.growthPerHour.before === null ? '-' : fixed(i.growthPerHour.before, 2), i.growthPerHour.after === null ? '-' : fixed(i.growthPerHour.after, 2)],
  ];
  parts.push('<section id="impact"><h2>Impact</h2>',
    `<p>${escapeHtml(`${plural(i.sessionsWithDrops.avoided, 'session')} no longer broken, ${plural(i.droppedKeepAlives.avoided, 'keep-alive probe')} no longer dropped.`)}</p>`,
    `<div class="table-wrap"><table><thead><tr>${['', 'current', 'proposed'].map(th).join('')}</tr></thead><tbody>${irows.map(([a, x, y]) => `<tr>${td(a)}${td(x, true)}${td(y, true)}</tr>`).join('')}</tbody></table></div>`);
  if (i.hoursToTableMax !== null) parts.push(`<p>${escapeHtml(`At ${fixed(i.growthPerHour.after ?? 0, 2)} entries per hour the table maximum would be reached in ${readableDuration(i.hoursToTableMax * 3600)}.`)}</p>`);

  // Charts
  const markers: Marker[] = r.candidates.map((c) => ({
    seconds: c.scope === 'per-service' ? (r.change.services[0]?.idleSeconds ?? c.timeoutSeconds) : c.timeoutSeconds,
    label: c.scope === 'per-service' ? 'proposed (service)' : c.role,
    role: c.role,
  }));
  const seen = new Set<number>();
  for (const o of cov.keepalive.observed) {
    if (seen.has(o.idleSeconds)) continue;
    seen.add(o.idleSeconds);
    markers.push({ seconds: o.idleSeconds, label: 'keep-alive idle', role: 'keepalive' });
  }
  if (cov.keepalive.observed.length === 0 && cov.keepalive.schedule !== null) markers.push({ seconds: cov.keepalive.schedule.idleSeconds, label: 'keep-alive idle', role: 'keepalive' });
  parts.push('<figure id="chart-gaps">', ecdfChart(r.gaps.ecdf, markers.filter((m) => m.seconds > 0), 'Idle gaps and the candidate timeouts'),
    `<figcaption>${escapeHtml(`Share of the ${r.gaps.count} idle gaps between consecutive packets of a flow that are at most as long as the x value. A session whose idle gap passes the timeout line loses its entry; the keep-alive line shows when the endpoints' probes come.`)}</figcaption></figure>`);
  const series = r.candidates.map((c) => ({ label: `${c.role} ${formatDuration(c.timeoutSeconds)}${c.scope === 'per-service' ? ' + per-service' : ''}`, role: c.role, values: c.result.series }));
  parts.push('<figure id="chart-entries">', seriesChart(series, cov.window, 'Connection-table entries over the window'),
    `<figcaption>${escapeHtml('Live entries replayed under each candidate, sampled evenly from the first to the last packet (UTC).')}</figcaption></figure>`);
  parts.push('</section>');

  // Evidence
  parts.push('<section id="evidence"><h2>Evidence</h2>');
  if (r.evidence.current.length > 0) {
    parts.push(`<p>${escapeHtml(`Sessions that lose their state at the current ${formatDuration(r.change.currentSeconds)}, by the first packet the firewall drops (client ports vary and are shown as *):`)}</p>`, evidenceTable(r.evidence.current));
  } else parts.push('<p>No session loses its state at the current timeout in the data.</p>');
  if (r.evidence.proposed.length > 0) parts.push('<p>Still losing their state with the proposal:</p>', evidenceTable(r.evidence.proposed));
  parts.push(`<p>${escapeHtml(`On this platform such a drop shows as: ${r.evidence.dropLog}.`)}</p>`);
  if (r.evidence.loggedDrops !== undefined) parts.push(loggedDropsHtml(r.evidence.loggedDrops));
  parts.push('</section>');

  // Coverage
  const g = cov.gaps;
  const q = (v: number | null): string => (v === null ? '-' : formatDuration(v));
  const ka = cov.keepalive;
  const p = cov.platform;
  const covItems: string[] = [`Window: ${cov.window.start ?? '-'} to ${cov.window.end ?? '-'} (${readableDuration(cov.window.seconds)})`];
  for (const inp of cov.inputs) {
    const extra = [inp.format, inp.packets !== undefined ? `${inp.packets} packets` : '', inp.truncated === true ? 'truncated' : ''].filter((x) => x !== '').join(', ');
    covItems.push(`Input: ${inp.path} (${extra})`);
  }
  covItems.push(`Flows: ${cov.flows}; ${cov.censoredFlows} still open at the end of the window (their last idle period is censored)`);
  covItems.push(`Idle gaps: ${g.count} (median ${q(g.p50)}, 90th percentile ${q(g.p90)}, 99th ${q(g.p99)}, longest ${q(g.max)}${g.exact ? '' : ', from the log-binned sketch'}); gaps of at least ${formatDuration(cov.gapFloorSeconds)} are kept per flow for the model`);
  covItems.push(`Keep-alive: ${ka.profile} ${scheduleText(ka.schedule)} (idle/interval/count), source ${ka.source}`);
  for (const o of ka.observed) covItems.push(`Observed keep-alives from ${o.sender}: ${observedKeepAliveText(o)}`);
  covItems.push(`Platform ${p.name}: pickup ${p.pickup}, ${p.bytesPerEntry} bytes per entry, ${p.fixedBytes} fixed bytes, table maximum ${p.tableMax ?? 'unknown'}; other states: ${Object.entries(p.stateTimeouts).filter(([s]) => s !== 'established').map(([s, v]) => `${s} ${v}`).join(', ')} (seconds)`);
  if (cov.extrapolated.length === 0) covItems.push('Extrapolated figures: none (the window shows every timeout compared plus the keep-alive idle)');
  for (const e of cov.extrapolated) covItems.push(`Extrapolated (${e.role}, ${formatDuration(e.timeoutSeconds)}): ${e.reason}`);
  for (const w of cov.warnings) covItems.push(`Warning: ${w}`);
  parts.push('<section id="coverage"><h2>Data coverage</h2>', list(covItems), '</section>');
  parts.push('<section id="assumptions"><h2>Assumptions</h2>', list(r.assumptions), '</section>');

  // Configuration
  parts.push('<section id="configuration"><h2>Configuration</h2>');
  if (r.change.scope === 'per-service') parts.push(`<p>${escapeHtml(`The proposal is per service: ${r.change.services.map((s) => s.label).join(', ')}; the global timeout stays ${durationWithSeconds(r.change.currentSeconds)}.`)}</p>`);
  parts.push(configHtml('Apply', r.configuration.apply), `<p>${escapeHtml(`Existing sessions: ${r.configuration.existingSessions}`)}</p>`, configHtml('Rollback', r.configuration.rollback), '</section>');
  parts.push('<section id="risks"><h2>Risks</h2>', list(r.risks), '</section>');
  parts.push('<section id="watch"><h2>What to watch after the change</h2>', list(r.watch), '</section>');
  parts.push('</body></html>');
  return parts.join('\n') + '\n';
}
