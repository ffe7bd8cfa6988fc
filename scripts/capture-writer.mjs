// Capture writer and TCP session synthesizer for fwtp's sample and benchmark captures.
//
// Plain Node ESM without dependencies so that `node scripts/...` runs without a build.
// Everything here writes *generated* traffic: frames are Ethernet II / IPv4 / TCP or UDP,
// with a correct IPv4 header checksum and a correct TCP/UDP checksum.
//
// Times: every writer takes `tNs`, nanoseconds since the writer's `startSeconds` (an integer
// Unix time). A float64 holds such offsets exactly for 104 days, so callers never need
// BigInt or Date (STYLE.md pitfall 5); the writer splits them into the file's own units.
//
// File formats:
//   classic pcap: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-03.html
//     magic 0xa1b2c3d4 (microseconds) or 0xa1b23c4d (nanoseconds), little-endian, v2.4
//   pcapng:       https://www.ietf.org/archive/id/draft-ietf-opsawg-pcapng-01.html
//     SHB, one IDB (LINKTYPE_ETHERNET, if_tsresol = 9, i.e. 10^-9 s), EPBs

import fs from 'node:fs';
import { pcapHeader, pcapngIdb, pcapngShb } from './lib/pcap-format.mjs';

export const LINKTYPE_ETHERNET = 1;
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

const ETH_BYTES = 14;
const IPV4_BYTES = 20;
const TCP_BYTES = 20;
const TCP_SYN_OPTION_BYTES = 4; // MSS only: no window scaling, so Wireshark reads windows raw
const UDP_BYTES = 8;
/** Largest header stack we write (Ethernet + IPv4 + TCP with the MSS option). */
export const MAX_HEADER_BYTES = ETH_BYTES + IPV4_BYTES + TCP_BYTES + TCP_SYN_OPTION_BYTES;
const SYN_MSS = 1460;
const TTL = 64;
const PCAP_RECORD_HEADER_BYTES = 16;
const EPB_FIXED_BYTES = 32; // block type, length, interface, ts high, ts low, caplen, origlen, trailing length

/** Dotted quad to an unsigned 32-bit number. */
export function ipv4(dotted) {
  const parts = dotted.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${dotted}`);
  }
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

/** Unsigned 32-bit number to a dotted quad. */
export function ipv4ToString(ip) {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

/**
 * Seeded PRNG (mulberry32, public domain, Tommy Ettinger): fast, 32-bit state, good enough
 * for traffic shapes. `next()` is uniform in [0, 1).
 */
export class Random {
  constructor(seed) {
    this.state = seed >>> 0;
    this.spareNormal = NaN;
  }

  next() {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [lo, hi] inclusive. */
  int(lo, hi) {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** Uniform real in [lo, hi). */
  uniform(lo, hi) {
    return lo + this.next() * (hi - lo);
  }

  /** Exponential with the given mean (inverse CDF: -mean ln(1 - U)). */
  exponential(mean) {
    return -mean * Math.log(1 - this.next());
  }

  /** Standard normal (Marsaglia polar method; keeps the spare instead of allocating). */
  normal() {
    if (!Number.isNaN(this.spareNormal)) {
      const spare = this.spareNormal;
      this.spareNormal = NaN;
      return spare;
    }
    let u;
    let v;
    let s;
    do {
      u = this.next() * 2 - 1;
      v = this.next() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * m;
    return u * m;
  }

  /** Log-normal with the given median and log-space sigma: median * e^(sigma Z). */
  logNormal(median, sigma) {
    return median * Math.exp(sigma * this.normal());
  }

  /** Pick one element of a non-empty array. */
  pick(items) {
    return items[Math.floor(this.next() * items.length)];
  }
}

/** Ones'-complement fold of a 32-bit partial sum to 16 bits (RFC 1071). */
function foldChecksum(sum) {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 65536);
  return sum;
}

/** Sum of the bytes as big-endian 16-bit words (an odd last byte is the high byte). */
function sumBytes(bytes, length) {
  let sum = 0;
  const even = length & ~1;
  for (let i = 0; i < even; i += 2) sum += (bytes[i] << 8) | bytes[i + 1];
  if (length & 1) sum += bytes[length - 1] << 8;
  return sum;
}

/**
 * Writes Ethernet + IPv4 (+ TCP or UDP) headers for one frame at `off` and the payload
 * up to `capBytes` bytes of frame in total. Headers are always written in full (the caller
 * keeps MAX_HEADER_BYTES of room); bytes past `capBytes` are simply overwritten by the next
 * record. `payload` null means a zero-filled payload (its checksum contribution is 0).
 * Returns the frame's length on the wire.
 */
function encodeFrame(b, off, proto, srcIp, srcPort, dstIp, dstPort, seq, ack, flags, window,
  payloadLength, payload, capBytes, ipId) {
  const withSynOption = proto === 6 && (flags & TCP_SYN) !== 0;
  const l4Bytes = proto === 6 ? TCP_BYTES + (withSynOption ? TCP_SYN_OPTION_BYTES : 0) : UDP_BYTES;
  const ipTotal = IPV4_BYTES + l4Bytes + payloadLength;
  const frameBytes = ETH_BYTES + ipTotal;

  // Ethernet II: locally administered MACs 02:00:<IPv4> so each host keeps one address.
  b[off] = 0x02; b[off + 1] = 0;
  b[off + 2] = dstIp >>> 24; b[off + 3] = (dstIp >>> 16) & 255; b[off + 4] = (dstIp >>> 8) & 255; b[off + 5] = dstIp & 255;
  b[off + 6] = 0x02; b[off + 7] = 0;
  b[off + 8] = srcIp >>> 24; b[off + 9] = (srcIp >>> 16) & 255; b[off + 10] = (srcIp >>> 8) & 255; b[off + 11] = srcIp & 255;
  b[off + 12] = 0x08; b[off + 13] = 0x00;

  // IPv4, DF set as Linux does for TCP and for UDP with path MTU discovery.
  const ip = off + ETH_BYTES;
  b[ip] = 0x45; b[ip + 1] = 0;
  b[ip + 2] = ipTotal >>> 8; b[ip + 3] = ipTotal & 255;
  b[ip + 4] = ipId >>> 8; b[ip + 5] = ipId & 255;
  b[ip + 6] = 0x40; b[ip + 7] = 0;
  b[ip + 8] = TTL; b[ip + 9] = proto;
  b[ip + 12] = srcIp >>> 24; b[ip + 13] = (srcIp >>> 16) & 255; b[ip + 14] = (srcIp >>> 8) & 255; b[ip + 15] = srcIp & 255;
  b[ip + 16] = dstIp >>> 24; b[ip + 17] = (dstIp >>> 16) & 255; b[ip + 18] = (dstIp >>> 8) & 255; b[ip + 19] = dstIp & 255;
  const addressSum = (srcIp >>> 16) + (srcIp & 0xffff) + (dstIp >>> 16) + (dstIp & 0xffff);
  const ipSum = foldChecksum(0x4500 + ipTotal + ipId + 0x4000 + ((TTL << 8) | proto) + addressSum);
  const ipChecksum = ~ipSum & 0xffff;
  b[ip + 10] = ipChecksum >>> 8; b[ip + 11] = ipChecksum & 255;

  const l4 = ip + IPV4_BYTES;
  const l4Length = l4Bytes + payloadLength;
  let sum = addressSum + proto + l4Length + srcPort + dstPort; // pseudo-header and ports
  b[l4] = srcPort >>> 8; b[l4 + 1] = srcPort & 255;
  b[l4 + 2] = dstPort >>> 8; b[l4 + 3] = dstPort & 255;
  let csumAt;
  if (proto === 6) {
    b[l4 + 4] = seq >>> 24; b[l4 + 5] = (seq >>> 16) & 255; b[l4 + 6] = (seq >>> 8) & 255; b[l4 + 7] = seq & 255;
    b[l4 + 8] = ack >>> 24; b[l4 + 9] = (ack >>> 16) & 255; b[l4 + 10] = (ack >>> 8) & 255; b[l4 + 11] = ack & 255;
    const offsetFlags = ((l4Bytes >>> 2) << 12) | flags;
    b[l4 + 12] = offsetFlags >>> 8; b[l4 + 13] = offsetFlags & 255;
    b[l4 + 14] = window >>> 8; b[l4 + 15] = window & 255;
    b[l4 + 18] = 0; b[l4 + 19] = 0; // urgent pointer
    sum += (seq >>> 16) + (seq & 0xffff) + (ack >>> 16) + (ack & 0xffff) + offsetFlags + window;
    if (withSynOption) {
      b[l4 + 20] = 2; b[l4 + 21] = 4; b[l4 + 22] = SYN_MSS >>> 8; b[l4 + 23] = SYN_MSS & 255;
      sum += 0x0204 + SYN_MSS;
    }
    csumAt = l4 + 16;
  } else {
    b[l4 + 4] = l4Length >>> 8; b[l4 + 5] = l4Length & 255;
    sum += l4Length;
    csumAt = l4 + 6;
  }

  const payloadAt = l4 + l4Bytes;
  const room = off + capBytes - payloadAt;
  const storedPayload = room <= 0 ? 0 : room < payloadLength ? room : payloadLength;
  if (payload !== null) {
    sum += sumBytes(payload, payloadLength);
    for (let i = 0; i < storedPayload; i++) b[payloadAt + i] = payload[i];
  } else if (storedPayload > 0) {
    b.fill(0, payloadAt, payloadAt + storedPayload);
  }
  let l4Checksum = ~foldChecksum(sum) & 0xffff;
  if (proto === 17 && l4Checksum === 0) l4Checksum = 0xffff; // RFC 768: 0 means "no checksum"
  b[csumAt] = l4Checksum >>> 8; b[csumAt + 1] = l4Checksum & 255;
  return frameBytes;
}

/**
 * Shared batching for both file formats: records go into one large Buffer that is
 * flushed with fs.writeSync when full, so a million packets cost a few hundred syscalls.
 */
class BatchedFile {
  constructor(path, batchBytes) {
    this.fd = fs.openSync(path, 'w');
    this.batch = Buffer.allocUnsafe(batchBytes);
    this.used = 0;
    this.fileBytes = 0;
    this.packets = 0;
    this.wireBytes = 0;
    this.ipId = 0;
  }

  /** Makes room for `bytes` more bytes in the batch. */
  reserve(bytes) {
    if (this.used + bytes > this.batch.length) {
      this.flush();
      if (bytes > this.batch.length) this.batch = Buffer.allocUnsafe(bytes * 2);
    }
  }

  flush() {
    let written = 0;
    while (written < this.used) written += fs.writeSync(this.fd, this.batch, written, this.used - written);
    this.fileBytes += this.used;
    this.used = 0;
  }

  /** Flushes and closes; returns what was written. */
  close() {
    this.flush();
    fs.closeSync(this.fd);
    return { packets: this.packets, fileBytes: this.fileBytes, wireBytes: this.wireBytes };
  }

  nextIpId() {
    const id = this.ipId;
    this.ipId = (id + 1) & 0xffff;
    return id;
  }
}

/**
 * Classic pcap writer (little-endian, LINKTYPE_ETHERNET).
 *
 * @example
 *   const w = new PcapWriter('out.pcap', { startSeconds: 1793606400 });
 *   w.writeTcp(0, ipv4('192.0.2.10'), 40000, ipv4('198.51.100.24'), 1521, 1, 0, TCP_SYN, 64240, 0, null);
 *   w.close();
 */
export class PcapWriter extends BatchedFile {
  /**
   * @param {string} path
   * @param {{ startSeconds?: number, nanosecond?: boolean, snaplen?: number, batchBytes?: number }} [options]
   *   snaplen truncates stored frames (the original length is kept), as `tcpdump -s` does.
   */
  constructor(path, { startSeconds = 0, nanosecond = false, snaplen = 262144, batchBytes = 8 << 20 } = {}) {
    super(path, batchBytes);
    this.startSeconds = startSeconds;
    this.nanosecond = nanosecond;
    this.snaplen = snaplen;
    // The file header comes from the shared encoder (lib/pcap-format.mjs); records are written in place.
    this.used = pcapHeader({ linkType: LINKTYPE_ETHERNET, nanos: nanosecond, snapLen: snaplen }).copy(this.batch, 0);
  }

  /** Writes one record around a frame that `encodeFrame` puts at the record's data offset. */
  writeRecord(tNs, proto, srcIp, srcPort, dstIp, dstPort, seq, ack, flags, window, payloadLength, payload) {
    this.reserve(PCAP_RECORD_HEADER_BYTES + MAX_HEADER_BYTES + Math.min(payloadLength, this.snaplen));
    const b = this.batch;
    const rec = this.used;
    const frameBytes = encodeFrame(b, rec + PCAP_RECORD_HEADER_BYTES, proto, srcIp, srcPort, dstIp, dstPort,
      seq, ack, flags, window, payloadLength, payload, this.snaplen, this.nextIpId());
    const capBytes = frameBytes < this.snaplen ? frameBytes : this.snaplen;
    const wholeSeconds = Math.floor(tNs / 1e9);
    const fractionNs = tNs - wholeSeconds * 1e9;
    b.writeUInt32LE(this.startSeconds + wholeSeconds, rec);
    b.writeUInt32LE(this.nanosecond ? fractionNs : Math.floor(fractionNs / 1000), rec + 4);
    b.writeUInt32LE(capBytes, rec + 8);
    b.writeUInt32LE(frameBytes, rec + 12);
    this.used = rec + PCAP_RECORD_HEADER_BYTES + capBytes;
    this.packets++;
    this.wireBytes += frameBytes;
  }

  /** One TCP segment. `seq`, `ack` are absolute 32-bit numbers; `payload` null = zeros. */
  writeTcp(tNs, srcIp, srcPort, dstIp, dstPort, seq, ack, flags, window, payloadLength, payload) {
    this.writeRecord(tNs, 6, srcIp, srcPort, dstIp, dstPort, seq, ack, flags, window, payloadLength, payload);
  }

  /** One UDP datagram. */
  writeUdp(tNs, srcIp, srcPort, dstIp, dstPort, payloadLength, payload) {
    this.writeRecord(tNs, 17, srcIp, srcPort, dstIp, dstPort, 0, 0, 0, 0, payloadLength, payload);
  }
}

/**
 * Minimal pcapng writer: one section, one Ethernet interface with nanosecond timestamps
 * (if_tsresol = 9), Enhanced Packet Blocks. Little-endian (byte-order magic 0x1A2B3C4D).
 * Not a hot path: timestamps go through BigInt.
 */
export class PcapngWriter extends BatchedFile {
  constructor(path, { startSeconds = 0, snaplen = 262144, batchBytes = 1 << 20, application = 'fwtp capture-writer' } = {}) {
    super(path, batchBytes);
    this.startNs = BigInt(startSeconds) * 1000000000n;
    this.snaplen = snaplen;
    // SHB with shb_userappl, IDB with if_tsresol = 9 (nanoseconds), from the shared encoder.
    const shb = pcapngShb({ options: [{ code: 4, value: Buffer.from(application, 'utf8') }] });
    const idb = pcapngIdb(LINKTYPE_ETHERNET, { snapLen: snaplen, tsresol: 9 });
    this.used = shb.copy(this.batch, 0);
    this.used += idb.copy(this.batch, this.used);
  }

  writeRecord(tNs, proto, srcIp, srcPort, dstIp, dstPort, seq, ack, flags, window, payloadLength, payload) {
    this.reserve(EPB_FIXED_BYTES + MAX_HEADER_BYTES + Math.min(payloadLength, this.snaplen) + 3);
    const b = this.batch;
    const rec = this.used;
    const frameBytes = encodeFrame(b, rec + 28, proto, srcIp, srcPort, dstIp, dstPort,
      seq, ack, flags, window, payloadLength, payload, this.snaplen, this.nextIpId());
    const capBytes = frameBytes < this.snaplen ? frameBytes : this.snaplen;
    const padded = (capBytes + 3) & ~3;
    b.fill(0, rec + 28 + capBytes, rec + 28 + padded);
    const length = EPB_FIXED_BYTES + padded;
    const ts = this.startNs + BigInt(tNs);
    b.writeUInt32LE(6, rec); b.writeUInt32LE(length, rec + 4);
    b.writeUInt32LE(0, rec + 8); // interface 0
    b.writeUInt32LE(Number(ts >> 32n), rec + 12);
    b.writeUInt32LE(Number(ts & 0xffffffffn), rec + 16);
    b.writeUInt32LE(capBytes, rec + 20);
    b.writeUInt32LE(frameBytes, rec + 24);
    b.writeUInt32LE(length, rec + 28 + padded);
    this.used = rec + length;
    this.packets++;
    this.wireBytes += frameBytes;
  }

  writeTcp(tNs, srcIp, srcPort, dstIp, dstPort, seq, ack, flags, window, payloadLength, payload) {
    this.writeRecord(tNs, 6, srcIp, srcPort, dstIp, dstPort, seq, ack, flags, window, payloadLength, payload);
  }

  writeUdp(tNs, srcIp, srcPort, dstIp, dstPort, payloadLength, payload) {
    this.writeRecord(tNs, 17, srcIp, srcPort, dstIp, dstPort, 0, 0, 0, 0, payloadLength, payload);
  }
}

/**
 * Collects packets from many independently scripted sessions, then writes them in
 * timestamp order (stable: packets with equal times keep the order they were made in).
 * For the small samples only: it keeps every packet in memory.
 */
export class PacketCollector {
  constructor() {
    this.packets = [];
  }

  writeTcp(tNs, srcIp, srcPort, dstIp, dstPort, seq, ack, flags, window, payloadLength, payload) {
    this.packets.push({ tNs, proto: 6, srcIp, srcPort, dstIp, dstPort, seq, ack, flags, window, payloadLength, payload, order: this.packets.length });
  }

  writeUdp(tNs, srcIp, srcPort, dstIp, dstPort, payloadLength, payload) {
    this.packets.push({ tNs, proto: 17, srcIp, srcPort, dstIp, dstPort, seq: 0, ack: 0, flags: 0, window: 0, payloadLength, payload, order: this.packets.length });
  }

  /** Writes everything collected to `writer` in time order and returns the count. */
  drainTo(writer) {
    const sorted = this.packets.slice().sort((a, b) => a.tNs - b.tNs || a.order - b.order);
    for (const p of sorted) {
      if (p.proto === 6) {
        writer.writeTcp(p.tNs, p.srcIp, p.srcPort, p.dstIp, p.dstPort, p.seq, p.ack, p.flags, p.window, p.payloadLength, p.payload);
      } else {
        writer.writeUdp(p.tNs, p.srcIp, p.srcPort, p.dstIp, p.dstPort, p.payloadLength, p.payload);
      }
    }
    this.packets = [];
    return sorted.length;
  }
}

export const CLIENT = 0;
export const SERVER = 1;

/**
 * One TCP connection that keeps each side's snd_nxt / rcv_nxt so every segment it writes is
 * what a Linux stack would send, and Wireshark's sequence analysis (packet-tcp.c,
 * tcp_analyze_sequence_number) flags keep-alives and their ACKs and nothing else.
 *
 * Rules it relies on (Wireshark 4.0):
 * - keep-alive: 0 or 1 byte, seq = next expected seq - 1, no SYN/FIN/RST;
 * - keep-alive ACK: 0 bytes, same window as that side's previous segment, seq = next
 *   expected, ack = that side's previous ack, right after the peer's keep-alive;
 * - any other pure ACK repeating the previous ack with the same window is a duplicate ACK,
 *   so `ack()` refuses to write one (a bug in the caller's script, not traffic we want).
 * Windows stay constant per side (no window-update flags); no window scaling is offered.
 *
 * Times are capture times in ns since the writer's start and must not go backwards
 * within one session (the collector orders sessions against each other).
 */
export class TcpSession {
  /**
   * @param {{ writeTcp: Function }} sink a writer or a PacketCollector
   * @param {{ clientIp: number, clientPort: number, serverIp: number, serverPort: number,
   *   clientIsn: number, serverIsn: number, clientWindow?: number, serverWindow?: number, mss?: number }} o
   */
  constructor(sink, o) {
    this.sink = sink;
    this.ip = [o.clientIp, o.serverIp];
    this.port = [o.clientPort, o.serverPort];
    this.sndNxt = [o.clientIsn >>> 0, o.serverIsn >>> 0];
    // A mid-stream session starts from the ISNs as the current snd_nxt of each side.
    this.rcvNxt = [o.serverIsn >>> 0, o.clientIsn >>> 0];
    this.lastAckSent = [-1, -1];
    this.window = [o.clientWindow ?? 64240, o.serverWindow ?? 65160];
    this.mss = o.mss ?? 1460;
    this.lastTimeNs = -Infinity;
    this.lastWasProbe = [false, false];
    this.finSent = [false, false];
    this.closed = false;
    this.packets = 0;
    this.keepAliveProbes = 0;
    this.keepAliveAcks = 0;
    this.firstTimeNs = NaN;
    this.maxGapNs = 0;
    this.rsts = 0;
    this.fins = 0;
    this.payloadBytes = [0, 0];
  }

  /** Writes one segment from `side` and updates both sides' sequence state. */
  emit(tNs, side, flags, payloadLength, payload, seq) {
    if (this.closed) throw new Error('segment after RST');
    if (tNs < this.lastTimeNs) throw new Error(`session time went backwards: ${tNs} < ${this.lastTimeNs}`);
    if (payloadLength > this.mss) throw new Error(`segment of ${payloadLength} bytes exceeds the MSS`);
    if (this.packets === 0) this.firstTimeNs = tNs;
    else if (tNs - this.lastTimeNs > this.maxGapNs) this.maxGapNs = tNs - this.lastTimeNs;
    this.lastTimeNs = tNs;
    const peer = 1 - side;
    const ack = (flags & TCP_ACK) !== 0 ? this.rcvNxt[side] : 0;
    this.sink.writeTcp(tNs, this.ip[side], this.port[side], this.ip[peer], this.port[peer],
      seq >>> 0, ack >>> 0, flags, this.window[side], payloadLength, payload);
    this.packets++;
    if ((flags & TCP_ACK) !== 0) this.lastAckSent[side] = ack;
    this.lastWasProbe[side] = false;
    // Sequence space used: data, plus one for SYN and for FIN (RFC 9293 section 3.4).
    const used = payloadLength + ((flags & TCP_SYN) !== 0 ? 1 : 0) + ((flags & TCP_FIN) !== 0 ? 1 : 0);
    if (seq === this.sndNxt[side] && used > 0) {
      this.sndNxt[side] = (this.sndNxt[side] + used) >>> 0;
      this.rcvNxt[peer] = this.sndNxt[side]; // delivered: nothing we write is lost on the wire
    }
    this.payloadBytes[side] += payloadLength;
    if ((flags & TCP_RST) !== 0) {
      this.closed = true;
      this.rsts++;
    }
    if ((flags & TCP_FIN) !== 0) this.fins++;
  }

  /** Client SYN (with the MSS option). */
  syn(tNs) {
    this.emit(tNs, CLIENT, TCP_SYN, 0, null, this.sndNxt[CLIENT]);
  }

  /** Server SYN-ACK. */
  synAck(tNs) {
    this.emit(tNs, SERVER, TCP_SYN | TCP_ACK, 0, null, this.sndNxt[SERVER]);
  }

  /**
   * A data segment (PSH|ACK by default; pass TCP_ACK alone for a full-sized segment in the
   * middle of a message). `payload` null = zero bytes of content.
   */
  send(tNs, side, payloadLength, payload = null, flags = TCP_PSH | TCP_ACK) {
    if (payloadLength <= 0) throw new Error('send() needs a payload; use ack()');
    this.emit(tNs, side, flags, payloadLength, payload, this.sndNxt[side]);
  }

  /** A pure ACK of everything received so far. Refuses to write a duplicate ACK. */
  ack(tNs, side) {
    if (this.lastAckSent[side] === this.rcvNxt[side]) {
      throw new Error('pure ACK without new data to acknowledge would be a duplicate ACK');
    }
    this.emit(tNs, side, TCP_ACK, 0, null, this.sndNxt[side]);
  }

  /** Whether `side` has received data it has not acknowledged yet. */
  owesAck(side) {
    return this.lastAckSent[side] !== this.rcvNxt[side];
  }

  /**
   * Linux keep-alive probe (net/ipv4/tcp_output.c, tcp_xmit_probe_skb): ACK, no payload,
   * seq = snd_una - 1 (= snd_nxt - 1 when all data is acknowledged), ack = rcv_nxt.
   */
  keepAliveProbe(tNs, side) {
    this.emit(tNs, side, TCP_ACK, 0, null, (this.sndNxt[side] - 1) >>> 0);
    this.lastWasProbe[side] = true;
    this.keepAliveProbes++;
  }

  /** The peer's answer to a keep-alive probe: ACK, seq = snd_nxt, ack = the prober's snd_nxt. */
  keepAliveAck(tNs, side) {
    if (!this.lastWasProbe[1 - side]) throw new Error('keep-alive ACK without a probe to answer');
    this.emit(tNs, side, TCP_ACK, 0, null, this.sndNxt[side]);
    this.keepAliveAcks++;
  }

  /**
   * Keep-alive probes nobody answers, as Linux's tcp_keepalive_timer sends them: the first at
   * `firstProbeNs`, then one every `intervalNs` (tcp_keepalive_intvl) up to `probes` in all
   * (tcp_keepalive_probes), and one interval after the last a RST (tcp_send_active_reset).
   * Packets at or after `endNs` (the end of the capture) are not written.
   * Returns the number of probes written.
   */
  unansweredKeepAlives(firstProbeNs, side, { intervalNs = 75e9, probes = 9, endNs = Infinity } = {}) {
    let written = 0;
    for (let k = 0; k < probes; k++) {
      const tNs = firstProbeNs + k * intervalNs;
      if (tNs >= endNs) return written;
      this.keepAliveProbe(tNs, side);
      written++;
    }
    const resetNs = firstProbeNs + probes * intervalNs;
    if (resetNs < endNs) this.rst(resetNs, side);
    return written;
  }

  /** FIN|ACK from `side`. */
  fin(tNs, side) {
    this.emit(tNs, side, TCP_FIN | TCP_ACK, 0, null, this.sndNxt[side]);
    this.finSent[side] = true;
  }

  /** RST (with ACK, as Linux's tcp_send_active_reset sends it) from `side`. */
  rst(tNs, side) {
    this.emit(tNs, side, TCP_RST | TCP_ACK, 0, null, this.sndNxt[side]);
  }
}
