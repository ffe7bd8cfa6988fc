/**
 * Conntrack inputs as flows, so the same model that reads captures can read dumps
 * (docs/CONNTRACK.md "Series and events as flows"):
 *
 * - A series of snapshots: one flow per entry (original tuple). At each dump an entry's last
 *   activity is known to the second: a_k = t_k - (timeout of its state - seconds left). When it
 *   shows activity between dumps k-1 and k (counters, state or a later a_k), the idle gap that
 *   ended began at a_{k-1} and ended with the first packet after it, which fell in
 *   (t_{k-1}, a_k]: the gap is interval-censored, between t_{k-1} - a_{k-1} and a_k - a_{k-1}.
 *   It is stored at its upper bound (end a_k) with GAP_INTERVAL_CENSORED_BIT: a candidate
 *   between the bounds is counted as broken (the cautious side for sessions). Gaps inside one
 *   interval are not seen.
 * - An event stream with -o timestamp: one flow per entry, first = its NEW, last = the last
 *   activity the stream implies: at a timeout DESTROY, destroy time - the state's timeout (late
 *   by the garbage collector's lag at most); at a close, the close event; for an entry still live
 *   at the end, its last event (a lower bound). Events show state changes only, so no gaps.
 */
import { GapCollector } from './distribution.js';
import { FlowEnd, FlowStart, GAP_INTERVAL_CENSORED_BIT, PacketKind, packGapInfo, type FlowSet, type GapDistribution } from './types.js';
import { FlowState, PROTO_TCP } from '../util/protocols.js';
import { flowStateOf, timeoutKeyOf, timeoutTable } from './conntrack-timeouts.js';
import { timeoutKeyIndex } from '../ingest/conntrack-timeouts.js';
import { CLOSE_FIN, CLOSE_HALF, CLOSE_NONE, CLOSE_RST, closingOf, ENDED_CLOSE, ENDED_OPEN, ENDED_REMOVED } from '../ingest/conntrack-closing.js';
import type { ConntrackInput, ConntrackSnapshot } from '../ingest/conntrack-input.js';
import { ST_ASSURED, ST_OFFLOAD, ST_UNREPLIED, stateIndex, type ConntrackTable } from '../ingest/conntrack-table.js';

export interface ConntrackFlows {
  flows: FlowSet;
  distribution: GapDistribution;
  warnings: string[];
}

export interface ConntrackFlowOptions {
  /** Gaps at least this long are stored per flow (seconds); default 1. */
  gapFloorSeconds?: number;
}

/** Seconds of slack for the 1-second resolution of printed timeouts and delta-times. */
const ROUNDING_US = 1.5e6;
const K_TCP_CLOSE = timeoutKeyIndex('tcp_timeout_close');
const SYN_SENT = stateIndex('SYN_SENT');

class Builder {
  proto: number[] = []; clientAddr: number[] = []; serverAddr: number[] = []; clientPort: number[] = []; serverPort: number[] = [];
  firstUs: number[] = []; lastUs: number[] = []; start: number[] = []; end: number[] = []; endState: number[] = [];
  packetsC2S: number[] = []; packetsS2C: number[] = []; bytesC2S: number[] = []; bytesS2C: number[] = [];
  gapOffset: number[] = [0]; gapStartUs: number[] = []; gapEndUs: number[] = []; gapInfo: number[] = [];
  readonly addresses: string[] = [];
  private readonly addressIds = new Map<string, number>();
  readonly gaps = new GapCollector();

  address(text: string): number {
    let id = this.addressIds.get(text);
    if (id === undefined) {
      id = this.addresses.length;
      this.addresses.push(text);
      this.addressIds.set(text, id);
    }
    return id;
  }

  flow(f: {
    proto: number; client: string; server: string; clientPort: number; serverPort: number; firstUs: number; lastUs: number;
    start: FlowStart; end: FlowEnd; endState: FlowState; packets: [number, number]; bytes: [number, number];
    gaps: number[] | null; censoredUntilUs: number;
  }): void {
    this.proto.push(f.proto);
    this.clientAddr.push(this.address(f.client));
    this.serverAddr.push(this.address(f.server));
    this.clientPort.push(f.clientPort);
    this.serverPort.push(f.serverPort);
    this.firstUs.push(Math.min(f.firstUs, f.lastUs));
    this.lastUs.push(f.lastUs);
    this.start.push(f.start);
    this.end.push(f.end);
    this.endState.push(f.endState);
    this.packetsC2S.push(f.packets[0]);
    this.packetsS2C.push(f.packets[1]);
    this.bytesC2S.push(f.bytes[0]);
    this.bytesS2C.push(f.bytes[1]);
    if (f.gaps !== null) {
      for (let k = 0; k < f.gaps.length; k += 3) {
        this.gapStartUs.push(f.gaps[k]!);
        this.gapEndUs.push(f.gaps[k + 1]!);
        this.gapInfo.push(f.gaps[k + 2]!);
      }
    }
    this.gapOffset.push(this.gapStartUs.length);
    if ((f.end === FlowEnd.Open || f.end === FlowEnd.HalfClosed) && f.censoredUntilUs >= f.lastUs) {
      this.gaps.addCensored((f.censoredUntilUs - f.lastUs) / 1e6);
    }
  }

  finish(gapFloorUs: number, windowStartUs: number, windowEndUs: number): FlowSet {
    const n = this.proto.length;
    return {
      count: n,
      proto: Uint8Array.from(this.proto),
      clientAddr: Uint32Array.from(this.clientAddr),
      serverAddr: Uint32Array.from(this.serverAddr),
      clientPort: Uint16Array.from(this.clientPort),
      serverPort: Uint16Array.from(this.serverPort),
      firstUs: Float64Array.from(this.firstUs),
      lastUs: Float64Array.from(this.lastUs),
      start: Uint8Array.from(this.start),
      end: Uint8Array.from(this.end),
      endState: Uint8Array.from(this.endState),
      packetsC2S: Float64Array.from(this.packetsC2S),
      packetsS2C: Float64Array.from(this.packetsS2C),
      bytesC2S: Float64Array.from(this.bytesC2S),
      bytesS2C: Float64Array.from(this.bytesS2C),
      keepAlivesC2S: new Uint32Array(n),
      keepAlivesS2C: new Uint32Array(n),
      keepAliveAcks: new Uint32Array(n),
      gapOffset: Uint32Array.from(this.gapOffset),
      gapStartUs: Float64Array.from(this.gapStartUs),
      gapEndUs: Float64Array.from(this.gapEndUs),
      gapInfo: Uint16Array.from(this.gapInfo),
      addresses: this.addresses,
      gapFloorUs,
      windowStartUs,
      windowEndUs,
    };
  }
}

/** How an entry that closed ends as a flow. */
function endOfClosing(closing: number): FlowEnd {
  return closing === CLOSE_FIN ? FlowEnd.Fin : closing === CLOSE_RST ? FlowEnd.Rst : closing === CLOSE_HALF ? FlowEnd.HalfClosed : FlowEnd.Open;
}

interface Track {
  key: string;
  proto: number;
  client: string;
  server: string;
  clientPort: number;
  serverPort: number;
  firstUs: number;
  start: FlowStart;
  createdUs: number;
  id: number;
  lastSeen: number;
  activityUs: number;
  state: number;
  status: number;
  timeoutKey: number;
  packets: [number, number];
  bytes: [number, number];
  counters: boolean;
  gaps: number[] | null;
}

function tupleKey(t: ConntrackTable, i: number, texts: string[]): string {
  return `${t.proto[i]} ${texts[t.src[i]!]} ${t.sport[i]} ${texts[t.dst[i]!]} ${t.dport[i]} ${t.icmpType[i]} ${t.zone[i]}`;
}

/**
 * Flows, their gap distribution and warnings from conntrack inputs: the snapshots of every
 * listing input form one series (ordered by time); each event stream adds its entries. `timeouts`
 * are the timeouts the dumps were taken under by FlowState name (a platform's stateTimeouts) or
 * sysctl name; the sysctl values of any sysctl input win over them.
 */
export function conntrackFlows(inputs: ConntrackInput[], timeouts: Record<string, number>, opts: ConntrackFlowOptions = {}): ConntrackFlows {
  const gapFloorUs = (opts.gapFloorSeconds ?? 1) * 1e6;
  const T = timeoutTable([timeouts, ...inputs.map((i) => i.sysctlRaw)]);
  const b = new Builder();
  const warnings: string[] = [];
  let windowStartUs = Infinity;
  let windowEndUs = -Infinity;

  // Series of snapshots.
  const snaps: Array<{ s: ConntrackSnapshot; input: ConntrackInput }> = [];
  for (const input of inputs) for (const s of input.snapshots) snaps.push({ s, input });
  let timed = snaps.filter((x) => x.s.atSeconds !== null);
  if (snaps.length === 1 && timed.length === 0) {
    warnings.push(`the dump in ${snaps[0]!.input.name} has no time (no timestamp line, no --at): it is placed at the epoch, so only durations are meaningful`);
    timed = [{ s: { ...snaps[0]!.s, atSeconds: 0 }, input: snaps[0]!.input }];
  } else if (timed.length < snaps.length) {
    warnings.push(`${snaps.length - timed.length} dumps without a time were left out of the series (give each a timestamp line, or --at)`);
  }
  timed.sort((x, y) => x.s.atSeconds! - y.s.atSeconds!);
  if (timed.length > 0) {
    const r = seriesFlows(timed.map((x) => x.s), T, b, gapFloorUs);
    windowStartUs = r.startUs;
    windowEndUs = r.endUs;
    warnings.push(...r.warnings);
    if (timed.length === 1) warnings.push('a single dump shows ages, not how sessions resume: its flows have no gaps (use a series of dumps or planDump)');
  }

  // Event streams.
  let eventInputs = 0;
  for (const input of inputs) {
    if (input.events === undefined) continue;
    if (!input.events.timestamps) {
      warnings.push(`${input.name}: events without -o timestamp carry no times and give no flows`);
      continue;
    }
    eventInputs++;
    const r = eventFlows(input, T, b);
    windowStartUs = Math.min(windowStartUs, r.startUs);
    windowEndUs = Math.max(windowEndUs, r.endUs);
    warnings.push(...r.warnings);
  }
  if (eventInputs > 0 && timed.length > 0) {
    warnings.push('both dumps and event streams were given: an entry in both is counted as two flows');
  }
  if (!Number.isFinite(windowStartUs)) { windowStartUs = NaN; windowEndUs = NaN; }
  const flows = b.finish(gapFloorUs, windowStartUs, windowEndUs);
  return { flows, distribution: b.gaps.result(), warnings };
}

/** conntrackFlows without the distribution and warnings. */
export function conntrackToFlowSet(inputs: ConntrackInput[], timeouts: Record<string, number>): FlowSet {
  return conntrackFlows(inputs, timeouts).flows;
}

function seriesFlows(snaps: ConntrackSnapshot[], T: Float64Array, b: Builder, gapFloorUs: number):
  { startUs: number; endUs: number; warnings: string[] } {
  const tracks = new Map<string, Track>();
  const t0 = snaps[0]!.atSeconds! * 1e6;
  let ageAboveLifetime = 0;
  let timeoutAboveState = 0;
  let vanishedEarly = 0;
  let recreated = 0;
  let unknownState = 0;

  const emit = (tr: Track, lastUs: number, end: FlowEnd, endState: FlowState, censoredUntilUs: number): void => {
    b.flow({
      proto: tr.proto, client: tr.client, server: tr.server, clientPort: tr.clientPort, serverPort: tr.serverPort,
      firstUs: tr.firstUs, lastUs, start: tr.start, end, endState, packets: tr.packets, bytes: tr.bytes, gaps: tr.gaps, censoredUntilUs,
    });
  };
  const pushGap = (tr: Track, startUs: number, endUs: number, kind: PacketKind, dir: 0 | 1): void => {
    const gapUs = endUs - startUs;
    if (!(gapUs >= 0)) return;
    b.gaps.add(gapUs);
    if (gapUs < gapFloorUs) return;
    const info = packGapInfo(flowStateOf(tr.proto, tr.state, tr.status), kind, dir, false, false) | GAP_INTERVAL_CENSORED_BIT;
    (tr.gaps ??= []).push(startUs, endUs, info);
  };
  /** An entry seen at dump k-1 and gone at dump k (time nowUs). */
  const vanish = (tr: Track, prevUs: number, nowUs: number, lastUsOfSeries: number): void => {
    const tau = tr.timeoutKey >= 0 ? T[tr.timeoutKey]! * 1e6 : NaN;
    const closing = closingOf(tr.proto, tr.state);
    const fs = flowStateOf(tr.proto, tr.state, tr.status);
    if (!(tr.activityUs + tau > nowUs + ROUNDING_US) || closing !== CLOSE_NONE) {
      // Expired on time (or was closing): the silence after its last packet is what the firewall saw.
      emit(tr, tr.activityUs, endOfClosing(closing), fs, lastUsOfSeries);
      return;
    }
    vanishedEarly++;
    if (tr.proto === PROTO_TCP) {
      // Gone before its timeout: closed between the dumps (a RST, whose 10 s CLOSE state ran out before the next dump).
      const closeUs = Math.max(prevUs, nowUs - T[K_TCP_CLOSE]! * 1e6);
      pushGap(tr, tr.activityUs, closeUs, PacketKind.Rst, 0);
      emit(tr, Math.max(closeUs, tr.activityUs), FlowEnd.Rst, FlowState.Close, lastUsOfSeries);
    } else {
      emit(tr, tr.activityUs, FlowEnd.Evicted, fs, lastUsOfSeries);
    }
  };

  for (let k = 0; k < snaps.length; k++) {
    const tUs = snaps[k]!.atSeconds! * 1e6;
    const prevUs = k > 0 ? snaps[k - 1]!.atSeconds! * 1e6 : tUs;
    const t = snaps[k]!.table;
    const texts = t.addresses.texts();
    for (let i = 0; i < t.count; i++) {
      const proto = t.proto[i]!, state = t.state[i]!, status = t.status[i]!;
      const timeoutKey = timeoutKeyOf(proto, state, status);
      const tau = timeoutKey >= 0 ? T[timeoutKey]! : NaN;
      const left = t.timeout[i]!;
      let activityUs = NaN;
      if ((status & ST_OFFLOAD) !== 0) activityUs = tUs; // the flow table keeps offloaded entries busy
      else if (left >= 0 && Number.isFinite(tau)) {
        if (left > tau + 1) timeoutAboveState++;
        activityUs = Math.min(tUs, tUs - (tau - left) * 1e6);
      } else if (timeoutKey < 0) unknownState++;
      const delta = t.deltaSeconds[i]!;
      const createdUs = Number.isNaN(delta) ? NaN : tUs - delta * 1e6;
      if (createdUs > activityUs + ROUNDING_US) ageAboveLifetime++;
      const key = tupleKey(t, i, texts);
      const counters = !Number.isNaN(t.packetsOrig[i]);
      const packets: [number, number] = counters ? [t.packetsOrig[i]!, t.packetsReply[i]!] : [0, 0]!;
      const bytes: [number, number] = counters ? [t.bytesOrig[i]!, t.bytesReply[i]!] : [0, 0]!;
      const id = t.id[i]!;
      let tr = tracks.get(key);
      if (tr !== undefined && tr.lastSeen === k - 1 && (
        (!Number.isNaN(id) && !Number.isNaN(tr.id) && id !== tr.id) ||
        (createdUs - tr.createdUs > 2 * ROUNDING_US) ||
        (counters && tr.counters && packets[0] + packets[1] < tr.packets[0] + tr.packets[1]))) {
        // Same tuple, another entry: the old one ended between the dumps and a new one began.
        recreated++;
        vanish(tr, prevUs, tUs, snaps[snaps.length - 1]!.atSeconds! * 1e6);
        tracks.delete(key);
        tr = undefined;
      }
      if (tr === undefined) {
        const seenUs = Number.isNaN(activityUs) ? tUs : activityUs;
        // An entry first seen at dump k > 0 was not in dump k-1: it began after t_(k-1). Its age
        // from the printed seconds (rounded down) can put it up to a second earlier.
        const firstUs = Math.max(k > 0 ? prevUs : -Infinity, Number.isNaN(createdUs) ? seenUs : Math.min(createdUs, seenUs));
        const startKnown = k > 0 || (!Number.isNaN(createdUs) && createdUs >= t0);
        tracks.set(key, {
          key, proto, client: texts[t.src[i]!]!, server: texts[t.dst[i]!]!, clientPort: t.sport[i]!, serverPort: t.dport[i]!,
          firstUs, start: proto !== PROTO_TCP ? FlowStart.Datagram : startKnown ? FlowStart.Syn : FlowStart.MidStream,
          createdUs, id, lastSeen: k, activityUs: seenUs, state, status, timeoutKey, packets, bytes, counters, gaps: null,
        });
        continue;
      }
      // Seen at the dump before: did it see traffic in between?
      const stateChanged = state !== tr.state || ((status ^ tr.status) & (ST_UNREPLIED | ST_ASSURED)) !== 0;
      let active = stateChanged;
      let dir: 0 | 1 = 0;
      if (counters && tr.counters) {
        const dOrig = packets[0] - tr.packets[0], dReply = packets[1] - tr.packets[1];
        if (dOrig + dReply > 0) active = true;
        if (dOrig === 0 && dReply > 0) dir = 1;
      } else if (!Number.isNaN(activityUs) && activityUs > tr.activityUs + ROUNDING_US) {
        // A rising remaining time: the timer was re-armed by a packet.
        active = true;
      }
      if (active) {
        const newActivityUs = Number.isNaN(activityUs) ? tUs : Math.max(activityUs, prevUs);
        const before = closingOf(proto, tr.state), after = closingOf(proto, state);
        const kind = after > before ? (after === CLOSE_RST ? PacketKind.Rst : PacketKind.Fin) : PacketKind.Data;
        pushGap(tr, tr.activityUs, newActivityUs, kind, dir);
        tr.activityUs = newActivityUs;
      } else if (activityUs > tr.activityUs) {
        // No traffic shown: each dump bounds the time of the last packet from below to the second
        // (printed seconds are rounded down); keep the tightest bound. Without it a packet that
        // moved a_k by less than the 1.5 s threshold at dump k-1 passed it only at a later dump,
        // and the clamp to t_(k-1) above then placed it seconds late.
        tr.activityUs = activityUs;
      }
      tr.lastSeen = k;
      tr.state = state;
      tr.status = status;
      tr.timeoutKey = timeoutKey;
      tr.packets = packets;
      tr.bytes = bytes;
      tr.counters = counters;
      if (!Number.isNaN(id)) tr.id = id;
    }
    // Entries of the dump before that this one no longer shows.
    if (k > 0) {
      for (const [key, tr] of tracks) {
        if (tr.lastSeen !== k - 1) continue;
        vanish(tr, prevUs, tUs, snaps[snaps.length - 1]!.atSeconds! * 1e6);
        tracks.delete(key);
      }
    }
  }
  const endUs = snaps[snaps.length - 1]!.atSeconds! * 1e6;
  for (const tr of tracks.values()) {
    emit(tr, tr.activityUs, endOfClosing(closingOf(tr.proto, tr.state)), flowStateOf(tr.proto, tr.state, tr.status), endUs);
  }
  const warnings: string[] = [];
  if (ageAboveLifetime > 0) {
    warnings.push(`${ageAboveLifetime} entries look idle for longer than they exist (age from the timeout above delta-time): the timeouts in force differ from those assumed; give the firewall's sysctl net.netfilter output as an input`);
  }
  if (timeoutAboveState > 0) warnings.push(`${timeoutAboveState} entries have more time left than the timeout of their state: the timeouts in force are longer than assumed (or set per entry by a ct timeout policy)`);
  if (unknownState > 0) warnings.push(`${unknownState} entries are in a state without a known timeout: their activity is taken as the time of the dump`);
  if (vanishedEarly > 0) warnings.push(`${vanishedEarly} entries vanished between dumps before their timeout ran out: TCP ones are taken as reset, others as removed (conntrack -D, flush, early drop)`);
  if (recreated > 0) warnings.push(`${recreated} tuples were taken by a new entry between dumps (new id, later creation, or counters that fell)`);
  return { startUs: t0, endUs, warnings };
}

function eventFlows(input: ConntrackInput, T: Float64Array, b: Builder): { startUs: number; endUs: number; warnings: string[] } {
  const ev = input.events!;
  const L = ev.lifetimes;
  const t = L.entries;
  const texts = t.addresses.texts();
  const startUs = ev.firstSeconds * 1e6;
  const endUs = ev.lastSeconds * 1e6;
  let removedEarly = 0;
  let untimed = 0;
  for (let r = 0; r < t.count; r++) {
    const proto = t.proto[r]!, state = t.state[r]!, status = t.status[r]!;
    const timeoutKey = timeoutKeyOf(proto, state, status);
    const tauUs = timeoutKey >= 0 ? T[timeoutKey]! * 1e6 : NaN;
    const firstEv = L.firstSeconds[r]! * 1e6;
    const lastEv = L.lastEventSeconds[r]! * 1e6;
    const destroyUs = L.destroySeconds[r]! * 1e6;
    if (Number.isNaN(firstEv)) { untimed++; continue; }
    const fs = flowStateOf(proto, state, status);
    let lastUs: number;
    let end: FlowEnd;
    let firstUs = firstEv;
    const delta = t.deltaSeconds[r]!;
    if (!Number.isNaN(destroyUs)) {
      if (L.newSeen[r] === 0 && !Number.isNaN(delta)) firstUs = destroyUs - delta * 1e6; // its lifetime, from DESTROY
      const expiredFrom = destroyUs - tauUs; // last packet, when the DESTROY is a timeout
      if (L.endedBy[r] === ENDED_CLOSE) {
        // The close event is the last packet the stream shows; destroy - timeout would add the collector's lag.
        end = endOfClosing(L.closing[r]!);
        lastUs = Number.isNaN(lastEv) ? expiredFrom : lastEv;
      } else if (L.endedBy[r] === ENDED_REMOVED || (!Number.isNaN(lastEv) && expiredFrom < lastEv - ROUNDING_US)) {
        // Removed by user space, or destroyed before its timeout could run out after the last event: not expired.
        removedEarly++;
        end = FlowEnd.Evicted;
        lastUs = Number.isNaN(lastEv) ? destroyUs : lastEv;
      } else {
        end = FlowEnd.Open; // timed out: the silence after the last packet is censored
        lastUs = Number.isNaN(expiredFrom) ? (Number.isNaN(lastEv) ? destroyUs : lastEv) : Math.max(Number.isNaN(lastEv) ? -Infinity : lastEv, expiredFrom);
      }
    } else {
      // Still live: its last packet is at least as late as its last event (events show state changes only).
      end = endOfClosing(L.closing[r]!);
      lastUs = lastEv;
    }
    if (Number.isNaN(lastUs)) lastUs = firstUs;
    b.flow({
      proto, client: texts[t.src[r]!]!, server: texts[t.dst[r]!]!, clientPort: t.sport[r]!, serverPort: t.dport[r]!,
      firstUs, lastUs,
      start: proto !== PROTO_TCP ? FlowStart.Datagram : L.newSeen[r] === 1 && L.firstState[r] === SYN_SENT ? FlowStart.Syn : FlowStart.MidStream,
      end, endState: fs,
      packets: Number.isNaN(t.packetsOrig[r]!) ? [0, 0] : [t.packetsOrig[r]!, t.packetsReply[r]!],
      bytes: Number.isNaN(t.bytesOrig[r]!) ? [0, 0] : [t.bytesOrig[r]!, t.bytesReply[r]!],
      gaps: null, censoredUntilUs: endUs,
    });
  }
  const warnings: string[] = [];
  if (removedEarly > 0) warnings.push(`${input.name}: ${removedEarly} entries were destroyed before their timeout could run out (conntrack -D, flush, or early drop on a full table)`);
  if (untimed > 0) warnings.push(`${input.name}: ${untimed} entries have events without times and were left out`);
  if (L.endedBy.some((e) => e === ENDED_OPEN)) {
    warnings.push(`${input.name}: events show state changes only: for entries still live at the end, the last packet is taken at their last event (a lower bound), so the model sees them idle since`);
  }
  return { startUs, endUs, warnings };
}
