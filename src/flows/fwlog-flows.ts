/**
 * Sessions joined from firewall logs (fwlog-sessions.ts) into flows (issue 13, item 3), in the
 * FlowSet form every other input gives. What a log can and cannot show (docs/FIREWALL-LOGS.md,
 * "From logs to flows"):
 *
 * - A session closed by its endpoints (FIN, RST, policy ...) is one flow from its start to its
 *   end record, with no stored gap: its inner gaps are invisible, known only to be shorter than
 *   the timeout in force T (the firewall kept it), as a flow export hides gaps shorter than its
 *   inactive timeout (records.ts). The same warning says so.
 * - A session the firewall aged out ends at its last packet with FlowEnd.Evicted: its final gap
 *   is right-censored at T (the distribution gets T as a censored observation).
 * - An aged-out session followed by a drop of its tuple gets that gap stored exactly, ended by
 *   the dropped packet (a keep-alive when the drop is a bare ACK: the story's keep-alive that
 *   found no state), and ends there (FlowEnd.Rst: what the endpoint does next is not logged).
 * - A session without an end record is open at the end of the log (FlowEnd.Open), as a capture's.
 */
import { FlowSetBuilder } from './builder.js';
import { canonicalFlowSet } from './canonical.js';
import { GapCollector } from './distribution.js';
import { datagramState } from './record-state.js';
import { joinSessions, type JoinOptions, type LogSession, type SessionJoin } from './fwlog-sessions.js';
import { FlowEnd, FlowStart, PacketKind, packGapInfo, type FlowSet, type GapDistribution } from './types.js';
import { FlowState, PROTO_TCP, PROTO_UDP, PROTO_ICMP } from '../util/protocols.js';
import type { DropRecord, FwRecord } from '../ingest/fwlog/types.js';

export interface LogFlowOptions extends JoinOptions {
  /** Gaps at least this long are stored per flow (microseconds). */
  gapFloorUs: number;
}

/** What the join found, for the input summary and the model's lower bounds. */
export interface LogFlowStats {
  sessions: number;
  /** Ended by the firewall's idle timer (final gap >= T). */
  idleEnded: number;
  /** Of those, with a later drop that makes the final gap exact. */
  revealed: number;
  /** Ended by the endpoints or a policy (inner gaps < T, unseen). */
  closed: number;
  /** No end record in the log. */
  open: number;
  /** Drops no session of the log explains. */
  unmatchedDrops: number;
  /** The longest session, in seconds (0 when none). */
  longestSeconds: number;
}

export interface LogFlows {
  flows: FlowSet;
  distribution: GapDistribution;
  sessions: LogSession[];
  unmatchedDrops: DropRecord[];
  stats: LogFlowStats;
  warnings: string[];
}

function protoNumberOf(s: LogSession): number {
  if (s.protocolNumber !== null) return s.protocolNumber;
  return s.protocol === 'tcp' ? PROTO_TCP : s.protocol === 'udp' ? PROTO_UDP : s.protocol === 'icmp' ? PROTO_ICMP : 0;
}

/** What the dropped packet was, from its logged flags: a bare ACK is keep-alive shaped (payload 0 or 1 byte not logged otherwise). */
function dropKind(d: DropRecord): PacketKind {
  const f = d.tcpFlags;
  if (f === null) return PacketKind.Data;
  if (f.includes('RST')) return PacketKind.Rst;
  if (f.includes('SYN')) return PacketKind.Syn;
  if (f.includes('FIN')) return PacketKind.Fin;
  if (f.length === 1 && f[0] === 'ACK' && (d.payloadBytes === null || d.payloadBytes <= 1)) return PacketKind.KeepAliveProbe;
  return PacketKind.Data;
}

/** Whether drop d travelled from the session's server side (real or NAT form) to its client. */
function fromServer(s: LogSession, d: DropRecord): boolean {
  const same = (a: { address: string; port: number | null } | null): boolean => a !== null && a.address === d.src.address && a.port === d.src.port;
  return same(s.server) || same(s.natServer);
}

/** Joins one file's records and turns its sessions into flows. */
export function flowsFromLog(records: Iterable<FwRecord>, file: string, opts: LogFlowOptions): LogFlows {
  return flowsFromSessions(joinSessions(records, file, opts), file, opts);
}

/** The sessions of one file (joinSessions or a SessionJoiner) as flows. */
export function flowsFromSessions(join: SessionJoin, file: string, opts: LogFlowOptions): LogFlows {
  const { sessions, unmatchedDrops } = join;
  const out = new FlowSetBuilder();
  const gaps = new GapCollector();
  const addresses: string[] = [];
  const ids = new Map<string, number>();
  const address = (text: string): number => {
    let id = ids.get(text);
    if (id === undefined) { id = addresses.length; addresses.push(text); ids.set(text, id); }
    return id;
  };
  const stats: LogFlowStats = { sessions: 0, idleEnded: 0, revealed: 0, closed: 0, open: 0, unmatchedDrops: unmatchedDrops.length, longestSeconds: 0 };
  let windowStartUs = Number.NaN, windowEndUs = Number.NaN;
  const widen = (us: number | null): void => {
    if (us === null) return;
    if (!(us >= windowStartUs)) windowStartUs = us;
    if (!(us <= windowEndUs)) windowEndUs = us;
  };
  for (const s of sessions) {
    const anchorUs = s.startUs ?? s.lastPacketUs ?? s.endUs;
    if (anchorUs === null) continue; // a session without any time cannot be placed
    stats.sessions++;
    widen(s.startUs); widen(s.endUs);
    const proto = protoNumberOf(s);
    const i = out.reserve();
    out.proto[i] = proto;
    out.clientAddr[i] = address(s.client.address);
    out.serverAddr[i] = address(s.server.address);
    out.clientPort[i] = s.client.port ?? 0;
    out.serverPort[i] = s.server.port ?? 0;
    const state = proto === PROTO_TCP ? FlowState.Established : datagramState(proto, true);
    out.start[i] = proto === PROTO_TCP ? FlowStart.Syn : FlowStart.Datagram;
    out.endState[i] = state;
    out.bytesC2S[i] = s.bytes ?? 0; // logs give the total, not per direction
    out.gapOffset[i] = out.gapCount;
    const firstUs = anchorUs;
    let lastUs = s.lastPacketUs ?? s.endUs ?? firstUs;
    const drop = s.drops[0];
    if (s.endUs === null) {
      out.end[i] = FlowEnd.Open;
      stats.open++;
    } else if (s.endReason === 'idle-timeout') {
      stats.idleEnded++;
      if (s.revealedGapSeconds !== null && drop !== undefined && drop.timeUs !== null) {
        stats.revealed++;
        // The join's gap, not the drop's stamp: it is at least the timeout that ended the session
        // (fwlog-sessions.ts revealGaps: a drop stamped before the end record still came after it).
        const gapUs = Math.round(s.revealedGapSeconds * 1e6);
        const gapEndUs = lastUs + gapUs;
        widen(gapEndUs);
        if (gapUs >= opts.gapFloorUs) out.pushGap(lastUs, gapEndUs, packGapInfo(state, dropKind(drop), fromServer(s, drop) ? 1 : 0, false, false));
        gaps.add(gapUs);
        lastUs = gapEndUs;
        out.end[i] = FlowEnd.Rst;
      } else {
        out.end[i] = FlowEnd.Evicted;
        gaps.addCensored(opts.timeoutSeconds(s.protocol));
      }
    } else {
      stats.closed++;
      out.end[i] = s.endReason === 'fin' ? FlowEnd.Fin : FlowEnd.Rst;
      if (s.endReason === 'fin') out.endState[i] = proto === PROTO_TCP ? FlowState.TimeWait : state;
      else if (proto === PROTO_TCP) out.endState[i] = FlowState.Close;
    }
    out.firstUs[i] = Math.min(firstUs, lastUs);
    out.lastUs[i] = lastUs;
    stats.longestSeconds = Math.max(stats.longestSeconds, (lastUs - out.firstUs[i]!) / 1e6);
  }
  out.gapOffset[out.count] = out.gapCount;
  const warnings: string[] = [];
  if (stats.sessions > 0) {
    warnings.push(`${file}: ${stats.sessions} sessions from the log (${stats.closed} closed, ${stats.idleEnded} ended by the idle timeout, ${stats.revealed} of them revealed by a later drop, ${stats.open} without an end record)` +
      `: idle gaps shorter than the timeout in force are invisible inside a session (the firewall kept it); an idle-ended session's final gap is known only to be at least the timeout unless a drop reveals it`);
  }
  if (unmatchedDrops.length > 0) warnings.push(`${file}: ${unmatchedDrops.length} drops match no session of the log`);
  const flows = canonicalFlowSet(out.toFlowSet(addresses, opts.gapFloorUs, windowStartUs, windowEndUs));
  return { flows, distribution: gaps.result(), sessions, unmatchedDrops, stats, warnings };
}
