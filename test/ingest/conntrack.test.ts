/**
 * Conntrack readers: every file of the kernel 6.18 corpus (expected counts checked with grep/awk,
 * commands in the comments), agreement between the output forms of the same table, series and
 * events, every line layout, errors with their positions, and series/events as flows.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { conntrackFlows } from '../../src/flows/conntrack-flows.js';
import {
  ENDED_CLOSE, ENDED_OPEN, ENDED_REMOVED, ENDED_TIMEOUT, parseTimestampLine, readConntrack, sniffConntrack,
  type ConntrackEntry, type ConntrackInput,
} from '../../src/ingest/conntrack.js';
import { FlowEnd, FlowStart, GAP_INTERVAL_CENSORED_BIT, PacketKind, gapKind, gapState } from '../../src/flows/types.js';
import { FlowState } from '../../src/util/protocols.js';
import { getPlatform } from '../../src/model/platforms.js';
import { FwtpError } from '../../src/util/errors.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/conntrack/kernel-6.18/', import.meta.url));
const haveCorpus = existsSync(CORPUS);
if (!haveCorpus) console.warn(`corpus absent (${CORPUS}): conntrack corpus tests skipped`);
const describeCorpus = haveCorpus ? describe : describe.skip;

/** The content as chunks of `size` bytes (lines cut anywhere). */
async function* chunked(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let p = 0; p < buf.length; p += size) yield buf.subarray(p, Math.min(buf.length, p + size));
}

function readText(text: string, opts: { strict?: boolean; at?: number } = {}, name = 'test.txt', size = 1 << 20): Promise<ConntrackInput> {
  return readConntrack(name, chunked(Buffer.from(text, 'latin1'), size), opts);
}

function readCorpus(file: string, size = 1 << 20, opts: { strict?: boolean; at?: number } = {}): Promise<ConntrackInput> {
  return readConntrack(file, chunked(readFileSync(CORPUS + file), size), opts);
}

async function errorOf(p: Promise<unknown>): Promise<FwtpError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(FwtpError);
    return err as FwtpError;
  }
  throw new Error('expected an FwtpError');
}

function countBy<T>(items: T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of items) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

function sum(entries: ConntrackEntry[], f: (e: ConntrackEntry) => number): number {
  return entries.reduce((n, e) => n + f(e), 0);
}

describe('parseTimestampLine', () => {
  it('reads date +%s, +%s.%N and -Is, alone or behind #', () => {
    expect(parseTimestampLine('1795550618')).toBe(1795550618);
    expect(parseTimestampLine('1795550618.832678840')).toBeCloseTo(1795550618.83267884, 6);
    expect(parseTimestampLine('# 1795550618.5')).toBe(1795550618.5);
    expect(parseTimestampLine('# 2026-11-24T20:03:58+00:00')).toBe(1795550638);
    expect(parseTimestampLine('2026-11-24T21:03:58+01:00')).toBe(1795550638);
    expect(parseTimestampLine('2026-11-24T20:03:58Z')).toBe(1795550638);
    expect(parseTimestampLine('2026-11-24T15:03:58,250000000-0500')).toBe(1795550638.25);
  });
  it('refuses what is not a time', () => {
    expect(parseTimestampLine('1521')).toBeNull(); // a port, not a time
    expect(parseTimestampLine('# a comment')).toBeNull();
    expect(parseTimestampLine('2026-11-24T20:03:58')).toBeNull(); // no zone: ambiguous
    expect(parseTimestampLine('2026-13-24T20:03:58Z')).toBeNull();
  });
});

describe('sniffConntrack', () => {
  it('recognises each form by its content', () => {
    expect(sniffConntrack('tcp      6 598 ESTABLISHED src=192.0.2.10 dst=198.51.100.24 sport=1 dport=2 src=198.51.100.24 dst=192.0.2.10 sport=2 dport=1\n')).toBe('conntrack-list');
    expect(sniffConntrack('ipv4     2 unknown  47 599 src=192.0.2.10 dst=198.51.100.24 src=198.51.100.24 dst=192.0.2.10\n')).toBe('conntrack-list');
    expect(sniffConntrack('1795550618.832678840\nipv4     2 udp      17 26 src=192.0.2.10 dst=198.51.100.24 sport=1 dport=53\n')).toBe('conntrack-list');
    expect(sniffConntrack('# 2026-11-24T20:03:58+00:00\n# 2026-11-24T20:04:01+00:00\n')).toBe('conntrack-list');
    expect(sniffConntrack('<?xml version="1.0" encoding="utf-8"?>\n<conntrack>\n')).toBe('conntrack-xml');
    expect(sniffConntrack('    [NEW] tcp      6 120 SYN_SENT src=192.0.2.10 dst=198.51.100.24 sport=1 dport=2\n')).toBe('conntrack-events');
    expect(sniffConntrack('[1795550609.927337]\t [UPDATE] icmp     1 30 src=192.0.2.10 dst=198.51.100.24\n')).toBe('conntrack-events');
    expect(sniffConntrack('net.netfilter.nf_conntrack_tcp_timeout_established = 600\n')).toBe('sysctl');
    expect(sniffConntrack('/proc/sys/net/netfilter/nf_conntrack_max:262144\n')).toBe('sysctl');
  });
  it('returns null for anything else', () => {
    expect(sniffConntrack('')).toBeNull();
    expect(sniffConntrack('ts,src,dst\n1,2,3\n')).toBeNull();
    expect(sniffConntrack('#fields\tts\tuid\n')).toBeNull();
  });
});

describeCorpus('kernel 6.18 corpus: every file reads without a skipped line', () => {
  // wc -l of each file; formats by content.
  const files: Array<[string, string, number]> = [
    ['events-plain.txt', 'conntrack-events', 163], ['events-timestamp.txt', 'conntrack-events', 163],
    ['list-extended-timestamp-id.txt', 'conntrack-list', 38], ['list-extended.txt', 'conntrack-list', 38],
    ['list-ipv6.txt', 'conntrack-list', 15], ['list-plain.txt', 'conntrack-list', 38], ['list.xml', 'conntrack-xml', 41],
    ['proc-nf_conntrack.txt', 'conntrack-list', 38], ['series-epoch.txt', 'conntrack-list', 178],
    ['series-iso.txt', 'conntrack-list', 89], ['sysctl-netfilter.txt', 'sysctl', 53],
  ];
  it.each(files)('%s', async (file, format, lines) => {
    const input = await readCorpus(file, 4096, { strict: true });
    expect(input.format).toBe(format);
    expect(input.linesRead).toBe(lines);
    expect(input.skippedCount).toBe(0);
    expect(input.skipped).toEqual([]);
  });
});

describeCorpus('kernel 6.18 corpus: listings', () => {
  // grep -c 'src=2001' = 15; grep -c UNREPLIED = 3; grep -c ASSURED = 24; awk over packets=/bytes=/delta-time=.
  const listings: Array<[string, number]> = [
    ['list-plain.txt', 180], ['list-extended.txt', 180], ['list-extended-timestamp-id.txt', 180], ['proc-nf_conntrack.txt', 174],
  ];
  it.each(listings)('%s: protocols, states, flags, counters', async (file, deltaSum) => {
    const input = await readCorpus(file);
    expect(input.snapshots).toHaveLength(1);
    expect(input.snapshots[0]!.atSeconds).toBeNull();
    const entries = input.snapshots[0]!.table.entries();
    expect(entries).toHaveLength(38);
    expect(countBy(entries, (e) => e.protoName)).toEqual({ tcp: 24, udp: 12, icmp: 1, icmpv6: 1 });
    expect(countBy(entries.filter((e) => e.proto === 6), (e) => e.state!)).toEqual({ ESTABLISHED: 12, TIME_WAIT: 7, CLOSE: 5 });
    expect(entries.filter((e) => e.family === 6)).toHaveLength(15);
    expect(entries.filter((e) => e.unreplied)).toHaveLength(3);
    expect(entries.filter((e) => e.assured)).toHaveLength(24);
    expect(sum(entries, (e) => e.packets![0] + e.packets![1])).toBe(308);
    expect(sum(entries, (e) => e.bytes![0] + e.bytes![1])).toBe(19446);
    expect(sum(entries, (e) => e.deltaSeconds!)).toBe(deltaSum);
    expect(entries.every((e) => e.mark === 0)).toBe(true);
    // Every IPv6 address in RFC 5952 form, also from /proc's full form (2001:0db8:0001:...).
    expect(new Set(entries.flatMap((e) => [e.src, e.dst]))).toEqual(new Set(['192.0.2.10', '198.51.100.24', '2001:db8:1::10', '2001:db8:2::24']));
  });

  it('list-plain.txt: the first entry field by field', async () => {
    const e = (await readCorpus('list-plain.txt')).snapshots[0]!.table.entry(0);
    expect(e).toEqual({
      line: 1, family: 4, proto: 17, protoName: 'udp', timeoutSeconds: 26, state: null, unreplied: false, assured: false,
      offload: false, hwOffload: false, userspace: false, src: '192.0.2.10', dst: '198.51.100.24', sport: 48086, dport: 53,
      replySrc: '198.51.100.24', replyDst: '192.0.2.10', replySport: 53, replyDport: 48086, icmpType: null, icmpCode: null,
      packets: [1, 1], bytes: [33, 37], mark: 0, zone: null, use: 1, id: null, deltaSeconds: 3, secctx: null,
    });
  });

  it('ICMP and ICMPv6: type, code and identifier', async () => {
    const entries = (await readCorpus('list-extended.txt')).snapshots[0]!.table.entries();
    const icmp = entries.filter((e) => e.proto === 1 || e.proto === 58).map((e) => [e.protoName, e.icmpType, e.icmpCode, e.sport, e.replySport, e.timeoutSeconds]);
    expect(icmp).toEqual([['icmp', 8, 0, 27100, 27100, 21], ['icmpv6', 128, 0, 27137, 27137, 21]]);
  });

  it('/proc/net/nf_conntrack: zone and use', async () => {
    const entries = (await readCorpus('proc-nf_conntrack.txt')).snapshots[0]!.table.entries();
    expect(entries.every((e) => e.zone === 0 && e.use === 2)).toBe(true);
  });

  it('list-ipv6.txt: 15 IPv6 entries', async () => {
    const entries = (await readCorpus('list-ipv6.txt')).snapshots[0]!.table.entries();
    expect(entries.map((e) => e.family)).toEqual(new Array(15).fill(6));
    expect(countBy(entries, (e) => `${e.protoName}${e.state ? ` ${e.state}` : ''}`)).toEqual({ udp: 6, 'tcp ESTABLISHED': 1, 'tcp TIME_WAIT': 7, icmpv6: 1 });
  });

  it('plain, extended and extended with ids agree entry by entry', async () => {
    const plain = (await readCorpus('list-plain.txt')).snapshots[0]!.table.entries();
    const ext = (await readCorpus('list-extended.txt')).snapshots[0]!.table.entries();
    const withId = (await readCorpus('list-extended-timestamp-id.txt')).snapshots[0]!.table.entries();
    expect(ext).toEqual(plain);
    expect(withId.map((e) => ({ ...e, id: null }))).toEqual(plain);
    expect(new Set(withId.map((e) => e.id)).size).toBe(38);
    expect(withId[0]!.id).toBe(3591534829);
  });

  it('XML and extended,id agree entry by entry (XML has no ICMP type, code or identifier)', async () => {
    const xml = (await readCorpus('list.xml', 1000)).snapshots[0]!.table.entries();
    const ext = (await readCorpus('list-extended-timestamp-id.txt')).snapshots[0]!.table.entries();
    expect(xml).toHaveLength(38);
    const byId = new Map(ext.map((e) => [e.id, e]));
    let compared = 0;
    for (const x of xml) {
      const e = byId.get(x.id)!;
      expect(e).toBeDefined();
      const icmp = x.proto === 1 || x.proto === 58;
      const strip = (r: ConntrackEntry): object => icmp
        ? { ...r, line: 0, sport: 0, dport: 0, replySport: 0, replyDport: 0, icmpType: null, icmpCode: null }
        : { ...r, line: 0 };
      expect(strip(x)).toEqual(strip(e));
      compared++;
    }
    expect(compared).toBe(38);
    expect(xml.filter((e) => e.proto === 1)[0]).toMatchObject({ sport: 0, icmpType: null, timeoutSeconds: 21, id: 2708563805 });
  });

  it('reads the same with lines cut by chunk boundaries anywhere', async () => {
    for (const file of ['list-extended-timestamp-id.txt', 'list.xml', 'events-timestamp.txt', 'series-epoch.txt']) {
      const whole = await readCorpus(file);
      const cut = await readCorpus(file, 7);
      expect(cut.snapshots.map((s) => s.table.entries())).toEqual(whole.snapshots.map((s) => s.table.entries()));
      expect(cut.events?.lifetimes.entries.entries()).toEqual(whole.events?.lifetimes.entries.entries());
    }
  });
});

describeCorpus('kernel 6.18 corpus: series', () => {
  it('series-epoch.txt: five dumps after date +%s.%N lines', async () => {
    const s = await readCorpus('series-epoch.txt');
    // grep -n '^1795' series-epoch.txt; entries counted between the timestamp lines.
    expect(s.snapshots.map((x) => x.line)).toEqual([1, 40, 79, 113, 147]);
    expect(s.snapshots.map((x) => x.table.count)).toEqual([38, 38, 33, 33, 31]);
    const times = [1795550618.83267884, 1795550622.848479899, 1795550626.862726214, 1795550630.877971555, 1795550634.894674787];
    s.snapshots.forEach((x, k) => expect(x.atSeconds).toBeCloseTo(times[k]!, 6));
    expect(s.warnings).toEqual([]);
  });

  it('series-iso.txt: three dumps after # date -Is lines', async () => {
    const s = await readCorpus('series-iso.txt');
    expect(s.snapshots.map((x) => x.atSeconds)).toEqual([1795550638, 1795550641, 1795550644]);
    expect(s.snapshots.map((x) => x.table.count)).toEqual([30, 28, 28]);
    expect(s.snapshots.map((x) => x.line)).toEqual([1, 32, 61]);
  });

  it('--at places a dump without a timestamp line', async () => {
    const s = await readCorpus('list-plain.txt', 1 << 20, { at: 1795550610 });
    expect(s.snapshots[0]!.atSeconds).toBe(1795550610);
  });
});

describeCorpus('kernel 6.18 corpus: events', () => {
  it('events-plain.txt: counts, lifetimes, how entries ended, no times', async () => {
    const ev = (await readCorpus('events-plain.txt')).events!;
    // awk '{print $1}' | sort | uniq -c: 38 NEW, 115 UPDATE, 10 DESTROY (8 tcp in CLOSE, icmp, icmpv6).
    expect(ev.counts).toEqual({ new: 38, update: 115, destroy: 10 });
    expect(ev.timestamps).toBe(false);
    const L = ev.lifetimes;
    expect(L.entries.count).toBe(38);
    expect([...L.newSeen].every((x) => x === 1)).toBe(true);
    expect(countBy([...L.endedBy], (x) => String(x))).toEqual({ [ENDED_OPEN]: 28, [ENDED_CLOSE]: 8, [ENDED_TIMEOUT]: 2 });
    const timedOut = [...L.endedBy.keys()].filter((r) => L.endedBy[r] === ENDED_TIMEOUT).map((r) => L.entries.entry(r).protoName);
    expect(timedOut).toEqual(['icmp', 'icmpv6']);
    expect(Number.isNaN(ev.firstSeconds)).toBe(true);
  });

  it('events-timestamp.txt: times and lifetimes of the ICMP echo and a reset session', async () => {
    const ev = (await readCorpus('events-timestamp.txt')).events!;
    expect(ev.timestamps).toBe(true);
    expect(ev.counts).toEqual({ new: 38, update: 115, destroy: 10 });
    expect(ev.firstSeconds).toBeCloseTo(1795550609.927337, 6);
    expect(ev.lastSeconds).toBeCloseTo(1795550655.743374, 6);
    const L = ev.lifetimes;
    const row = (id: number): number => [...L.entries.id].indexOf(id);
    const icmp = row(2708563805);
    expect(L.firstSeconds[icmp]).toBeCloseTo(1795550609.927337, 6);
    expect(L.lastEventSeconds[icmp]).toBeCloseTo(1795550609.92741, 6);
    expect(L.destroySeconds[icmp]).toBeCloseTo(1795550641.937342, 6);
    expect(L.endedBy[icmp]).toBe(ENDED_TIMEOUT);
    expect(L.entries.entry(icmp)).toMatchObject({ packets: [3, 3], bytes: [252, 252], deltaSeconds: 31, timeoutSeconds: 30 });
    const rst = row(3921566136); // 51194: NEW, SYN_RECV, ESTABLISHED, CLOSE, DESTROY
    expect(L.eventCount[rst]).toBe(5);
    expect(L.endedBy[rst]).toBe(ENDED_CLOSE);
    expect(L.lastEventSeconds[rst]).toBeCloseTo(1795550615.127018, 6);
    expect(L.destroySeconds[rst]).toBeCloseTo(1795550626.868804, 6);
    expect(L.entries.entry(rst)).toMatchObject({ state: 'CLOSE', sport: 51194, packets: [7, 4], deltaSeconds: 12 });
    const open = row(2051295067); // 51148, last seen in TIME_WAIT at the end of the stream
    expect(L.endedBy[open]).toBe(ENDED_OPEN);
    expect(L.entries.entry(open).state).toBe('TIME_WAIT');
  });
});

describeCorpus('kernel 6.18 corpus: sysctl', () => {
  it('timeouts by state name and the raw values', async () => {
    const s = await readCorpus('sysctl-netfilter.txt');
    expect(s.sysctlTimeouts).toEqual({
      syn_sent: 120, syn_recv: 60, established: 600, fin_wait: 120, close_wait: 60, last_ack: 30, time_wait: 120, close: 10,
      udp_unreplied: 30, udp_replied: 120, icmp: 30, other: 600,
    });
    expect(s.sysctlRaw).toMatchObject({ nf_conntrack_max: 262144, nf_conntrack_buckets: 262144, nf_conntrack_sctp_timeout_established: 210, nf_conntrack_gre_timeout_stream: 180 });
    expect(s.sysctlRaw!['nf_log.0']).toBeUndefined();
    expect(s.warnings).toEqual([]);
  });
});

describe('line layouts', () => {
  const body = (proto: string): string => `src=192.0.2.10 dst=198.51.100.24 ${proto} src=198.51.100.24 dst=192.0.2.10`;
  it('sctp, dccp, gre, udplite and generic protocols', async () => {
    const text = [
      'sctp     132 204 ESTABLISHED src=192.0.2.10 dst=198.51.100.24 sport=5000 dport=38412 packets=10 bytes=1200 src=198.51.100.24 dst=192.0.2.10 sport=38412 dport=5000 packets=9 bytes=1100 [ASSURED] mark=0 use=1',
      'dccp     33 43190 OPEN src=192.0.2.10 dst=198.51.100.24 sport=5001 dport=5002 src=198.51.100.24 dst=192.0.2.10 sport=5002 dport=5001 [ASSURED] mark=0 use=1',
      'gre      47 175 src=192.0.2.10 dst=198.51.100.24 srckey=0x1a2b dstkey=0x0 src=198.51.100.24 dst=192.0.2.10 srckey=0x0 dstkey=0x1a2b [ASSURED] mark=0 use=1',
      'udplite  136 25 src=192.0.2.10 dst=198.51.100.24 sport=1000 dport=2000 [UNREPLIED] src=198.51.100.24 dst=192.0.2.10 sport=2000 dport=1000 mark=0 use=1',
      `unknown  50 590 ${body('')} mark=0 use=1`.replace('  src=198', ' src=198'),
    ].join('\n');
    const e = (await readText(text, { strict: true })).snapshots[0]!.table.entries();
    expect(e.map((x) => [x.protoName, x.proto, x.timeoutSeconds, x.state, x.sport, x.dport, x.replySport, x.replyDport, x.assured, x.unreplied])).toEqual([
      ['sctp', 132, 204, 'ESTABLISHED', 5000, 38412, 38412, 5000, true, false],
      ['dccp', 33, 43190, 'OPEN', 5001, 5002, 5002, 5001, true, false],
      ['gre', 47, 175, null, 0x1a2b, 0, 0, 0x1a2b, true, false],
      ['udplite', 136, 25, null, 1000, 2000, 2000, 1000, false, true],
      ['unknown', 50, 590, null, 0, 0, 0, 0, false, false],
    ]);
    expect(e[0]!.packets).toEqual([10, 9]);
  });

  it('/proc offloaded entries (no timeout), hardware offload, secctx, zones, ktimestamp, helper, labels, ids', async () => {
    const text = [
      'ipv4     2 tcp      6 ESTABLISHED src=192.0.2.10 dst=198.51.100.24 sport=40000 dport=443 packets=5 bytes=500 src=198.51.100.24 dst=192.0.2.10 sport=443 dport=40000 packets=4 bytes=400 [OFFLOAD] mark=0 zone=0 use=2',
      'ipv4     2 udp      17 src=192.0.2.10 dst=198.51.100.24 sport=4500 dport=4500 src=198.51.100.24 dst=192.0.2.10 sport=4500 dport=4500 [HW_OFFLOAD] mark=0 zone=0 use=2',
      'tcp      6 300 ESTABLISHED src=192.0.2.10 dst=198.51.100.24 sport=40001 dport=21 zone-orig=5 src=198.51.100.24 dst=192.0.2.10 sport=21 dport=40001 zone-reply=5 [ASSURED] mark=7 secmark=0 secctx=system_u:object_r:unlabeled_t:s0 delta-time=7 [start=Tue Nov 24 20:03:58 2026] [stop=Tue Nov 24 20:04:10 2026] helper=ftp use=1 id=42 labels=a,b',
      'ipv6     10 tcp      6 100 SYN_SENT2 src=2001:0db8:0001:0000:0000:0000:0000:0010 dst=::ffff:198.51.100.24 sport=1 dport=2 src=::ffff:198.51.100.24 dst=2001:0db8:0001:0000:0000:0000:0000:0010 sport=2 dport=1 mark=0 zone=9 use=1',
    ].join('\r\n');
    const e = (await readText(text, { strict: true })).snapshots[0]!.table.entries();
    expect(e[0]).toMatchObject({ timeoutSeconds: null, state: 'ESTABLISHED', offload: true, hwOffload: false, assured: false, zone: 0, use: 2, packets: [5, 4] });
    expect(e[1]).toMatchObject({ timeoutSeconds: null, offload: true, hwOffload: true, protoName: 'udp' });
    expect(e[2]).toMatchObject({ zone: 5, mark: 7, secctx: 'system_u:object_r:unlabeled_t:s0', deltaSeconds: 7, use: 1, id: 42, assured: true, packets: null });
    expect(e[3]).toMatchObject({ family: 6, state: 'SYN_SENT2', src: '2001:db8:1::10', dst: '::ffff:c633:6418', zone: 9 });
  });

  it('event lines: NEW, UPDATE, DESTROY with and without times and ids', async () => {
    const text = [
      '[1000.000001]\t    [NEW] tcp      6 120 SYN_SENT src=192.0.2.10 dst=198.51.100.24 sport=40000 dport=1521 [UNREPLIED] src=198.51.100.24 dst=192.0.2.10 sport=1521 dport=40000 id=1',
      '[1000.000002]\t [UPDATE] tcp      6 3600 ESTABLISHED src=192.0.2.10 dst=198.51.100.24 sport=40000 dport=1521 src=198.51.100.24 dst=192.0.2.10 sport=1521 dport=40000 [ASSURED] id=1',
      '[1000.500000]\t    [NEW] udp      17 30 src=192.0.2.10 dst=198.51.100.53 sport=5353 dport=53 [UNREPLIED] src=198.51.100.53 dst=192.0.2.10 sport=53 dport=5353 id=2',
      '[1031.000000]\t[DESTROY] udp      17 src=192.0.2.10 dst=198.51.100.53 sport=5353 dport=53 packets=1 bytes=60 [UNREPLIED] src=198.51.100.53 dst=192.0.2.10 sport=53 dport=5353 packets=0 bytes=0 delta-time=31 id=2',
      '[4600.000002]\t[DESTROY] tcp      6 ESTABLISHED src=192.0.2.10 dst=198.51.100.24 sport=40000 dport=1521 packets=9 bytes=900 src=198.51.100.24 dst=192.0.2.10 sport=1521 dport=40000 packets=8 bytes=800 [ASSURED] delta-time=3600 id=1',
      '[4601.000000]\t[DESTROY] tcp      6 TIME_WAIT src=192.0.2.10 dst=198.51.100.24 sport=40002 dport=1521 src=198.51.100.24 dst=192.0.2.10 sport=1521 dport=40002 [ASSURED] id=3',
      'conntrack v1.4.7 (conntrack-tools): 6 flow events have been shown.',
    ].join('\n');
    const input = await readText(text, { strict: true });
    const ev = input.events!;
    expect(ev.counts).toEqual({ new: 2, update: 1, destroy: 3 });
    const L = ev.lifetimes;
    expect(L.entries.count).toBe(3);
    expect([...L.endedBy]).toEqual([ENDED_TIMEOUT, ENDED_TIMEOUT, ENDED_CLOSE]);
    expect([...L.newSeen]).toEqual([1, 1, 0]);
    expect([...L.firstSeconds]).toEqual([1000.000001, 1000.5, 4601]);
    expect([...L.destroySeconds]).toEqual([4600.000002, 1031, 4601]);
    // A DESTROY prints no timeout: the last one shown stays.
    expect(L.entries.entry(0)).toMatchObject({ timeoutSeconds: 3600, state: 'ESTABLISHED', packets: [9, 8], deltaSeconds: 3600 });

    // As flows: the TCP entry expired 3600 s after its last packet; the UDP one 30 s after its first.
    const f = conntrackFlows([input], { established: 3600 }).flows;
    expect(f.count).toBe(3);
    expect([...f.firstUs]).toEqual([1000000001, 1000500000, 4601000000]);
    expect([...f.lastUs]).toEqual([1000000002, 1001000000, 4601000000]);
    expect([...f.end]).toEqual([FlowEnd.Open, FlowEnd.Open, FlowEnd.Fin]);
    expect([...f.endState]).toEqual([FlowState.Established, FlowState.UdpUnreplied, FlowState.TimeWait]);
    expect([...f.start]).toEqual([FlowStart.Syn, FlowStart.Datagram, FlowStart.MidStream]);
    expect([f.windowStartUs, f.windowEndUs]).toEqual([1000000001, 4601000000]);
  });

  it('conntrack -D: a DESTROY caused by user space, with time left, is a removal', async () => {
    // As conntrack 1.4.7 printed it in a namespace (test/ingest/conntrack-netns.test.ts makes the same).
    const text = [
      '[1795605085.114909]\t    [NEW] udp      17 30 src=192.0.2.10 dst=198.51.100.24 sport=47203 dport=53 [UNREPLIED] src=198.51.100.24 dst=192.0.2.10 sport=53 dport=47203 id=852641577',
      '[1795605085.441507]\t[DESTROY] udp      17 29 src=192.0.2.10 dst=198.51.100.24 sport=47203 dport=53 packets=1 bytes=29 [UNREPLIED] src=198.51.100.24 dst=192.0.2.10 sport=53 dport=47203 packets=0 bytes=0 delta-time=0 id=852641577 [USERSPACE] portid=2403923397',
      'conntrack v1.4.7 (conntrack-tools): 2 flow events have been shown.',
    ].join('\n');
    const input = await readText(text, { strict: true });
    const L = input.events!.lifetimes;
    expect(L.entries.entry(0)).toMatchObject({ userspace: true, timeoutSeconds: 29, id: 852641577, packets: [1, 0] });
    expect([...L.endedBy]).toEqual([ENDED_REMOVED]);
    const f = conntrackFlows([input], {}).flows;
    expect([...f.end]).toEqual([FlowEnd.Evicted]);
    expect(f.lastUs[0]).toBeCloseTo(1795605085.114909e6, 0);
    // While the deleting process still runs, conntrack names it last on the line.
    const named = await readText(text.replace('portid=2403923397', 'portid=2403923397 progname=conntrack'), { strict: true });
    expect(named.events!.lifetimes.endedBy[0]).toBe(ENDED_REMOVED);
  });

  it('an entry destroyed before its timeout could run out is removed, not expired', async () => {
    const text = [
      '[1000.0]\t    [NEW] udp      17 30 src=192.0.2.10 dst=198.51.100.53 sport=5353 dport=53 [UNREPLIED] src=198.51.100.53 dst=192.0.2.10 sport=53 dport=5353',
      '[1005.0]\t[DESTROY] udp      17 src=192.0.2.10 dst=198.51.100.53 sport=5353 dport=53 [UNREPLIED] src=198.51.100.53 dst=192.0.2.10 sport=53 dport=5353',
    ].join('\n');
    const r = conntrackFlows([await readText(text)], {});
    expect([...r.flows.end]).toEqual([FlowEnd.Evicted]);
    expect([...r.flows.lastUs]).toEqual([1000e6]);
    expect(r.warnings.some((w) => /1 entries were destroyed before their timeout/.test(w))).toBe(true);
  });
});

describe('errors and skipped lines', () => {
  const good = 'tcp      6 598 ESTABLISHED src=192.0.2.10 dst=198.51.100.24 sport=1 dport=2 src=198.51.100.24 dst=192.0.2.10 sport=2 dport=1 [ASSURED] mark=0 use=1';
  it('counts, skips and reports an unreadable line with its number', async () => {
    const input = await readText([good, 'tcp      6 598 ESTABLISHED src=192.0.2.10 dst=nonsense sport=1 dport=2', '', good, 'tcp 6 1 BOGUS src=192.0.2.10 dst=198.51.100.24 sport=1 dport=2 src=198.51.100.24 dst=192.0.2.10 sport=2 dport=1'].join('\n'));
    expect(input.snapshots[0]!.table.count).toBe(2);
    expect(input.skippedCount).toBe(2);
    expect(input.skipped).toEqual([
      { line: 2, reason: 'dst= is not an IPv4 or IPv6 address' },
      { line: 5, reason: 'unknown state "BOGUS"' },
    ]);
    expect(input.warnings[0]).toMatch(/^2 of 5 lines could not be read and were skipped \[CONNTRACK_UNPARSABLE_LINE\]/);
  });

  it('strict: the first unreadable line stops the file, with its position', async () => {
    const err = await errorOf(readText([good, good.replace('sport=1 ', 'sport=70000 ')].join('\n'), { strict: true }, 'ct.txt'));
    expect(err).toMatchObject({ code: 'CONNTRACK_UNPARSABLE_LINE', kind: 'input', file: 'ct.txt', line: 2 });
  });

  it('an event line in a listing is named as such', async () => {
    const input = await readText([good, '    [NEW] tcp      6 120 SYN_SENT src=192.0.2.10 dst=198.51.100.24 sport=1 dport=2 src=198.51.100.24 dst=192.0.2.10 sport=2 dport=1'].join('\n'));
    expect(input.skipped).toEqual([{ line: 2, reason: 'an event line (conntrack -E) in a listing' }]);
  });

  it('unknown content names the forms fwtp reads', async () => {
    const err = await errorOf(readText('hello world\nsecond line\n', {}, 'notes.txt'));
    expect(err).toMatchObject({ code: 'CONNTRACK_UNKNOWN_FORMAT', kind: 'input', file: 'notes.txt', line: 1 });
    expect(err.message).toMatch(/conntrack -L.*\/proc\/net\/nf_conntrack.*-o xml.*conntrack -E.*sysctl/);
    const empty = await errorOf(readText('', {}, 'empty.txt'));
    expect(empty.code).toBe('CONNTRACK_UNKNOWN_FORMAT');
  });

  it('a line over 64 KiB stops the file', async () => {
    const err = await errorOf(readText(`${good}\n${'x'.repeat(70000)}\n`, {}, 'big.txt', 4096));
    expect(err).toMatchObject({ code: 'CONNTRACK_LINE_TOO_LONG', kind: 'input', file: 'big.txt', line: 2 });
  });

  it('XML events are refused with the reason', async () => {
    const input = await readText('<?xml version="1.0" encoding="utf-8"?>\n<conntrack>\n<flow type="new"><meta direction="original"><layer3 protonum="2" protoname="ipv4"><src>192.0.2.10</src><dst>198.51.100.24</dst></layer3><layer4 protonum="17" protoname="udp"><sport>1</sport><dport>2</dport></layer4></meta><meta direction="reply"><layer3 protonum="2" protoname="ipv4"><src>198.51.100.24</src><dst>192.0.2.10</dst></layer3><layer4 protonum="17" protoname="udp"><sport>2</sport><dport>1</dport></layer4></meta></flow>\n<flow><meta direction="original"><layer3 protonum="2" protoname="ipv4"><src>192.0.2.10</src><dst>198.51.100.24</dst></layer3><layer4 protonum="17" protoname="udp"><sport>1</sport><dport>2</dport></layer4></meta><meta direction="reply"><layer3 protonum="2" protoname="ipv4"><src>198.51.100.24</src><dst>192.0.2.10</dst></layer3><layer4 protonum="17" protoname="udp"><sport>2</sport><dport>1</dport></layer4></meta></flow>\n</conntrack>\n');
    expect(input.snapshots[0]!.table.count).toBe(1);
    expect(input.skipped[0]!.line).toBe(3);
    expect(input.skipped[0]!.reason).toMatch(/conntrack -E -o timestamp/);
  });

  it('a <flow> spread over several lines is gathered', async () => {
    const xml = '<conntrack>\n<flow>\n  <meta direction="original"><layer3 protonum="2" protoname="ipv4"><src>192.0.2.10</src>\n<dst>198.51.100.24</dst></layer3><layer4 protonum="6" protoname="tcp"><sport>1</sport><dport>2</dport></layer4></meta>\n  <meta direction="reply"><layer3 protonum="2" protoname="ipv4"><src>198.51.100.24</src><dst>192.0.2.10</dst></layer3><layer4 protonum="6" protoname="tcp"><sport>2</sport><dport>1</dport></layer4></meta>\n  <meta direction="independent"><state>ESTABLISHED</state><timeout>100</timeout><assured/></meta>\n</flow>\n</conntrack>\n';
    const input = await readText(xml, { strict: true });
    expect(input.snapshots[0]!.table.entries()).toMatchObject([{ line: 2, state: 'ESTABLISHED', timeoutSeconds: 100, assured: true, sport: 1, dport: 2 }]);
  });
});

describe('a series without counters: the remaining time tells', () => {
  // Established timeout 3600 (given), dumps at T0 and T0 + 60; no accounting, so only the timers show traffic.
  const T0 = 1795550000;
  const us = (dt: number): number => (T0 + dt) * 1e6;
  const tcp = (left: number, sport: number): string =>
    `tcp      6 ${left} ESTABLISHED src=192.0.2.10 dst=198.51.100.24 sport=${sport} dport=1521 src=198.51.100.24 dst=192.0.2.10 sport=1521 dport=${sport} [ASSURED] mark=0 use=1`;
  const udp = (left: number): string =>
    `udp      17 ${left} src=192.0.2.10 dst=198.51.100.53 sport=5353 dport=53 src=198.51.100.53 dst=192.0.2.10 sport=53 dport=5353 mark=0 use=1`;
  const text = [`${T0}`, tcp(3500, 40001), tcp(3500, 40002), tcp(3500, 40003), udp(25), `${T0 + 60}`, tcp(3590, 40001), tcp(3440, 40002)].join('\n');

  it('gaps, ends and the warning, by hand', async () => {
    const r = conntrackFlows([await readText(text)], { established: 3600 });
    const f = r.flows;
    expect(f.count).toBe(4);
    const flow = (port: number): number => [...f.clientPort].indexOf(port);
    // 40001: idle 100 s at T0 (last packet T0-100), 10 s at T0+60 (last packet T0+50): a gap that ended
    // between T0 and T0+50, stored at its upper bound T0-100 -> T0+50.
    const a = flow(40001);
    expect([f.gapOffset[a + 1]! - f.gapOffset[a]!, f.gapStartUs[f.gapOffset[a]!], f.gapEndUs[f.gapOffset[a]!]]).toEqual([1, us(-100), us(50)]);
    expect([f.lastUs[a], f.end[a], f.endState[a]]).toEqual([us(50), FlowEnd.Open, FlowState.Established]);
    // 40002: 60 s less left after 60 s: no traffic, no gap; last packet still T0-100.
    const b = flow(40002);
    expect([f.gapOffset[b + 1]! - f.gapOffset[b]!, f.lastUs[b], f.end[b]]).toEqual([0, us(-100), FlowEnd.Open]);
    // 40003: gone at T0+60 with 3440 s still to run: closed between the dumps (a RST whose 10 s ran out by T0+60).
    const c = flow(40003);
    expect([f.end[c], f.endState[c], f.lastUs[c]]).toEqual([FlowEnd.Rst, FlowState.Close, us(50)]);
    expect([f.gapStartUs[f.gapOffset[c]!], f.gapEndUs[f.gapOffset[c]!], gapKind(f.gapInfo[f.gapOffset[c]!]!)]).toEqual([us(-100), us(50), PacketKind.Rst]);
    // The UDP entry (replied, not a stream: 30 s) had 25 s left at T0: expired by T0+25, on time.
    const d = flow(5353);
    expect([f.end[d], f.endState[d], f.lastUs[d]]).toEqual([FlowEnd.Open, FlowState.UdpReplied, us(-5)]);
    expect(r.warnings).toEqual(['1 entries vanished between dumps before their timeout ran out: TCP ones are taken as reset, others as removed (conntrack -D, flush, early drop)']);
    expect([f.windowStartUs, f.windowEndUs]).toEqual([us(0), us(60)]);
    // Censored: the silence after the last packet of the open flows (40001: 10 s, 40002: 160 s, UDP: 65 s).
    expect([...r.distribution.censoredSeconds].sort((x, y) => x - y)).toEqual([10, 65, 160]);
  });

  it('several files, each with its own timestamp line, form one series', async () => {
    const [first, second] = text.split(`\n${T0 + 60}\n`) as [string, string];
    const inputs = [await readText(`${T0 + 60}\n${second}`, {}, 'b.txt'), await readText(first, {}, 'a.txt')];
    const whole = conntrackFlows([await readText(text)], { established: 3600 }).flows;
    expect(conntrackFlows(inputs, { established: 3600 }).flows).toEqual(whole);
  });

  it('two dumps without times cannot be placed', async () => {
    const untimed = await readText([tcp(3500, 40001), ''].join('\n'));
    const r = conntrackFlows([untimed, untimed], { established: 3600 });
    expect(r.flows.count).toBe(0);
    expect(r.warnings).toEqual(['2 dumps without a time were left out of the series (give each a timestamp line, or --at)']);
  });
});

describeCorpus('series and events as flows (kernel 6.18 corpus, sysctl timeouts)', () => {
  it('series-epoch.txt: interval-censored gaps between dumps, hand-computed', async () => {
    const series = await readCorpus('series-epoch.txt');
    const sysctl = await readCorpus('sysctl-netfilter.txt');
    const r = conntrackFlows([series, sysctl], getPlatform('linux').stateTimeouts);
    const f = r.flows;
    expect(r.warnings).toEqual([]);
    expect(f.count).toBe(38);
    const t0 = 1795550618.83267884e6, t1 = 1795550622.848479899e6;
    expect(f.windowStartUs).toBeCloseTo(t0, 0);
    expect(f.windowEndUs).toBeCloseTo(1795550634.894674787e6, 0);
    const flow = (port: number): number => [...f.clientPort].indexOf(port);
    // 48656 (IPv6): ESTABLISHED 598 s left (age 2, created 5 s before), then TIME_WAIT 118 left (age 2).
    const a = flow(48656);
    expect(f.firstUs[a]).toBeCloseTo(t0 - 5e6, 0);
    // Its last packet lies at or after every dump's lower bound; the tightest is the last dump's:
    // TIME_WAIT with 106 s left at t4 (age 14 s), 46 ms after t1's bound (age 2 s).
    const t4 = 1795550634.894674787e6;
    expect(f.lastUs[a]).toBeCloseTo(t4 - 14e6, 0);
    expect([f.end[a], f.endState[a], f.start[a]]).toEqual([FlowEnd.Fin, FlowState.TimeWait, FlowStart.MidStream]);
    expect(f.gapOffset[a + 1]! - f.gapOffset[a]!).toBe(1);
    const g = f.gapOffset[a]!;
    expect(f.gapStartUs[g]).toBeCloseTo(t0 - 2e6, 0);
    expect(f.gapEndUs[g]).toBeCloseTo(t1 - 2e6, 0);
    expect(gapState(f.gapInfo[g]!)).toBe(FlowState.Established);
    expect(gapKind(f.gapInfo[g]!)).toBe(PacketKind.Fin);
    expect(f.gapInfo[g]! & GAP_INTERVAL_CENSORED_BIT).toBe(GAP_INTERVAL_CENSORED_BIT);
    expect([f.packetsC2S[a], f.packetsS2C[a], f.bytesC2S[a], f.bytesS2C[a]]).toEqual([12, 7, 884, 536]);
    // 51262: ESTABLISHED 598 left, then CLOSE 9 left (a RST 1 s before dump 1); gone by dump 4 (expired on time).
    const b = flow(51262);
    const gb = f.gapOffset[b]!;
    expect(f.gapEndUs[gb]! - f.gapStartUs[gb]!).toBeCloseTo(t1 - t0 + 1e6, 0);
    expect(gapKind(f.gapInfo[gb]!)).toBe(PacketKind.Rst);
    expect([f.end[b], f.endState[b]]).toEqual([FlowEnd.Rst, FlowState.Close]);
    // Lower bounds of its last packet: t1 - (10 - 9) s and t3 - (10 - 1) s; the tighter (later) one holds.
    const t3 = 1795550630.877971555e6;
    expect(f.lastUs[b]).toBeCloseTo(t3 - 9e6, 0);
    // Interval-censored gaps, one per change between consecutive dumps (awk over state and packets=: 51262, 48656,
    // 51184 once, 51232 twice).
    expect(f.gapInfo.length).toBe(5);
    expect([...f.gapInfo].every((x) => (x & GAP_INTERVAL_CENSORED_BIT) !== 0)).toBe(true);
    expect(r.distribution.count).toBe(5);
  });

  it('events-timestamp.txt: first packet, last packet and how each entry ended', async () => {
    const ev = await readCorpus('events-timestamp.txt');
    const sysctl = await readCorpus('sysctl-netfilter.txt');
    const f = conntrackFlows([ev, sysctl], getPlatform('linux').stateTimeouts).flows;
    expect(f.count).toBe(38);
    const icmp = [...f.proto].indexOf(1);
    expect(f.firstUs[icmp]).toBeCloseTo(1795550609.927337e6, 0);
    expect(f.lastUs[icmp]).toBeCloseTo(1795550641.937342e6 - 30e6, 0); // DESTROY - icmp_timeout
    expect([f.end[icmp], f.endState[icmp]]).toEqual([FlowEnd.Open, FlowState.Icmp]);
    const rst = [...f.clientPort].indexOf(51194);
    expect(f.lastUs[rst]).toBeCloseTo(1795550615.127018e6, 0); // the CLOSE update
    expect([f.end[rst], f.endState[rst], f.start[rst]]).toEqual([FlowEnd.Rst, FlowState.Close, FlowStart.Syn]);
    // awk over the events: the 16 TCP entries still live at the end are all in TIME_WAIT; 8 were destroyed in CLOSE;
    // the 12 UDP entries stay open, the two echoes timed out (silence after the last packet: open).
    expect(countBy([...f.end], String)).toEqual({ [FlowEnd.Open]: 14, [FlowEnd.Rst]: 8, [FlowEnd.Fin]: 16 });
  });
});
