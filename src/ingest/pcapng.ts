/**
 * pcapng (draft-ietf-opsawg-pcapng): sections in either byte order, several sections per
 * file, interface description blocks with if_tsresol / if_tsoffset, enhanced, simple and
 * obsolete packet blocks; other block types are skipped.
 */
import { inputError } from '../util/errors.js';
import { Carry, newStats, type ContainerParser, type ContainerStats, type PacketSink, type UnitReader } from './packets.js';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const IDB = 1;
const OPB = 2; // obsolete packet block
const SPB = 3;
const EPB = 6;
const OPT_END = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

/** Blocks larger than this are damage, not data (libpcap caps pcapng blocks at 16 MiB). */
export const PCAPNG_MAX_BLOCK = 0x4000000;

export function isPcapngMagic(head: Buffer): boolean {
  return head.length >= 4 && head.readUInt32LE(0) === PCAPNG_SHB;
}

interface Interface {
  linkType: number;
  snapLen: number;
  /** Microseconds per timestamp unit. */
  usPerTick: number;
  /** Microseconds per 2^32 units, precomputed so high*this + low*usPerTick stays within 1 us. */
  usPerHigh: number;
  offsetUs: number;
}

export class PcapngParser implements ContainerParser, UnitReader {
  readonly stats: ContainerStats = newStats('pcapng');
  private readonly carry = new Carry(this);
  /** File offset of byte 0 of the buffer being parsed (for error offsets). */
  private base = 0;
  private le = true;
  private interfaces: Interface[] = [];
  private sections = 0;
  private simpleWarned = false;

  constructor(private readonly file: string, private readonly sink: PacketSink) {}

  feed(chunk: Buffer): void {
    this.carry.feed(chunk);
  }

  /** A block, by its leading length once its first 12 bytes are in (12 when parse will report damage there). */
  unitLength(head: Buffer): number {
    if (head.length < 12) return 12;
    let le = this.le;
    if (head.readUInt32LE(0) === PCAPNG_SHB) {
      const bom = head.readUInt32LE(8);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else return 12;
    } else if (this.sections === 0) {
      return 12;
    }
    const len = le ? head.readUInt32LE(4) : head.readUInt32BE(4);
    return len < 12 || len % 4 !== 0 || len > PCAPNG_MAX_BLOCK ? 12 : len;
  }

  parse(buf: Buffer, start: number, base: number): number {
    this.base = base;
    const end = buf.length;
    let pos = start;
    while (pos + 12 <= end) {
      let type = this.le ? buf.readUInt32LE(pos) : buf.readUInt32BE(pos);
      if (type === PCAPNG_SHB || buf.readUInt32LE(pos) === PCAPNG_SHB) {
        // A section header fixes the byte order of everything up to the next one.
        const bom = buf.readUInt32LE(pos + 8);
        if (bom === BYTE_ORDER_MAGIC) this.le = true;
        else if (bom === 0x4d3c2b1a) this.le = false;
        else {
          throw inputError('PCAPNG_BAD_BYTE_ORDER', `section header without a valid byte-order magic (expected 1a2b3c4d, found ${bom.toString(16)})`,
            { file: this.file, byteOffset: this.base + pos + 8 });
        }
        type = PCAPNG_SHB;
      } else if (this.sections === 0) {
        throw inputError('PCAPNG_NO_SECTION', 'not a pcapng file (expected a section header block 0a0d0d0a)', { file: this.file, byteOffset: this.base + pos });
      }
      const len = this.le ? buf.readUInt32LE(pos + 4) : buf.readUInt32BE(pos + 4);
      if (len < 12 || len % 4 !== 0 || len > PCAPNG_MAX_BLOCK) {
        throw inputError('PCAPNG_BLOCK_LENGTH',
          `block of type 0x${type.toString(16)} has length ${len} (expected a multiple of 4 between 12 and ${PCAPNG_MAX_BLOCK})`,
          { file: this.file, byteOffset: this.base + pos + 4 });
      }
      if (pos + len > end) break;
      const trailer = this.le ? buf.readUInt32LE(pos + len - 4) : buf.readUInt32BE(pos + len - 4);
      if (trailer !== len) {
        throw inputError('PCAPNG_BLOCK_LENGTH',
          `block of type 0x${type.toString(16)}: trailing length ${trailer} differs from leading length ${len}`,
          { file: this.file, byteOffset: this.base + pos + len - 4 });
      }
      switch (type) {
        case PCAPNG_SHB:
          this.sections++;
          this.interfaces = [];
          break;
        case IDB:
          this.readInterface(buf, pos, len);
          break;
        case EPB:
          this.readEnhanced(buf, pos, len);
          break;
        case SPB:
          this.readSimple(buf, pos, len);
          break;
        case OPB:
          this.readObsolete(buf, pos, len);
          break;
        default:
          break; // name resolution, statistics, custom, journal... carry nothing we need
      }
      pos += len;
    }
    return pos;
  }

  finish(): void {
    if (this.sections === 0) {
      throw inputError('PCAPNG_NO_SECTION', 'file ends before the first section header block', { file: this.file, byteOffset: 0 });
    }
    if (this.carry.pending > 0) {
      this.stats.truncated = true;
      this.stats.warnings.push(
        `truncated: the last block is cut short at byte ${this.carry.base + this.carry.pending} (block starts at byte ${this.carry.base}); read ${this.stats.packets} packets up to the damage`);
    }
  }

  private u32(buf: Buffer, at: number): number {
    return this.le ? buf.readUInt32LE(at) : buf.readUInt32BE(at);
  }

  private u16(buf: Buffer, at: number): number {
    return this.le ? buf.readUInt16LE(at) : buf.readUInt16BE(at);
  }

  private readInterface(buf: Buffer, pos: number, len: number): void {
    if (len < 20) {
      throw inputError('PCAPNG_BLOCK_LENGTH', `interface description block of length ${len} (expected at least 20)`,
        { file: this.file, byteOffset: this.base + pos + 4 });
    }
    const iface: Interface = {
      linkType: this.u16(buf, pos + 8),
      snapLen: this.u32(buf, pos + 12),
      usPerTick: 1,
      usPerHigh: 4294967296,
      offsetUs: 0,
    };
    // Options: code (2), length (2), value padded to 4 bytes.
    let at = pos + 16;
    const optEnd = pos + len - 4;
    while (at + 4 <= optEnd) {
      const code = this.u16(buf, at);
      const olen = this.u16(buf, at + 2);
      const value = at + 4;
      if (code === OPT_END) break;
      if (value + olen > optEnd) {
        this.stats.warnings.push(`interface ${this.interfaces.length}: option ${code} overruns its block at byte ${this.base + at}; options ignored from there`);
        break;
      }
      if (code === OPT_IF_TSRESOL && olen >= 1) {
        const v = buf[value]!;
        // MSB clear: 10^-v seconds per unit; MSB set: 2^-(v & 0x7f) (pcapng draft, if_tsresol).
        const ticksPerSecond = (v & 0x80) !== 0 ? Math.pow(2, v & 0x7f) : Math.pow(10, v);
        iface.usPerTick = 1e6 / ticksPerSecond;
        iface.usPerHigh = 4294967296 * iface.usPerTick;
      } else if (code === OPT_IF_TSOFFSET && olen >= 8) {
        const hi = this.le ? buf.readInt32LE(value + 4) : buf.readInt32BE(value);
        const lo = this.le ? buf.readUInt32LE(value) : buf.readUInt32BE(value + 4);
        iface.offsetUs = (hi * 4294967296 + lo) * 1e6;
      }
      at = value + ((olen + 3) & ~3);
    }
    this.interfaces.push(iface);
  }

  private iface(id: number, pos: number): Interface {
    const iface = this.interfaces[id];
    if (iface === undefined) {
      throw inputError('PCAPNG_UNKNOWN_INTERFACE',
        `packet refers to interface ${id}, but the section declares ${this.interfaces.length} interface(s)`,
        { file: this.file, byteOffset: this.base + pos });
    }
    return iface;
  }

  private readEnhanced(buf: Buffer, pos: number, len: number): void {
    if (len < 32) {
      throw inputError('PCAPNG_BLOCK_LENGTH', `enhanced packet block of length ${len} (expected at least 32)`,
        { file: this.file, byteOffset: this.base + pos + 4 });
    }
    const iface = this.iface(this.u32(buf, pos + 8), pos + 8);
    const high = this.u32(buf, pos + 12);
    const low = this.u32(buf, pos + 16);
    const capLen = this.u32(buf, pos + 20);
    const wireLen = this.u32(buf, pos + 24);
    if (28 + capLen > len - 4) {
      throw inputError('PCAPNG_PACKET_LENGTH', `captured length ${capLen} does not fit its block of ${len} bytes`,
        { file: this.file, byteOffset: this.base + pos + 20 });
    }
    const tsUs = high * iface.usPerHigh + low * iface.usPerTick + iface.offsetUs;
    this.emit(tsUs, iface.linkType, buf, pos + 28, capLen, wireLen);
  }

  private readObsolete(buf: Buffer, pos: number, len: number): void {
    if (len < 32) {
      throw inputError('PCAPNG_BLOCK_LENGTH', `packet block of length ${len} (expected at least 32)`,
        { file: this.file, byteOffset: this.base + pos + 4 });
    }
    const iface = this.iface(this.u16(buf, pos + 8), pos + 8);
    const high = this.u32(buf, pos + 12);
    const low = this.u32(buf, pos + 16);
    const capLen = this.u32(buf, pos + 20);
    const wireLen = this.u32(buf, pos + 24);
    if (28 + capLen > len - 4) {
      throw inputError('PCAPNG_PACKET_LENGTH', `captured length ${capLen} does not fit its block of ${len} bytes`,
        { file: this.file, byteOffset: this.base + pos + 20 });
    }
    const tsUs = high * iface.usPerHigh + low * iface.usPerTick + iface.offsetUs;
    this.emit(tsUs, iface.linkType, buf, pos + 28, capLen, wireLen);
  }

  private readSimple(buf: Buffer, pos: number, len: number): void {
    // Header, original length, trailer: 16 bytes at least (a 12-byte block made capLen -4).
    if (len < 16) {
      throw inputError('PCAPNG_BLOCK_LENGTH', `simple packet block of length ${len} (expected at least 16)`,
        { file: this.file, byteOffset: this.base + pos + 4 });
    }
    const iface = this.iface(0, pos);
    const wireLen = this.u32(buf, pos + 8);
    let capLen = len - 16;
    if (iface.snapLen > 0 && capLen > iface.snapLen) capLen = iface.snapLen;
    if (capLen > wireLen) capLen = wireLen;
    if (!this.simpleWarned) {
      this.simpleWarned = true;
      this.stats.warnings.push('simple packet blocks carry no timestamp: their packets are counted but take no part in idle gaps');
    }
    this.stats.untimed++;
    this.emit(Number.NaN, iface.linkType, buf, pos + 12, capLen, wireLen);
  }

  private emit(tsUs: number, linkType: number, buf: Buffer, offset: number, capLen: number, wireLen: number): void {
    this.stats.packets++;
    this.stats.linkTypes.set(linkType, (this.stats.linkTypes.get(linkType) ?? 0) + 1);
    this.sink.packet(tsUs, linkType, buf, offset, capLen, wireLen);
  }
}
