/**
 * The packet ring of a shared-parse read (ring-capture.ts): decoded packets handed from the
 * thread that parses the capture to the worker thread that tracks their flows, as fixed-size
 * records in slots of a SharedArrayBuffer. One writer, one reader; the writer waits
 * (Atomics.wait) while every slot is full, the reader while none is.
 *
 * A record holds every field of `Decoded` the flow tracker and its callees read (tracker.ts,
 * tcp-analysis.ts, tcp-lifecycle.ts, shard.ts, the fragment keys; addresses.ts's internV4Of), the
 * wire length, and the start of the whole read's time window when the packet was read: a flow
 * finished before the end of the read (a SYN that starts a new conversation) takes that as its
 * first time when all its packets were untimed, as one tracker of every packet does.
 */
import type { Decoded } from '../ingest/packet.js';

/** Bytes of one record (10 float64 words). */
const RECORD_BYTES = 80;
/** Bytes of one slot: the writer publishes, and the reader releases, a slot at a time. */
export const RING_SLOT_BYTES = 256 * 1024;
const RECORDS_PER_SLOT = Math.floor(RING_SLOT_BYTES / RECORD_BYTES);
/** Slots in the ring (16 MiB): room for the records read while the worker thread starts. */
export const RING_SLOTS = 64;

// Control words (Int32Array indices).
/** Slots published by the writer, ever. */
const WRITTEN = 0;
/** Slots released by the reader, ever. */
const RELEASED = 1;
/** Bumped with every publish and at the end: what the reader waits on. */
const SIGNAL = 2;
/** 1 once the writer has published its last slot. */
const DONE = 3;
/** 1 once the reader has started, 2 if it gave up: the writer stops waiting for it. */
const READER = 4;
/** Records in each slot, from here on. */
const COUNTS = 8;

// Record layout, in 32-bit words from the record's start (float64 words 0 and 1 first).
const W_SRC = 4; // 4 words: src4 in the first for IPv4, src6 for IPv6
const W_DST = 8; // likewise
const W_SEQ = 12;
const W_ACK = 13;
const W_SEGLEN = 14; // signed: Wireshark's reported length less a bogus header length may be negative (unread then)
const W_WIRELEN = 15;
const W_FRAGID = 16;
const W_PORTS = 17; // sport (16-bit word 0), dport (1)
const W_WINDOW = 18; // window (16-bit word 0), then proto and tcpFlags (bytes 2, 3)
const W_BITS = 19; // flag bits (byte 0)

const B_V6 = 1;
const B_HAS_PORTS = 2;
const B_LATER_FRAGMENT = 4;
const B_FIRST_FRAGMENT = 8;
const B_MORE_FRAGMENTS = 16;
const B_TCP_STREAM = 32;
const B_TCP_ANALYSE = 64;
const B_TCP_FLAGS_VISIBLE = 128;

/** The shared memory of one ring: what the worker thread is given (structured clone keeps it shared). */
export interface PacketRing {
  control: SharedArrayBuffer;
  records: SharedArrayBuffer;
  /** The whole read's time window at its end (start, end), set before DONE. */
  window: SharedArrayBuffer;
}

export function createPacketRing(): PacketRing {
  return {
    control: new SharedArrayBuffer((COUNTS + RING_SLOTS) * 4),
    records: new SharedArrayBuffer(RING_SLOTS * RING_SLOT_BYTES),
    window: new SharedArrayBuffer(16),
  };
}

/** Thrown by the writer when the reader gave up or never started: the read is done again on one thread. */
export class RingReaderGone extends Error {}

/** How long the writer waits for a reader that has not started (module load on a busy machine) or stopped releasing slots. */
const READER_STALL_MS = 30_000;

/** The views both ends read the ring through: its control words, and its records by width. */
abstract class RingEnd {
  protected readonly ctrl: Int32Array;
  protected readonly f64: Float64Array;
  protected readonly u32: Uint32Array;
  protected readonly i32: Int32Array;
  protected readonly u16: Uint16Array;
  protected readonly u8: Uint8Array;

  constructor(protected readonly ring: PacketRing) {
    this.ctrl = new Int32Array(ring.control);
    this.f64 = new Float64Array(ring.records);
    this.u32 = new Uint32Array(ring.records);
    this.i32 = new Int32Array(ring.records);
    this.u16 = new Uint16Array(ring.records);
    this.u8 = new Uint8Array(ring.records);
  }
}

/** The parsing thread's end: records written into the current slot, published when full. */
export class RingWriter extends RingEnd {
  private written = 0;
  /** Records in the current slot, and the first 32-bit word of the next record. */
  private used = 0;
  private at = 0;
  private free = 0; // slots known free without looking

  constructor(ring: PacketRing) {
    super(ring);
    this.free = RING_SLOTS;
  }

  /**
   * Appends one packet, and `window.windowStartUs`: the whole read's window start with this packet
   * counted (an object, not a double argument: V8 boxes a double passed to a call it does not
   * inline, a heap number per packet).
   */
  write(d: Decoded, wireLen: number, window: { readonly windowStartUs: number }): void {
    if (this.used === 0 && this.free === 0) this.waitForFreeSlot();
    const w = this.at;
    const f = w >>> 1;
    this.f64[f] = d.tsUs;
    this.f64[f + 1] = window.windowStartUs;
    const u32 = this.u32;
    let bits = 0;
    if (d.family === 4) {
      u32[w + W_SRC] = d.src4;
      u32[w + W_DST] = d.dst4;
    } else {
      bits = B_V6;
      const s = d.src6, t = d.dst6;
      u32[w + W_SRC] = s[0]!; u32[w + W_SRC + 1] = s[1]!; u32[w + W_SRC + 2] = s[2]!; u32[w + W_SRC + 3] = s[3]!;
      u32[w + W_DST] = t[0]!; u32[w + W_DST + 1] = t[1]!; u32[w + W_DST + 2] = t[2]!; u32[w + W_DST + 3] = t[3]!;
    }
    u32[w + W_SEQ] = d.seq;
    u32[w + W_ACK] = d.ack;
    this.i32[w + W_SEGLEN] = d.segLen;
    u32[w + W_WIRELEN] = wireLen;
    u32[w + W_FRAGID] = d.fragId;
    const h = (w + W_PORTS) * 2;
    this.u16[h] = d.sport;
    this.u16[h + 1] = d.dport;
    this.u16[h + 2] = d.window;
    const b = (w + W_WINDOW) * 4;
    const u8 = this.u8;
    u8[b + 2] = d.proto;
    u8[b + 3] = d.tcpFlags;
    if (d.hasPorts) bits |= B_HAS_PORTS;
    if (d.laterFragment) bits |= B_LATER_FRAGMENT;
    if (d.firstFragment) bits |= B_FIRST_FRAGMENT;
    if (d.moreFragments) bits |= B_MORE_FRAGMENTS;
    if (d.tcpStream) bits |= B_TCP_STREAM;
    if (d.tcpAnalyse) bits |= B_TCP_ANALYSE;
    if (d.tcpFlagsVisible) bits |= B_TCP_FLAGS_VISIBLE;
    u8[(w + W_BITS) * 4] = bits;
    this.at = w + RECORD_BYTES / 4;
    if (++this.used === RECORDS_PER_SLOT) this.publish();
  }

  /** Publishes the last slot and the read's window; the reader finishes once it has them. */
  close(windowStartUs: number, windowEndUs: number): void {
    if (this.used > 0) this.publish();
    const win = new Float64Array(this.ring.window);
    win[0] = windowStartUs;
    win[1] = windowEndUs;
    Atomics.store(this.ctrl, DONE, 1);
    Atomics.add(this.ctrl, SIGNAL, 1);
    Atomics.notify(this.ctrl, SIGNAL);
  }

  private publish(): void {
    const slot = this.written % RING_SLOTS;
    Atomics.store(this.ctrl, COUNTS + slot, this.used);
    this.written++;
    this.free--;
    Atomics.store(this.ctrl, WRITTEN, this.written);
    Atomics.add(this.ctrl, SIGNAL, 1);
    Atomics.notify(this.ctrl, SIGNAL);
    this.used = 0;
    this.at = ((this.written % RING_SLOTS) * RING_SLOT_BYTES) / 4;
  }

  /** Blocks this thread until the reader releases a slot; throws RingReaderGone when it will not. */
  private waitForFreeSlot(): void {
    const ctrl = this.ctrl;
    let waitedMs = 0;
    let released = Atomics.load(ctrl, RELEASED);
    while (this.written - released >= RING_SLOTS) {
      if (Atomics.load(ctrl, READER) === 2 || waitedMs >= READER_STALL_MS) throw new RingReaderGone('the ring reader stopped');
      const seen = released;
      if (Atomics.wait(ctrl, RELEASED, seen, 200) === 'timed-out') waitedMs += 200;
      released = Atomics.load(ctrl, RELEASED);
      if (released !== seen) waitedMs = 0;
    }
    this.free = RING_SLOTS - (this.written - released);
  }
}

/** The tracking thread's end: fills one reused Decoded from each record. */
export class RingReader extends RingEnd {
  private released = 0;

  constructor(ring: PacketRing) {
    super(ring);
    Atomics.store(this.ctrl, READER, 1);
  }

  /** Tells the writer that no more slots will be released (the reader failed). */
  giveUp(): void {
    Atomics.store(this.ctrl, READER, 2);
    Atomics.notify(this.ctrl, RELEASED);
  }

  /**
   * Waits for the next published slot; its record count, or -1 once the writer is done and every
   * slot has been read. Read its records with `fill`, then `release` it.
   */
  nextSlot(): number {
    const ctrl = this.ctrl;
    for (;;) {
      const signal = Atomics.load(ctrl, SIGNAL);
      if (Atomics.load(ctrl, WRITTEN) > this.released) return Atomics.load(ctrl, COUNTS + (this.released % RING_SLOTS));
      if (Atomics.load(ctrl, DONE) === 1 && Atomics.load(ctrl, WRITTEN) === this.released) return -1;
      Atomics.wait(ctrl, SIGNAL, signal);
    }
  }

  /** Fills `d` from record `i` of the current slot (its time in d.tsUs); returns the wire length. */
  fill(i: number, d: Decoded): number {
    const w = ((this.released % RING_SLOTS) * RING_SLOT_BYTES + i * RECORD_BYTES) / 4;
    const u32 = this.u32;
    d.tsUs = this.f64[w >>> 1]!;
    const b = (w + W_WINDOW) * 4;
    const bits = this.u8[(w + W_BITS) * 4]!;
    if ((bits & B_V6) === 0) {
      d.family = 4;
      d.src4 = u32[w + W_SRC]!;
      d.dst4 = u32[w + W_DST]!;
    } else {
      d.family = 6;
      const s = d.src6, t = d.dst6;
      s[0] = u32[w + W_SRC]!; s[1] = u32[w + W_SRC + 1]!; s[2] = u32[w + W_SRC + 2]!; s[3] = u32[w + W_SRC + 3]!;
      t[0] = u32[w + W_DST]!; t[1] = u32[w + W_DST + 1]!; t[2] = u32[w + W_DST + 2]!; t[3] = u32[w + W_DST + 3]!;
      // As decode.ts sets them for IPv6.
      d.src4 = s[3]!;
      d.dst4 = t[3]!;
    }
    d.seq = u32[w + W_SEQ]!;
    d.ack = u32[w + W_ACK]!;
    d.segLen = this.i32[w + W_SEGLEN]!;
    d.fragId = u32[w + W_FRAGID]!;
    const h = (w + W_PORTS) * 2;
    d.sport = this.u16[h]!;
    d.dport = this.u16[h + 1]!;
    d.window = this.u16[h + 2]!;
    d.proto = this.u8[b + 2]!;
    d.tcpFlags = this.u8[b + 3]!;
    d.hasPorts = (bits & B_HAS_PORTS) !== 0;
    d.laterFragment = (bits & B_LATER_FRAGMENT) !== 0;
    d.firstFragment = (bits & B_FIRST_FRAGMENT) !== 0;
    d.moreFragments = (bits & B_MORE_FRAGMENTS) !== 0;
    d.tcpStream = (bits & B_TCP_STREAM) !== 0;
    d.tcpAnalyse = (bits & B_TCP_ANALYSE) !== 0;
    d.tcpFlagsVisible = (bits & B_TCP_FLAGS_VISIBLE) !== 0;
    return u32[w + W_WIRELEN]!;
  }

  /** Sets `window.windowStartUs` to the read's window start when record `i` of the current slot was read (see the file comment). */
  fillWindowStart(i: number, window: { windowStartUs: number }): void {
    window.windowStartUs = this.f64[((this.released % RING_SLOTS) * RING_SLOT_BYTES + i * RECORD_BYTES) / 8 + 1]!;
  }

  /** Hands the current slot back to the writer. */
  release(): void {
    this.released++;
    Atomics.store(this.ctrl, RELEASED, this.released);
    Atomics.notify(this.ctrl, RELEASED);
  }

  /** The whole read's window (start, end), once nextSlot has returned -1. */
  finalWindow(): [number, number] {
    const win = new Float64Array(this.ring.window);
    return [win[0]!, win[1]!];
  }
}
