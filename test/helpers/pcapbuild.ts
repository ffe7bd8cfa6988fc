/**
 * Builds capture files byte by byte for the reader's tests, so that every expected value
 * in a test can be computed by hand from the bytes written here.
 *
 * Formats:
 * - classic pcap: draft-ietf-opsawg-pcap (24-byte file header, 16-byte record headers)
 * - pcapng: draft-ietf-opsawg-pcapng (SHB, IDB, EPB, SPB, OPB and any other block type)
 * - link layers: https://www.tcpdump.org/linktypes.html (Ethernet with 802.1Q/802.1ad tags,
 *   Linux cooked v1 and v2, BSD NULL (host byte order) and LOOP (network byte order))
 * - IPv4 (RFC 791) with options and fragments; IPv6 (RFC 8200) with extension headers;
 *   TCP (RFC 9293), UDP (RFC 768), ICMP (RFC 792), ICMPv6 (RFC 4443).
 *
 * The IPv4 header checksum is computed; TCP, UDP and ICMP checksums are left at zero
 * (the reader, like tshark by default, does not verify them).
 */

// ---------------------------------------------------------------- addresses

/** "192.0.2.10" -> 4 bytes. */
export function ipv4Bytes(addr: string): Buffer {
  const parts = addr.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${addr}`);
  return Buffer.from(parts);
}

/** "2001:db8::1" -> 16 bytes (no embedded IPv4 form). */
export function ipv6Bytes(addr: string): Buffer {
  const halves = addr.split('::');
  if (halves.length > 2) throw new Error(`not an IPv6 address: ${addr}`);
  const groups = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) throw new Error(`not an IPv6 address: ${addr}`);
  const all = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

function payloadOf(p: Buffer | number | undefined, fill = 0x61): Buffer {
  if (p === undefined) return Buffer.alloc(0);
  if (typeof p === 'number') return Buffer.alloc(p, fill);
  return p;
}

// ---------------------------------------------------------------- transport

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;

export interface TcpSpec {
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  flags: number;
  window?: number;
  /** Payload bytes, or a byte count (filled with 'a'). */
  payload?: Buffer | number;
  /** TCP options, padded with NOP-free zeros (EOL) to a multiple of 4. */
  options?: Buffer;
  /** Override the data offset field (32-bit words), e.g. to write a bogus header length. */
  dataOffsetWords?: number;
}

/** A TCP header (20 bytes + options) followed by the payload. */
export function tcp(s: TcpSpec): Buffer {
  const opts = s.options ?? Buffer.alloc(0);
  const optLen = (opts.length + 3) & ~3;
  const hdr = Buffer.alloc(20 + optLen);
  hdr.writeUInt16BE(s.sport, 0);
  hdr.writeUInt16BE(s.dport, 2);
  hdr.writeUInt32BE(s.seq >>> 0, 4);
  hdr.writeUInt32BE((s.ack ?? 0) >>> 0, 8);
  hdr[12] = (s.dataOffsetWords ?? (20 + optLen) / 4) << 4;
  hdr[13] = s.flags;
  hdr.writeUInt16BE(s.window ?? 1000, 14);
  opts.copy(hdr, 20);
  return Buffer.concat([hdr, payloadOf(s.payload)]);
}

export interface UdpSpec {
  sport: number;
  dport: number;
  payload?: Buffer | number;
}

export function udp(s: UdpSpec): Buffer {
  const p = payloadOf(s.payload);
  const hdr = Buffer.alloc(8);
  hdr.writeUInt16BE(s.sport, 0);
  hdr.writeUInt16BE(s.dport, 2);
  hdr.writeUInt16BE(8 + p.length, 4);
  return Buffer.concat([hdr, p]);
}

export interface IcmpSpec {
  type: number;
  code?: number;
  /** Identifier and sequence number (echo, timestamp and information messages). */
  id?: number;
  seq?: number;
  payload?: Buffer | number;
}

/** ICMP and ICMPv6 share this layout: type, code, checksum, then 4 bytes (id, seq for echo). */
export function icmp(s: IcmpSpec): Buffer {
  const hdr = Buffer.alloc(8);
  hdr[0] = s.type;
  hdr[1] = s.code ?? 0;
  hdr.writeUInt16BE(s.id ?? 0, 4);
  hdr.writeUInt16BE(s.seq ?? 0, 6);
  return Buffer.concat([hdr, payloadOf(s.payload)]);
}

// ---------------------------------------------------------------- network

/** RFC 1071 ones' complement sum over a header. */
export function internetChecksum(b: Buffer): number {
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += b.readUInt16BE(i);
  if (b.length % 2 === 1) sum += b[b.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export interface Ipv4Spec {
  src: string;
  dst: string;
  proto: number;
  payload: Buffer;
  id?: number;
  ttl?: number;
  /** IPv4 options (padded with zeros to a multiple of 4; IHL grows accordingly). */
  options?: Buffer;
  /** Fragment offset in bytes (a multiple of 8). */
  fragmentOffset?: number;
  moreFragments?: boolean;
  dontFragment?: boolean;
  /** Override the total length field (e.g. 0 as TSO captures write). */
  totalLength?: number;
}

export function ipv4(s: Ipv4Spec): Buffer {
  const opts = s.options ?? Buffer.alloc(0);
  const optLen = (opts.length + 3) & ~3;
  const ihl = 20 + optLen;
  const hdr = Buffer.alloc(ihl);
  hdr[0] = 0x40 | (ihl / 4);
  hdr.writeUInt16BE(s.totalLength ?? ihl + s.payload.length, 2);
  hdr.writeUInt16BE(s.id ?? 0, 4);
  const off = s.fragmentOffset ?? 0;
  if (off % 8 !== 0) throw new Error('fragment offset must be a multiple of 8');
  hdr.writeUInt16BE((off / 8) | (s.moreFragments ? 0x2000 : 0) | (s.dontFragment ? 0x4000 : 0), 6);
  hdr[8] = s.ttl ?? 64;
  hdr[9] = s.proto;
  ipv4Bytes(s.src).copy(hdr, 12);
  ipv4Bytes(s.dst).copy(hdr, 16);
  opts.copy(hdr, 20);
  hdr.writeUInt16BE(internetChecksum(hdr), 10);
  return Buffer.concat([hdr, s.payload]);
}

/** IPv6 extension headers, in the order given (RFC 8200 section 4). */
export type Ipv6Ext =
  | { type: 'hopByHop' | 'destination' | 'routing'; /** total length in bytes, a multiple of 8 (default 8) */ bytes?: number }
  | {
    type: 'fragment'; /** offset in bytes (multiple of 8) */ offset: number; more: boolean; id: number;
    /** Next Header of the fragment header when it is the last header written (a later fragment carries the
     *  number of the first header of the fragmentable part, RFC 8200 section 4.5); default: what follows. */
    next?: number;
  }
  | { type: 'ah'; /** total length in bytes, a multiple of 4, at least 12 (default 16) */ bytes?: number };

export const IPV6_EXT_NUMBER: Record<Ipv6Ext['type'], number> = { hopByHop: 0, routing: 43, fragment: 44, destination: 60, ah: 51 };

export interface Ipv6Spec {
  src: string;
  dst: string;
  /** Upper-layer protocol after the extension headers. */
  next: number;
  payload: Buffer;
  extensions?: Ipv6Ext[];
  /** Override the payload length field. */
  payloadLength?: number;
  hopLimit?: number;
}

/** Encodes the extension headers; returns them as one buffer whose first next-header is `first`. */
export function ipv6ExtensionBytes(exts: Ipv6Ext[], upper: number): Buffer {
  const parts: Buffer[] = [];
  exts.forEach((e, i) => {
    const next = i + 1 < exts.length ? IPV6_EXT_NUMBER[exts[i + 1]!.type] : upper;
    if (e.type === 'fragment') {
      const b = Buffer.alloc(8);
      b[0] = e.next ?? next;
      if (e.offset % 8 !== 0) throw new Error('fragment offset must be a multiple of 8');
      b.writeUInt16BE(e.offset | (e.more ? 1 : 0), 2);
      b.writeUInt32BE(e.id >>> 0, 4);
      parts.push(b);
    } else if (e.type === 'ah') {
      const bytes = e.bytes ?? 16;
      const b = Buffer.alloc(bytes);
      b[0] = next;
      b[1] = bytes / 4 - 2; // RFC 4302: length in 4-octet units minus 2
      parts.push(b);
    } else {
      const bytes = e.bytes ?? 8;
      if (bytes % 8 !== 0) throw new Error('extension length must be a multiple of 8');
      const b = Buffer.alloc(bytes);
      b[0] = next;
      b[1] = bytes / 8 - 1; // Hdr Ext Len: 8-octet units, not counting the first 8
      if (e.type === 'routing') { b[2] = 0; b[3] = 0; } // type 0, segments left 0
      else { b[2] = 1; b[3] = bytes - 4; } // one PadN option filling the header
      parts.push(b);
    }
  });
  return Buffer.concat(parts);
}

export function ipv6(s: Ipv6Spec): Buffer {
  const exts = s.extensions ?? [];
  const extBytes = ipv6ExtensionBytes(exts, s.next);
  const hdr = Buffer.alloc(40);
  hdr.writeUInt32BE(0x60000000, 0);
  hdr.writeUInt16BE(s.payloadLength ?? extBytes.length + s.payload.length, 4);
  hdr[6] = exts.length > 0 ? IPV6_EXT_NUMBER[exts[0]!.type] : s.next;
  hdr[7] = s.hopLimit ?? 64;
  ipv6Bytes(s.src).copy(hdr, 8);
  ipv6Bytes(s.dst).copy(hdr, 24);
  return Buffer.concat([hdr, extBytes, s.payload]);
}

// ---------------------------------------------------------------- link layers

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;

/** EtherType for an IP packet by its version nibble. */
export function etherTypeOf(ip: Buffer): number {
  return ip[0]! >> 4 === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
}

export interface VlanTag {
  /** Tag protocol identifier: 0x8100 (802.1Q) or 0x88a8 (802.1ad). */
  tpid: number;
  vid: number;
}

/**
 * Ethernet II: dst, src, [tags], EtherType, payload; `padTo` adds trailing zero bytes up to
 * that frame length (the 60-byte minimum or an FCS-like trailer).
 */
export function ethernet(payload: Buffer, etherType = etherTypeOf(payload), tags: VlanTag[] = [], padTo = 0): Buffer {
  const hdr = Buffer.alloc(12 + tags.length * 4 + 2);
  Buffer.from([0x02, 0, 0, 0, 0, 0x02]).copy(hdr, 0);
  Buffer.from([0x02, 0, 0, 0, 0, 0x01]).copy(hdr, 6);
  let p = 12;
  for (const t of tags) {
    hdr.writeUInt16BE(t.tpid, p);
    hdr.writeUInt16BE(t.vid & 0x0fff, p + 2);
    p += 4;
  }
  hdr.writeUInt16BE(etherType, p);
  const frame = Buffer.concat([hdr, payload]);
  return frame.length < padTo ? Buffer.concat([frame, Buffer.alloc(padTo - frame.length)]) : frame;
}

/** Linux cooked capture v1 (LINKTYPE_LINUX_SLL, 16 bytes; protocol at offset 14). */
export function sll(payload: Buffer, protocol = etherTypeOf(payload)): Buffer {
  const hdr = Buffer.alloc(16);
  hdr.writeUInt16BE(0, 0); // packet type: to us
  hdr.writeUInt16BE(1, 2); // ARPHRD_ETHER
  hdr.writeUInt16BE(6, 4); // address length
  Buffer.from([0x02, 0, 0, 0, 0, 0x01]).copy(hdr, 6);
  hdr.writeUInt16BE(protocol, 14);
  return Buffer.concat([hdr, payload]);
}

/** Linux cooked capture v2 (LINKTYPE_LINUX_SLL2, 20 bytes; protocol at offset 0). */
export function sll2(payload: Buffer, protocol = etherTypeOf(payload)): Buffer {
  const hdr = Buffer.alloc(20);
  hdr.writeUInt16BE(protocol, 0);
  hdr.writeUInt32BE(3, 4); // interface index
  hdr.writeUInt16BE(1, 8); // ARPHRD_ETHER
  hdr[10] = 0; // packet type
  hdr[11] = 6; // address length
  Buffer.from([0x02, 0, 0, 0, 0, 0x01]).copy(hdr, 12);
  return Buffer.concat([hdr, payload]);
}

/** BSD loopback (LINKTYPE_NULL): a 4-byte address family in the capturing host's byte order. */
export function nullLink(payload: Buffer, family: number, littleEndian: boolean): Buffer {
  const hdr = Buffer.alloc(4);
  if (littleEndian) hdr.writeUInt32LE(family, 0);
  else hdr.writeUInt32BE(family, 0);
  return Buffer.concat([hdr, payload]);
}

/** OpenBSD loopback (LINKTYPE_LOOP): the address family in network byte order. */
export function loopLink(payload: Buffer, family: number): Buffer {
  return nullLink(payload, family, false);
}

/** PPP protocol numbers (RFC 1661; IPv6 RFC 5072). */
export const PPP_IPV4 = 0x0021;
export const PPP_IPV6 = 0x0057;

function pppProtocolOf(ip: Buffer): number {
  return ip[0]! >> 4 === 6 ? PPP_IPV6 : PPP_IPV4;
}

/**
 * PPP (LINKTYPE_PPP 9, LINKTYPE_PPP_HDLC 50): with `hdlc` the ff 03 address/control bytes
 * (RFC 1662) first; with `compressed` a 1-byte protocol field (RFC 1661 section 6.5).
 */
export function ppp(payload: Buffer, o: { hdlc?: boolean; compressed?: boolean } = {}): Buffer {
  const proto = pppProtocolOf(payload);
  const head = o.compressed ? Buffer.from([proto]) : Buffer.from([proto >> 8, proto & 0xff]);
  return Buffer.concat([o.hdlc ? Buffer.from([0xff, 0x03]) : Buffer.alloc(0), head, payload]);
}

/** Cisco HDLC (LINKTYPE_C_HDLC 104): address 0x0f, control 0, EtherType. */
export function cHdlc(payload: Buffer, etherType = etherTypeOf(payload)): Buffer {
  return Buffer.concat([Buffer.from([0x0f, 0x00, etherType >> 8, etherType & 0xff]), payload]);
}

/** 802.2 LLC with SNAP (aa aa 03, OUI 0, EtherType). */
export function llcSnap(payload: Buffer, etherType = etherTypeOf(payload)): Buffer {
  return Buffer.concat([Buffer.from([0xaa, 0xaa, 0x03, 0, 0, 0, etherType >> 8, etherType & 0xff]), payload]);
}

/** FDDI (LINKTYPE_FDDI 10): frame control, destination, source, then LLC/SNAP. */
export function fddi(payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x50]), Buffer.alloc(6, 1), Buffer.alloc(6, 2), llcSnap(payload)]);
}

/** IP over InfiniBand (LINKTYPE_IPOIB 242): 20-byte destination and source addresses, EtherType, 2 reserved (tcpdump print-ipoib.c). */
export function ipoib(payload: Buffer, etherType = etherTypeOf(payload)): Buffer {
  return Buffer.concat([Buffer.alloc(40, 7), Buffer.from([etherType >> 8, etherType & 0xff, 0, 0]), payload]);
}

/**
 * Linux ARCnet (LINKTYPE_ARCNET_LINUX 129): source, destination, 2-byte offset, protocol id;
 * RFC 1201 ids (0xd4 IP, 0xc4 IPv6) add split flag and 2-byte sequence; RFC 1051 IP (0xf0) does not.
 */
export function arcnetLinux(payload: Buffer, rfc1051 = false): Buffer {
  if (rfc1051) return Buffer.concat([Buffer.from([1, 2, 0, 0, 0xf0]), payload]);
  const id = payload[0]! >> 4 === 6 ? 0xc4 : 0xd4;
  return Buffer.concat([Buffer.from([1, 2, 0, 0, id, 0, 0, 1]), payload]);
}

/** One NFLOG TLV: length (including these 4 bytes) and type, little-endian host order; padded to 4. */
export function nflogTlv(type: number, value: Buffer): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16LE(4 + value.length, 0);
  h.writeUInt16LE(type, 2);
  return Buffer.concat([h, pad4Bytes(value)]);
}

/** Linux NFLOG (LINKTYPE_NFLOG 239): family, version, resource id, a packet-header TLV, a prefix TLV, the payload TLV (type 9). */
export function nflog(payload: Buffer): Buffer {
  const family = payload[0]! >> 4 === 6 ? 10 : 2;
  return Buffer.concat([
    Buffer.from([family, 0, 0, 1]),
    nflogTlv(1, Buffer.from([etherTypeOf(payload) >> 8, etherTypeOf(payload) & 0xff, 3, 0])),
    nflogTlv(10, Buffer.from('fw-drop\0')),
    nflogTlv(9, payload),
  ]);
}

/** PPPoE session header (ver/type 0x11, code 0, session id, length) and the PPP protocol: payload of EtherType 0x8864. */
export function pppoeSession(payload: Buffer): Buffer {
  const h = Buffer.from([0x11, 0x00, 0x00, 0x01, 0, 0]);
  h.writeUInt16BE(2 + payload.length, 4);
  return Buffer.concat([h, ppp(payload)]);
}

/** An MPLS label stack (RFC 3032), the last entry with the bottom-of-stack bit: payload of EtherType 0x8847. */
export function mplsStack(payload: Buffer, labels: number[]): Buffer {
  const entries = labels.map((label, i) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(((label << 12) | (i === labels.length - 1 ? 0x100 : 0) | 64) >>> 0, 0);
    return b;
  });
  return Buffer.concat([...entries, payload]);
}

/** A VN-Tag (4 bytes) and the inner EtherType: payload of EtherType 0x8926. */
export function vnTag(payload: Buffer): Buffer {
  const et = etherTypeOf(payload);
  return Buffer.concat([Buffer.from([0x80, 0x01, 0x00, 0x02, et >> 8, et & 0xff]), payload]);
}

/** An 802.1ah I-TAG (4 bytes), customer destination and source, inner EtherType: payload of EtherType 0x88e7. */
export function pbbItag(payload: Buffer): Buffer {
  const et = etherTypeOf(payload);
  return Buffer.concat([Buffer.from([0, 0, 1, 0]), Buffer.alloc(6, 3), Buffer.alloc(6, 4), Buffer.from([et >> 8, et & 0xff]), payload]);
}

function pad4Bytes(b: Buffer): Buffer {
  const n = (4 - (b.length % 4)) % 4;
  return n === 0 ? b : Buffer.concat([b, Buffer.alloc(n)]);
}

// ---------------------------------------------------------------- capture files
// One encoder of pcap and pcapng, shared with the scripts (plain ESM): scripts/lib/pcap-format.mjs.
export * from "../../scripts/lib/pcap-format.mjs";
export type { PcapOptions, PcapRecord, PcapngOption, IdbOptions, PacketBlockOptions } from "../../scripts/lib/pcap-format.mjs";

// ---------------------------------------------------------------- convenience frames

export interface TcpFrameSpec extends TcpSpec {
  src: string;
  dst: string;
}

/** Ethernet + IPv4 (or IPv6 when the address has a colon) + TCP. */
export function tcpFrame(s: TcpFrameSpec): Buffer {
  const seg = tcp(s);
  const ip = s.src.includes(':')
    ? ipv6({ src: s.src, dst: s.dst, next: PROTO_TCP, payload: seg })
    : ipv4({ src: s.src, dst: s.dst, proto: PROTO_TCP, payload: seg });
  return ethernet(ip);
}

export function udpFrame(s: UdpSpec & { src: string; dst: string }): Buffer {
  const dg = udp(s);
  const ip = s.src.includes(':')
    ? ipv6({ src: s.src, dst: s.dst, next: PROTO_UDP, payload: dg })
    : ipv4({ src: s.src, dst: s.dst, proto: PROTO_UDP, payload: dg });
  return ethernet(ip);
}
