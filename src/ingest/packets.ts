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
 * Carries the unconsumed tail of one chunk over to the next. Records that straddle
 * chunk boundaries are rare (one per chunk), so a copy there is cheap.
 */
export class Carry {
  private buf: Buffer = Buffer.alloc(0);
  /** Absolute file offset of byte 0 of the current working buffer. */
  base = 0;

  /** Returns the buffer to parse: the carried bytes followed by chunk. */
  join(chunk: Buffer): Buffer {
    if (this.buf.length === 0) return chunk;
    const joined = Buffer.concat([this.buf, chunk]);
    this.buf = Buffer.alloc(0);
    return joined;
  }

  /** Keep buf[from..] for the next chunk; `consumedBase` advances by `from`. */
  keep(buf: Buffer, from: number): void {
    this.base += from;
    this.buf = from < buf.length ? Buffer.from(buf.subarray(from)) : Buffer.alloc(0);
  }

  get pending(): number {
    return this.buf.length;
  }
}
