/**
 * Summaries of a FlowSet for `fwtp gaps`: groups (flow, pair, service), the flows with the
 * longest gaps, and the keep-alive cadence observed per sender.
 */
import { medianSorted, quantile } from 'simple-statistics';
import { FLOW_END_NAMES, PACKET_KIND_NAMES, PacketKind, GAP_PROBE_RETRY_BIT, gapDirection, gapKind, gapState, type FlowSet } from './types.js';
import { FLOW_STATE_NAMES, protoName } from '../util/protocols.js';
import { hostPort } from '../util/endpoints.js';
import { FlowHash, NONE } from './flow-hash.js';

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

/** Up to this many rows are kept by insertion into a sorted list while scanning; more by one sort. */
const SHORT_LIST = 256;

/** How many items `array.slice(0, end)` keeps of `length` (ECMA-262 ToIntegerOrInfinity and clamping). */
function sliceCount(length: number, end: number): number {
  const e = end !== end ? 0 : Math.trunc(end);
  return e < 0 ? Math.max(length + e, 0) : Math.min(e, length);
}

/**
 * The median of `values` (null for none), sorted as a Float64Array: its native numeric sort boxes
 * nothing, where an array sort with a comparator made a heap number of each of the bench day's
 * ~250 k probe idle times.
 */
function medianOf(values: number[]): number | null {
  if (values.length === 0) return null;
  return medianSorted(Float64Array.from(values).sort() as unknown as number[]);
}

/**
 * Quantiles of unsorted values by simple-statistics' selection (the order statistics they need
 * put in place, the same values a full sort gives): sorting each kept group's gaps was 20 ms of
 * the bench day's summary. It reads and swaps by index only, so a typed array serves.
 */
function quantilesOf(values: Float64Array, ps: number[]): number[] {
  return quantile(values as unknown as number[], ps);
}

/**
 * Groups sorted by their longest gap, then by flows, then by key; the first `limit`. One pass
 * over the flows totals every group; only the groups that can make the cut get a text key, and
 * only the rows kept collect their gaps (for the quantiles).
 */
export function groupFlows(fs: FlowSet, by: GroupBy, limit = 50): GroupRow[] {
  // Group ids in order of each group's first flow, found through the flow table's numeric-key
  // hash (no strings, no Map of float keys); for 'flow' the flow index itself.
  const gid = by === 'flow' ? null : new Uint32Array(fs.count);
  const first: number[] = [];
  if (gid === null) {
    for (let i = 0; i < fs.count; i++) first.push(i);
  } else {
    const index = new FlowHash(fs.count);
    const service = by === 'service';
    for (let i = 0; i < fs.count; i++) {
      const proto = fs.proto[i]!;
      const a = service ? fs.serverAddr[i]! : fs.clientAddr[i]!;
      const b = service ? 0 : fs.serverAddr[i]!;
      const port = service ? fs.serverPort[i]! : 0;
      let g = index.find(proto, a, b, port);
      if (g === NONE) {
        g = first.length;
        index.insert(g, proto, a, b, port);
        first.push(i);
      }
      gid[i] = g;
    }
  }
  const groups = first.length;
  const flows = new Uint32Array(groups);
  const packets = new Float64Array(groups);
  const ka = new Float64Array(groups);
  const open = new Uint32Array(groups);
  const gapCount = new Uint32Array(groups);
  const maxGapUs = new Float64Array(groups).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < fs.count; i++) {
    const g = gid === null ? i : gid[i]!;
    flows[g]!++;
    packets[g]! += fs.packetsC2S[i]! + fs.packetsS2C[i]!;
    ka[g]! += fs.keepAlivesC2S[i]! + fs.keepAlivesS2C[i]!;
    if (fs.end[i] === 0) open[g]!++;
    const k1 = fs.gapOffset[i + 1]!;
    gapCount[g]! += k1 - fs.gapOffset[i]!;
    for (let k = fs.gapOffset[i]!; k < k1; k++) {
      const gap = fs.gapEndUs[k]! - fs.gapStartUs[k]!;
      if (gap > maxGapUs[g]!) maxGapUs[g] = gap;
    }
  }
  // Seconds are the microseconds divided by 1e6: monotone, so the longest gap in either unit is the same gap.
  // A group without gaps sorts as -1.
  const maxSeconds = (g: number): number => gapCount[g] === 0 ? -1 : maxGapUs[g]! / 1e6;
  // Numeric part of the order: longest gap, then flows (both descending).
  const ahead = (x: number, y: number): number => maxSeconds(y) - maxSeconds(x) || flows[y]! - flows[x]!;
  const take = sliceCount(groups, limit);
  if (take === 0) return [];
  // The best `take` groups by the numeric order (insertion into a short sorted list) ...
  let best: number[] = [];
  if (take > SHORT_LIST) {
    // Most of the groups asked for: a sort, not quadratic insertion.
    best = Array.from({ length: groups }, (_, g) => g).sort(ahead).slice(0, take);
  } else for (let g = 0; g < groups; g++) {
    if (best.length === take && ahead(g, best[take - 1]!) >= 0) continue;
    let at = best.length === take ? take - 1 : best.length;
    if (best.length < take) best.push(g);
    while (at > 0 && ahead(g, best[at - 1]!) < 0) { best[at] = best[at - 1]!; at--; }
    best[at] = g;
  }
  // ... and every group tied with the last of them: the text key decides among those.
  const last = best[best.length - 1]!;
  const candidates: Array<{ g: number; key: string }> = [];
  for (let g = 0; g < groups; g++) if (ahead(g, last) <= 0) candidates.push({ g, key: groupKey(fs, first[g]!, by) });
  // Equal keys (port reuse under --by flow) stay in order of first flow, as a stable sort leaves them.
  candidates.sort((a, b) => ahead(a.g, b.g) || (a.key < b.key ? -1 : a.key > b.key ? 1 : a.g - b.g));
  const kept = candidates.slice(0, take);
  // The kept groups' gaps, in seconds, for the quantiles.
  const row = new Int32Array(groups).fill(-1);
  const gapsOf = kept.map(({ g }, r) => { row[g] = r; return new Float64Array(gapCount[g]!); });
  const filled = new Uint32Array(kept.length);
  for (let i = 0; i < fs.count; i++) {
    const r = row[gid === null ? i : gid[i]!]!;
    if (r < 0) continue;
    const into = gapsOf[r]!;
    for (let k = fs.gapOffset[i]!; k < fs.gapOffset[i + 1]!; k++) into[filled[r]!++] = (fs.gapEndUs[k]! - fs.gapStartUs[k]!) / 1e6;
  }
  return kept.map(({ g, key }, r) => {
    const gaps = gapsOf[r]!;
    const n = gaps.length;
    const [p50, p90] = n > 0 ? quantilesOf(gaps, [0.5, 0.9]) : [null, null];
    return {
      key,
      flows: flows[g]!,
      packets: packets[g]!,
      longGaps: n,
      maxGapSeconds: n > 0 ? maxSeconds(g) : null,
      p50GapSeconds: p50,
      p90GapSeconds: p90,
      keepAliveProbes: ka[g]!,
      openAtEnd: open[g]!,
    };
  });
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

/** The `limit` longest single gaps, one per flow (the first of equal gaps in a flow; equal flows by index): one pass, keeping the best few. */
export function longestGaps(fs: FlowSet, limit = 10): LongestGapRow[] {
  // How many rows slice(0, limit) of all flows with a gap would keep (only a negative limit needs the count).
  let withGaps = 0;
  if (limit < 0) {
    for (let i = 0; i < fs.count; i++) {
      for (let k = fs.gapOffset[i]!; k < fs.gapOffset[i + 1]!; k++) if (fs.gapEndUs[k]! - fs.gapStartUs[k]! > -1) { withGaps++; break; }
    }
  }
  const take = limit < 0 ? sliceCount(withGaps, limit) : sliceCount(Number.POSITIVE_INFINITY, limit);
  const best: Array<{ i: number; k: number; gap: number }> = [];
  const insert = take <= SHORT_LIST; // else collect all and sort once
  for (let i = 0; take > 0 && i < fs.count; i++) {
    let bk = -1;
    let bg = -1;
    for (let k = fs.gapOffset[i]!; k < fs.gapOffset[i + 1]!; k++) {
      const g = fs.gapEndUs[k]! - fs.gapStartUs[k]!;
      if (g > bg) { bg = g; bk = k; }
    }
    if (bk < 0) continue;
    if (!insert) { best.push({ i, k: bk, gap: bg }); continue; }
    // Flows come in index order, so an equal gap never displaces one already kept.
    if (best.length === take && !(bg > best[take - 1]!.gap)) continue;
    let at = best.length === take ? take - 1 : best.length;
    const entry = { i, k: bk, gap: bg };
    if (best.length < take) best.push(entry);
    while (at > 0 && bg > best[at - 1]!.gap) { best[at] = best[at - 1]!; at--; }
    best[at] = entry;
  }
  if (!insert) best.sort((a, b) => b.gap - a.gap || a.i - b.i).splice(take);
  return best.map(({ i, k, gap }) => ({
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
  // Grouped first on numbers (server address id and port, or client address id), then the few
  // groups merged by their text, which is what names a sender.
  const byNumber = new Map<number, { name: string; flows: number; probes: number; idles: number[]; intervals: number[] }>();
  for (let i = 0; i < fs.count; i++) {
    const probesC = fs.keepAlivesC2S[i]!;
    const probesS = fs.keepAlivesS2C[i]!;
    if (probesC + probesS === 0) continue;
    for (let dir = 0; dir < 2; dir++) {
      const n = dir === 0 ? probesC : probesS;
      if (n === 0) continue;
      const id = dir === 0 ? fs.clientAddr[i]! : fs.serverAddr[i]!;
      const numeric = dir === 1 ? id * 65536 + fs.serverPort[i]! : -1 - id;
      let s = byNumber.get(numeric);
      if (s === undefined) {
        const addr = fs.addresses[id]!;
        // Servers are named by their port; clients' ephemeral ports vary, so they are named by address.
        const name = dir === 1 ? hostPort(addr, fs.serverPort[i]!) : `${addr.includes(':') ? `[${addr}]` : addr}:*`;
        s = { name, flows: 0, probes: 0, idles: [], intervals: [] };
        byNumber.set(numeric, s);
      }
      // A flow meets a sender once per direction, and the two directions' names differ (":*" or a port).
      s.flows++;
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
  const senders = new Map<string, { flows: number; probes: number; idles: number[]; intervals: number[] }>();
  for (const g of byNumber.values()) {
    const s = senders.get(g.name);
    if (s === undefined) { senders.set(g.name, g); continue; }
    s.flows += g.flows;
    s.probes += g.probes;
    for (const x of g.idles) s.idles.push(x);
    for (const x of g.intervals) s.intervals.push(x);
  }
  const rows: KeepAliveSender[] = [];
  for (const [sender, s] of senders) {
    rows.push({
      sender,
      flows: s.flows,
      probes: s.probes,
      idleSeconds: medianOf(s.idles),
      intervalSeconds: medianOf(s.intervals),
      unansweredRetries: s.intervals.length,
    });
  }
  rows.sort((a, b) => b.probes - a.probes || (a.sender < b.sender ? -1 : 1));
  return rows;
}
