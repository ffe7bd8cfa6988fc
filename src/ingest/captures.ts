/**
 * Reading captures end to end: open (gzip, stdin), choose the container by content,
 * decode every packet and hand it to the flow tracker. Streaming: memory follows open flows.
 */
import { inputError, FwtpError } from '../util/errors.js';
import { decode, DECODE_IP, DECODE_MALFORMED, DECODE_NOT_IP, DECODE_UNKNOWN_LINK, linkTypeName } from './decode.js';
import { Decoded } from './packet.js';
import { isPcapMagic, PcapParser } from './pcap.js';
import { isPcapngMagic, PcapngParser } from './pcapng.js';
import type { ContainerParser, PacketSink } from './packets.js';
import { consumeInPlace, gzipTruncated, type OpenedInput } from './source.js';

export interface CaptureSummary {
  path: string;
  format: 'pcap' | 'pcapng';
  gzip: boolean;
  /** Link type name -> packets. */
  linkTypes: Record<string, number>;
  packets: number;
  /** Packets with an IPv4/IPv6 header that went into flows. */
  ipPackets: number;
  /** Packets on a decoded link type that carried something other than IP (ARP, LLDP ...). */
  nonIpPackets: number;
  /** Packets on link types fwtp does not decode, by name. */
  undecodedLinkTypes: Record<string, number>;
  /** Packets too short or inconsistent to find their network header. */
  malformedPackets: number;
  truncated: boolean;
  warnings: string[];
}

/**
 * Where decoded IP packets go: the flow tracker (src/flows/tracker.ts), one record at a time,
 * its capture time in `decoded.tsUs`. The record is reused: read it during the call only.
 */
export interface DecodedPacketSink {
  packet(decoded: Decoded, wireLen: number): void;
}

export interface Progress {
  (bytes: number, packets: number): void;
}

class TrackerSink implements PacketSink {
  readonly decoded = new Decoded();
  ip = 0;
  nonIp = 0;
  malformed = 0;
  readonly unknown = new Map<number, number>();

  constructor(private readonly tracker: DecodedPacketSink) {}

  packet(tsUs: number, linkType: number, buf: Buffer, offset: number, capLen: number, wireLen: number): void {
    const d = this.decoded;
    const r = decode(linkType, buf, offset, capLen, d, wireLen);
    if (r === DECODE_IP) {
      this.ip++;
      d.tsUs = tsUs;
      this.tracker.packet(d, wireLen);
    } else if (r === DECODE_NOT_IP) this.nonIp++;
    else if (r === DECODE_UNKNOWN_LINK) this.unknown.set(linkType, (this.unknown.get(linkType) ?? 0) + 1);
    else if (r === DECODE_MALFORMED) this.malformed++;
  }
}

/** Which container the first bytes announce, or null. */
export function captureFormat(head: Buffer): 'pcap' | 'pcapng' | null {
  if (isPcapMagic(head)) return 'pcap';
  if (isPcapngMagic(head)) return 'pcapng';
  return null;
}

/**
 * Read one capture whose first chunk has been recognised. `chunks` yields the content from
 * its first byte (the caller has peeked at it).
 */
export async function readCapture(input: OpenedInput, chunks: AsyncIterable<Buffer>, format: 'pcap' | 'pcapng',
  tracker: DecodedPacketSink, progress?: Progress): Promise<CaptureSummary> {
  const sink = new TrackerSink(tracker);
  const parser: ContainerParser = format === 'pcap' ? new PcapParser(input.name, sink) : new PcapngParser(input.name, sink);
  let bytes = 0;
  let damaged: FwtpError | null = null;
  // The parser keeps no view of a chunk after feed() (packets.ts: the sink reads a record during its call).
  consumeInPlace(input);
  try {
    for await (const chunk of chunks) {
      bytes += chunk.length;
      parser.feed(chunk);
      if (progress !== undefined) progress(input.gzip ? input.rawBytesRead() : bytes, parser.stats.packets);
    }
  } catch (e) {
    // Damage in the middle of a file: keep what was read before it, as for a truncated file.
    if (!(e instanceof FwtpError) || e.code.startsWith('GZIP_TOO_LARGE') || e.code === 'INPUT_UNREADABLE' || parser.stats.packets === 0) throw e;
    damaged = e;
  }
  if (damaged === null) parser.finish();
  const st = parser.stats;
  const warnings = [...st.warnings];
  if (damaged !== null) {
    st.truncated = true;
    warnings.push(`damaged at byte ${damaged.byteOffset ?? '?'}: ${damaged.message} [${damaged.code}]; read ${st.packets} packets up to the damage`);
  }
  if (input.gzip && gzipTruncated(input)) {
    st.truncated = true;
    warnings.push(`truncated: the gzip stream ends early; read ${st.packets} packets from what it held`);
  }
  const linkTypes: Record<string, number> = {};
  for (const [lt, n] of st.linkTypes) linkTypes[linkTypeName(lt)] = (linkTypes[linkTypeName(lt)] ?? 0) + n;
  const undecoded: Record<string, number> = {};
  for (const [lt, n] of sink.unknown) undecoded[linkTypeName(lt)] = (undecoded[linkTypeName(lt)] ?? 0) + n;
  for (const [name, n] of Object.entries(undecoded)) {
    warnings.push(`${n} packets on link type ${name}, which fwtp does not decode: counted, not in flows`);
  }
  if (sink.malformed > 0) warnings.push(`${sink.malformed} packets too short or malformed to find an IP header: counted, not in flows`);
  return {
    path: input.name,
    format,
    gzip: input.gzip,
    linkTypes,
    packets: st.packets,
    ipPackets: sink.ip,
    nonIpPackets: sink.nonIp,
    undecodedLinkTypes: undecoded,
    malformedPackets: sink.malformed,
    truncated: st.truncated,
    warnings,
  };
}

export function notACapture(name: string): FwtpError {
  return inputError('INPUT_UNKNOWN_FORMAT',
    'not a format fwtp reads (expected a pcap or pcapng capture, optionally gzip-compressed)', { file: name, byteOffset: 0 });
}
