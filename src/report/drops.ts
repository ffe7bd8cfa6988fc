/**
 * The `fwtp drops` document (issue 13 item 4): one object (schemaVersion 1) rendered as JSON, a
 * plain-text table, CSV (one row per group) or Markdown. The summary line comes first in every
 * text form. docs/FIREWALL-LOGS.md "Classifying drops" says what each class and field means.
 */
import type { ClassTotals, DropClass, DropClassification, DropDirection, RevealedGap } from '../flows/drop-classes.js';
import { thresholdMargin, type ThresholdMargin } from '../model/timer-slack.js';
import type { PlanResult } from '../model/types.js';
import { hostPort } from '../util/endpoints.js';
import { renderTable, sanitizeText } from '../util/text.js';
import { csvLine } from './csv.js';
import { mdCell, mdText } from './escape.js';
import { readableDuration } from './prose-format.js';

/** What was read of one log file. */
export interface DropsInput {
  path: string;
  vendor: string;
  lines: number;
  drops: number;
  sessionEnds: number;
  sessionStarts: number;
  notNeededLines: number;
  unreadableLines: number;
  year: { value: number; source: string };
  /** True when some date had no year, so that `year` was used (said in the text forms only then). */
  yearInferred: boolean;
  tz: string;
}

/** The timeout in force T per protocol, and where it came from (said in the output). */
export interface TimeoutInForce {
  tcpSeconds: number;
  udpSeconds: number;
  icmpSeconds: number;
  source: string;
  /** Platform profile whose margin rule applies to the smallest keeping timeout (src/model/timer-slack.ts). */
  platform: string;
}

export interface DropsGroupRow {
  class: DropClass;
  protocol: string;
  serverAddr: string;
  serverPort: number | null;
  direction: DropDirection;
  packets: number;
  sessions: number;
  keepAliveShaped: number;
  first: string | null;
  last: string | null;
}

export interface RevealedRow {
  protocol: string;
  client: string;
  server: string;
  endReason: string | null;
  endedAt: string | null;
  firstDropAt: string | null;
  drops: number;
  keepAliveShapedDrops: number;
  /** The first drop, the one that reveals the gap, is keep-alive-shaped: the keep-alive found no state. */
  revealedByKeepAlive: boolean;
  gapSeconds: number | null;
  /** gap + margin, rounded up to a whole second: the smallest timeout that would have kept this session. */
  keepingTimeoutSeconds: number | null;
}

export interface DropsDocument {
  schemaVersion: 1;
  summary: string;
  inputs: DropsInput[];
  timeout: TimeoutInForce;
  totals: { drops: number; keepAliveShaped: number; expiredState: ClassTotals; policy: ClassTotals; unknown: ClassTotals };
  /** Expired-state sessions by protocol and server port, most sessions first (the summary's parenthesis). */
  expiredByPort: Array<{ protocol: string; port: number | null; sessions: number; packets: number }>;
  groups: DropsGroupRow[];
  revealed: {
    /** Expired-state sessions the logs show an end record of. */
    sessions: number;
    /** Of those, the ones that ended idle, so that the later drop gives the gap. */
    withGap: number;
    maxGapSeconds: number | null;
    /** The smallest timeout that keeps every one of them (max gap + margin, whole seconds). */
    keepAllTimeoutSeconds: number | null;
    margin: ThresholdMargin | null;
    /** Of those with a gap, the ones whose revealing (first) drop is keep-alive-shaped. */
    revealedByKeepAlive: number;
    /**
     * True when each of those with a gap shows keep-alive-shaped drops (an endpoint probes it), so
     * that a keep-alive below T would also have kept them. Drops that follow the revealing one (the
     * RST after unanswered probes, the client's retries) do not change this.
     */
    allKeepAlive: boolean;
    rows: RevealedRow[];
  };
  /** With a capture or conntrack series of the same period (--traffic): the model at T against the log. */
  predicted?: PredictedComparison;
  warnings: string[];
}

/** One service and direction: breaks the model predicts at T beside the sessions the log shows. */
export interface PredictedRow {
  service: string;
  direction: DropDirection;
  /** Sessions the model breaks at T whose first dropped packet goes this way (plan's `affected`). */
  predictedSessions: number;
  /** Logged expired-state (and unknown) drops of this service and direction. */
  loggedSessions: number;
  loggedPackets: number;
}

export interface PredictedComparison {
  inputs: string[];
  timeoutSeconds: number;
  sessionsWithDrops: number;
  droppedPackets: number;
  droppedKeepAlives: number;
  rows: PredictedRow[];
  /** Logged drops (expired state or unknown) of a service and direction where the model predicts no break. */
  unexplained: Array<{ class: DropClass; service: string; direction: DropDirection; packets: number; sessions: number }>;
  notes: string[];
}

function iso(us: number | null): string | null {
  return us === null || !Number.isFinite(us) ? null : new Date(us / 1000).toISOString();
}

/** "1,204" */
function num(n: number): string {
  return n.toLocaleString('en-US');
}

/** "1,204 drops", "1 session". */
function countOf(n: number, word: string): string {
  return `${num(n)} ${word}${n === 1 ? '' : 's'}`;
}

function portText(protocol: string, port: number | null): string {
  return port === null ? protocol : `${protocol}/${port}`;
}

function expiredByPort(c: DropClassification): DropsDocument['expiredByPort'] {
  const by = new Map<string, { protocol: string; port: number | null; tuples: Set<string>; packets: number }>();
  for (const d of c.drops) {
    if (d.dropClass !== 'expired-state') continue;
    const key = portText(d.service.protocol, d.service.serverPort);
    let e = by.get(key);
    if (e === undefined) by.set(key, (e = { protocol: d.service.protocol, port: d.service.serverPort, tuples: new Set(), packets: 0 }));
    e.tuples.add(d.sessionKey);
    e.packets++;
  }
  return [...by.values()].map((e) => ({ protocol: e.protocol, port: e.port, sessions: e.tuples.size, packets: e.packets }))
    .sort((a, b) => b.sessions - a.sessions || b.packets - a.packets || (portText(a.protocol, a.port) < portText(b.protocol, b.port) ? -1 : 1));
}

/** "1,204 drops: 1,170 packets of 95 sessions whose state expired (tcp/1521 81, tcp/443 14), 34 policy denials" */
export function summaryLine(doc: Pick<DropsDocument, 'totals' | 'expiredByPort'>): string {
  const t = doc.totals;
  const parts: string[] = [];
  if (t.expiredState.packets > 0) {
    const ports = doc.expiredByPort.map((p) => `${portText(p.protocol, p.port)} ${num(p.sessions)}`).join(', ');
    parts.push(`${countOf(t.expiredState.packets, 'packet')} of ${countOf(t.expiredState.sessions, 'session')} whose state expired (${ports})`);
  }
  if (t.policy.packets > 0) parts.push(countOf(t.policy.packets, 'policy denial'));
  if (t.unknown.packets > 0) parts.push(`${num(t.unknown.packets)} unknown`);
  return `${countOf(t.drops, 'drop')}${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

function revealedRow(r: RevealedGap, platform: string): RevealedRow & { margin: ThresholdMargin | null } {
  const margin = r.gapSeconds === null ? null : thresholdMargin(platform, r.gapSeconds);
  return {
    protocol: r.service.protocol, client: r.client, server: r.server, endReason: r.endReason, endedAt: iso(r.endUs), firstDropAt: iso(r.firstDropUs),
    drops: r.drops, keepAliveShapedDrops: r.keepAliveShapedDrops, revealedByKeepAlive: r.firstDropKeepAliveShaped, gapSeconds: r.gapSeconds,
    keepingTimeoutSeconds: r.gapSeconds === null || margin === null ? null : Math.ceil(r.gapSeconds + margin.seconds),
    margin,
  };
}

export function buildDropsDocument(c: DropClassification, inputs: DropsInput[], timeout: TimeoutInForce, warnings: string[]): DropsDocument {
  const totals = { drops: c.totals.drops, keepAliveShaped: c.totals.keepAliveShaped, expiredState: c.totals['expired-state'], policy: c.totals.policy, unknown: c.totals.unknown };
  const byPort = expiredByPort(c);
  const rowsWithMargin = c.revealed.map((r) => revealedRow(r, timeout.platform));
  const withGap = rowsWithMargin.filter((r) => r.gapSeconds !== null);
  let widest: (typeof withGap)[number] | null = null;
  for (const r of withGap) if (widest === null || (r.gapSeconds ?? 0) > (widest.gapSeconds ?? 0)) widest = r;
  return {
    schemaVersion: 1,
    summary: summaryLine({ totals, expiredByPort: byPort }),
    inputs,
    timeout,
    totals,
    expiredByPort: byPort,
    groups: c.groups.map((g) => ({
      class: g.dropClass, protocol: g.service.protocol, serverAddr: g.service.serverAddr, serverPort: g.service.serverPort, direction: g.direction,
      packets: g.packets, sessions: g.sessions, keepAliveShaped: g.keepAliveShaped, first: iso(g.firstUs), last: iso(g.lastUs),
    })),
    revealed: {
      sessions: c.revealed.length,
      withGap: withGap.length,
      maxGapSeconds: widest?.gapSeconds ?? null,
      keepAllTimeoutSeconds: widest?.keepingTimeoutSeconds ?? null,
      margin: widest?.margin ?? null,
      revealedByKeepAlive: withGap.filter((r) => r.revealedByKeepAlive).length,
      allKeepAlive: withGap.length > 0 && withGap.every((r) => r.keepAliveShapedDrops > 0),
      rows: rowsWithMargin.map((r) => { const row: RevealedRow & { margin?: ThresholdMargin | null } = { ...r }; delete row.margin; return row; }),
    },
    warnings,
  };
}

/**
 * The model at T (plan with one candidate) beside the log: plan's `affected` labels are written as
 * a drop log shows the first dropped packet ("tcp 198.51.100.24:1521 -> 192.0.2.10:*", client ports
 * as *; src/model/affected-services.ts), so the server is the side without the star.
 */
export function comparePredicted(doc: DropsDocument, plan: Pick<PlanResult, 'candidates' | 'warnings'>, inputs: string[]): PredictedComparison {
  const c = plan.candidates[0];
  const rows = new Map<string, PredictedRow>();
  const row = (service: string, direction: DropDirection): PredictedRow => {
    const key = `${service}|${direction}`;
    let r = rows.get(key);
    if (r === undefined) rows.set(key, (r = { service, direction, predictedSessions: 0, loggedSessions: 0, loggedPackets: 0 }));
    return r;
  };
  for (const a of c?.affected ?? []) {
    const m = /^(\S+) (\S+) -> (\S+)$/.exec(a.label);
    if (m === null) continue;
    const [, proto, from, to] = m as unknown as [string, string, string, string];
    const fromServer = to.endsWith(':*');
    row(`${proto} ${fromServer ? from : to}`, fromServer ? 'from-server' : 'to-server').predictedSessions += a.sessions;
  }
  const predictedServices = new Set([...rows.values()].map((r) => r.service));
  const unexplained: PredictedComparison['unexplained'] = [];
  for (const g of doc.groups) {
    if (g.class === 'policy') continue;
    const service = serviceText(g);
    const r = row(service, g.direction);
    r.loggedSessions += g.sessions;
    r.loggedPackets += g.packets;
    const explained = g.direction === 'unknown' ? predictedServices.has(service) : r.predictedSessions > 0;
    if (!explained) unexplained.push({ class: g.class, service, direction: g.direction, packets: g.packets, sessions: g.sessions });
  }
  const notes = [
    'policy denials are left out: a timeout does not cause them',
    'predicted = sessions broken at T by the first dropped packet\'s direction (fwtp plan, one candidate); a drop log counts every retry, so packets differ more than sessions',
  ];
  if (c?.extrapolated === true) notes.push(`the prediction is extrapolated: ${c.extrapolatedReason ?? ''}`);
  return {
    inputs, timeoutSeconds: c?.timeoutSeconds ?? doc.timeout.tcpSeconds,
    sessionsWithDrops: c?.sessionsWithDrops ?? 0, droppedPackets: c?.droppedPackets ?? 0, droppedKeepAlives: c?.droppedKeepAlives ?? 0,
    rows: [...rows.values()].sort((a, b) => b.predictedSessions + b.loggedSessions - a.predictedSessions - a.loggedSessions || (a.service < b.service ? -1 : 1)),
    unexplained, notes: [...notes, ...plan.warnings],
  };
}

export function predictedLines(p: PredictedComparison): { head: string; header: string[]; rows: string[][]; unexplained: string } {
  return {
    head: `predicted at T = ${num(p.timeoutSeconds)} s from ${p.inputs.join(', ')}: ${countOf(p.sessionsWithDrops, 'session')} with drops, ${countOf(p.droppedPackets, 'dropped packet')} (${num(p.droppedKeepAlives)} keep-alives)`,
    header: ['service', 'direction', 'predicted sessions', 'logged sessions', 'logged packets'],
    rows: p.rows.map((r) => [r.service, r.direction, num(r.predictedSessions), num(r.loggedSessions), num(r.loggedPackets)]),
    unexplained: p.unexplained.length === 0 ? 'every logged expired-state drop is on a service and direction the model breaks at T'
      : `logged drops no predicted break explains: ${p.unexplained.map((u) => `${u.service} ${u.direction} (${countOf(u.packets, 'packet')}, ${u.class})`).join('; ')}`,
  };
}

function serviceText(g: { protocol: string; serverAddr: string; serverPort: number | null }): string {
  return `${g.protocol} ${g.serverPort === null ? g.serverAddr : hostPort(g.serverAddr, g.serverPort)}`;
}

function secs(v: number | null): string {
  if (v === null) return '-';
  return Number.isInteger(v) ? num(v) : v.toFixed(v >= 100 ? 0 : 3);
}

/** One sentence over sessions with a revealed gap: "14 sessions were idle 2h (7,200 s) when ...; any timeout of at least 7,333 s keeps them". */
function gapSentence(rows: readonly RevealedRow[], lead: string, what: string, keepAliveBelowSeconds: number | null): string {
  const gaps = rows.map((x) => x.gapSeconds ?? 0);
  const lo = Math.min(...gaps), hi = Math.max(...gaps);
  const keeping = Math.max(...rows.map((x) => x.keepingTimeoutSeconds ?? 0));
  const idle = lo === hi ? `${readableDuration(hi)} (${secs(hi)} s)` : `${readableDuration(lo)} to ${readableDuration(hi)} (${secs(lo)} to ${secs(hi)} s)`;
  const one = rows.length === 1;
  const keepAlive = keepAliveBelowSeconds !== null ? ` (or an endpoint keep-alive below T = ${num(keepAliveBelowSeconds)} s)` : '';
  return `${lead} ${one ? 'was' : 'were'} idle ${idle} when ${what} found no state; any timeout of at least ${num(keeping)} s keeps ${one ? 'it' : 'them'}${keepAlive}`;
}

/**
 * The sentences the story wants, keep-alive victims first: "14 sessions were idle 2h (7,200 s) when
 * the keep-alive found no state; any timeout of at least 7,333 s keeps them (or an endpoint
 * keep-alive below T = 3,600 s)", then the sessions another packet revealed (a client's request
 * after a long pause) in a sentence of their own. The keep-alive clause is said of a group only
 * when each of its sessions shows keep-alive-shaped drops.
 */
export function revealedLines(doc: DropsDocument): string[] {
  const rows = doc.revealed.rows.filter((x) => x.gapSeconds !== null && x.keepingTimeoutSeconds !== null);
  const t = doc.timeout.tcpSeconds;
  const byKeepAlive = rows.filter((x) => x.revealedByKeepAlive), other = rows.filter((x) => !x.revealedByKeepAlive);
  const out: string[] = [];
  if (byKeepAlive.length > 0) out.push(gapSentence(byKeepAlive, countOf(byKeepAlive.length, 'session'), 'the keep-alive', t));
  if (other.length > 0) {
    const lead = byKeepAlive.length > 0 ? `${num(other.length)} other session${other.length === 1 ? '' : 's'}` : countOf(other.length, 'session');
    out.push(gapSentence(other, lead, 'a packet', other.every((x) => x.keepAliveShapedDrops > 0) ? t : null));
  }
  return out;
}

function headerLines(doc: DropsDocument): string[] {
  const out: string[] = [];
  for (const i of doc.inputs) {
    out.push(`input ${i.path}: ${i.vendor}, ${num(i.lines)} lines, ${countOf(i.drops, 'drop')}, ${num(i.sessionEnds)} session ends` +
      `${i.unreadableLines > 0 ? `, ${num(i.unreadableLines)} unreadable lines` : ''}; ${i.yearInferred ? `dates without a year read as ${i.year.value} (${i.year.source}), ` : ''}times in ${i.tz}`);
  }
  const t = doc.timeout;
  out.push(`timeout in force T: tcp ${num(t.tcpSeconds)} s, udp ${num(t.udpSeconds)} s, icmp ${num(t.icmpSeconds)} s (${t.source})`);
  out.push(`keep-alive-shaped drops: ${num(doc.totals.keepAliveShaped)} of ${num(doc.totals.drops)}`);
  return out;
}

export function dropsTable(doc: DropsDocument): string {
  const out = [sanitizeText(doc.summary), ...headerLines(doc).map(sanitizeText), ...revealedLines(doc)];
  out.push('', 'drops by service and direction:');
  out.push(renderTable(['class', 'service', 'direction', 'packets', 'sessions', 'keep-alive', 'first', 'last'],
    doc.groups.map((g) => [g.class, sanitizeText(serviceText(g)), g.direction, num(g.packets), num(g.sessions), num(g.keepAliveShaped), g.first ?? '-', g.last ?? '-'])).trimEnd());
  if (doc.revealed.rows.length > 0) {
    out.push('', `expired-state sessions with an end record (gap = T + time from expiry to the first drop; keeps at = gap + ${doc.revealed.margin !== null ? 'margin' : 'margin, none needed'}):`);
    out.push(renderTable(['client', 'server', 'ended', 'ended at', 'first drop', 'drops', 'gap s', 'keeps at s'],
      doc.revealed.rows.map((r) => [sanitizeText(r.client), sanitizeText(r.server), r.endReason ?? 'no end', r.endedAt ?? '-', r.firstDropAt ?? '-', num(r.drops), secs(r.gapSeconds), secs(r.keepingTimeoutSeconds)])).trimEnd());
    if (doc.revealed.margin !== null) out.push(`margin: ${sanitizeText(doc.revealed.margin.reason)}`);
  }
  if (doc.predicted !== undefined) {
    const p = predictedLines(doc.predicted);
    out.push('', sanitizeText(p.head) + ':', renderTable(p.header, p.rows.map((r) => r.map(sanitizeText))).trimEnd(), sanitizeText(p.unexplained));
    for (const n of doc.predicted.notes) out.push(`note: ${sanitizeText(n)}`);
  }
  // Warnings go to stderr from the command (and into JSON and Markdown), not into this table.
  return out.join('\n') + '\n';
}

/** CSV: one row per group, header first (the summary is in JSON, table and Markdown). */
export function dropsCsv(doc: DropsDocument): string {
  const lines = [csvLine(['class', 'protocol', 'server_addr', 'server_port', 'direction', 'packets', 'sessions', 'keepalive_shaped', 'first', 'last'])];
  for (const g of doc.groups) lines.push(csvLine([g.class, g.protocol, g.serverAddr, g.serverPort, g.direction, g.packets, g.sessions, g.keepAliveShaped, g.first, g.last]));
  return lines.join('\n') + '\n';
}

function mdRow(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function mdTable(header: string[], rows: string[][], align: Array<'l' | 'r'>): string[] {
  return [mdRow(header), `|${align.map((a) => (a === 'r' ? ' ---: ' : ' --- ')).join('|')}|`, ...rows.map(mdRow)];
}

export function dropsMarkdown(doc: DropsDocument): string {
  const out = ['# Firewall drops', '', `**${mdText(doc.summary)}**`, ''];
  for (const line of revealedLines(doc)) out.push(mdText(line), '');
  for (const l of headerLines(doc)) out.push(`- ${mdText(l)}`);
  out.push('', '## By service and direction', '');
  out.push(...mdTable(['class', 'service', 'direction', 'packets', 'sessions', 'keep-alive', 'first', 'last'],
    doc.groups.map((g) => [g.class, mdCell(serviceText(g)), g.direction, num(g.packets), num(g.sessions), num(g.keepAliveShaped), mdCell(g.first ?? '-'), mdCell(g.last ?? '-')]),
    ['l', 'l', 'l', 'r', 'r', 'r', 'l', 'l']));
  if (doc.revealed.rows.length > 0) {
    out.push('', '## Revealed idle gaps', '', 'Gap = T + time from the expiry to the first later drop; "keeps at" = gap + margin.', '');
    out.push(...mdTable(['client', 'server', 'ended', 'ended at', 'first drop', 'drops', 'gap s', 'keeps at s'],
      doc.revealed.rows.map((r) => [mdCell(r.client), mdCell(r.server), mdCell(r.endReason ?? 'no end'), mdCell(r.endedAt ?? '-'), mdCell(r.firstDropAt ?? '-'), num(r.drops), secs(r.gapSeconds), secs(r.keepingTimeoutSeconds)]),
      ['l', 'l', 'l', 'l', 'l', 'r', 'r', 'r']));
    if (doc.revealed.margin !== null) out.push('', `Margin: ${mdText(doc.revealed.margin.reason)}.`);
  }
  if (doc.predicted !== undefined) {
    const p = predictedLines(doc.predicted);
    out.push('', '## Predicted beside logged', '', `${mdText(p.head)}.`, '');
    out.push(...mdTable(p.header, p.rows.map((r) => r.map(mdCell)), ['l', 'l', 'r', 'r', 'r']));
    out.push('', mdText(p.unexplained), '', ...doc.predicted.notes.map((n) => `- ${mdText(n)}`));
  }
  if (doc.warnings.length > 0) out.push('', '## Warnings', '', ...doc.warnings.map((w) => `- ${mdText(w)}`));
  return out.join('\n') + '\n';
}
