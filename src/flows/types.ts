/**
 * The contract between the flows stage and everything after it (model, reports, TUI).
 *
 * A FlowSet is columnar (struct of arrays, one index per flow) so that a million flows
 * cost a few dozen bytes each and the model can sweep them without chasing objects.
 * Long idle gaps are stored in CSR form: the gaps of flow i are the indices
 * gapOffset[i] .. gapOffset[i+1]-1 of the gap columns, in time order.
 *
 * Times are microseconds since the Unix epoch held in float64 (exact up to 2^53 us,
 * about 285 years): never Date (STYLE.md pitfall 5).
 */
import { FlowState } from '../util/protocols.js';

/** What the packet that ends a gap is. `Data` includes pure ACKs that are not keep-alive ACKs. */
export enum PacketKind {
  Data = 0,
  KeepAliveProbe = 1,
  KeepAliveAck = 2,
  Fin = 3,
  Rst = 4,
  Syn = 5,
}

export const PACKET_KIND_NAMES: readonly string[] = ['data', 'keepalive', 'keepalive_ack', 'fin', 'rst', 'syn'];

/** Direction of a packet relative to the flow: 0 = client (initiator) to server, 1 = back. */
export type Direction = 0 | 1;

/** How a flow began (the first packet we saw of it). */
export enum FlowStart {
  Syn = 0, // TCP, first packet a SYN without ACK
  MidStream = 1, // TCP, capture started late (or the SYN was lost)
  Datagram = 2, // not TCP
}

/** How a flow ended within the capture. */
export enum FlowEnd {
  Open = 0, // still open at capture end: the time after its last packet is censored
  Fin = 1, // both sides sent FIN
  HalfClosed = 2, // one FIN only, then silence until capture end
  Rst = 3, // reset
  Evicted = 4, // evicted from the flow table (idle limit or --max-flows); see warnings
  Superseded = 5, // a new SYN on the same 4-tuple began another conversation (port reuse) before this one closed
}

export const FLOW_END_NAMES: readonly string[] = ['open', 'fin', 'half_closed', 'rst', 'evicted', 'superseded'];

/*
 * Gap info bits (gapInfo column, Uint16):
 *   bits 0-3  FlowState during the gap (the state the entry was in after the previous packet)
 *   bits 4-6  PacketKind of the packet that ends the gap
 *   bit  7    Direction of that packet
 *   bit  8    that packet repeats an unanswered keep-alive probe from the same sender
 *             (a retry: the previous packet of the flow was a probe in the same direction)
 *   bit  9    that packet is a retransmission of data already sent (same sequence number)
 */
export const GAP_STATE_MASK = 0x000f;
export const GAP_KIND_SHIFT = 4;
export const GAP_KIND_MASK = 0x0070;
export const GAP_DIR_BIT = 0x0080;
export const GAP_PROBE_RETRY_BIT = 0x0100;
export const GAP_RETRANSMISSION_BIT = 0x0200;
/** Bit 10: the gap is interval-censored (conntrack snapshots): it ended somewhere between two dumps and is stored at its upper bound (docs/CONNTRACK.md). */
export const GAP_INTERVAL_CENSORED_BIT = 0x0400;

export function gapState(info: number): FlowState {
  return info & GAP_STATE_MASK;
}
export function gapKind(info: number): PacketKind {
  return (info & GAP_KIND_MASK) >> GAP_KIND_SHIFT;
}
export function gapDirection(info: number): Direction {
  return (info & GAP_DIR_BIT) !== 0 ? 1 : 0;
}
export function packGapInfo(state: FlowState, kind: PacketKind, dir: Direction, probeRetry: boolean, retransmission: boolean): number {
  return (state & GAP_STATE_MASK) | (kind << GAP_KIND_SHIFT) | (dir ? GAP_DIR_BIT : 0) |
    (probeRetry ? GAP_PROBE_RETRY_BIT : 0) | (retransmission ? GAP_RETRANSMISSION_BIT : 0);
}

/**
 * All flows read from the inputs, plus what is needed to describe the data.
 * Addresses are interned: `addresses[clientAddr[i]]` is the text form ("192.0.2.10", "2001:db8::1").
 */
export interface FlowSet {
  count: number;
  proto: Uint8Array;
  clientAddr: Uint32Array;
  serverAddr: Uint32Array;
  clientPort: Uint16Array;
  serverPort: Uint16Array;
  firstUs: Float64Array;
  lastUs: Float64Array;
  start: Uint8Array; // FlowStart
  end: Uint8Array; // FlowEnd
  endState: Uint8Array; // FlowState after the last packet
  packetsC2S: Float64Array;
  packetsS2C: Float64Array;
  bytesC2S: Float64Array;
  bytesS2C: Float64Array;
  /** TCP keep-alive probes (Wireshark's tcp.analysis.keep_alive) sent by client / server. */
  keepAlivesC2S: Uint32Array;
  keepAlivesS2C: Uint32Array;
  /** Keep-alive ACKs (tcp.analysis.keep_alive_ack) in the flow, both directions. */
  keepAliveAcks: Uint32Array;
  /** CSR index into the gap columns; length count + 1. */
  gapOffset: Uint32Array;
  /** Long gaps (>= gapFloorUs): time of the packet before, time of the packet after, info bits. */
  gapStartUs: Float64Array;
  gapEndUs: Float64Array;
  gapInfo: Uint16Array;
  /** Interned address strings. */
  addresses: string[];
  /** Gaps shorter than this were counted in the distribution but not stored per flow. */
  gapFloorUs: number;
  /** Capture window: first and last packet time over all inputs (NaN when there were none). */
  windowStartUs: number;
  windowEndUs: number;
}

/** Aggregate idle-gap distribution over every gap, short ones included. */
export interface GapDistribution {
  /** Number of gaps between consecutive packets of the same flow. */
  count: number;
  /** Exact sorted gap values in seconds while count <= exactLimit, else null (then quantiles come from the sketch). */
  exactSorted: Float64Array | null;
  /** Log-binned counts: bin k holds gaps in [sketchBase^k, sketchBase^(k+1)) microseconds; bin 0 also holds 0..1 us. */
  sketch: Float64Array;
  sketchBase: number;
  /** Censored observations: time before the first packet of flows that started mid-stream is unknown;
   *  time after the last packet of flows still open at capture end, in seconds (end of window - last packet). */
  censoredSeconds: Float64Array;
}

/** The idle-gap distribution as `gaps` prints it and the TUI charts it. */
export interface GapSummary {
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
  /** Censored observations (time after the last packet of flows open at capture end). */
  censored: number;
  /** Whether the quantiles are exact or come from the log-binned sketch (relative error <= 1 %). */
  exact: boolean;
  /** ECDF points (seconds, fraction of gaps <= seconds), at most ~200, increasing. */
  ecdf: Array<{ seconds: number; fraction: number }>;
  /** Histogram on logarithmic bins (seconds). */
  histogram: Array<{ loSeconds: number; hiSeconds: number; count: number }>;
}
