/**
 * The shared-parse read of one capture (src/read/ring-capture.ts, packet-ring.ts): a record
 * carries every field of Decoded the tracker reads, and the two trackers' merged result is the
 * one-thread read's (flows, gap distribution, tracker counters), however the address-pair
 * buckets are split between the threads (none, some or all on the parsing thread).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../helpers/cli.js';
import {
  ethernet, ipv4, ipv6, pcapngEpb, pcapngIdb, pcapngShb, pcapngSpb, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_SYN, tcp, tcpFrame, udp, udpFrame, usTicks,
} from '../helpers/pcapbuild.js';
import { Decoded } from '../../src/ingest/packet.js';
import { createPacketRing, RingReader, RingWriter } from '../../src/read/packet-ring.js';
import { readCaptureParallel } from '../../src/read/parallel-capture.js';
import { readInputs } from '../../src/read/inputs.js';
import { canonicalGapDistribution } from '../../src/flows/canonical.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/pcap/zeek-traces/smb_smb3_multichannel.pcap', import.meta.url));
const itCorpus = existsSync(CORPUS) ? it : it.skip;

/** The fields of Decoded the tracker and its callees read (src/read/packet-ring.ts's list). */
function trackedFields(d: Decoded): unknown[] {
  return [d.tsUs, d.family, d.family === 4 ? [d.src4, d.dst4] : [[...d.src6], [...d.dst6], d.src4, d.dst4], d.proto, d.hasPorts, d.sport, d.dport,
    d.laterFragment, d.firstFragment, d.moreFragments, d.fragId, d.tcpFlags, d.seq, d.ack, d.window, d.segLen, d.tcpStream, d.tcpAnalyse, d.tcpFlagsVisible];
}

describe('the packet ring', () => {
  it('gives back every field the tracker reads, the wire length and the window start', () => {
    const ring = createPacketRing();
    const writer = new RingWriter(ring);
    const sent: Array<{ fields: unknown[]; wireLen: number; windowStartUs: number }> = [];
    for (let i = 0; i < 5000; i++) {
      const d = new Decoded();
      d.tsUs = i % 97 === 0 ? Number.NaN : 1_700_000_000_000_000 + i * 1234.5;
      d.family = i % 3 === 0 ? 6 : 4;
      if (d.family === 6) {
        d.src6.set([0x20010db8, i, 0xffffffff, 0x80000000 + i]);
        d.dst6.set([0xfe800000, 0, 1, i * 7]);
        d.src4 = d.src6[3]!;
        d.dst4 = d.dst6[3]!;
      } else {
        d.src4 = (0xc0a80000 + i) >>> 0;
        d.dst4 = 0xffffffff - i;
      }
      d.proto = [6, 17, 1, 58, 44, 136][i % 6]!;
      d.hasPorts = i % 5 !== 0;
      d.sport = (i * 13) & 0xffff;
      d.dport = 65535 - (i & 0xff);
      d.laterFragment = i % 7 === 0;
      d.firstFragment = i % 11 === 0;
      d.moreFragments = i % 4 === 0;
      d.fragId = (0xfffffff0 + i) >>> 0;
      d.tcpFlags = i & 0xff;
      d.seq = (0xfffff000 + i * 3) >>> 0;
      d.ack = (i * 100_003) >>> 0;
      d.window = (i * 31) & 0xffff;
      d.segLen = i % 9 === 0 ? -12 : i;
      d.tcpStream = i % 2 === 0;
      d.tcpAnalyse = i % 3 === 1;
      d.tcpFlagsVisible = i % 6 === 5;
      const window = { windowStartUs: i % 50 === 0 ? Number.NaN : 1_600_000_000_000_000 - i };
      writer.write(d, 60 + i, window);
      sent.push({ fields: trackedFields(d), wireLen: 60 + i, windowStartUs: window.windowStartUs });
    }
    writer.close(1, 2);
    const reader = new RingReader(ring);
    const d = new Decoded();
    const window = { windowStartUs: 0 };
    let k = 0;
    for (let n = reader.nextSlot(); n >= 0; n = reader.nextSlot()) {
      for (let i = 0; i < n; i++, k++) {
        const wireLen = reader.fill(i, d);
        reader.fillWindowStart(i, window);
        expect({ fields: trackedFields(d), wireLen, windowStartUs: window.windowStartUs }).toEqual(sent[k]);
      }
      reader.release();
    }
    expect(k).toBe(sent.length);
    expect(reader.finalWindow()).toEqual([1, 2]);
  });
});

/**
 * A pcapng capture of many IPv4 and IPv6 address pairs: TCP sessions and UDP exchanges, IPv4 and
 * IPv6 fragments, and untimed packets (simple packet blocks): TCP flows seen only untimed whose
 * port is reused by a new SYN right after a timed packet of another pair moved the start of the
 * window, so that the superseded flow takes the window start of that moment as its first time.
 */
function generated(): Buffer {
  const blocks: Buffer[] = [pcapngShb(), pcapngIdb(1)];
  const at = (sec: number, data: Buffer): void => { blocks.push(pcapngEpb(0, usTicks(Math.floor(sec), Math.round((sec % 1) * 1e6)), data)); };
  const untimed = (data: Buffer): void => { blocks.push(pcapngSpb(data)); };
  for (let f = 0; f < 60; f++) {
    const v6 = f % 3 === 0;
    const c = v6 ? `2001:db8::${(f + 1).toString(16)}` : `10.1.${f % 5}.${f + 1}`;
    const s = v6 ? `2001:db8:1::${(f % 7) + 1}` : `192.0.2.${(f % 9) + 1}`;
    const t0 = 1_700_000_000 + f;
    at(t0, tcpFrame({ src: c, dst: s, sport: 30000 + f, dport: 443, seq: 10, flags: TCP_SYN }));
    at(t0 + 0.5, tcpFrame({ src: s, dst: c, sport: 443, dport: 30000 + f, seq: 90, ack: 11, flags: TCP_SYN | TCP_ACK }));
    at(t0 + 30 + f, tcpFrame({ src: c, dst: s, sport: 30000 + f, dport: 443, seq: 11, ack: 91, flags: TCP_ACK, payload: 20 }));
    at(t0 + 2, udpFrame({ src: c, dst: s, sport: 5000 + f, dport: 53, payload: 12 }));
    at(t0 + 70, udpFrame({ src: s, dst: c, sport: 53, dport: 5000 + f, payload: 40 }));
    const seg = tcp({ sport: 40000 + f, dport: 80, seq: 1, flags: TCP_ACK, payload: 64 });
    if (v6) {
      const frag = (offset: number, more: boolean, payload: Buffer): Buffer => ethernet(ipv6({ src: c, dst: s, next: PROTO_TCP, payload,
        extensions: [{ type: 'fragment', offset, more, id: 0x10000 + f }] }));
      at(t0 + 3, frag(0, true, seg.subarray(0, 48)));
      at(t0 + 3, frag(48, false, seg.subarray(48)));
    } else {
      at(t0 + 3, ethernet(ipv4({ src: c, dst: s, proto: PROTO_TCP, payload: seg.subarray(0, 48), id: 500 + f, moreFragments: true })));
      at(t0 + 3, ethernet(ipv4({ src: c, dst: s, proto: PROTO_TCP, payload: seg.subarray(48), id: 500 + f, fragmentOffset: 48 })));
    }
  }
  for (let j = 0; j < 40; j++) {
    const c = `172.16.${j}.1`, s = `198.51.100.${j + 1}`;
    untimed(tcpFrame({ src: c, dst: s, sport: 1234, dport: 22, seq: 100, flags: TCP_SYN }));
    // A timed packet earlier than any so far, on another pair: the window starts earlier.
    at(1_699_999_000 - j, ethernet(ipv4({ src: `203.0.113.${j + 1}`, dst: '203.0.113.250', proto: PROTO_UDP, payload: udp({ sport: 9, dport: 9 }) })));
    untimed(tcpFrame({ src: c, dst: s, sport: 1234, dport: 22, seq: 7000, flags: TCP_SYN }));
  }
  return Buffer.concat(blocks);
}

/** The one-thread read against the ring read with `mainBuckets` of 16 on the parsing thread. */
async function expectSameAsOneThread(path: string, mainBuckets: number): Promise<void> {
  const one = await readInputs([path], { threads: 1 });
  const two = await readCaptureParallel(path, 2, { tracker: {}, ringMainBuckets: mainBuckets });
  expect(two, `${path} with ${mainBuckets}/16 on the parsing thread fell back`).not.toBeNull();
  expect(two!.flows).toEqual(one.flows);
  // (one tracker's censored observations in finishing order; the canonical form sorts them)
  expect(two!.distribution).toEqual(canonicalGapDistribution(one.distribution));
  expect(two!.stats).toEqual(one.tracker);
  expect(two!.summary).toEqual(one.inputs[0]);
}

describe('a capture read through the ring gives the one-thread flows', () => {
  let dir = '';
  beforeAll(() => {
    ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'fwtp-ring-'));
    return () => rmSync(dir, { recursive: true, force: true });
  });

  it('a generated pcapng (IPv4, IPv6, fragments, untimed flows), however the buckets are split', async () => {
    const path = join(dir, 'mixed.pcapng');
    writeFileSync(path, generated());
    const one = await readInputs([path], { threads: 1 });
    expect(one.flows.count).toBeGreaterThan(200);
    expect(one.tracker.fragmentsAttributed).toBe(60);
    for (const mainBuckets of [0, 5, 8, 16]) await expectSameAsOneThread(path, mainBuckets);
  }, 60_000);

  itCorpus('a corpus capture', async () => {
    await expectSameAsOneThread(CORPUS, 5);
  }, 60_000);
});
