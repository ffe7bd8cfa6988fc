/**
 * Summaries of a FlowSet for `fwtp gaps`: groups (flow, pair, service), the flows with the
 * longest gaps, and the keep-alive cadence observed per sender.
 */
import { medianSorted, quantileSorted } from 'simple-statistics';
import { FLOW_END_NAMES, PACKET_KIND_NAMES, PacketKind, GAP_PROBE_RETRY_BIT, gapDirection, gapKind, gapState, type FlowSet } from './types.js';
import { FLOW_STATE_NAMES, protoName } from '../util/protocols.js';
import { hostPort } from '../util/endpoints.js';

export type GroupBy = 'flow' | 'pair' | 'service';

/** "tcp 192.0.2.10:40001 -> 198.51.100.24:1521" */
export function flowLabel(fs: FlowSet, i: number): string {
  return `${protoName(fs.proto[i]!)} ${hostPort(fs.addresses[fs.clientAddr[i]!]!, fs.clientPort[i]!)} -> ${hostPort(fs.addresses[fs.serverAddr[i]!]!, fs.serverPort[i]!)}`;
}

/** The service a flow belongs to: server address and port (and protocol). */
export function serviceLabel(fs: FlowSet, i: number): string {
  return `${protoName(fs.proto[i]!)} ${hostPort(fs.addresses[fs.serverAddr[i]!]!, fs.serverPort[i]!)}`;
}

export function groupKey(fs: FlowSet, i: number, by: GroupBy): string {
  if (by === 'flow') return flowLabel(fs, i);
  if (by === 'service') return serviceLabel(fs, i);
  return `${protoName(fs.proto[i]!)} ${fs.addresses[fs.clientAddr[i]!]} <-> ${fs.addresses[fs.serverAddr[i]!]}`;
}

export interface GroupRow {
  key: string;
  flows: number;
  packets: number;
  /** Stored (long) gaps of the group, >= the gap floor. */
  longGaps: number;
  maxGapSeconds: number | null;
  p50GapSeconds: number | null;
  p90GapSeconds: number | null;
  keepAliveProbes: number;
  openAtEnd: number;
}

/** Groups sorted by their longest gap, then by flows. */
/** A numeric group key (address ids are interned, far below 2^20), so grouping builds no strings per flow. */
function numericKey(fs: FlowSet, i: number, by: GroupBy): number {
  if (by === 'service') return (fs.serverAddr[i]! * 65536 + fs.serverPort[i]!) * 256 + fs.proto[i]!;
  if (by === 'pair') return (fs.clientAddr[i]! * 1048576 + fs.serverAddr[i]!) * 256 + fs.proto[i]!;
  return i;
}

export function groupFlows(fs: FlowSet, by: GroupBy, limit = 50): GroupRow[] {
  const groups = new Map<number, { first: number; flows: number; packets: number; gaps: number[]; ka: number; open: number }>();
  for (let i = 0; i < fs.count; i++) {
    const key = numericKey(fs, i, by);
    let g = groups.get(key);
    if (g === undefined) {
      g = { first: i, flows: 0, packets: 0, gaps: [], ka: 0, open: 0 };
      groups.set(key, g);
    }
    g.flows++;
    g.packets += fs.packetsC2S[i]! + fs.packetsS2C[i]!;
    g.ka += fs.keepAlivesC2S[i]! + fs.keepAlivesS2C[i]!;
    if (fs.end[i] === 0) g.open++;
    for (let k = fs.gapOffset[i]!; k < fs.gapOffset[i + 1]!; k++) g.gaps.push((fs.gapEndUs[k]! - fs.gapStartUs[k]!) / 1e6);
  }
  const rows: GroupRow[] = [];
  for (const g of groups.values()) {
    g.gaps.sort((a, b) => a - b);
    const n = g.gaps.length;
    rows.push({
      key: groupKey(fs, g.first, by),
      flows: g.flows,
      packets: g.packets,
      longGaps: n,
      maxGapSeconds: n > 0 ? g.gaps[n - 1]! : null,
      p50GapSeconds: n > 0 ? quantileSorted(g.gaps, 0.5) : null,
      p90GapSeconds: n > 0 ? quantileSorted(g.gaps, 0.9) : null,
      keepAliveProbes: g.ka,
      openAtEnd: g.open,
    });
  }
  rows.sort((a, b) => (b.maxGapSeconds ?? -1) - (a.maxGapSeconds ?? -1) || b.flows - a.flows || (a.key < b.key ? -1 : 1));
  return rows.slice(0, limit);
}

export interface LongestGapRow {
  flow: string;
  gapSeconds: number;
  /** ISO time the gap ended. */
  endedAt: string;
  /** State the entry was in during the gap, and what ended it, sent by whom. */
  state: string;
  endedBy: string;
  sender: 'client' | 'server';
  flowEnd: string;
}

/** The `limit` longest single gaps, one per flow. */
export function longestGaps(fs: FlowSet, limit = 10): LongestGapRow[] {
  const best: Array<{ i: number; k: number; gap: number }> = [];
  for (let i = 0; i < fs.count; i++) {
    let bk = -1;
    let bg = -1;
    for (let k = fs.gapOffset[i]!; k < fs.gapOffset[i + 1]!; k++) {
      const g = fs.gapEndUs[k]! - fs.gapStartUs[k]!;
      if (g > bg) { bg = g; bk = k; }
    }
    if (bk >= 0) best.push({ i, k: bk, gap: bg });
  }
  best.sort((a, b) => b.gap - a.gap || a.i - b.i);
  return best.slice(0, limit).map(({ i, k, gap }) => ({
    flow: flowLabel(fs, i),
    gapSeconds: gap / 1e6,
    endedAt: new Date(fs.gapEndUs[k]! / 1000).toISOString(),
    state: FLOW_STATE_NAMES[gapState(fs.gapInfo[k]!)]!,
    endedBy: PACKET_KIND_NAMES[gapKind(fs.gapInfo[k]!)]!,
    sender: gapDirection(fs.gapInfo[k]!) === 0 ? 'client' : 'server',
    flowEnd: FLOW_END_NAMES[fs.end[i]!]!,
  }));
}

export interface KeepAliveSender {
  /** address:port of the host sending the probes. */
  sender: string;
  flows: number;
  probes: number;
  /** Median idle time before a first probe (not a retry), seconds; null when only retries were seen. */
  idleSeconds: number | null;
  /** Median spacing of retried (unanswered) probes, seconds; null when every probe was answered. */
  intervalSeconds: number | null;
  unansweredRetries: number;
}

/**
 * Keep-alive cadence per sender, from the stored gaps that ended with a probe: a first probe
 * after an idle period tells the sender's idle setting (tcp_keepalive_time), a retry the
 * interval (tcp_keepalive_intvl). Medians resist the odd probe delayed by other traffic.
 * Probes after gaps shorter than the gap floor are counted but not timed.
 */
export function keepAliveSenders(fs: FlowSet): KeepAliveSender[] {
  const senders = new Map<string, { flows: Set<number>; probes: number; idles: number[]; intervals: number[] }>();
  for (let i = 0; i < fs.count; i++) {
    const probesC = fs.keepAlivesC2S[i]!;
    const probesS = fs.keepAlivesS2C[i]!;
    if (probesC + probesS === 0) continue;
    for (const dir of [0, 1] as const) {
      const n = dir === 0 ? probesC : probesS!;
      if (n === 0) continue;
      const addr = fs.addresses[dir === 0 ? fs.clientAddr[i]! : fs.serverAddr[i]!]!;
      const port = dir === 0 ? fs.clientPort[i]! : fs.serverPort[i]!;
      // Servers are named by their port; clients' ephemeral ports vary, so they are named by address.
      const key = dir === 1 ? hostPort(addr, port) : `${addr.includes(':') ? `[${addr}]` : addr}:*`;
      let s = senders.get(key);
      if (s === undefined) {
        s = { flows: new Set(), probes: 0, idles: [], intervals: [] };
        senders.set(key, s);
      }
      s.flows.add(i);
      s.probes += n;
      for (let k = fs.gapOffset[i]!; k < fs.gapOffset[i + 1]!; k++) {
        const info = fs.gapInfo[k]!;
        if (gapKind(info) !== PacketKind.KeepAliveProbe || gapDirection(info) !== dir) continue;
        const seconds = (fs.gapEndUs[k]! - fs.gapStartUs[k]!) / 1e6;
        if ((info & GAP_PROBE_RETRY_BIT) !== 0) s.intervals.push(seconds);
        else s.idles.push(seconds);
      }
    }
  }
  const rows: KeepAliveSender[] = [];
  for (const [sender, s] of senders) {
    s.idles.sort((a, b) => a - b);
    s.intervals.sort((a, b) => a - b);
    rows.push({
      sender,
      flows: s.flows.size,
      probes: s.probes,
      idleSeconds: s.idles.length > 0 ? medianSorted(s.idles) : null,
      intervalSeconds: s.intervals.length > 0 ? medianSorted(s.intervals) : null,
      unansweredRetries: s.intervals.length,
    });
  }
  rows.sort((a, b) => b.probes - a.probes || (a.sender < b.sender ? -1 : 1));
  return rows;
}
