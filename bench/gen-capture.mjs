#!/usr/bin/env node
// Generates a large Ethernet/IPv4/TCP capture for `npm run bench`: a day (24 h of capture time)
// of TCP sessions seen at a firewall, millions of packets, tens of thousands of flows open at
// once. Prints one JSON line with the ground truth (packets, flows, keep-alives, bytes ...) so
// the benchmark can check fwtp's reader against it.
//
//   node bench/gen-capture.mjs --out FILE [--packets N] [--flows-per-second R] [--seed S]
//                              [--snaplen BYTES] [--nanosecond] [--quiet]
//
// The mix (see SESSION KINDS below): short request/response sessions closed with FIN or reset;
// API sessions with think times of tens of seconds; long-lived pooled database sessions with
// idle gaps of minutes to hours, during which the server's Linux keep-alive (7200 s idle,
// 75 s interval, 9 probes) probes and is answered (or, for a peer that vanished, is not: nine
// probes, then RST); a population of pooled sessions already open at the start (mid-stream:
// first packet is data, no SYN). Sequence numbers follow the same rules as
// scripts/capture-writer.mjs's TcpSession, so Wireshark flags the probes tcp.analysis.keep_alive,
// the answers tcp.analysis.keep_alive_ack and nothing else.
//
// Speed: sessions live in typed arrays (struct of arrays), a binary heap of session ids keyed
// by each session's next packet time keeps the output in timestamp order, and frames are
// written into one reused 8 MiB buffer. Payload bytes are zeros (their checksum is still right).

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PcapWriter, Random, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../scripts/capture-writer.mjs';

const S = 1e9;
const MS = 1e6;
const US = 1e3;
const DAY_NS = 86400 * S;
/** 2026-11-02T00:00:00Z. */
const START_SECONDS = Date.UTC(2026, 10, 2, 0, 0, 0) / 1000;
const MSS = 1460;
const SEGMENT_SPACING_NS = 12 * US;
const DELAYED_ACK_NS = 40 * MS; // Linux TCP_DELACK_MIN
const KEEPALIVE_TIME_NS = 7200 * S; // Linux tcp_keepalive_time
const KEEPALIVE_INTVL_NS = 75 * S; // tcp_keepalive_intvl
const KEEPALIVE_PROBES = 9; // tcp_keepalive_probes
const NUM_CLIENTS = 8192; // 10.16.0.0/19
const CLIENT_NET = 0x0a100000;
const INITIAL_SESSIONS_PER_PACKET = 1 / 200; // mid-stream population: 25,000 for 5 M packets
const RATE_HEADROOM = 1.02; // aim slightly high so the packet budget ends just before 24 h

// SESSION KINDS
// New flows: 85 % WEB, 10 % API, 5 % POOL; the mid-stream population: 85 % POOL, 15 % API.
const WEB = 0; // 1-6 exchanges, seconds of think time, then FIN (88 %) or RST
const API = 1; // 3-62 exchanges, tens of seconds of think time, FIN (90 %) or RST after idling
const POOL = 2; // long-lived (median 8 h), bursts minutes to hours apart, server keep-alive;
// half are leaked (idle after the first burst until the end), 3 % lose their client (probes
// unanswered, then RST)

// Phases: which packet a session sends next.
const P_SYN = 0;
const P_SYNACK = 1;
const P_HANDSHAKE_ACK = 2;
const P_REQUEST = 3;
const P_SERVER_DELAYED_ACK = 4;
const P_RESPONSE = 5;
const P_CLIENT_ACK = 6;
const P_KEEPALIVE = 7;
const P_KEEPALIVE_ACK = 8;
const P_RST = 9;
const P_FIN_1 = 10;
const P_FIN_2 = 11;
const P_LAST_ACK = 12;

const CLIENT = 0;
const SERVER = 1;

/** Session state as struct-of-arrays, indexed by slot; slots of ended sessions are reused. */
class Sessions {
  constructor(capacity) {
    this.capacity = 0;
    this.free = [];
    this.used = 0;
    this.grow(capacity);
  }

  grow(capacity) {
    const fields = {
      kind: Uint8Array, phase: Uint8Array, closer: Uint8Array, started: Uint8Array, leaked: Uint8Array,
      lostPeer: Uint8Array, lost: Uint8Array, probesSent: Uint8Array, pendingPhase: Uint8Array, midStream: Uint8Array,
      clientIp: Uint32Array, serverIp: Uint32Array, clientPort: Uint16Array, serverPort: Uint16Array,
      clientNxt: Uint32Array, serverNxt: Uint32Array, clientWindow: Uint16Array, serverWindow: Uint16Array,
      halfRttNs: Float64Array, tNext: Float64Array, pendingAt: Float64Array, lastServerReceive: Float64Array,
      requestAt: Float64Array, lifeEnd: Float64Array,
      exchangesLeft: Int32Array, segmentsLeft: Int32Array, requestBytes: Int32Array, lastSegmentBytes: Int32Array,
      processingNs: Float64Array, responseSegments: Int32Array,
    };
    for (const [name, Type] of Object.entries(fields)) {
      const next = new Type(capacity);
      if (this[name]) next.set(this[name]);
      this[name] = next;
    }
    for (let i = capacity - 1; i >= this.capacity; i--) this.free.push(i);
    this.capacity = capacity;
  }

  allocate() {
    if (this.free.length === 0) this.grow(this.capacity * 2);
    this.used++;
    return this.free.pop();
  }

  release(i) {
    this.used--;
    this.free.push(i);
  }
}

/** Min-heap of session slots keyed by sessions.tNext (ties in any order: times stay sorted). */
class SessionHeap {
  constructor(tNext, capacity) {
    this.keys = tNext;
    this.items = new Int32Array(capacity);
    this.size = 0;
  }

  rekey(tNext) {
    this.keys = tNext;
    if (this.items.length < tNext.length) {
      const next = new Int32Array(tNext.length);
      next.set(this.items);
      this.items = next;
    }
  }

  push(slot) {
    const items = this.items;
    const keys = this.keys;
    let i = this.size++;
    const key = keys[slot];
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent];
      if (keys[p] <= key) break;
      items[i] = p;
      i = parent;
    }
    items[i] = slot;
  }

  /** Restores the heap after the top's key grew (or after replacing the top). */
  siftDownTop() {
    const items = this.items;
    const keys = this.keys;
    const n = this.size;
    const slot = items[0];
    const key = keys[slot];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let c = items[child];
      let ck = keys[c];
      const right = child + 1;
      if (right < n) {
        const r = items[right];
        const rk = keys[r];
        if (rk < ck) { child = right; c = r; ck = rk; }
      }
      if (ck >= key) break;
      items[i] = c;
      i = child;
    }
    items[i] = slot;
  }

  popTop() {
    this.size--;
    if (this.size > 0) {
      this.items[0] = this.items[this.size];
      this.siftDownTop();
    }
  }
}

/** Geometric count >= 1 with success probability p, capped. */
function geometric(rng, p, cap) {
  let n = 1;
  while (n < cap && rng.next() > p) n++;
  return n;
}

export class CaptureGenerator {
  /**
   * @param {{ writer: PcapWriter | null, seed: number, packetBudget: number, flowsPerSecond: number, initialSessions: number }} o
   *   writer null = dry run (counts only; used to calibrate the arrival rate)
   */
  constructor(o) {
    this.writer = o.writer;
    this.rng = new Random(o.seed);
    this.packetBudget = o.packetBudget;
    this.flowsPerSecond = o.flowsPerSecond;
    this.initialSessions = o.initialSessions;
    this.sessions = new Sessions(Math.max(1024, o.initialSessions * 2));
    this.heap = new SessionHeap(this.sessions.tNext, this.sessions.capacity);
    this.flowIndex = 0;
    // Ground truth.
    this.packets = 0;
    this.flows = 0;
    this.keepAliveProbes = 0;
    this.keepAliveAcks = 0;
    this.payloadBytes = 0;
    this.flowsClosedFin = 0;
    this.flowsReset = 0;
    this.midStreamStarts = 0;
    this.openFlows = 0;
    this.maxConcurrentFlows = 0;
    this.firstNs = NaN;
    this.lastNs = NaN;
    this.kindFlows = [0, 0, 0];
  }

  // --- session creation --------------------------------------------------------------------

  /** A new session whose first packet (SYN, or data when mid-stream) is at tNs. */
  spawn(kind, tNs, midStream) {
    const ss = this.sessions;
    const rng = this.rng;
    const i = ss.allocate();
    if (ss.tNext !== this.heap.keys) this.heap.rekey(ss.tNext);
    const f = this.flowIndex++;
    // Unique 4-tuple per flow: no port reuse, so one flow is one Wireshark tcp.stream.
    ss.clientIp[i] = CLIENT_NET + (f % NUM_CLIENTS);
    ss.clientPort[i] = 1024 + (Math.floor(f / NUM_CLIENTS) % 64000);
    ss.kind[i] = kind;
    ss.started[i] = 0;
    ss.leaked[i] = 0;
    ss.lostPeer[i] = 0;
    ss.lost[i] = 0;
    ss.probesSent[i] = 0;
    ss.midStream[i] = midStream ? 1 : 0;
    // ISNs below 2^31 and well under 2^31 bytes a day: sequence numbers never wrap to 0,
    // which Wireshark would read as "next sequence number unknown".
    ss.clientNxt[i] = rng.int(1, 0x7fffffff);
    ss.serverNxt[i] = rng.int(1, 0x7fffffff);
    ss.clientWindow[i] = rng.next() < 0.5 ? 64240 : 65535;
    ss.serverWindow[i] = rng.next() < 0.5 ? 65160 : 28960;
    ss.lifeEnd[i] = Infinity;
    if (kind === WEB) {
      ss.serverIp[i] = 0xcb007100 + 1 + rng.int(0, 63); // 203.0.113.1-64
      ss.serverPort[i] = rng.next() < 0.8 ? 443 : 80;
      ss.halfRttNs[i] = Math.round(Math.min(150 * MS, Math.max(100 * US, rng.logNormal(8 * MS, 0.8))));
      ss.exchangesLeft[i] = geometric(rng, 0.6, 6);
    } else if (kind === API) {
      ss.serverIp[i] = 0xc6336400 + 100 + rng.int(0, 15); // 198.51.100.100-115
      ss.serverPort[i] = 8443;
      ss.halfRttNs[i] = Math.round(Math.min(20 * MS, Math.max(100 * US, rng.logNormal(1.5 * MS, 0.6))));
      ss.exchangesLeft[i] = 2 + geometric(rng, 0.1, 60);
    } else {
      ss.serverIp[i] = 0xc6336400 + 24 + rng.int(0, 7); // 198.51.100.24-31
      ss.serverPort[i] = rng.next() < 0.7 ? 1521 : 5432;
      ss.halfRttNs[i] = Math.round(Math.min(5 * MS, Math.max(50 * US, rng.logNormal(250 * US, 0.5))));
      ss.exchangesLeft[i] = rng.int(1, 3);
      ss.lifeEnd[i] = tNs + rng.logNormal(8 * 3600, 1) * S;
      const fate = rng.next();
      if (fate < 0.5) ss.leaked[i] = 1; // borrowed and never returned: idle until the end
      else if (fate < 0.53) ss.lostPeer[i] = 1; // the client vanishes after its first burst
    }
    this.kindFlows[kind]++;
    if (midStream) {
      ss.phase[i] = P_REQUEST;
      this.midStreamStarts++;
    } else {
      ss.phase[i] = P_SYN;
    }
    ss.lastServerReceive[i] = tNs;
    ss.tNext[i] = tNs;
    this.heap.push(i);
    return i;
  }

  /** Draws the next request/response exchange's sizes and the server's think time. */
  drawExchange(i) {
    const ss = this.sessions;
    const rng = this.rng;
    const kind = ss.kind[i];
    ss.requestBytes[i] = kind === POOL ? rng.int(60, 900) : rng.int(150, 1200);
    ss.responseSegments[i] = geometric(rng, kind === POOL ? 0.7 : 0.5, 8);
    ss.lastSegmentBytes[i] = rng.int(40, MSS);
    ss.processingNs[i] = Math.round(Math.min(2 * S, Math.max(100 * US, rng.logNormal(kind === POOL ? 2 * MS : 6 * MS, 1.2))));
  }

  // --- after an exchange: think, idle, keep-alive or close ---------------------------------

  afterExchange(i, tNs) {
    const ss = this.sessions;
    const rng = this.rng;
    const kind = ss.kind[i];
    ss.exchangesLeft[i]--;
    if (kind === WEB) {
      if (ss.exchangesLeft[i] > 0) return this.schedule(i, tNs + rng.exponential(rng.next() < 0.2 ? 20 * S : 1.5 * S), P_REQUEST);
      return this.scheduleClose(i, tNs + Math.min(120 * S, rng.exponential(8 * S)), 0.12);
    }
    if (kind === API) {
      if (ss.exchangesLeft[i] > 0) return this.schedule(i, tNs + Math.min(600 * S, rng.exponential(40 * S)), P_REQUEST);
      return this.scheduleClose(i, tNs + rng.uniform(60, 900) * S, 0.1);
    }
    // POOL: queries a few seconds apart within a burst; bursts minutes to hours apart.
    if (ss.exchangesLeft[i] > 0) return this.enterIdle(i, tNs, tNs + rng.uniform(0.5, 10) * S, P_REQUEST);
    if (ss.lostPeer[i] === 1) {
      ss.lost[i] = 1;
      return this.enterIdle(i, tNs, Infinity, P_REQUEST);
    }
    if (ss.leaked[i] === 1) return this.enterIdle(i, tNs, Infinity, P_REQUEST);
    ss.exchangesLeft[i] = rng.int(1, 3);
    const nextBurst = tNs + Math.min(40000, Math.max(5, rng.logNormal(2400, 1.6))) * S;
    if (nextBurst >= ss.lifeEnd[i]) {
      ss.closer[i] = CLIENT;
      return this.enterIdle(i, tNs, ss.lifeEnd[i], P_FIN_1);
    }
    return this.enterIdle(i, tNs, nextBurst, P_REQUEST);
  }

  scheduleClose(i, tNs, resetProbability) {
    const ss = this.sessions;
    const rng = this.rng;
    ss.closer[i] = rng.next() < 0.6 ? CLIENT : SERVER;
    this.schedule(i, tNs, rng.next() < resetProbability ? P_RST : P_FIN_1);
  }

  schedule(i, tNs, phase) {
    this.sessions.phase[i] = phase;
    this.sessions.tNext[i] = Math.round(tNs);
  }

  /**
   * Idle until `activityNs` (then `phase`), unless the server's keep-alive timer fires first:
   * nothing received for tcp_keepalive_time (measured at the server, half an RTT past us).
   */
  enterIdle(i, tNs, activityNs, phase) {
    const ss = this.sessions;
    const h = ss.halfRttNs[i];
    const probeNs = ss.lastServerReceive[i] + KEEPALIVE_TIME_NS + 2 * h;
    if (probeNs + 2 * h + MS < activityNs) {
      ss.pendingAt[i] = activityNs;
      ss.pendingPhase[i] = phase;
      ss.probesSent[i] = 0;
      return this.schedule(i, probeNs, P_KEEPALIVE);
    }
    return this.schedule(i, activityNs, phase);
  }

  // --- one packet ---------------------------------------------------------------------------

  /** Writes session i's next packet and advances it. Returns false when the session ended. */
  step(i) {
    const ss = this.sessions;
    const rng = this.rng;
    const tNs = ss.tNext[i];
    const h = ss.halfRttNs[i];
    const phase = ss.phase[i];
    if (ss.started[i] === 0) {
      ss.started[i] = 1;
      this.flows++;
      if (++this.openFlows > this.maxConcurrentFlows) this.maxConcurrentFlows = this.openFlows;
    }
    switch (phase) {
      case P_SYN:
        this.emit(i, tNs, CLIENT, TCP_SYN, 0);
        return this.next(i, tNs + 2 * h, P_SYNACK);
      case P_SYNACK:
        this.emit(i, tNs, SERVER, TCP_SYN | TCP_ACK, 0);
        return this.next(i, tNs + 2 * h, P_HANDSHAKE_ACK);
      case P_HANDSHAKE_ACK:
        this.emit(i, tNs, CLIENT, TCP_ACK, 0);
        return this.next(i, tNs + rng.uniform(50, 2000) * US, P_REQUEST);
      case P_REQUEST: {
        this.drawExchange(i);
        const bytes = ss.requestBytes[i];
        this.emit(i, tNs, CLIENT, TCP_PSH | TCP_ACK, bytes);
        ss.requestAt[i] = tNs;
        ss.segmentsLeft[i] = ss.responseSegments[i];
        if (ss.processingNs[i] > DELAYED_ACK_NS) return this.next(i, tNs + 2 * h + DELAYED_ACK_NS, P_SERVER_DELAYED_ACK);
        return this.next(i, tNs + 2 * h + ss.processingNs[i], P_RESPONSE);
      }
      case P_SERVER_DELAYED_ACK:
        this.emit(i, tNs, SERVER, TCP_ACK, 0);
        return this.next(i, ss.requestAt[i] + 2 * h + ss.processingNs[i], P_RESPONSE);
      case P_RESPONSE: {
        const left = --ss.segmentsLeft[i];
        this.emit(i, tNs, SERVER, left === 0 ? TCP_PSH | TCP_ACK : TCP_ACK, left === 0 ? ss.lastSegmentBytes[i] : MSS);
        if (left > 0) return this.next(i, tNs + SEGMENT_SPACING_NS, P_RESPONSE);
        // Linux ACKs at once after two or more full segments, else after the delayed-ACK timer.
        return this.next(i, tNs + 2 * h + (ss.responseSegments[i] > 1 ? 10 * US : DELAYED_ACK_NS), P_CLIENT_ACK);
      }
      case P_CLIENT_ACK:
        this.emit(i, tNs, CLIENT, TCP_ACK, 0);
        this.afterExchange(i, tNs);
        return this.continueOrEnd(i);
      case P_KEEPALIVE: {
        // tcp_xmit_probe_skb: seq = snd_una - 1 (everything is acknowledged), no payload.
        this.emitSeq(i, tNs, SERVER, TCP_ACK, (ss.serverNxt[i] - 1) >>> 0);
        this.keepAliveProbes++;
        if (ss.lost[i] === 0) return this.next(i, tNs + 2 * h, P_KEEPALIVE_ACK);
        if (++ss.probesSent[i] < KEEPALIVE_PROBES) return this.next(i, tNs + KEEPALIVE_INTVL_NS, P_KEEPALIVE);
        ss.closer[i] = SERVER;
        return this.next(i, tNs + KEEPALIVE_INTVL_NS, P_RST);
      }
      case P_KEEPALIVE_ACK:
        this.emit(i, tNs, CLIENT, TCP_ACK, 0);
        this.keepAliveAcks++;
        this.enterIdle(i, tNs, ss.pendingAt[i], ss.pendingPhase[i]);
        return this.continueOrEnd(i);
      case P_RST:
        this.emit(i, tNs, ss.closer[i], TCP_RST | TCP_ACK, 0);
        this.flowsReset++;
        this.openFlows--;
        return false;
      case P_FIN_1:
        this.emit(i, tNs, ss.closer[i], TCP_FIN | TCP_ACK, 0);
        return this.next(i, tNs + 2 * h + 300 * US, P_FIN_2);
      case P_FIN_2:
        this.emit(i, tNs, 1 - ss.closer[i], TCP_FIN | TCP_ACK, 0);
        return this.next(i, tNs + 2 * h, P_LAST_ACK);
      case P_LAST_ACK:
        this.emit(i, tNs, ss.closer[i], TCP_ACK, 0);
        this.flowsClosedFin++;
        this.openFlows--;
        return false;
      default:
        throw new Error(`bad phase ${phase}`);
    }
  }

  /** Times are whole nanoseconds, so a rounded arrival never sorts before a packet already written. */
  next(i, tNs, phase) {
    this.sessions.phase[i] = phase;
    this.sessions.tNext[i] = Math.round(tNs);
    return true;
  }

  continueOrEnd(i) {
    return this.sessions.tNext[i] !== Infinity;
  }

  /** A segment at the side's snd_nxt, advancing it by the payload (+1 for SYN or FIN). */
  emit(i, tNs, side, flags, payloadBytes) {
    const ss = this.sessions;
    const seq = side === CLIENT ? ss.clientNxt[i] : ss.serverNxt[i];
    this.emitSeq(i, tNs, side, flags, seq, payloadBytes);
    const used = payloadBytes + ((flags & (TCP_SYN | TCP_FIN)) !== 0 ? 1 : 0);
    if (used > 0) {
      if (side === CLIENT) ss.clientNxt[i] = seq + used;
      else ss.serverNxt[i] = seq + used;
    }
    if (side === CLIENT && ss.lost[i] === 0) ss.lastServerReceive[i] = tNs;
  }

  emitSeq(i, tNs, side, flags, seq, payloadBytes = 0) {
    const ss = this.sessions;
    this.packets++;
    this.payloadBytes += payloadBytes;
    if (this.packets === 1) this.firstNs = tNs;
    this.lastNs = tNs;
    // Every ACK acknowledges everything the peer has sent: nothing is lost on the wire.
    const ack = (flags & TCP_ACK) !== 0 ? (side === CLIENT ? ss.serverNxt[i] : ss.clientNxt[i]) : 0;
    const w = this.writer;
    if (w === null) return;
    if (side === CLIENT) {
      w.writeTcp(tNs, ss.clientIp[i], ss.clientPort[i], ss.serverIp[i], ss.serverPort[i], seq, ack, flags, ss.clientWindow[i], payloadBytes, null);
    } else {
      w.writeTcp(tNs, ss.serverIp[i], ss.serverPort[i], ss.clientIp[i], ss.clientPort[i], seq, ack, flags, ss.serverWindow[i], payloadBytes, null);
    }
  }

  // --- the day ------------------------------------------------------------------------------

  /** Runs until the packet budget is spent or the day ends. */
  run() {
    const rng = this.rng;
    const ss = this.sessions;
    // Pooled (and some API) sessions already open when the capture starts: their first packet
    // is a request within the first hour, before any keep-alive could be due.
    for (let k = 0; k < this.initialSessions; k++) {
      const kind = rng.next() < 0.85 ? POOL : API;
      this.spawn(kind, Math.round(rng.uniform(0, 3600) * S), true);
    }
    const meanArrivalGapNs = this.flowsPerSecond > 0 ? S / this.flowsPerSecond : Infinity;
    let arrivalNs = meanArrivalGapNs === Infinity ? Infinity : rng.exponential(meanArrivalGapNs);
    const heap = this.heap;
    while (this.packets < this.packetBudget) {
      const top = heap.size > 0 ? heap.items[0] : -1;
      const topNs = top >= 0 ? ss.tNext[top] : Infinity;
      if (arrivalNs <= topNs && arrivalNs < DAY_NS) {
        const u = rng.next();
        this.spawn(u < 0.85 ? WEB : u < 0.95 ? API : POOL, Math.round(arrivalNs), false);
        arrivalNs += rng.exponential(meanArrivalGapNs);
        continue;
      }
      if (topNs >= DAY_NS) break;
      if (this.step(top)) {
        heap.siftDownTop();
      } else {
        heap.popTop();
        ss.release(top);
      }
    }
    return this.summary();
  }

  /** Packets one session of each start kind sends in a day, on average (dry run, for calibration). */
  static calibrate(seed) {
    const dry = new CaptureGenerator({ writer: null, seed, packetBudget: Infinity, flowsPerSecond: 0, initialSessions: 0 });
    const runAlone = (kind, tNs, midStream) => {
      const before = dry.packets;
      const i = dry.spawn(kind, tNs, midStream);
      dry.heap.popTop();
      while (dry.sessions.tNext[i] < DAY_NS && dry.step(i)) { /* one session, in order */ }
      dry.sessions.release(i);
      return dry.packets - before;
    };
    const samples = 6000;
    let initialPackets = 0;
    let arrivingPackets = 0;
    for (let k = 0; k < samples; k++) {
      initialPackets += runAlone(dry.rng.next() < 0.85 ? POOL : API, Math.round(dry.rng.uniform(0, 3600) * S), true);
      const u = dry.rng.next();
      arrivingPackets += runAlone(u < 0.85 ? WEB : u < 0.95 ? API : POOL, Math.round(dry.rng.uniform(0, 86400) * S), false);
    }
    return { perInitialSession: initialPackets / samples, perArrivingFlow: arrivingPackets / samples };
  }

  summary() {
    return {
      packets: this.packets,
      flows: this.flows,
      keepAliveProbes: this.keepAliveProbes,
      keepAliveAcks: this.keepAliveAcks,
      flowsClosedFin: this.flowsClosedFin,
      flowsReset: this.flowsReset,
      flowsOpenAtEnd: this.flows - this.flowsClosedFin - this.flowsReset,
      midStreamStarts: this.midStreamStarts,
      maxConcurrentFlows: this.maxConcurrentFlows,
      payloadBytes: this.payloadBytes,
    };
  }
}

function parseArgs(argv) {
  const options = { out: '', packets: 5_000_000, flowsPerSecond: NaN, seed: 1, snaplen: 128, nanosecond: false, quiet: false };
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k];
    const value = () => {
      if (k + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++k];
    };
    const number = (text, name) => {
      const n = Number(text);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${text}`);
      return n;
    };
    if (arg === '--out') options.out = value();
    else if (arg === '--packets') options.packets = Math.max(1, Math.floor(number(value(), '--packets')));
    else if (arg === '--flows-per-second') options.flowsPerSecond = number(value(), '--flows-per-second');
    else if (arg === '--seed') options.seed = Math.floor(number(value(), '--seed'));
    else if (arg === '--snaplen') options.snaplen = Math.floor(number(value(), '--snaplen')) || 262144;
    else if (arg === '--nanosecond') options.nanosecond = true;
    else if (arg === '--quiet') options.quiet = true;
    else if (arg === '--help' || arg === '-h') options.help = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

const USAGE = `usage: node bench/gen-capture.mjs --out FILE [--packets N] [--flows-per-second R] [--seed S]
                                 [--snaplen BYTES] [--nanosecond] [--quiet]
  --packets N            packets to write (default 5000000); the run also stops at 24 h
  --flows-per-second R   new-flow arrival rate (default: calibrated by a dry run so that N packets
                         fill just under 24 h; with a fixed rate the run stops at N packets or at
                         24 h, whichever comes first)
  --seed S               PRNG seed (default 1); same seed and N give the same file
  --snaplen BYTES        bytes stored per frame, like tcpdump -s (default 128; 0 = whole frames)
  --nanosecond           nanosecond pcap magic (default microseconds)
Prints one JSON line with the ground truth on stdout; progress goes to stderr.`;

function main(argv) {
  let options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (options.help || options.out === '') {
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = options.help ? 0 : 2;
    return;
  }
  const began = process.hrtime.bigint();
  const initialSessions = Math.round(options.packets * INITIAL_SESSIONS_PER_PACKET);
  let flowsPerSecond = options.flowsPerSecond;
  let calibration = null;
  if (Number.isNaN(flowsPerSecond)) {
    calibration = CaptureGenerator.calibrate(options.seed ^ 0x5bd1e995);
    const arrivingPackets = options.packets * RATE_HEADROOM - initialSessions * calibration.perInitialSession;
    flowsPerSecond = Math.max(0.01, arrivingPackets / (calibration.perArrivingFlow * 86400));
  }
  const writer = new PcapWriter(options.out, { startSeconds: START_SECONDS, nanosecond: options.nanosecond, snaplen: options.snaplen });
  const generator = new CaptureGenerator({ writer, seed: options.seed, packetBudget: options.packets, flowsPerSecond, initialSessions });
  const truth = generator.run();
  const written = writer.close();
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  const result = {
    file: path.resolve(options.out),
    ...truth,
    bytes: written.wireBytes,
    fileBytes: written.fileBytes,
    firstMicros: START_SECONDS * 1e6 + Math.floor(generator.firstNs / 1000),
    lastMicros: START_SECONDS * 1e6 + Math.floor(generator.lastNs / 1000),
    durationSeconds: Math.round((generator.lastNs - generator.firstNs) / 1e6) / 1e3,
    flowsByKind: { web: generator.kindFlows[WEB], api: generator.kindFlows[API], pool: generator.kindFlows[POOL] },
    seed: options.seed,
    flowsPerSecond: Math.round(flowsPerSecond * 1000) / 1000,
    initialSessions,
    snaplen: options.snaplen,
    nanosecond: options.nanosecond,
    generationSeconds: Math.round(seconds * 1000) / 1000,
    packetsPerSecond: Math.round(truth.packets / seconds),
  };
  if (!options.quiet) {
    process.stderr.write(`${result.packets} packets, ${result.flows} flows (max ${result.maxConcurrentFlows} open), ` +
      `${result.keepAliveProbes} keep-alive probes, ${(result.fileBytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s ` +
      `(${(result.packetsPerSecond / 1e6).toFixed(2)} M packets/s)\n`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main(process.argv.slice(2));
