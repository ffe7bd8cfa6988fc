// decode(): every link type it knows, IPv4 options and fragments, IPv6 extension chains,
// TCP segment lengths from the IP lengths, ICMP echo identifiers. Frames are built byte by
// byte (test/helpers/pcapbuild.ts); flows are checked through the real tracker.
import { describe, expect, it } from 'vitest';
import { decode, linkTypeName, DECODE_IP, DECODE_MALFORMED, DECODE_NOT_IP, DECODE_UNKNOWN_LINK } from '../../src/ingest/decode.js';
import { Decoded } from '../../src/ingest/packet.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from '../../src/util/protocols.js';
import { trackCapture } from '../helpers/capture-run.js';
import {
  arcnetLinux, cHdlc, ethernet, fddi, icmp, ipoib, ipv4, ipv6, llcSnap, loopLink, mplsStack, nflog, nflogTlv, nullLink, pbbItag, pcapFile,
  ppp, pppoeSession, sll, sll2, tcp, udp, vnTag,
  ETHERTYPE_ARP, ETHERTYPE_VLAN, ETHERTYPE_QINQ, TCP_ACK, TCP_PSH, TCP_SYN, type Ipv6Ext,
} from '../helpers/pcapbuild.js';

const C4 = '192.0.2.10';
const S4 = '198.51.100.24';
const C6 = '2001:db8::10';
const S6 = '2001:db8:1::24';
const C4_U32 = 0xc000020a;
const S4_U32 = 0xc6336418;

/** A TCP segment 40001 -> 1521 with 100 bytes of data. */
const SEG = tcp({ sport: 40001, dport: 1521, seq: 0x01020304, ack: 0xa0b0c0d0, flags: TCP_PSH | TCP_ACK, window: 502, payload: 100 });
const IP4 = ipv4({ src: C4, dst: S4, proto: PROTO_TCP, payload: SEG }); // 140 bytes
const IP6 = ipv6({ src: C6, dst: S6, next: PROTO_TCP, payload: SEG }); // 160 bytes

function run(linkType: number, frame: Buffer, capLen = frame.length, wireLen = frame.length): { r: number; d: Decoded } {
  const d = new Decoded();
  // Decode at an offset inside a larger buffer, as the parsers hand records out.
  const buf = Buffer.concat([Buffer.alloc(13, 0xee), frame, Buffer.alloc(7, 0xee)]);
  const r = decode(linkType, buf, 13, capLen, d, wireLen);
  return { r, d };
}

function expectTcp4(d: Decoded): void {
  expect(d.family).toBe(4);
  expect(d.src4).toBe(C4_U32);
  expect(d.dst4).toBe(S4_U32);
  expect(d.proto).toBe(PROTO_TCP);
  expect(d.hasPorts).toBe(true);
  expect([d.sport, d.dport]).toEqual([40001, 1521]);
  expect([d.seq, d.ack, d.tcpFlags, d.window]).toEqual([0x01020304, 0xa0b0c0d0, TCP_PSH | TCP_ACK, 502]);
  expect(d.segLen).toBe(100);
  expect(d.laterFragment).toBe(false);
}

function expectTcp6(d: Decoded): void {
  expect(d.family).toBe(6);
  expect(Array.from(d.src6)).toEqual([0x20010db8, 0, 0, 0x10]);
  expect(Array.from(d.dst6)).toEqual([0x20010db8, 0x00010000, 0, 0x24]);
  expect(d.proto).toBe(PROTO_TCP);
  expect([d.sport, d.dport, d.seq, d.segLen]).toEqual([40001, 1521, 0x01020304, 100]);
}

describe('link layers', () => {
  it('Ethernet II, IPv4 and IPv6', () => {
    let { r, d } = run(1, ethernet(IP4));
    expect(r).toBe(DECODE_IP);
    expectTcp4(d);
    ({ r, d } = run(1, ethernet(IP6)));
    expect(r).toBe(DECODE_IP);
    expectTcp6(d);
  });

  it('Ethernet with one 802.1Q tag', () => {
    const { r, d } = run(1, ethernet(IP4, undefined, [{ tpid: ETHERTYPE_VLAN, vid: 10 }]));
    expect(r).toBe(DECODE_IP);
    expectTcp4(d);
  });

  it('Ethernet with an 802.1ad outer and 802.1Q inner tag (and the old 0x9100 outer tag)', () => {
    let { r, d } = run(1, ethernet(IP6, undefined, [{ tpid: ETHERTYPE_QINQ, vid: 100 }, { tpid: ETHERTYPE_VLAN, vid: 20 }]));
    expect(r).toBe(DECODE_IP);
    expectTcp6(d);
    ({ r, d } = run(1, ethernet(IP4, undefined, [{ tpid: 0x9100, vid: 100 }, { tpid: ETHERTYPE_VLAN, vid: 20 }])));
    expect(r).toBe(DECODE_IP);
    expectTcp4(d);
  });

  it('Ethernet carrying ARP is not IP; a frame shorter than its header or tags is malformed', () => {
    expect(run(1, ethernet(Buffer.alloc(28), ETHERTYPE_ARP)).r).toBe(DECODE_NOT_IP);
    expect(run(1, Buffer.alloc(10)).r).toBe(DECODE_MALFORMED);
    const tagged = ethernet(IP4, undefined, [{ tpid: ETHERTYPE_VLAN, vid: 1 }]);
    expect(run(1, tagged, 16).r).toBe(DECODE_MALFORMED);
  });

  it('Linux cooked v1 (113) and v2 (276)', () => {
    let { r, d } = run(113, sll(IP4));
    expect(r).toBe(DECODE_IP);
    expectTcp4(d);
    ({ r, d } = run(113, sll(IP6)));
    expectTcp6(d);
    ({ r, d } = run(276, sll2(IP4)));
    expect(r).toBe(DECODE_IP);
    expectTcp4(d);
    ({ r, d } = run(276, sll2(IP6)));
    expectTcp6(d);
    expect(run(113, sll(Buffer.alloc(28), ETHERTYPE_ARP)).r).toBe(DECODE_NOT_IP);
    expect(run(276, sll2(IP4), 19).r).toBe(DECODE_MALFORMED);
  });

  it.each([101, 12, 14, 228, 229])('raw IP, link type %i', (lt) => {
    let { r, d } = run(lt, IP4);
    expect(r).toBe(DECODE_IP);
    expectTcp4(d);
    ({ r, d } = run(lt, IP6));
    expect(r).toBe(DECODE_IP);
    expectTcp6(d);
  });

  it('raw IP with a version nibble that is neither 4 nor 6 is not IP', () => {
    const odd = Buffer.from(IP4);
    odd[0] = 0x55;
    expect(run(101, odd).r).toBe(DECODE_NOT_IP);
  });

  it.each([true, false])('BSD NULL, family in host byte order (little-endian=%s): AF_INET 2', (le) => {
    const { r, d } = run(0, nullLink(IP4, 2, le));
    expect(r).toBe(DECODE_IP);
    expectTcp4(d);
  });

  it.each([
    [10, true], [24, true], [28, true], [30, true],
    [10, false], [24, false], [28, false], [30, false],
  ])('BSD NULL with AF_INET6 %i (little-endian=%s)', (family, le) => {
    const { r, d } = run(0, nullLink(IP6, family, le));
    expect(r).toBe(DECODE_IP);
    expectTcp6(d);
  });

  it('BSD NULL with another family (AF_APPLETALK 16) is not IP', () => {
    expect(run(0, nullLink(IP4, 16, true)).r).toBe(DECODE_NOT_IP);
  });

  it('OpenBSD LOOP: family in network byte order (AF_INET 2, AF_INET6 24)', () => {
    let { r, d } = run(108, loopLink(IP4, 2));
    expect(r).toBe(DECODE_IP);
    expectTcp4(d);
    ({ r, d } = run(108, loopLink(IP6, 24)));
    expect(r).toBe(DECODE_IP);
    expectTcp6(d);
  });

  it('a link type fwtp does not decode: DECODE_UNKNOWN_LINK', () => {
    expect(run(147, IP4).r).toBe(DECODE_UNKNOWN_LINK);
    expect(run(105, IP4).r).toBe(DECODE_UNKNOWN_LINK);
    expect(linkTypeName(147)).toBe('USER0');
    expect(linkTypeName(4000)).toBe('LINKTYPE_4000');
  });

  it('unknown link types through the reader: counted and named in undecodedLinkTypes, with a warning, not an error', async () => {
    const recs = [
      { sec: 1, nsec: 0, data: IP4 },
      { sec: 2, nsec: 0, data: IP4 },
    ];
    const t = await trackCapture('pcap', pcapFile(recs, { linkType: 147 }));
    expect(t.summary.packets).toBe(2);
    expect(t.summary.linkTypes).toEqual({ USER0: 2 });
    expect(t.summary.undecodedLinkTypes).toEqual({ USER0: 2 });
    expect(t.summary.ipPackets).toBe(0);
    expect(t.summary.warnings).toEqual(['2 packets on link type USER0, which fwtp does not decode: counted, not in flows']);
    expect(t.flows.count).toBe(0);
    const t2 = await trackCapture('pcap', pcapFile(recs, { linkType: 4000 }));
    expect(t2.summary.undecodedLinkTypes).toEqual({ LINKTYPE_4000: 2 });
  });
});

// Each frame below was checked with tshark 4.0 (it dissects ip/ipv6 and tcp with 100 bytes of data).
describe('more link layers', () => {
  it.each([
    ['PPP (9) with ff 03 and a 2-byte protocol', 9, ppp(IP4, { hdlc: true })],
    ['PPP (9) without ff 03, 1-byte protocol', 9, ppp(IP4, { compressed: true })],
    ['PPP in HDLC framing (50)', 50, ppp(IP4, { hdlc: true })],
    ['Cisco HDLC (104)', 104, cHdlc(IP4)],
    ['FDDI (10) with LLC/SNAP', 10, fddi(IP4)],
    ['IP over InfiniBand (242)', 242, ipoib(IP4)],
    ['Linux ARCnet (129), RFC 1201', 129, arcnetLinux(IP4)],
    ['Linux ARCnet (129), RFC 1051', 129, arcnetLinux(IP4, true)],
    ['NFLOG (239), payload in TLV 9 after other TLVs', 239, nflog(IP4)],
  ])('%s: IPv4', (_name, lt, frame) => {
    const { r, d } = run(lt, frame);
    expect(r).toBe(DECODE_IP);
    expectTcp4(d);
  });

  it.each([
    ['PPP (9)', 9, ppp(IP6)],
    ['PPP in HDLC framing (50)', 50, ppp(IP6, { hdlc: true })],
    ['Cisco HDLC (104)', 104, cHdlc(IP6)],
    ['FDDI (10)', 10, fddi(IP6)],
    ['IP over InfiniBand (242)', 242, ipoib(IP6)],
    ['Linux ARCnet (129)', 129, arcnetLinux(IP6)],
    ['NFLOG (239)', 239, nflog(IP6)],
  ])('%s: IPv6', (_name, lt, frame) => {
    const { r, d } = run(lt, frame);
    expect(r).toBe(DECODE_IP);
    expectTcp6(d);
  });

  it('NFLOG without a payload TLV is not IP', () => {
    expect(run(239, Buffer.concat([Buffer.from([2, 0, 0, 1]), nflogTlv(10, Buffer.from('x\0'))])).r).toBe(DECODE_NOT_IP);
  });

  it.each([
    ['PPPoE session', 0x8864, pppoeSession(IP4)],
    ['an MPLS stack of two labels', 0x8847, mplsStack(IP4, [16, 17])],
    ['a VN-Tag', 0x8926, vnTag(IP4)],
    ['an 802.1ah I-TAG', 0x88e7, pbbItag(IP4)],
    ['802.3 length with LLC/SNAP', 8 + IP4.length, llcSnap(IP4)],
  ])('Ethernet carrying %s, then IPv4', (_name, etherType, payload) => {
    const { r, d } = run(1, ethernet(payload, etherType));
    expect(r).toBe(DECODE_IP);
    expectTcp4(d);
  });

  it('a VLAN tag then MPLS then IPv6', () => {
    const { r, d } = run(1, ethernet(mplsStack(IP6, [100]), 0x8847, [{ tpid: ETHERTYPE_VLAN, vid: 7 }]));
    expect(r).toBe(DECODE_IP);
    expectTcp6(d);
  });
});

describe('IPv4', () => {
  it('options: the transport header starts after IHL*4 bytes', () => {
    // Router alert (RFC 2113, 4 bytes) plus NOP, NOP, EOL, pad: IHL 7 (28 bytes).
    const ip = ipv4({ src: C4, dst: S4, proto: PROTO_TCP, payload: SEG, options: Buffer.from([0x94, 0x04, 0x00, 0x00, 0x01, 0x01, 0x00]) });
    expect(ip[0]).toBe(0x47);
    const { r, d } = run(1, ethernet(ip));
    expect(r).toBe(DECODE_IP);
    expectTcp4(d);
  });

  it('an IHL below 5 is malformed', () => {
    const ip = Buffer.from(IP4);
    ip[0] = 0x44;
    expect(run(101, ip).r).toBe(DECODE_MALFORMED);
  });

  it('a later fragment: addresses and protocol, no ports; the first fragment has ports', () => {
    const dg = udp({ sport: 5000, dport: 53, payload: 40 }); // 48 bytes
    const first = ipv4({ src: C4, dst: S4, proto: PROTO_UDP, id: 0x4242, moreFragments: true, payload: dg.subarray(0, 24) });
    const later = ipv4({ src: C4, dst: S4, proto: PROTO_UDP, id: 0x4242, fragmentOffset: 24, payload: dg.subarray(24) });
    let { r, d } = run(101, first);
    expect(r).toBe(DECODE_IP);
    expect([d.firstFragment, d.laterFragment, d.fragId, d.hasPorts, d.sport, d.dport]).toEqual([true, false, 0x4242, true, 5000, 53]);
    ({ r, d } = run(101, later));
    expect(r).toBe(DECODE_IP);
    expect([d.firstFragment, d.laterFragment, d.fragId, d.proto, d.hasPorts, d.sport, d.dport]).toEqual([false, true, 0x4242, PROTO_UDP, false, 0, 0]);
  });

  it('later fragments join the flow of their first fragment and never start a flow', async () => {
    const dg = udp({ sport: 5000, dport: 53, payload: 3000 });
    const frag = (off: number, len: number, more: boolean, id = 7): Buffer =>
      ethernet(ipv4({ src: C4, dst: S4, proto: PROTO_UDP, id, fragmentOffset: off, moreFragments: more, payload: dg.subarray(off, off + len) }));
    const frames = [
      frag(0, 1480, true), frag(1480, 1480, true), frag(2960, 48, false), // one datagram in three fragments
      frag(1480, 1480, true, 99), // a later fragment whose first fragment was never captured
      ethernet(ipv4({ src: S4, dst: C4, proto: PROTO_UDP, payload: udp({ sport: 53, dport: 5000, payload: 10 }) })), // the reply
    ];
    const t = await trackCapture('pcap', pcapFile(frames.map((data, i) => ({ sec: 1000 + i, nsec: 0, data })), { linkType: 1 }));
    expect(t.tracker.ipPackets).toBe(5);
    expect(t.tracker.fragmentsAttributed).toBe(2);
    expect(t.tracker.fragmentsOrphaned).toBe(1);
    expect(t.flows.count).toBe(1);
    expect(t.tracker.udpFlows).toBe(1);
    expect([t.flows.packetsC2S[0], t.flows.packetsS2C[0]]).toEqual([3, 1]);
    expect([t.flows.clientPort[0], t.flows.serverPort[0]]).toEqual([5000, 53]);
    expect(t.flows.bytesC2S[0]).toBe(frames[0]!.length + frames[1]!.length + frames[2]!.length);
  });
});

describe('IPv6 extension headers', () => {
  const chain: Ipv6Ext[] = [{ type: 'hopByHop' }, { type: 'routing', bytes: 24 }, { type: 'fragment', offset: 0, more: false, id: 1 }, { type: 'destination', bytes: 16 }];

  it('hop-by-hop, routing, an atomic fragment header and destination options, then TCP', () => {
    const ip = ipv6({ src: C6, dst: S6, next: PROTO_TCP, payload: SEG, extensions: chain });
    expect(ip.length).toBe(40 + 8 + 24 + 8 + 16 + 120);
    const { r, d } = run(1, ethernet(ip));
    expect(r).toBe(DECODE_IP);
    expectTcp6(d);
    expect([d.firstFragment, d.laterFragment]).toEqual([false, false]);
  });

  it('authentication header (RFC 4302 length in 4-octet units) before UDP', () => {
    const ip = ipv6({ src: C6, dst: S6, next: PROTO_UDP, payload: udp({ sport: 500, dport: 4500, payload: 8 }), extensions: [{ type: 'hopByHop' }, { type: 'ah', bytes: 24 }] });
    const { r, d } = run(101, ip);
    expect(r).toBe(DECODE_IP);
    expect([d.proto, d.sport, d.dport, d.hasPorts]).toEqual([PROTO_UDP, 500, 4500, true]);
  });

  /** A TCP segment split after 24 bytes of (destination options + TCP), then the rest at offset 24. */
  function fragmented(): Buffer[] {
    const seg = tcp({ sport: 40001, dport: 1521, seq: 7, ack: 9, flags: TCP_ACK, payload: 200 });
    const dst = Buffer.alloc(16);
    dst[0] = PROTO_TCP; // next header after the destination options
    dst[1] = 1; // 16 bytes
    dst[2] = 1; dst[3] = 12; // PadN
    const fragmentable = Buffer.concat([dst, seg]); // 236 bytes: destination options are part of the fragmentable part
    const firstLen = 40;
    const first = ipv6({ src: C6, dst: S6, next: 60, payload: fragmentable.subarray(0, firstLen),
      extensions: [{ type: 'hopByHop' }, { type: 'routing', bytes: 24 }, { type: 'fragment', offset: 0, more: true, id: 0xabcdef01, next: 60 }] });
    const later = ipv6({ src: C6, dst: S6, next: 60, payload: fragmentable.subarray(firstLen),
      extensions: [{ type: 'hopByHop' }, { type: 'routing', bytes: 24 }, { type: 'fragment', offset: firstLen, more: false, id: 0xabcdef01, next: 60 }] });
    return [ethernet(first), ethernet(later)];
  }

  it('a first fragment: the chain continues past the fragment header to TCP', () => {
    const [first, later] = fragmented() as [Buffer, Buffer];
    let { r, d } = run(1, first);
    expect(r).toBe(DECODE_IP);
    expect([d.proto, d.firstFragment, d.laterFragment, d.fragId, d.sport, d.dport]).toEqual([PROTO_TCP, true, false, 0xabcdef01, 40001, 1521]);
    ({ r, d } = run(1, later));
    expect(r).toBe(DECODE_IP);
    expect([d.laterFragment, d.fragId, d.hasPorts]).toEqual([true, 0xabcdef01, false]);
  });

  // BUG (src/flows/tracker.ts packet / src/ingest/decode.ts decodeIpv6): the first fragment is keyed on
  // the upper-layer protocol (6), the later one on its fragment header's Next Header (60, the
  // destination options that start the fragmentable part, RFC 8200 section 4.5), so the later
  // fragment is counted as orphaned instead of joining the flow.
  it('a later fragment whose fragmentable part starts with destination options joins its flow', async () => {
    const frames = fragmented();
    const t = await trackCapture('pcap', pcapFile(frames.map((data, i) => ({ sec: 1000 + i, nsec: 0, data })), { linkType: 1 }));
    expect(t.tracker.fragmentsOrphaned).toBe(0);
    expect(t.tracker.fragmentsAttributed).toBe(1);
    expect(t.flows.count).toBe(1);
    expect(t.flows.packetsC2S[0]).toBe(2);
  });

  it('later fragments after a plain fragment header join their flow', async () => {
    const dg = udp({ sport: 5000, dport: 53, payload: 100 });
    const first = ipv6({ src: C6, dst: S6, next: PROTO_UDP, payload: dg.subarray(0, 56), extensions: [{ type: 'fragment', offset: 0, more: true, id: 5 }] });
    const later = ipv6({ src: C6, dst: S6, next: PROTO_UDP, payload: dg.subarray(56), extensions: [{ type: 'fragment', offset: 56, more: false, id: 5 }] });
    const t = await trackCapture('pcap', pcapFile([first, later].map((data, i) => ({ sec: 1000 + i, nsec: 0, data })), { linkType: 101 }));
    expect([t.tracker.fragmentsAttributed, t.tracker.fragmentsOrphaned, t.flows.count, t.flows.packetsC2S[0]]).toEqual([1, 0, 1, 2]);
    expect(t.flows.addresses[t.flows.clientAddr[0]!]).toBe('2001:db8::10');
    expect(t.flows.addresses[t.flows.serverAddr[0]!]).toBe('2001:db8:1::24');
  });
});

describe('TCP segment length', () => {
  it('comes from the IP total length, not the captured bytes (snaplen 64 of a 154-byte frame)', () => {
    const frame = ethernet(IP4);
    expect(frame.length).toBe(154);
    const { r, d } = run(1, frame, 64, 154);
    expect(r).toBe(DECODE_IP);
    expect(d.segLen).toBe(100);
    expect([d.sport, d.dport, d.seq]).toEqual([40001, 1521, 0x01020304]);
  });

  it('IPv6: from the payload length minus extension headers and TCP header', () => {
    const ip = ipv6({ src: C6, dst: S6, next: PROTO_TCP, payload: SEG, extensions: [{ type: 'hopByHop', bytes: 16 }] });
    const { d } = run(1, ethernet(ip), 14 + 40 + 16 + 20, 14 + ip.length); // headers only
    expect(d.segLen).toBe(100);
  });

  it('Ethernet padding after a short datagram is not data', () => {
    const ack = ipv4({ src: C4, dst: S4, proto: PROTO_TCP, payload: tcp({ sport: 40001, dport: 1521, seq: 1, ack: 1, flags: TCP_ACK }) });
    const { d } = run(1, ethernet(ack, undefined, [], 60));
    expect(d.segLen).toBe(0);
  });

  it('TCP options are not data (data offset 8 words)', () => {
    const syn = tcp({ sport: 40001, dport: 1521, seq: 1, flags: TCP_SYN, options: Buffer.from([2, 4, 0x05, 0xb4, 1, 1, 4, 2, 1, 3, 3, 7]) });
    const { d } = run(101, ipv4({ src: C4, dst: S4, proto: PROTO_TCP, payload: syn }));
    expect(d.segLen).toBe(0);
    expect(d.tcpFlags).toBe(TCP_SYN);
  });

  it('an IPv4 total length of 0 (TSO) runs to the end of the frame', () => {
    const ip = ipv4({ src: C4, dst: S4, proto: PROTO_TCP, payload: SEG, totalLength: 0 });
    expect(run(101, ip).d.segLen).toBe(100);
  });
});

describe('ICMP', () => {
  it('echo request and reply carry the identifier in both port fields', () => {
    let { d } = run(101, ipv4({ src: C4, dst: S4, proto: PROTO_ICMP, payload: icmp({ type: 8, id: 0x1234, seq: 1, payload: 56 }) }));
    expect([d.proto, d.icmpType, d.sport, d.dport, d.hasPorts]).toEqual([PROTO_ICMP, 8, 0x1234, 0x1234, true]);
    ({ d } = run(101, ipv6({ src: C6, dst: S6, next: PROTO_ICMPV6, payload: icmp({ type: 129, id: 0xbeef, seq: 1 }) })));
    expect([d.proto, d.icmpType, d.sport, d.dport]).toEqual([PROTO_ICMPV6, 129, 0xbeef, 0xbeef]);
  });

  it('an error message (destination unreachable) has no identifier: ports 0', () => {
    const { d } = run(101, ipv4({ src: S4, dst: C4, proto: PROTO_ICMP, payload: icmp({ type: 3, code: 3, id: 0x1111, payload: IP4.subarray(0, 28) }) }));
    expect([d.icmpType, d.icmpCode, d.sport, d.dport]).toEqual([3, 3, 0, 0]);
  });

  it('the echo identifier is the flow key: request and reply are one flow, another identifier another flow', async () => {
    const frames = [
      ipv4({ src: C4, dst: S4, proto: PROTO_ICMP, payload: icmp({ type: 8, id: 0x1234, seq: 1 }) }),
      ipv4({ src: S4, dst: C4, proto: PROTO_ICMP, payload: icmp({ type: 0, id: 0x1234, seq: 1 }) }),
      ipv4({ src: C4, dst: S4, proto: PROTO_ICMP, payload: icmp({ type: 8, id: 0x1234, seq: 2 }) }),
      ipv4({ src: S4, dst: C4, proto: PROTO_ICMP, payload: icmp({ type: 0, id: 0x1234, seq: 2 }) }),
      ipv4({ src: C4, dst: S4, proto: PROTO_ICMP, payload: icmp({ type: 8, id: 0x9999, seq: 1 }) }),
      ipv6({ src: C6, dst: S6, next: PROTO_ICMPV6, payload: icmp({ type: 128, id: 0x1234, seq: 1 }) }),
      ipv6({ src: S6, dst: C6, next: PROTO_ICMPV6, payload: icmp({ type: 129, id: 0x1234, seq: 1 }) }),
    ];
    const t = await trackCapture('pcap', pcapFile(frames.map((data, i) => ({ sec: 1000 + i, nsec: 0, data })), { linkType: 101 }));
    const fs = t.flows;
    expect(fs.count).toBe(3);
    expect(t.tracker.otherFlows).toBe(3);
    const rows = Array.from({ length: fs.count }, (_, i) => [fs.proto[i], fs.addresses[fs.clientAddr[i]!], fs.clientPort[i], fs.serverPort[i], fs.packetsC2S[i], fs.packetsS2C[i]]);
    rows.sort((a, b) => (a[0] as number) - (b[0] as number) || (a[2] as number) - (b[2] as number));
    expect(rows).toEqual([
      [1, '192.0.2.10', 0x1234, 0x1234, 2, 2],
      [1, '192.0.2.10', 0x9999, 0x9999, 1, 0],
      [58, '2001:db8::10', 0x1234, 0x1234, 1, 1],
    ]);
  });
});
