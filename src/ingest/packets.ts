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
 * How a container parser reads whole units (a file header, a record, a block) out of a buffer:
 * `parse` consumes every whole unit in buf from pos and returns where it stopped; `base` is
 * the file offset of buf[0] (for error offsets). `unitLength` says how many bytes the unit
 * starting at head[0] takes, from as much of it as head holds: when head is too short to tell,
 * or the unit is damage that parse will report, a length parse can act on with head's bytes.
 */
export interface UnitReader {
  parse(buf: Buffer, pos: number, base: number): number;
  unitLength(head: Buffer): number;
}

/**
 * Carries the unconsumed tail of one chunk over to the next. A chunk is parsed in place; only a
 * unit cut by the chunk boundary is put together, from the carried tail and as many bytes of
 * the next chunk as it still needs, and parsed on its own before the rest of that chunk. The
 * tail lives at the start of a store that grows by doubling: a record spread over many chunks
 * (up to the 64 MiB a record may claim, arriving in 64 KiB pipe reads) costs one copy per byte,
 * not one per chunk (test/fuzz/regressions.test.ts; copying it all per chunk was quadratic).
 */
export class Carry {
  private store: Buffer = Buffer.alloc(0);
  private length = 0;
  /** File offset of the first carried byte (of the next chunk's first byte when none is carried). */
  base = 0;

  constructor(private readonly reader: UnitReader) {}

  /** Parse chunk: the unit it completes, then its own units in place; its tail is kept. */
  feed(chunk: Buffer): void {
    const reader = this.reader;
    let pos = 0;
    while (this.length > 0) {
      const need = reader.unitLength(this.store.subarray(0, this.length));
      if (need > this.length) {
        if (pos === chunk.length) return;
        const n = Math.min(need - this.length, chunk.length - pos);
        this.append(chunk, pos, n);
        pos += n;
        continue;
      }
      const unit = this.store.subarray(0, this.length);
      const used = reader.parse(unit, 0, this.base);
      if (used === 0) throw new Error(`container parser consumed nothing of a ${need}-byte unit at byte ${this.base}`);
      this.base += used;
      if (used < unit.length) this.store.copyWithin(0, used, unit.length);
      this.length -= used;
    }
    const stop = reader.parse(chunk, pos, this.base - pos);
    this.base += stop - pos;
    const rest = chunk.length - stop;
    if (rest > 0) {
      if (rest > this.store.length) this.grow(rest);
      chunk.copy(this.store, 0, stop);
      this.length = rest;
    }
  }

  private append(chunk: Buffer, from: number, n: number): void {
    const total = this.length + n;
    if (total > this.store.length) this.grow(total);
    chunk.copy(this.store, this.length, from, from + n);
    this.length = total;
  }

  private grow(atLeast: number): void {
    const grown = Buffer.allocUnsafeSlow(Math.max(atLeast, this.store.length * 2, 4096));
    this.store.copy(grown, 0, 0, this.length);
    this.store = grown;
  }

  get pending(): number {
    return this.length;
  }
}
