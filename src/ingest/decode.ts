/**
 * Link, network and transport decoding into one reused record (no allocation per packet).
 * Decoding never decides what a packet means (STYLE.md, after Wireshark's packet-tcp.c):
 * it only fills fields; src/flows analyses them.
 *
 * Link types: https://www.tcpdump.org/linktypes.html
 */
import { Decoded } from './packet.js';

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW_OPENBSD = 12; // DLT_RAW on OpenBSD (and BSD/OS DLT 14)
export const LINKTYPE_RAW_BSDOS = 14;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;
export const LINKTYPE_PPP = 9;
export const LINKTYPE_FDDI = 10;
export const LINKTYPE_PPP_HDLC = 50;
export const LINKTYPE_C_HDLC = 104;
export const LINKTYPE_ARCNET_LINUX = 129;
export const LINKTYPE_NFLOG = 239;
export const LINKTYPE_IPOIB = 242;

export const LINK_TYPE_NAMES: Record<number, string> = {
  0: 'NULL', 1: 'ETHERNET', 6: 'IEEE802_5', 8: 'SLIP', 9: 'PPP', 10: 'FDDI', 12: 'RAW', 14: 'RAW', 50: 'PPP_HDLC', 51: 'PPP_ETHER',
  100: 'ATM_RFC1483', 101: 'RAW', 104: 'C_HDLC', 105: 'IEEE802_11', 107: 'FRELAY', 108: 'LOOP', 113: 'LINUX_SLL',
  114: 'LTALK', 117: 'PFLOG', 119: 'IEEE802_11_PRISM', 122: 'IP_OVER_FC', 123: 'SUNATM', 127: 'IEEE802_11_RADIOTAP',
  129: 'ARCNET_LINUX', 138: 'APPLE_IP_OVER_IEEE1394', 139: 'MTP2_WITH_PHDR', 140: 'MTP2', 141: 'MTP3', 142: 'SCCP',
  143: 'DOCSIS', 144: 'LINUX_IRDA', 147: 'USER0', 163: 'IEEE802_11_AVS', 165: 'BACNET_MS_TP', 166: 'PPP_PPPD',
  169: 'GPRS_LLC', 177: 'LINUX_LAPD', 187: 'BLUETOOTH_HCI_H4', 189: 'USB_LINUX', 192: 'PPI', 195: 'IEEE802_15_4_WITHFCS',
  201: 'BLUETOOTH_HCI_H4_WITH_PHDR', 202: 'AX25_KISS', 215: 'IEEE802_15_4_NONASK_PHY', 220: 'USB_LINUX_MMAPPED',
  224: 'FC_2', 226: 'IPNET', 227: 'CAN_SOCKETCAN', 228: 'IPV4', 229: 'IPV6', 230: 'IEEE802_15_4_NOFCS', 231: 'DBUS',
  235: 'DVB_CI', 239: 'NFLOG', 240: 'NETANALYZER', 244: 'IPOIB', 247: 'NETLINK', 249: 'USBPCAP', 251: 'BLUETOOTH_LE_LL',
  252: 'WIRESHARK_UPPER_PDU', 253: 'NETLINK', 254: 'BLUETOOTH_LINUX_MONITOR', 256: 'BLUETOOTH_LE_LL_WITH_PHDR',
  263: 'PROFIBUS_DL', 264: 'PKTAP', 266: 'IPMI_HPM_2', 271: 'LINUX_SLL', 272: 'NORDIC_BLE', 276: 'LINUX_SLL2', 279: 'EBHSCR',
  281: 'DSA_TAG', 283: 'ETW', 288: 'ZBOSS_NCP', 293: 'AUERSWALD_LOG',
};

export function linkTypeName(linkType: number): string {
  return LINK_TYPE_NAMES[linkType] ?? `LINKTYPE_${linkType}`;
}

/** Result of decode(). */
export const DECODE_IP = 0; // an IPv4 / IPv6 packet with its transport header where present
export const DECODE_NOT_IP = 1; // a decoded link layer carrying something else (ARP, LLDP, ...)
export const DECODE_UNKNOWN_LINK = 2; // a link type we do not decode
export const DECODE_MALFORMED = 3; // too short or inconsistent to find the network header

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const ETHERTYPE_QINQ_OLD = 0x9100;
const ETHERTYPE_QINQ_OLD2 = 0x9200;
const ETHERTYPE_PPPOE_SESSION = 0x8864;
const ETHERTYPE_MPLS = 0x8847;
const ETHERTYPE_MPLS_MULTICAST = 0x8848;
const ETHERTYPE_PBB = 0x88e7; // IEEE 802.1ah I-TAG, then the customer's Ethernet header
const ETHERTYPE_VNTAG = 0x8926;
/** Pseudo ethertypes for what a link layer hands on: an IP version nibble decides. */
const ETHERTYPE_BY_VERSION = -1;


/**
 * Decode one record. Fills `out` and returns a DECODE_* code.
 * Ethernet with 802.1Q / 802.1ad tag stacks; Linux cooked v1 and v2; raw IP (101, 12, 14);
 * BSD NULL and LOOP; LINKTYPE_IPV4 / IPV6.
 */
export function decode(linkType: number, buf: Buffer, off: number, capLen: number, out: Decoded, wireLen = capLen): number {
  const end = off + capLen;
  const wireEnd = off + Math.max(wireLen, capLen);
  let p = off;
  let etherType = 0;
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      if (capLen < 14) return DECODE_MALFORMED;
      etherType = (buf[p + 12]! << 8) | buf[p + 13]!;
      p += 14;
      break;
    }
    case LINKTYPE_LINUX_SLL: {
      if (capLen < 16) return DECODE_MALFORMED;
      etherType = (buf[p + 14]! << 8) | buf[p + 15]!;
      p += 16;
      break;
    }
    case LINKTYPE_LINUX_SLL2: {
      if (capLen < 20) return DECODE_MALFORMED;
      etherType = (buf[p]! << 8) | buf[p + 1]!;
      p += 20;
      break;
    }
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_OPENBSD:
    case LINKTYPE_RAW_BSDOS:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      etherType = ETHERTYPE_BY_VERSION;
      break;
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      if (capLen < 4) return DECODE_MALFORMED;
      // NULL: address family in the capturing host's byte order; LOOP: network order.
      // A family is small, so whichever half is non-zero tells the order.
      let family = (buf[p]! << 24 | buf[p + 1]! << 16 | buf[p + 2]! << 8 | buf[p + 3]!) >>> 0;
      if (linkType === LINKTYPE_NULL && (family & 0xffff) === 0) family = buf.readUInt32LE(p);
      p += 4;
      if (family === 2) etherType = ETHERTYPE_IPV4;
      else if (family === 10 || family === 24 || family === 28 || family === 30) etherType = ETHERTYPE_IPV6; // Linux, NetBSD/OpenBSD, FreeBSD, macOS
      else return DECODE_NOT_IP;
      break;
    }
    case LINKTYPE_PPP:
    case LINKTYPE_PPP_HDLC: {
      // RFC 1661/1662: optional address/control (ff 03), then a 1- or 2-byte protocol field.
      if (capLen < 2) return DECODE_MALFORMED;
      if (buf[p] === 0xff && buf[p + 1] === 0x03) p += 2;
      return decodePpp(buf, p, end, wireEnd, out);
    }
    case LINKTYPE_C_HDLC: {
      if (capLen < 4) return DECODE_MALFORMED;
      etherType = (buf[p + 2]! << 8) | buf[p + 3]!;
      p += 4;
      break;
    }
    case LINKTYPE_FDDI: {
      // Frame control, destination, source (13 bytes), then 802.2 LLC.
      if (capLen < 13) return DECODE_MALFORMED;
      p += 13;
      etherType = llcEtherType(buf, p, end);
      p += 8;
      break;
    }
    case LINKTYPE_IPOIB: {
      // Destination and source IPoIB hardware addresses (20 bytes each: QPN and GID), then the
      // RFC 4391 encapsulation header: ethertype and 2 reserved bytes (tcpdump print-ipoib.c, 44 bytes).
      if (capLen < 44) return DECODE_MALFORMED;
      etherType = (buf[p + 40]! << 8) | buf[p + 41]!;
      p += 44;
      break;
    }
    case LINKTYPE_ARCNET_LINUX: {
      // Linux ARCnet header (tcpdump print-arcnet.c): source, destination, offset (2), protocol id;
      // RFC 1201 protocol ids add a split flag and a sequence number (3 bytes), RFC 1051 ones do not.
      if (capLen < 5) return DECODE_MALFORMED;
      const arcType = buf[p + 4];
      if (arcType === 0xd4 || arcType === 0xc4) p += 8; // RFC 1201 IP / IPv6
      else if (arcType === 0xf0) p += 5; // RFC 1051 IP
      else return DECODE_NOT_IP;
      etherType = ETHERTYPE_BY_VERSION;
      break;
    }
    case LINKTYPE_NFLOG: {
      // NFLOG: family, version, resource id, then TLVs (length and type in host byte order,
      // little-endian on the machines that write these; padded to 4); type 9 carries the packet.
      let q = p + 4;
      while (q + 4 <= end) {
        const tlvLen = buf.readUInt16LE(q);
        const tlvType = buf.readUInt16LE(q + 2) & 0x7fff;
        if (tlvLen < 4) return DECODE_MALFORMED;
        if (tlvType === 9) {
          p = q + 4;
          etherType = ETHERTYPE_BY_VERSION;
          break;
        }
        q += (tlvLen + 3) & ~3;
      }
      if (etherType !== ETHERTYPE_BY_VERSION) return DECODE_NOT_IP;
      break;
    }
    default:
      return DECODE_UNKNOWN_LINK;
  }
  // Tags and shims between the link header and IP: VLAN stacks, PBB, VN-Tag, PPPoE, MPLS, 802.3 with LLC/SNAP.
  for (let hops = 0; hops < 16 && etherType > 0; hops++) {
    if (etherType === ETHERTYPE_VLAN || etherType === ETHERTYPE_QINQ || etherType === ETHERTYPE_QINQ_OLD || etherType === ETHERTYPE_QINQ_OLD2) {
      if (p + 4 > end) return DECODE_MALFORMED;
      etherType = (buf[p + 2]! << 8) | buf[p + 3]!;
      p += 4;
    } else if (etherType === ETHERTYPE_VNTAG) {
      if (p + 6 > end) return DECODE_MALFORMED;
      etherType = (buf[p + 4]! << 8) | buf[p + 5]!;
      p += 6;
    } else if (etherType === ETHERTYPE_PBB) {
      // I-TAG (4), then the customer destination and source (12) and their ethertype.
      if (p + 18 > end) return DECODE_MALFORMED;
      etherType = (buf[p + 16]! << 8) | buf[p + 17]!;
      p += 18;
    } else if (etherType === ETHERTYPE_PPPOE_SESSION) {
      if (p + 6 > end) return DECODE_MALFORMED;
      return decodePpp(buf, p + 6, end, wireEnd, out);
    } else if (etherType === ETHERTYPE_MPLS || etherType === ETHERTYPE_MPLS_MULTICAST) {
      // Label stack entries (4 bytes) until the bottom-of-stack bit; the payload's version nibble tells IPv4/IPv6.
      for (;;) {
        if (p + 4 > end) return DECODE_MALFORMED;
        const bottom = (buf[p + 2]! & 1) !== 0;
        p += 4;
        if (bottom) break;
      }
      etherType = ETHERTYPE_BY_VERSION;
    } else if (etherType <= 1500) {
      // IEEE 802.3 length field: an 802.2 LLC header follows; SNAP carries an ethertype.
      const t = llcEtherType(buf, p, end);
      if (t === 0) return DECODE_NOT_IP;
      etherType = t;
      p += 8;
    } else break;
  }
  if (etherType === ETHERTYPE_BY_VERSION) {
    if (p >= end) return DECODE_MALFORMED;
    const v = buf[p]! >> 4;
    if (v === 4) etherType = ETHERTYPE_IPV4;
    else if (v === 6) etherType = ETHERTYPE_IPV6;
    else return DECODE_NOT_IP;
  }
  if (etherType === ETHERTYPE_IPV4) return decodeIpv4(buf, p, end, wireEnd, out);
  if (etherType === ETHERTYPE_IPV6) return decodeIpv6(buf, p, end, wireEnd, out);
  return DECODE_NOT_IP;
}

/** The ethertype in an 802.2 LLC/SNAP header (aa aa 03, OUI, type), or 0 when it is not SNAP. */
function llcEtherType(buf: Buffer, p: number, end: number): number {
  if (p + 8 > end || buf[p] !== 0xaa || buf[p + 1] !== 0xaa || buf[p + 2] !== 0x03) return 0;
  return (buf[p + 6]! << 8) | buf[p + 7]!;
}

/** PPP protocol field (1 byte when compressed, RFC 1661 section 6.5): 0x21 IPv4, 0x57 IPv6. */
function decodePpp(buf: Buffer, p: number, end: number, wireEnd: number, out: Decoded): number {
  if (p >= end) return DECODE_MALFORMED;
  let proto: number;
  if ((buf[p]! & 1) === 1) {
    proto = buf[p]!;
    p += 1;
  } else {
    if (p + 2 > end) return DECODE_MALFORMED;
    proto = (buf[p]! << 8) | buf[p + 1]!;
    p += 2;
  }
  if (proto === 0x21) return decodeIpv4(buf, p, end, wireEnd, out);
  if (proto === 0x57) return decodeIpv6(buf, p, end, wireEnd, out);
  if (proto === 0x281 || proto === 0x283) {
    // MPLS over PPP (RFC 3032): labels until the bottom of the stack, then IP.
    for (;;) {
      if (p + 4 > end) return DECODE_MALFORMED;
      const bottom = (buf[p + 2]! & 1) !== 0;
      p += 4;
      if (bottom) break;
    }
    if (p >= end) return DECODE_MALFORMED;
    const v = buf[p]! >> 4;
    if (v === 4) return decodeIpv4(buf, p, end, wireEnd, out);
    if (v === 6) return decodeIpv6(buf, p, end, wireEnd, out);
  }
  return DECODE_NOT_IP;
}

function decodeIpv4(buf: Buffer, p: number, end: number, wireEnd: number, out: Decoded): number {
  if (p + 20 > end) return DECODE_MALFORMED;
  const vihl = buf[p]!;
  if (vihl >> 4 !== 4) return DECODE_MALFORMED;
  const ihl = (vihl & 0x0f) * 4;
  if (ihl < 20) return DECODE_MALFORMED;
  const totalLen = (buf[p + 2]! << 8) | buf[p + 3]!;
  const fragWord = (buf[p + 6]! << 8) | buf[p + 7]!;
  out.family = 4;
  out.proto = buf[p + 9]!;
  out.src4 = ((buf[p + 12]! << 24) | (buf[p + 13]! << 16) | (buf[p + 14]! << 8) | buf[p + 15]!) >>> 0;
  out.dst4 = ((buf[p + 16]! << 24) | (buf[p + 17]! << 16) | (buf[p + 18]! << 8) | buf[p + 19]!) >>> 0;
  out.fragId = (buf[p + 4]! << 8) | buf[p + 5]!;
  const fragOffset = fragWord & 0x1fff;
  out.laterFragment = fragOffset !== 0;
  out.moreFragments = (fragWord & 0x2000) !== 0;
  out.firstFragment = fragOffset === 0 && out.moreFragments;
  out.hasPorts = false;
  out.tcpStream = false;
  out.tcpAnalyse = false;
  out.tcpFlagsVisible = false;
  out.sport = 0;
  out.dport = 0;
  // The datagram ends where its total length says, but never past the frame's original length;
  // TSO captures carry total length 0: then it runs to the end of the frame (as Wireshark reads it).
  const reportedEnd = totalLen === 0 ? wireEnd : Math.min(p + totalLen, wireEnd);
  out.declaredEnd = totalLen === 0 ? wireEnd : p + totalLen;
  if (out.laterFragment) return DECODE_IP;
  if (p + ihl > end) return DECODE_IP; // options cut off by the snaplen: addresses only
  decodeTransport(buf, p + ihl, end, reportedEnd, out);
  return DECODE_IP;
}

function decodeIpv6(buf: Buffer, p: number, end: number, wireEnd: number, out: Decoded): number {
  if (p + 40 > end) return DECODE_MALFORMED;
  if (buf[p]! >> 4 !== 6) return DECODE_MALFORMED;
  out.family = 6;
  const payloadLen = (buf[p + 4]! << 8) | buf[p + 5]!;
  let next = buf[p + 6]!;
  for (let i = 0; i < 4; i++) {
    out.src6[i] = ((buf[p + 8 + i * 4]! << 24) | (buf[p + 9 + i * 4]! << 16) | (buf[p + 10 + i * 4]! << 8) | buf[p + 11 + i * 4]!) >>> 0;
    out.dst6[i] = ((buf[p + 24 + i * 4]! << 24) | (buf[p + 25 + i * 4]! << 16) | (buf[p + 26 + i * 4]! << 8) | buf[p + 27 + i * 4]!) >>> 0;
  }
  out.src4 = out.src6[3]!;
  out.dst4 = out.dst6[3]!;
  out.laterFragment = false;
  out.firstFragment = false;
  out.moreFragments = false;
  out.hasPorts = false;
  out.tcpStream = false;
  out.tcpAnalyse = false;
  out.tcpFlagsVisible = false;
  out.sport = 0;
  out.dport = 0;
  out.fragId = 0;
  let q = p + 40;
  // Jumbograms (payload length 0 with a hop-by-hop jumbo option) run to the end of the frame.
  const reportedEnd = payloadLen > 0 ? Math.min(q + payloadLen, wireEnd) : wireEnd;
  out.declaredEnd = payloadLen > 0 ? q + payloadLen : wireEnd;
  // Extension header chain (RFC 8200 section 4): hop-by-hop, routing, fragment, destination options, AH, mobility, HIP, shim6.
  for (let hops = 0; hops < 16; hops++) {
    if (next === 0 || next === 43 || next === 60 || next === 135 || next === 139 || next === 140) {
      if (q + 2 > end) { out.proto = next; return DECODE_IP; }
      const hlen = (buf[q + 1]! + 1) * 8;
      next = buf[q]!;
      q += hlen;
    } else if (next === 44) {
      if (q + 8 > end) { out.proto = next; return DECODE_IP; }
      const offFlags = (buf[q + 2]! << 8) | buf[q + 3]!;
      out.fragId = buf.readUInt32BE(q + 4);
      next = buf[q]!;
      q += 8;
      out.moreFragments = (offFlags & 1) !== 0;
      if ((offFlags & 0xfff8) !== 0) {
        out.laterFragment = true;
        out.proto = next;
        return DECODE_IP;
      }
      if ((offFlags & 1) !== 0) out.firstFragment = true;
    } else if (next === 51) {
      if (q + 2 > end) { out.proto = next; return DECODE_IP; }
      const hlen = (buf[q + 1]! + 2) * 4;
      next = buf[q]!;
      q += hlen;
    } else {
      break;
    }
  }
  out.proto = next;
  if (q > end || q > reportedEnd) return DECODE_IP;
  decodeTransport(buf, q, end, reportedEnd, out);
  return DECODE_IP;
}

function decodeTransport(buf: Buffer, q: number, end: number, reportedEnd: number, out: Decoded): void {
  const proto = out.proto;
  out.sport = 0;
  out.dport = 0;
  if (proto === 6) {
    // Wireshark reads the header from the bytes both captured and inside the datagram; fewer than 16
    // (ports to window) and it assigns no stream (docs/WIRESHARK-RULES.md, section 1).
    const readable = Math.min(end, reportedEnd) - q;
    if (readable < 4) return;
    out.sport = (buf[q]! << 8) | buf[q + 1]!;
    out.dport = (buf[q + 2]! << 8) | buf[q + 3]!;
    out.hasPorts = true;
    if (readable < 16) return;
    const thLen = (buf[q + 12]! >> 4) * 4;
    // (bytes, not readUInt32BE: a call per word on every TCP packet; readable >= 16 covers them)
    out.seq = buf[q + 4]! * 0x1000000 + ((buf[q + 5]! << 16) | (buf[q + 6]! << 8) | buf[q + 7]!);
    out.ack = buf[q + 8]! * 0x1000000 + ((buf[q + 9]! << 16) | (buf[q + 10]! << 8) | buf[q + 11]!);
    out.tcpFlags = buf[q + 13]!;
    out.window = (buf[q + 14]! << 8) | buf[q + 15]!;
    // Wireshark dissects a fragmented segment on the fragment that completes the datagram, if it
    // can reassemble: only when the fragment was captured whole; otherwise here, unanalysed.
    out.tcpStream = !out.firstFragment || out.declaredEnd > end;
    const reportedLen = reportedEnd - q;
    // The analysis runs on whole datagrams only, with the header length as read, even a bogus one.
    out.tcpAnalyse = !out.firstFragment && reportedLen >= thLen;
    out.segLen = reportedLen - thLen;
    out.tcpFlagsVisible = end - q >= Math.max(20, thLen);
  } else if (proto === 17 || proto === 136) {
    if (q + 4 > end) return;
    out.sport = (buf[q]! << 8) | buf[q + 1]!;
    out.dport = (buf[q + 2]! << 8) | buf[q + 3]!;
    out.hasPorts = true;
  } else if (proto === 1 || proto === 58) {
    if (q + 2 > end) return;
    out.icmpType = buf[q]!;
    out.icmpCode = buf[q + 1]!;
    const t = out.icmpType;
    const echo = proto === 1 ? (t === 8 || t === 0 || t === 13 || t === 14 || t === 15 || t === 16) : (t === 128 || t === 129);
    if (echo && q + 8 <= end) {
      // conntrack keys ICMP queries by identifier (nf_conntrack_proto_icmp.c).
      out.sport = (buf[q + 4]! << 8) | buf[q + 5]!;
      out.dport = out.sport;
    } else {
      out.sport = 0;
      out.dport = 0;
    }
    out.hasPorts = true;
  } else if (proto === 132 || proto === 33) {
    // SCTP and DCCP: ports in the first four bytes.
    if (q + 4 > end) return;
    out.sport = (buf[q]! << 8) | buf[q + 1]!;
    out.dport = (buf[q + 2]! << 8) | buf[q + 3]!;
    out.hasPorts = true;
  }
}
