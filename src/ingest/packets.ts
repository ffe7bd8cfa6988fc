/**
 * The boundary between capture containers (pcap, pcapng) and packet decoding.
 * A container parser calls `sink.packet(...)` once per record with a view into its
 * own reused buffer: the sink must not keep `buf` after returning.
 */
export interface PacketSink {
  /**
   * @param tsUs      capture time, microseconds since the epoch (NaN when the format has none)
   * @param linkType  LINKTYPE_* of the interface
   * @param buf       bytes of the record; valid only during the call
   * @param offset    where the packet starts in buf
   * @param capLen    captured length
   * @param wireLen   original length on the wire
   */
  packet(tsUs: number, linkType: number, buf: Buffer, offset: number, capLen: number, wireLen: number): void;
}

/** What a container parser reports about one input. */
export interface ContainerStats {
  format: 'pcap' | 'pcapng';
  packets: number;
  /** Link types seen, by LINKTYPE number, with packet counts. */
  linkTypes: Map<number, number>;
  truncated: boolean;
  warnings: string[];
  /** Records without a timestamp (pcapng simple packet blocks). */
  untimed: number;
}

/** A push parser: feed it chunks in order, then finish(). */
export interface ContainerParser {
  readonly stats: ContainerStats;
  /** Consume as many whole records as `chunk` (appended to any carried bytes) holds. */
  feed(chunk: Buffer): void;
  /** End of input: anything left over is a truncated record. */
  finish(): void;
}

export function newStats(format: 'pcap' | 'pcapng'): ContainerStats {
  return { format, packets: 0, linkTypes: new Map(), truncated: false, warnings: [], untimed: 0 };
}

export function countLinkType(stats: ContainerStats, linkType: number): void {
  stats.linkTypes.set(linkType, (stats.linkTypes.get(linkType) ?? 0) + 1);
}

/**
 * Carries the unconsumed tail of one chunk over to the next. The tail lives at the start of a
 * store that grows by doubling, and each chunk is appended to it: a record spread over many
 * chunks (up to the 64 MiB a record may claim, arriving in 64 KiB pipe reads) costs one copy per
 * byte, not one per chunk (test/fuzz/regressions.test.ts; copying it all per chunk was quadratic).
 */
export class Carry {
  private store: Buffer = Buffer.alloc(0);
  private length = 0;
  /** Absolute file offset of byte 0 of the current working buffer. */
  base = 0;

  /** Returns the buffer to parse: the carried bytes followed by chunk (valid until the next join). */
  join(chunk: Buffer): Buffer {
    if (this.length === 0) return chunk;
    const total = this.length + chunk.length;
    if (total > this.store.length) this.grow(total);
    chunk.copy(this.store, this.length);
    this.length = total;
    return this.store.subarray(0, total);
  }

  /** Keep buf[from..] for the next chunk; `base` advances by `from`. */
  keep(buf: Buffer, from: number): void {
    this.base += from;
    const rest = buf.length - from;
    if (rest <= 0) {
      this.length = 0;
      return;
    }
    if (buf.buffer === this.store.buffer && buf.byteOffset === this.store.byteOffset) {
      // buf is the store (from join): move the tail to its front, unless nothing was consumed.
      if (from > 0) this.store.copyWithin(0, from, buf.length);
    } else {
      if (rest > this.store.length) this.grow(rest, false);
      buf.copy(this.store, 0, from);
    }
    this.length = rest;
  }

  private grow(atLeast: number, keepContent = true): void {
    const grown = Buffer.allocUnsafeSlow(Math.max(atLeast, this.store.length * 2, 4096));
    if (keepContent) this.store.copy(grown, 0, 0, this.length);
    this.store = grown;
  }

  get pending(): number {
    return this.length;
  }
}
