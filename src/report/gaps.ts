/**
 * The `fwtp gaps` document: one object (schemaVersion 1) rendered as JSON, a plain-text
 * table or CSV. docs/JSON.md describes every field.
 */
import type { ReadResult } from '../read/inputs.js';
import type { FirewallLogSummary } from '../read/firewall-logs.js';
import { summariseGaps } from '../flows/distribution.js';
import { groupFlows, keepAliveSenders, longestGaps, type GroupBy, type GroupRow, type KeepAliveSender, type LongestGapRow } from '../flows/summary.js';
import type { GapSummary } from '../flows/types.js';
import { renderTable, sanitizeText } from '../util/text.js';
import { csvCell } from './csv.js';
import { CENSORED_AGES_TEXT, type ListingAges } from '../flows/listing-ages.js';

export interface GapsDocument {
  schemaVersion: 1;
  inputs: Array<{
    path: string; format: string; gzip: boolean; linkTypes: Record<string, number>; packets: number;
    ipPackets: number; nonIpPackets: number; undecodedLinkTypes: Record<string, number>; malformedPackets: number;
    truncated: boolean; warnings: string[];
    /** Firewall logs only (read/firewall-logs.ts): vendor, lines, records, unreadable lines, not-needed kinds, year, zone, T. */
    firewallLog?: FirewallLogSummary['firewallLog'];
  }>;
  window: { start: string | null; end: string | null; seconds: number };
  packets: number;
  flows: { total: number; tcp: number; udp: number; other: number };
  tcpStreams: number;
  keepAlives: { probes: number; acks: number; senders: KeepAliveSender[] };
  gapFloorSeconds: number;
  gaps: GapSummary;
  groupBy: GroupBy;
  groups: GroupRow[];
  longest: LongestGapRow[];
  warnings: string[];
  /** Single conntrack listings among the inputs: entries by state and idle ages (censored gaps). Absent when there are none. */
  listings?: ListingAges[];
}

function countByProtocol(fs: ReadResult['flows']): GapsDocument['flows'] {
  let tcp = 0, udp = 0;
  for (let i = 0; i < fs.count; i++) {
    if (fs.proto[i] === 6) tcp++;
    else if (fs.proto[i] === 17 || fs.proto[i] === 136) udp++;
  }
  return { total: fs.count, tcp, udp, other: fs.count - tcp - udp };
}

function iso(us: number): string | null {
  return Number.isFinite(us) ? new Date(us / 1000).toISOString() : null;
}

export function buildGapsDocument(r: ReadResult, by: GroupBy, limit: number, listings: ListingAges[] = []): GapsDocument {
  const fs = r.flows;
  const t = r.tracker;
  const doc: GapsDocument = {
    schemaVersion: 1,
    inputs: r.inputs.map((i) => ({
      path: i.path, format: i.format, gzip: i.gzip, linkTypes: i.linkTypes, packets: i.packets, ipPackets: i.ipPackets,
      nonIpPackets: i.nonIpPackets, undecodedLinkTypes: i.undecodedLinkTypes, malformedPackets: i.malformedPackets,
      truncated: i.truncated, warnings: i.warnings,
      ...('firewallLog' in i ? { firewallLog: (i as FirewallLogSummary).firewallLog } : {}),
    })),
    window: {
      start: iso(fs.windowStartUs),
      end: iso(fs.windowEndUs),
      seconds: Number.isFinite(fs.windowStartUs) ? (fs.windowEndUs - fs.windowStartUs) / 1e6 : 0,
    },
    packets: r.inputs.reduce((s, i) => s + i.packets, 0),
    flows: countByProtocol(fs),
    tcpStreams: t.tcpStreams,
    keepAlives: { probes: t.keepAliveProbes, acks: t.keepAliveAcks, senders: keepAliveSenders(fs) },
    gapFloorSeconds: fs.gapFloorUs / 1e6,
    gaps: summariseGaps(r.distribution),
    groupBy: by,
    groups: groupFlows(fs, by, limit),
    longest: longestGaps(fs, limit),
    warnings: r.warnings,
  };
  if (listings.length > 0) doc.listings = listings;
  return doc;
}

function secs(v: number | null): string {
  if (v === null) return '-';
  if (v >= 100) return v.toFixed(0);
  if (v >= 1) return v.toFixed(2);
  return v.toFixed(6);
}

/** Where a listing's timeouts in force come from, in words. */
export function timeoutsInForceText(l: ListingAges): string {
  const t = l.timeoutsInForce;
  const est = t.establishedFrom === 'current' ? '--current' : 'the sysctl input';
  const other = t.otherStatesFrom === 'sysctl' ? 'the sysctl input' : "the kernel's defaults (no sysctl input)";
  return `established ${t.establishedSeconds} s from ${est}, the other states from ${other}`;
}

/** A listing's entries by state and idle ages (also used by the plan table). */
/** Ages are whole seconds (the listing prints whole seconds left). */
function ageSecs(v: number | null): string {
  return v === null ? '-' : String(v);
}

export function listingAgesLines(l: ListingAges): string[] {
  const out: string[] = [];
  out.push(`conntrack listing ${sanitizeText(l.path)} (${l.format}${l.snapshots > 1 ? `, the last of ${l.snapshots} dumps` : ''}), taken ${l.takenAt ?? 'at an unknown time'}: ${l.entries} entries`);
  out.push(`idle ages against the timeouts in force: ${timeoutsInForceText(l)}`);
  const a = l.ages;
  out.push(`idle ages: ${a.count} (p50 ${ageSecs(a.p50Seconds)} s, p90 ${ageSecs(a.p90Seconds)} s, max ${ageSecs(a.maxSeconds)} s)${a.unknown > 0 ? `; ${a.unknown} without a readable age` : ''}`);
  out.push(`  ${CENSORED_AGES_TEXT}`);
  out.push('');
  out.push('entries by state:');
  out.push(renderTable(['state', 'entries', 'aged', 'min age s', 'p50 age s', 'max age s'],
    l.byState.map((r) => [r.state, String(r.entries), String(r.aged), ageSecs(r.minSeconds), ageSecs(r.p50Seconds), ageSecs(r.maxSeconds)])).trimEnd());
  out.push('');
  out.push('idle-age histogram (seconds; censored: lower bounds of gaps still running):');
  const total = a.count || 1;
  for (const h of a.histogram) {
    const bar = '#'.repeat(Math.max(1, Math.round((h.entries / total) * 40)));
    out.push(`  ${ageSecs(h.loSeconds).padStart(10)} .. ${(h.hiSeconds !== null ? ageSecs(h.hiSeconds) : 'inf').padEnd(10)} ${String(h.entries).padStart(9)}  ${bar}`);
  }
  return out;
}

export function gapsTable(doc: GapsDocument): string {
  const out: string[] = [];
  const listings = doc.listings ?? [];
  for (const l of listings) out.push(...listingAgesLines(l), '');
  // Only listings: no packets and no flows to show.
  if (listings.length > 0 && doc.flows.total === 0 && doc.packets === 0) return out.join('\n');
  out.push(`${doc.packets.toLocaleString('en-US')} packets in ${doc.inputs.length} input(s), window ${doc.window.start ?? '-'} .. ${doc.window.end ?? '-'} (${secs(doc.window.seconds)} s)`);
  out.push(`flows: ${doc.flows.total} (tcp ${doc.flows.tcp}, udp ${doc.flows.udp}, other ${doc.flows.other}); keep-alive probes ${doc.keepAlives.probes}, keep-alive ACKs ${doc.keepAlives.acks}`);
  const g = doc.gaps;
  out.push(`idle gaps: ${g.count} (p50 ${secs(g.p50)} s, p90 ${secs(g.p90)} s, p99 ${secs(g.p99)} s, max ${secs(g.max)} s${g.exact ? '' : ', quantiles within 1.1 %'}); censored at capture end: ${g.censored}`);
  out.push('');
  out.push('idle-gap histogram (seconds):');
  const total = g.count || 1;
  for (const h of g.histogram) {
    const bar = '#'.repeat(Math.max(1, Math.round((h.count / total) * 40)));
    out.push(`  ${secs(h.loSeconds).padStart(10)} .. ${(Number.isFinite(h.hiSeconds) ? secs(h.hiSeconds) : 'inf').padEnd(10)} ${String(h.count).padStart(9)}  ${bar}`);
  }
  out.push('');
  out.push(`by ${doc.groupBy} (gaps >= ${doc.gapFloorSeconds} s):`);
  out.push(renderTable(['group', 'flows', 'packets', 'gaps', 'max s', 'p50 s', 'p90 s', 'keep-alives', 'open'],
    doc.groups.map((r) => [sanitizeText(r.key), String(r.flows), String(r.packets), String(r.longGaps), secs(r.maxGapSeconds),
      secs(r.p50GapSeconds), secs(r.p90GapSeconds), String(r.keepAliveProbes), String(r.openAtEnd)])).trimEnd());
  if (doc.longest.length > 0) {
    out.push('');
    out.push('longest gaps:');
    out.push(renderTable(['flow', 'gap s', 'state', 'ended by', 'sender', 'ended at', 'flow end'],
      doc.longest.map((r) => [sanitizeText(r.flow), secs(r.gapSeconds), r.state, r.endedBy, r.sender, r.endedAt, r.flowEnd])).trimEnd());
  }
  if (doc.keepAlives.senders.length > 0) {
    out.push('');
    out.push('keep-alive senders (observed cadence):');
    out.push(renderTable(['sender', 'flows', 'probes', 'idle s', 'interval s', 'retries'],
      doc.keepAlives.senders.map((s) => [sanitizeText(s.sender), String(s.flows), String(s.probes), secs(s.idleSeconds), secs(s.intervalSeconds), String(s.unansweredRetries)])).trimEnd());
  }
  return out.join('\n') + '\n';
}

/** CSV: one row per group (the table's main body), header first. */
export function gapsCsv(doc: GapsDocument): string {
  const header = ['group_by', 'group', 'flows', 'packets', 'gaps', 'max_gap_s', 'p50_gap_s', 'p90_gap_s', 'keepalive_probes', 'open_at_end'];
  const lines = [header.join(',')];
  for (const r of doc.groups) {
    lines.push([doc.groupBy, r.key, r.flows, r.packets, r.longGaps, r.maxGapSeconds ?? '', r.p50GapSeconds ?? '', r.p90GapSeconds ?? '', r.keepAliveProbes, r.openAtEnd]
      .map((v) => csvCell(v)).join(','));
  }
  return lines.join('\n') + '\n';
}
