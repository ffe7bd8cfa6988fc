/**
 * Classic libpcap files: the four magics (microsecond / nanosecond, either byte order).
 * Format: https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html (file header 24 bytes,
 * record header 16 bytes: ts_sec, ts_usec|ts_nsec, incl_len, orig_len).
 */
import { inputError } from '../util/errors.js';
import { Carry, newStats, type ContainerParser, type ContainerStats, type PacketSink, type UnitReader } from './packets.js';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;

/** Largest record we accept: libpcap's MAXIMUM_SNAPLEN is 262144; allow some slack for odd writers. */
export const PCAP_MAX_RECORD = 0x4000000; // 64 MiB

/** True when the first 4 bytes are one of the pcap magics. */
export function isPcapMagic(head: Buffer): boolean {
  if (head.length < 4) return false;
  const le = head.readUInt32LE(0);
  const be = head.readUInt32BE(0);
  return le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS || be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS;
}

// Record header words, read from bytes the loop has checked are there: Buffer.readUInt32LE
// was not inlined into the loop and cost a call (and a range check) per word.
function u32le(b: Buffer, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000;
}

function u32be(b: Buffer, at: number): number {
  return b[at]! * 0x1000000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
}

export class PcapParser implements ContainerParser, UnitReader {
  readonly stats: ContainerStats = newStats('pcap');
  private readonly carry = new Carry(this);
  private headerDone = false;
  private littleEndian = true;
  private nanos = false;
  private linkType = 1;
  private snapLen = 0;

  constructor(private readonly file: string, private readonly sink: PacketSink) {}

  feed(chunk: Buffer): void {
    this.carry.feed(chunk);
  }

  /** The file header, a record header, or a whole record (its header says how long). */
  unitLength(head: Buffer): number {
    if (!this.headerDone) return 24;
    if (head.length < 16) return 16;
    const capLen = this.littleEndian ? head.readUInt32LE(8) : head.readUInt32BE(8);
    return capLen > PCAP_MAX_RECORD ? 16 : 16 + capLen;
  }

  parse(buf: Buffer, start: number, base: number): number {
    let pos = start;
    if (!this.headerDone) {
      if (buf.length - pos < 24) return pos;
      this.readHeader(buf, pos);
      pos += 24;
    }
    const le = this.littleEndian;
    const nsDiv = this.nanos ? 1000 : 1;
    const sink = this.sink;
    const linkType = this.linkType;
    const end = buf.length;
    let packets = 0;
    while (pos + 16 <= end) {
      const sec = le ? u32le(buf, pos) : u32be(buf, pos);
      const frac = le ? u32le(buf, pos + 4) : u32be(buf, pos + 4);
      const capLen = le ? u32le(buf, pos + 8) : u32be(buf, pos + 8);
      const wireLen = le ? u32le(buf, pos + 12) : u32be(buf, pos + 12);
      if (capLen > PCAP_MAX_RECORD) {
        this.stats.packets += packets;
        if (packets > 0) this.stats.linkTypes.set(linkType, (this.stats.linkTypes.get(linkType) ?? 0) + packets);
        throw inputError('PCAP_RECORD_LENGTH',
          `record length ${capLen} is larger than any capture allows (expected at most ${PCAP_MAX_RECORD}, snaplen ${this.snapLen}): the file is damaged`,
          { file: this.file, byteOffset: base + pos + 8 });
      }
      if (pos + 16 + capLen > end) break;
      sink.packet(sec * 1e6 + frac / nsDiv, linkType, buf, pos + 16, capLen, wireLen);
      packets++;
      pos += 16 + capLen;
    }
    this.stats.packets += packets;
    if (packets > 0) this.stats.linkTypes.set(linkType, (this.stats.linkTypes.get(linkType) ?? 0) + packets);
    return pos;
  }

  finish(): void {
    if (!this.headerDone) {
      throw inputError('PCAP_SHORT_HEADER', `file ends inside the 24-byte pcap header (${this.carry.pending} bytes)`,
        { file: this.file, byteOffset: 0 });
    }
    if (this.carry.pending > 0) {
      this.stats.truncated = true;
      this.stats.warnings.push(
        `truncated: the last record is cut short at byte ${this.carry.base + this.carry.pending} (record starts at byte ${this.carry.base}); read ${this.stats.packets} packets up to the damage`);
    }
  }

  private readHeader(buf: Buffer, at: number): void {
    const le = buf.readUInt32LE(at);
    const be = buf.readUInt32BE(at);
    if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) {
      this.littleEndian = true;
      this.nanos = le === PCAP_MAGIC_NS;
    } else if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) {
      this.littleEndian = false;
      this.nanos = be === PCAP_MAGIC_NS;
    } else {
      throw inputError('PCAP_BAD_MAGIC', 'not a pcap file (expected magic a1b2c3d4 or a1b23c4d)', { file: this.file, byteOffset: 0 });
    }
    this.snapLen = this.littleEndian ? buf.readUInt32LE(at + 16) : buf.readUInt32BE(at + 16);
    const lt = this.littleEndian ? buf.readUInt32LE(at + 20) : buf.readUInt32BE(at + 20);
    // The upper 16 bits carry the FCS length and flags (pcap draft, "LinkType and additional information").
    this.linkType = lt & 0xffff;
    this.headerDone = true;
  }
}

