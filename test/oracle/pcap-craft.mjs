// Builds tiny classic-pcap files (Ethernet, IPv4, TCP) from a list of segment
// descriptions, so the Wireshark rules in docs/WIRESHARK-RULES.md can be checked
// against tshark one case at a time (test/oracle/wireshark-rules.test.ts).
// Plain ESM so scripts and tests can both use it; checksums are left at zero
// because tshark does not validate TCP/IP checksums by default. The file format comes from the
// shared encoder (scripts/lib/pcap-format.mjs).

import { pcapHeader, pcapRecord } from '../../scripts/lib/pcap-format.mjs';

/** TCP flag bits as they appear in the header's flags byte. */
export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;

/**
 * One TCP segment to write.
 * @typedef {object} Segment
 * @property {number} t        capture time in seconds (may be fractional)
 * @property {'a'|'b'} from    'a' = 10.0.0.1:40000 -> 10.0.0.2:22, 'b' = the reverse
 * @property {number} seq      absolute sequence number (uint32)
 * @property {number} [ack]    absolute acknowledgement number (default 0)
 * @property {number} flags    bitwise OR of FIN/SYN/RST/PSH/ACK
 * @property {number} [win]    raw 16-bit window field (default 1000)
 * @property {number} [len]    payload bytes (default 0)
 * @property {number} [aPort]  override endpoint a's port (default 40000)
 * @property {number} [bPort]  override endpoint b's port (default 22)
 * @property {number} [ipTotalLength] override the IPv4 total-length field (default: true length)
 * @property {number} [capturedBytes]  cut the frame to this many bytes (pcap caplen < len)
 * @property {number} [trailerBytes]   extra bytes after the IP datagram (Ethernet padding/trailer)
 * @property {number} [vlan]           802.1Q VLAN id (default: untagged)
 */

const A_IP = [10, 0, 0, 1];
const B_IP = [10, 0, 0, 2];

/**
 * Encodes segments as a classic pcap (microsecond, linktype 1) file.
 * @param {Segment[]} segments
 * @returns {Buffer}
 */
export function craftPcap(segments) {
  const format = { linkType: 1, snapLen: 65535 };
  const header = pcapHeader(format);
  const parts = [header];
  for (const s of segments) {
    const len = s.len ?? 0;
    const ipLen = 20 + 20 + len;
    const l2 = s.vlan === undefined ? 14 : 18;
    const frame = Buffer.alloc(l2 + ipLen + (s.trailerBytes ?? 0));
    // Ethernet: dst, src, [802.1Q tag], type IPv4
    frame.set([2, 0, 0, 0, 0, s.from === 'a' ? 2 : 1], 0);
    frame.set([2, 0, 0, 0, 0, s.from === 'a' ? 1 : 2], 6);
    if (s.vlan !== undefined) {
      frame.writeUInt16BE(0x8100, 12);
      frame.writeUInt16BE(s.vlan & 0x0fff, 14);
    }
    frame.writeUInt16BE(0x0800, l2 - 2);
    const ip = l2;
    frame[ip] = 0x45;
    frame.writeUInt16BE(s.ipTotalLength ?? ipLen, ip + 2);
    frame[ip + 8] = 64;
    frame[ip + 9] = 6;
    frame.set(s.from === 'a' ? A_IP : B_IP, ip + 12);
    frame.set(s.from === 'a' ? B_IP : A_IP, ip + 16);
    const tcp = ip + 20;
    const aPort = s.aPort ?? 40000;
    const bPort = s.bPort ?? 22;
    frame.writeUInt16BE(s.from === 'a' ? aPort : bPort, tcp);
    frame.writeUInt16BE(s.from === 'a' ? bPort : aPort, tcp + 2);
    frame.writeUInt32BE(s.seq >>> 0, tcp + 4);
    frame.writeUInt32BE((s.ack ?? 0) >>> 0, tcp + 8);
    frame[tcp + 12] = 5 << 4;
    frame[tcp + 13] = s.flags;
    frame.writeUInt16BE(s.win ?? 1000, tcp + 14);
    for (let i = 0; i < len; i++) frame[tcp + 20 + i] = 0x41;
    const secs = Math.floor(s.t);
    const captured = Math.min(frame.length, s.capturedBytes ?? frame.length);
    parts.push(pcapRecord({ sec: secs, nsec: Math.round((s.t - secs) * 1e6) * 1000, data: frame.subarray(0, captured), wireLen: frame.length }, format));
  }
  return Buffer.concat(parts);
}
