/**
 * Seed captures for the fuzzer, built byte by byte with test/helpers/pcapbuild.ts so that every
 * structure the readers know appears at least once: the link types fwtp decodes, 802.1Q tags,
 * IPv4 options and fragments, IPv6 extension headers and fragments, TCP keep-alives, UDP, ICMP;
 * pcapng in both byte orders, with if_tsresol / if_tsoffset, EPB, SPB, OPB, an unknown block
 * type and two sections.
 */
import {
  arcnetLinux, cHdlc, ethernet, fddi, icmp, ipoib, ipv4, ipv6, loopLink, mplsStack, nflog, nullLink, nsTicks, pcapFile,
  pcapngBlock, pcapngEpb, pcapngIdb, pcapngOpb, pcapngShb, pcapngSpb, ppp, pppoeSession, sll, sll2, tcp, udp, usTicks,
  PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, type PcapRecord,
} from '../helpers/pcapbuild.js';

const T0 = 1_700_000_000;
const C = '192.0.2.10';
const S = '198.51.100.24';
const C6 = '2001:db8:1::10';
const S6 = '2001:db8:2::24';

function rec(seconds: number, data: Buffer, wireLen?: number): PcapRecord {
  const us = Math.round(seconds * 1e6);
  return { sec: T0 + Math.floor(us / 1e6), nsec: (us % 1e6) * 1000, data, wireLen };
}

/** A TCP session with keep-alives (probe one byte before the next sequence number, and its ACK). */
function keepAliveSession(v6: boolean): Buffer[] {
  const ip = (src: string, dst: string, seg: Buffer): Buffer =>
    (v6 ? ipv6({ src, dst, next: PROTO_TCP, payload: seg }) : ipv4({ src, dst, proto: PROTO_TCP, payload: seg }));
  const [c, s] = v6 ? [C6, S6] : [C, S];
  const c2s = (seq: number, ack: number, flags: number, payload = 0): Buffer => ip(c, s, tcp({ sport: 40001, dport: 1521, seq, ack, flags, payload, window: 502 }));
  const s2c = (seq: number, ack: number, flags: number, payload = 0): Buffer => ip(s, c, tcp({ sport: 1521, dport: 40001, seq, ack, flags, payload, window: 509 }));
  return [
    c2s(1000, 0, TCP_SYN), s2c(5000, 1001, TCP_SYN | TCP_ACK), c2s(1001, 5001, TCP_ACK),
    c2s(1001, 5001, TCP_PSH | TCP_ACK, 100), s2c(5001, 1101, TCP_PSH | TCP_ACK, 50), c2s(1101, 5051, TCP_ACK),
    s2c(5050, 1101, TCP_ACK), c2s(1101, 5051, TCP_ACK), c2s(1100, 5051, TCP_ACK, 1), s2c(5051, 1101, TCP_ACK),
    c2s(1101, 5051, TCP_FIN | TCP_ACK), s2c(5051, 1102, TCP_FIN | TCP_ACK), c2s(1102, 5052, TCP_ACK),
  ];
}

function mixedIp(): Buffer[] {
  return [
    ipv4({ src: C, dst: '192.0.2.53', proto: PROTO_UDP, payload: udp({ sport: 5353, dport: 53, payload: 20 }) }),
    ipv4({ src: C, dst: S, proto: PROTO_ICMP, payload: icmp({ type: 8, id: 7, seq: 1 }) }),
    ipv6({ src: C6, dst: S6, next: PROTO_ICMPV6, payload: icmp({ type: 128, id: 9, seq: 1 }) }),
    ipv4({ src: C, dst: S, proto: PROTO_UDP, id: 77, moreFragments: true, payload: udp({ sport: 4000, dport: 4001, payload: 64 }).subarray(0, 40) }),
    ipv4({ src: C, dst: S, proto: PROTO_UDP, id: 77, fragmentOffset: 40, payload: Buffer.alloc(32, 1) }),
    ipv4({ src: C, dst: S, proto: PROTO_TCP, options: Buffer.from([1, 1, 1, 0]), payload: tcp({ sport: 1, dport: 2, seq: 1, flags: TCP_ACK }) }),
    ipv6({ src: C6, dst: S6, next: PROTO_UDP, extensions: [{ type: 'hopByHop' }, { type: 'destination', bytes: 16 }], payload: udp({ sport: 53, dport: 53, payload: 8 }) }),
    ipv6({ src: C6, dst: S6, next: PROTO_TCP, extensions: [{ type: 'fragment', offset: 0, more: true, id: 5 }], payload: tcp({ sport: 3, dport: 4, seq: 9, flags: TCP_SYN }) }),
    ipv6({ src: C6, dst: S6, next: PROTO_TCP, extensions: [{ type: 'fragment', offset: 24, more: false, id: 5, next: PROTO_TCP }], payload: Buffer.alloc(16) }),
    ipv4({ src: C, dst: S, proto: 47, payload: Buffer.alloc(8) }),
  ];
}

/** Classic pcap seeds: several link types, byte orders and timestamp resolutions. */
export function pcapSeeds(): Buffer[] {
  const ka4 = keepAliveSession(false);
  const ka6 = keepAliveSession(true);
  const mixed = mixedIp();
  const times = (frames: Buffer[], step = 1): PcapRecord[] => frames.map((f, i) => rec(i * step + (i > 5 ? 7200 : 0), f));
  return [
    pcapFile(times(ka4.map((p) => ethernet(p))), { linkType: 1 }),
    pcapFile(times(ka6.map((p) => ethernet(p, undefined, [{ tpid: 0x8100, vid: 10 }, { tpid: 0x88a8, vid: 20 }]))), { linkType: 1, nanos: true, bigEndian: true }),
    pcapFile(times(mixed.map((p) => ethernet(p))), { linkType: 1, snapLen: 64 }),
    pcapFile(times(mixed.map((p) => sll(p))), { linkType: 113 }),
    pcapFile(times(mixed.map((p) => sll2(p))), { linkType: 276, nanos: true }),
    pcapFile(times(ka4), { linkType: 101 }),
    pcapFile(times(mixed.map((p) => nullLink(p, p[0]! >> 4 === 6 ? 30 : 2, true))), { linkType: 0 }),
    pcapFile(times(mixed.map((p) => loopLink(p, p[0]! >> 4 === 6 ? 24 : 2))), { linkType: 108, bigEndian: true }),
    pcapFile(times(mixed.map((p) => ppp(p, { hdlc: true }))), { linkType: 9 }),
    pcapFile(times(mixed.map((p) => cHdlc(p))), { linkType: 104 }),
    pcapFile(times(mixed.map((p) => fddi(p))), { linkType: 10 }),
    pcapFile(times(mixed.map((p) => ipoib(p))), { linkType: 242 }),
    pcapFile(times(mixed.map((p) => arcnetLinux(p))), { linkType: 129 }),
    pcapFile(times(mixed.map((p) => nflog(p))), { linkType: 239 }),
    pcapFile(times(mixed.map((p) => ethernet(pppoeSession(p), 0x8864))), { linkType: 1 }),
    pcapFile(times(mixed.map((p) => ethernet(mplsStack(p, [16, 17]), 0x8847))), { linkType: 1 }),
    // Truncated frames: wire length above the captured bytes.
    pcapFile(ka4.map((p, i) => rec(i, ethernet(p).subarray(0, 40), ethernet(p).length)), { linkType: 1 }),
  ];
}

/** pcapng seeds. */
export function pcapngSeeds(): Buffer[] {
  const ka4 = keepAliveSession(false).map((p) => ethernet(p));
  const mixed = mixedIp().map((p) => ethernet(p));
  const le = Buffer.concat([
    pcapngShb(),
    pcapngIdb(1, { snapLen: 262144, tsresol: 9, tsoffsetSeconds: 10n }),
    pcapngIdb(101, { tsresol: 0x80 | 20 }),
    ...ka4.map((f, i) => pcapngEpb(0, nsTicks(T0 + i * 600, 1000 * i), f)),
    pcapngSpb(mixed[0]),
    pcapngOpb(0, nsTicks(T0 + 9000, 5), mixed[1]),
    pcapngBlock(0x0bad, Buffer.alloc(12, 0x42)),
    ...mixed.slice(2).map((f, i) => pcapngEpb(0, nsTicks(T0 + 9100 + i, 0), f, { wireLen: f.length + 10 })),
  ]);
  const be = Buffer.concat([
    pcapngShb({ bigEndian: true }),
    pcapngIdb(1, { bigEndian: true }),
    ...ka4.map((f, i) => pcapngEpb(0, usTicks(T0 + i, 0), f, { bigEndian: true })),
  ]);
  return [le, be, Buffer.concat([le, be]), Buffer.concat([pcapngShb(), pcapngIdb(1), ...mixed.map((f) => pcapngSpb(f))])];
}
