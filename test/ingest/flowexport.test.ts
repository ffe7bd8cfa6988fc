import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseColumnMap, readFlowExportRecords, sniffFlowExport, type Engine, type FlowExportOptions } from '../../src/ingest/flowexport/index.js';
import { readFlowExport } from '../../src/flows/export-flows.js';
import { daysFromCivil, parseAnyTimeUs, parseDayFirstUs, parseEpochUs, parseIsoUs, parsePort, parseProto } from '../../src/ingest/flowexport/fields.js';
import { REC_CLOSED, REC_OPENS, REC_UNIDIRECTIONAL, STATE_UNKNOWN, type RecordTable } from '../../src/ingest/flowexport/records.js';
import { FlowEnd, FlowStart } from '../../src/flows/types.js';
import { FlowState, PROTO_TCP, PROTO_UDP } from '../../src/util/protocols.js';
import { FwtpError } from '../../src/util/errors.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url));
const FLOWS = join(CORPUS, 'flows');
const haveCorpus = existsSync(FLOWS);
if (!haveCorpus) console.warn(`flowexport tests: ${CORPUS} is absent, corpus tests skipped`);
const describeCorpus = haveCorpus ? describe : describe.skip;

const S = 1e6;

async function* chunksOf(text: string | Buffer, size = 0): AsyncGenerator<Buffer> {
  const b = typeof text === 'string' ? Buffer.from(text) : text;
  if (size <= 0) { yield b; return; }
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
}

function fileChunks(path: string): AsyncIterable<Buffer> {
  return createReadStream(path);
}

async function records(text: string, opts: Omit<FlowExportOptions, 'gapFloorUs'> = {}): Promise<Awaited<ReturnType<typeof readFlowExportRecords>>> {
  return readFlowExportRecords('test', chunksOf(text), opts);
}

/** A record as plain values (addresses as text) for comparisons. */
function rec(t: RecordTable, i: number): Record<string, number | string> {
  return {
    startUs: t.startUs[i]!, endUs: t.endUs[i]!, proto: t.proto[i]!, src: t.addresses.text(t.srcAddr[i]!), sport: t.srcPort[i]!,
    dst: t.addresses.text(t.dstAddr[i]!), dport: t.dstPort[i]!, packetsFwd: t.packetsFwd[i]!, packetsBwd: t.packetsBwd[i]!,
    bytesFwd: t.bytesFwd[i]!, bytesBwd: t.bytesBwd[i]!, flags: t.flags[i]!, state: t.state[i]!, line: t.line[i]!,
  };
}

function allRecords(t: RecordTable): Array<Record<string, number | string>> {
  const out = [];
  for (let i = 0; i < t.count; i++) out.push(rec(t, i));
  return out;
}

// ---------------------------------------------------------------------------------------------

describe('field parsers', () => {
  it('epoch times keep microseconds and pick the unit by magnitude', () => {
    expect(parseEpochUs('1464385864.999633')).toBe(1464385864999633);
    expect(parseEpochUs('1464385864999')).toBe(1464385864999000); // ms
    expect(parseEpochUs('1464385864999633')).toBe(1464385864999633); // us
    expect(parseEpochUs('86400', 'ms')).toBe(86400000);
    for (const bad of ['', '-', 'X.X', ' 1', 'Infinity', '0x10']) expect(parseEpochUs(bad)).toBeNaN();
  });

  it('ISO 8601 with and without zone and fraction', () => {
    const base = Date.UTC(2027, 0, 8, 7, 28, 33) * 1000;
    expect(parseIsoUs('2027-01-08 07:28:33')).toBe(base);
    expect(parseIsoUs('2027-01-08T07:28:33.763Z')).toBe(base + 763000);
    expect(parseIsoUs('2027-01-08T07:28:33.000001Z')).toBe(base + 1);
    expect(parseIsoUs('2027-01-08T09:28:33+02:00')).toBe(base);
    expect(parseIsoUs('2027-01-08T02:28:33-0500')).toBe(base);
    for (const bad of ['2027-01-08', '2027-13-08 07:28:33', '2027-01-08 07:28:33 junk', 'XXXX-XX-XX-XX-XX-XX']) expect(parseIsoUs(bad)).toBeNaN();
  });

  it('days from civil dates agree with Date.UTC from 1600 to 2400', () => {
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(2000, 3, 1)).toBe(11017);
    for (let y = 1600; y <= 2400; y += 7) {
      for (const [m, d] of [[1, 1], [2, 28], [2, 29], [3, 1], [12, 31]] as Array<[number, number]>) {
        expect(daysFromCivil(y, m, d) * 86400000, `${y}-${m}-${d}`).toBe(Date.UTC(y, m - 1, d));
      }
    }
  });

  it("CICFlowMeter's day-first times, 12- and 24-hour", () => {
    expect(parseDayFirstUs('03/07/2017 08:55:58 AM')).toBe(Date.UTC(2017, 6, 3, 8, 55, 58) * 1000);
    expect(parseDayFirstUs('03/07/2017 12:05:00 AM')).toBe(Date.UTC(2017, 6, 3, 0, 5, 0) * 1000);
    expect(parseDayFirstUs('03/07/2017 01:05:00 PM')).toBe(Date.UTC(2017, 6, 3, 13, 5, 0) * 1000);
    expect(parseDayFirstUs('7/7/2017 3:30')).toBe(Date.UTC(2017, 6, 7, 3, 30, 0) * 1000);
    expect(parseDayFirstUs('32/07/2017 3:30')).toBeNaN();
    expect(parseAnyTimeUs('2017-07-03 08:55:58')).toBe(Date.UTC(2017, 6, 3, 8, 55, 58) * 1000);
  });

  it('ports (Argus prints ICMP type/code in hex) and protocols', () => {
    expect(parsePort('0x0008')).toBe(8);
    expect(parsePort('443')).toBe(443);
    expect(parsePort('')).toBe(0);
    expect(parsePort('65536')).toBe(-1);
    expect(parsePort('http')).toBe(-1);
    expect([parseProto('tcp'), parseProto('UDP'), parseProto('ipv6-icmp'), parseProto('47'), parseProto('man'), parseProto('256')]).toEqual([6, 17, 58, 47, -1, -1]);
  });
});

describe('sniffFlowExport', () => {
  it('recognises synthetic heads of every format and nothing else', () => {
    expect(sniffFlowExport('{"ts":1.5,"uid":"C1","id.orig_h":"192.0.2.1"}\n')).toBe('zeek-json');
    expect(sniffFlowExport('version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n')).toBe('aws-vpc');
    expect(sniffFlowExport('2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n')).toBe('aws-vpc');
    expect(sniffFlowExport('Flow ID,Src IP,Src Port,Dst IP,Dst Port,Protocol,Timestamp,Flow Duration,Label\n')).toBe('cicflowmeter');
    expect(sniffFlowExport('Flow ID, Source IP, Source Port, Destination IP, Destination Port, Protocol, Timestamp, Flow Duration\n')).toBe('cicflowmeter');
    expect(sniffFlowExport('src_ip,dst_ip,src_port,dst_port,protocol,timestamp,flow_duration\n')).toBe('cicflowmeter');
    expect(sniffFlowExport('ts,te,sa,da,sp,dp,pr,pkt,byt\n1,2,192.0.2.1,192.0.2.2,1,2,6,1,1\n')).toBe(null); // needs --map
    expect(sniffFlowExport('ipv4     2 tcp      6 431999 ESTABLISHED src=192.0.2.1 dst=198.51.100.24\n')).toBe(null);
    expect(sniffFlowExport('')).toBe(null);
  });
});

describe('parseColumnMap', () => {
  it('reads key=column pairs', () => {
    expect(parseColumnMap('start=ts,end=te,src=sa,dst=da,sport=sp,dport=dp,proto=pr,packets=pkt,bytes=byt')).toEqual({
      start: 'ts', end: 'te', src: 'sa', dst: 'da', sport: 'sp', dport: 'dp', proto: 'pr', packets: 'pkt', bytes: 'byt',
    });
    expect(parseColumnMap('start=Start Time, src=Source, dst=Dest, proto=Proto, timeunit=ms')).toEqual({
      start: 'Start Time', src: 'Source', dst: 'Dest', proto: 'Proto', timeunit: 'ms',
    });
  });

  it('rejects bad maps as usage errors CLI_INVALID_MAP', () => {
    for (const bad of ['', 'start', 'start=ts,src=sa,dst=da', 'start=ts,src=sa,dst=da,proto=pr,colour=c', 'start=ts,start=t2,src=a,dst=b,proto=p',
      'start=ts,src=sa,dst=da,proto=', 'start=ts,src=sa,dst=da,proto=pr,end=te,duration=td', 'start=ts,src=sa,dst=da,proto=pr,timeunit=h']) {
      let err: unknown;
      try { parseColumnMap(bad); } catch (e) { err = e; }
      expect(err, bad).toBeInstanceOf(FwtpError);
      expect((err as FwtpError).code).toBe('CLI_INVALID_MAP');
      expect((err as FwtpError).kind).toBe('usage');
    }
  });
});

// ---------------------------------------------------------------------------------------------

describeCorpus('the corpus in ../shared/corpus/flows', () => {
  // Records per file, from `wc -l` and grep: Argus = lines - header - 2 `man` - non-IP (`grep -c ,arp,`);
  // nfdump = lines - header - 3 trailer lines (Summary, its header, its totals), which also equals
  // the trailer's own flow count; Zeek = lines not starting with '#'.
  const expected: Record<string, { format: string; records: number; skipped: number; ignored?: string[] }> = {
    'argus/ftp_bruteforce.csv': { format: 'argus-csv', records: 30, skipped: 0 },
    'argus/ftp_cwd-navigation.csv': { format: 'argus-csv', records: 119, skipped: 0 },
    'argus/http_206_example_b.csv': { format: 'argus-csv', records: 10, skipped: 0 },
    'argus/http_no_crlf.csv': { format: 'argus-csv', records: 6, skipped: 0 },
    'argus/smb_smb3_multichannel.csv': { format: 'argus-csv', records: 29, skipped: 0, ignored: ['14 non-IP records (arp)'] },
    'argus/ssh_ssh.csv': { format: 'argus-csv', records: 31, skipped: 0 },
    'argus/ssh_sshguess.csv': { format: 'argus-csv', records: 15, skipped: 0 },
    'nfdump/ftp_bruteforce.csv': { format: 'nfdump-csv', records: 60, skipped: 0 },
    'nfdump/ftp_cwd-navigation.csv': { format: 'nfdump-csv', records: 4, skipped: 0 },
    'nfdump/http_206_example_b.csv': { format: 'nfdump-csv', records: 4, skipped: 0 },
    'nfdump/smb_smb3_multichannel.csv': { format: 'nfdump-csv', records: 9, skipped: 0 },
    'nfdump/ssh_ssh.csv': { format: 'nfdump-csv', records: 48, skipped: 0 },
    'nfdump/ssh_sshguess.csv': { format: 'nfdump-csv', records: 22, skipped: 0 },
    'zeek/clear-txt-passwd.conn.log': { format: 'zeek-tsv', records: 1, skipped: 0 },
    'zeek/masked-timestamps.cisco-fabric-path.conn.log': { format: 'zeek-tsv', records: 0, skipped: 64 },
    'zeek/masked-timestamps.opt-basic.conn.log': { format: 'zeek-tsv', records: 0, skipped: 34 },
  };

  it('holds exactly the files listed here', () => {
    const found = ['argus', 'nfdump', 'zeek'].flatMap((d) => readdirSync(join(FLOWS, d)).map((f) => `${d}/${f}`)).sort();
    expect(found).toEqual(Object.keys(expected).sort());
  });

  for (const [file, want] of Object.entries(expected)) {
    it(`${file}: sniffed as ${want.format}, ${want.records} records, ${want.skipped} skipped`, async () => {
      const path = join(FLOWS, file);
      expect(sniffFlowExport(readFileSync(path, 'utf8').slice(0, 4096))).toBe(want.format);
      const r = await readFlowExport(path, fileChunks(path), { gapFloorUs: S });
      expect(r.format).toBe(want.format);
      expect(r.records).toBe(want.records);
      expect(r.skipped.length).toBe(want.skipped);
      for (const s of r.skipped) expect(s.reason).toContain('masked');
      for (const w of want.ignored ?? []) expect(r.warnings.some((x) => x.includes(w))).toBe(true);
      if (want.format === 'argus-csv') expect(r.warnings.some((x) => x.includes('2 Argus management records (man) left out'))).toBe(true);
      // Every record lands in exactly one flow; flows never outnumber records.
      expect(r.flows.count).toBeLessThanOrEqual(r.records);
      if (r.records > 0) expect(r.flows.count).toBeGreaterThan(0);
      for (let f = 0; f < r.flows.count; f++) expect(r.flows.lastUs[f]).toBeGreaterThanOrEqual(r.flows.firstUs[f]!);
      for (let g = 0; g < r.flows.gapStartUs.length; g++) expect(r.flows.gapEndUs[g]! - r.flows.gapStartUs[g]!).toBeGreaterThanOrEqual(S);
    });
  }

  it('nfdump: records, packets and bytes add up to the Summary trailer of every file', async () => {
    for (const f of readdirSync(join(FLOWS, 'nfdump'))) {
      const path = join(FLOWS, 'nfdump', f);
      const lines = readFileSync(path, 'utf8').trim().split('\n');
      const [flows, bytes, packets] = lines[lines.length - 1]!.split(',').map(Number);
      const { table } = await readFlowExportRecords(path, fileChunks(path));
      let p = 0, b = 0;
      for (let i = 0; i < table.count; i++) { p += table.packetsFwd[i]!; b += table.bytesFwd[i]!; }
      expect([table.count, p, b], f).toEqual([flows, packets, bytes]);
    }
  });

  it('masked Zeek timestamps: every data line rejected with its line number, none fatal', async () => {
    const path = join(FLOWS, 'zeek/masked-timestamps.opt-basic.conn.log');
    const r = await readFlowExport(path, fileChunks(path), { gapFloorUs: S });
    // Line 1 is the BTest banner, 2-9 the header, 10-43 data, 44 #close.
    expect(r.skipped.map((s) => s.line)).toEqual(Array.from({ length: 34 }, (_, i) => 10 + i));
    expect(r.skipped[0]!.reason).toBe("timestamp is masked (XXXXXXXXXX.XXXXXX, as in Zeek's test baselines): the record has no time");
    expect(r.flows.count).toBe(0);
    expect(r.warnings.some((w) => w.includes('34 lines could not be read'))).toBe(true);
  });

  it('strict makes the first unreadable line fatal, with file and line', async () => {
    const path = join(FLOWS, 'zeek/masked-timestamps.cisco-fabric-path.conn.log');
    let err: unknown;
    try { await readFlowExport(path, fileChunks(path), { gapFloorUs: S, strict: true }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(FwtpError);
    expect({ code: (err as FwtpError).code, kind: (err as FwtpError).kind, file: (err as FwtpError).file, line: (err as FwtpError).line })
      .toEqual({ code: 'EXPORT_UNPARSABLE_LINE', kind: 'input', file: path, line: 10 });
  });

  it('Zeek TSV: the clear-txt-passwd record, field by field', async () => {
    // 1601334042.145171 CubVEV1TLNUI0OONhf 10.20.0.1 13910 10.10.0.1 25 tcp smtp 0.180839 2564 288 SF - - 0 ShAadDfF 11 3144 12 920 -
    const path = join(FLOWS, 'zeek/clear-txt-passwd.conn.log');
    const { table } = await readFlowExportRecords(path, fileChunks(path));
    expect(rec(table, 0)).toEqual({
      startUs: 1601334042145171, endUs: 1601334042145171 + 180839, proto: PROTO_TCP, src: '10.20.0.1', sport: 13910,
      dst: '10.10.0.1', dport: 25, packetsFwd: 11, packetsBwd: 12, bytesFwd: 3144, bytesBwd: 920,
      flags: REC_OPENS | REC_CLOSED, state: FlowState.TimeWait, line: 9,
    });
    const r = await readFlowExport(path, fileChunks(path), { gapFloorUs: S });
    expect([r.flows.start[0], r.flows.end[0], r.flows.endState[0]]).toEqual([FlowStart.Syn, FlowEnd.Fin, FlowState.TimeWait]);
    expect(r.warnings.some((w) => w.includes('TCP 300 s, UDP 60 s, other 60 s'))).toBe(true);
  });

  it('Argus: the first status records of ftp_cwd-navigation, field by field, and its one flow', async () => {
    const path = join(FLOWS, 'argus/ftp_cwd-navigation.csv');
    const { table } = await readFlowExportRecords(path, fileChunks(path));
    // line 3: 1464385864.999633,1464385869.933829,tcp,10.3.22.91,58218,   ->,10.167.25.101,21,44,71,2867,6300,CON
    expect(rec(table, 0)).toEqual({
      startUs: 1464385864999633, endUs: 1464385869933829, proto: PROTO_TCP, src: '10.3.22.91', sport: 58218,
      dst: '10.167.25.101', dport: 21, packetsFwd: 44, packetsBwd: 71, bytesFwd: 2867, bytesBwd: 6300,
      flags: 0, state: FlowState.Established, line: 3,
    });
    // line 4: 1464385870.228682,1464385874.732339,...,31,31,2010,2904,CON
    expect([table.startUs[1], table.endUs[1], table.packetsFwd[1], table.bytesBwd[1], table.line[1]]).toEqual([1464385870228682, 1464385874732339, 31, 2904, 4]);
    const r = await readFlowExport(path, fileChunks(path), { gapFloorUs: S });
    expect(r.flows.count).toBe(1);
    // 119 status records: 118 silences between them, each under a second (none stored at a 1 s floor).
    expect(r.distribution.count).toBe(118);
    const silences: number[] = [];
    for (let i = 1; i < table.count; i++) silences.push((table.startUs[i]! - table.endUs[i - 1]!) / S);
    expect([...r.distribution.exactSorted!]).toEqual(silences.sort((a, b) => a - b));
    expect(silences).toContain((1464385870228682 - 1464385869933829) / S);
    expect(r.flows.gapStartUs.length).toBe(0);
    let pkts = 0;
    for (let i = 0; i < table.count; i++) pkts += table.packetsFwd[i]! + table.packetsBwd[i]!;
    expect(r.flows.packetsC2S[0]! + r.flows.packetsS2C[0]!).toBe(pkts);
  });

  it('nfdump: ssh_ssh first pair, field by field, and the two directions in one flow', async () => {
    const path = join(FLOWS, 'nfdump/ssh_ssh.csv');
    const { table } = await readFlowExportRecords(path, fileChunks(path));
    // 2026-12-06 00:42:15,2026-12-06 00:42:21,6.160,131.159.21.1,192.168.1.79,22,51880,TCP,...AP.SF,0,0,20,3549,0,0,...
    const t0 = Date.UTC(2026, 11, 6, 0, 42, 15) * 1000;
    expect(rec(table, 0)).toEqual({
      startUs: t0, endUs: t0 + 6 * S, proto: PROTO_TCP, src: '131.159.21.1', sport: 22, dst: '192.168.1.79', dport: 51880,
      packetsFwd: 20, packetsBwd: Number.NaN, bytesFwd: 3549, bytesBwd: Number.NaN,
      flags: REC_OPENS | 0x02 | REC_UNIDIRECTIONAL, state: STATE_UNKNOWN, line: 2,
    });
    expect([table.packetsFwd[1], table.bytesFwd[1], table.addresses.text(table.srcAddr[1]!)]).toEqual([25, 3981, '192.168.1.79']);
    const r = await readFlowExport(path, fileChunks(path), { gapFloorUs: S });
    expect(r.flows.count).toBe(25); // 48 records, two per direction pair, one connection split by softflowd
    const f = 0;
    expect(r.flows.addresses[r.flows.clientAddr[f]!]).toBe('192.168.1.79'); // the higher port on a tie
    expect([r.flows.packetsC2S[f], r.flows.packetsS2C[f], r.flows.end[f]]).toEqual([25, 20, FlowEnd.Fin]);
  });

  for (const engine of ['csv-parse'] as Engine[]) {
    it(`the ${engine} engine reads every corpus file to the same records as the fast one, also in 13-byte chunks`, async () => {
      for (const d of ['argus', 'nfdump', 'zeek']) {
        for (const f of readdirSync(join(FLOWS, d))) {
          const path = join(FLOWS, d, f);
          const fast = await readFlowExportRecords(path, fileChunks(path), { engine: 'fast' });
          const other = await readFlowExportRecords(path, fileChunks(path), { engine });
          const small = await readFlowExportRecords(path, chunksOf(readFileSync(path), 13), { engine: 'fast' });
          expect(allRecords(other.table), f).toEqual(allRecords(fast.table));
          expect(allRecords(small.table), f).toEqual(allRecords(fast.table));
          expect(other.ctx.skipped, f).toEqual(fast.ctx.skipped);
        }
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------

describe('synthetic exports (hand-computed)', () => {
  it('AWS VPC flow log: directions merged, NODATA/SKIPDATA/REJECT left out, one 630 s gap', async () => {
    const text = [
      'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
      '2 123456789010 eni-1235b8ca123456789 172.31.16.21 172.31.16.139 22 20641 6 16 3340 1418530012 1418530068 ACCEPT OK',
      '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK',
      '2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA',
      '2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - SKIPDATA',
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 2 120 1418530700 1418530705 ACCEPT OK',
      '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 x 120 1418530700 1418530705 ACCEPT OK',
      '',
    ].join('\n');
    expect(sniffFlowExport(text)).toBe('aws-vpc');
    const r = await readFlowExport('vpc.log', chunksOf(text), { gapFloorUs: 60 * S });
    expect(r.records).toBe(3);
    expect(r.skipped).toEqual([{ line: 8, reason: 'a packet or byte count is not a number' }]);
    expect(r.flows.count).toBe(1);
    const fs = r.flows;
    expect([fs.addresses[fs.clientAddr[0]!], fs.clientPort[0], fs.addresses[fs.serverAddr[0]!], fs.serverPort[0]]).toEqual(['172.31.16.139', 20641, '172.31.16.21', 22]);
    expect([fs.packetsC2S[0], fs.packetsS2C[0], fs.bytesC2S[0], fs.bytesS2C[0]]).toEqual([22, 16, 4369, 3340]);
    expect([fs.gapStartUs[0]! / S, fs.gapEndUs[0]! / S]).toEqual([1418530070, 1418530700]);
    expect([fs.windowStartUs / S, fs.windowEndUs / S]).toEqual([1418530010, 1418530705]);
    expect(r.warnings.some((w) => w.includes('1 NODATA records'))).toBe(true);
    expect(r.warnings.some((w) => w.includes('1 SKIPDATA records'))).toBe(true);
    expect(r.warnings.some((w) => w.includes('1 REJECT records'))).toBe(true);
    expect(r.warnings.some((w) => w.includes('600 s'))).toBe(true);
  });

  it('AWS VPC flow log without a header (CloudWatch export) reads as the default format', async () => {
    const text = '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n';
    const { format, table } = await records(text);
    expect(format).toBe('aws-vpc');
    expect(rec(table, 0)).toMatchObject({ startUs: 1418530010 * S, endUs: 1418530070 * S, src: '172.31.16.139', dport: 22, packetsFwd: 20, bytesFwd: 4249, line: 1 });
  });

  it('CICFlowMeter: day-first times, microsecond durations, flags, and the idle summary', async () => {
    const header = ['Flow ID', 'Src IP', 'Src Port', 'Dst IP', 'Dst Port', 'Protocol', 'Timestamp', 'Flow Duration', 'Total Fwd Packet',
      'Total Bwd packets', 'Total Length of Fwd Packet', 'Total Length of Bwd Packet', 'FIN Flag Count', 'SYN Flag Count', 'RST Flag Count',
      'Active Mean', 'Active Std', 'Active Max', 'Active Min', 'Idle Mean', 'Idle Std', 'Idle Max', 'Idle Min', 'Label'];
    const row = (ts: string, dur: number, fin: number, syn: number, idle: [number, number, number, number]): string => [
      '192.168.10.5-104.16.207.165-54865-443-6', '192.168.10.5', 54865, '104.16.207.165', 443, 6, ts, dur, 10, 8, 1000, 8000, fin, syn, 0,
      idle[0], 0, idle[0], idle[0], idle[1], 0, idle[2], idle[3], 'BENIGN'].join(',');
    const text = [header.join(','),
      row('03/07/2017 08:55:58 AM', 20_000_000, 0, 1, [2_000_000, 8_000_000, 10_000_000, 6_000_000]),
      row('03/07/2017 08:56:50 AM', 1_000_000, 2, 0, [0, 0, 0, 0]),
      ''].join('\r\n');
    expect(sniffFlowExport(text)).toBe('cicflowmeter');
    const { table } = await records(text);
    const t0 = Date.UTC(2017, 6, 3, 8, 55, 58) * 1000;
    expect(rec(table, 0)).toEqual({
      startUs: t0, endUs: t0 + 20 * S, proto: 6, src: '192.168.10.5', sport: 54865, dst: '104.16.207.165', dport: 443,
      packetsFwd: 10, packetsBwd: 8, bytesFwd: 1000, bytesBwd: 8000, flags: REC_OPENS, state: STATE_UNKNOWN, line: 2,
    });
    expect(table.flags[1]).toBe(REC_CLOSED);
    const r = await readFlowExport('cic.csv', chunksOf(text), { gapFloorUs: 7 * S });
    // One flow: the idle periods 6 s and 10 s inside record 1, then 08:56:18 -> 08:56:50 (32 s) between records.
    expect(r.flows.count).toBe(1);
    expect([...r.distribution.exactSorted!]).toEqual([6, 10, 32]);
    expect((r.flows.gapEndUs[1]! - r.flows.gapStartUs[1]!) / S).toBe(32);
    expect(r.flows.end[0]).toBe(FlowEnd.Fin);
  });

  it('Zeek JSON lines: the same record as the TSV form, ISO timestamps, bad lines skipped', async () => {
    const text = [
      '{"ts":1601334042.145171,"uid":"CubVEV1TLNUI0OONhf","id.orig_h":"10.20.0.1","id.orig_p":13910,"id.resp_h":"10.10.0.1","id.resp_p":25,"proto":"tcp","service":"smtp","duration":0.180839,"orig_bytes":2564,"resp_bytes":288,"conn_state":"SF","missed_bytes":0,"history":"ShAadDfF","orig_pkts":11,"orig_ip_bytes":3144,"resp_pkts":12,"resp_ip_bytes":920}',
      '{"ts":"2020-09-28T23:00:42.145171Z","uid":"C2","id.orig_h":"2001:db8::1","id.orig_p":5353,"id.resp_h":"ff02::fb","id.resp_p":5353,"proto":"udp","conn_state":"S0","orig_pkts":1,"orig_ip_bytes":73,"resp_pkts":0,"resp_ip_bytes":0}',
      '{"ts":1601334042.1,"uid":"C3"',
      '{"ts":1601334042.1,"uid":"C4","query":"example.org"}',
      '',
    ].join('\n');
    expect(sniffFlowExport(text)).toBe('zeek-json');
    const { table, ctx } = await records(text);
    expect(table.count).toBe(2);
    expect(rec(table, 0)).toEqual({
      startUs: 1601334042145171, endUs: 1601334042145171 + 180839, proto: PROTO_TCP, src: '10.20.0.1', sport: 13910,
      dst: '10.10.0.1', dport: 25, packetsFwd: 11, packetsBwd: 12, bytesFwd: 3144, bytesBwd: 920,
      flags: REC_OPENS | REC_CLOSED, state: FlowState.TimeWait, line: 1,
    });
    expect(rec(table, 1)).toMatchObject({ startUs: Date.UTC(2020, 8, 28, 23, 0, 42) * 1000 + 145171, endUs: Date.UTC(2020, 8, 28, 23, 0, 42) * 1000 + 145171, proto: PROTO_UDP, src: '2001:db8::1', state: STATE_UNKNOWN });
    expect(ctx.skipped).toEqual([{ line: 3, reason: 'not a JSON object' }, { line: 4, reason: 'no id.orig_h: not a conn.log record' }]);
  });

  it('a CSV through --map: epoch seconds, milliseconds and ISO times give the same gaps', async () => {
    const map = parseColumnMap('start=ts,end=te,src=sa,dst=da,sport=sp,dport=dp,proto=pr,packets=pkt,bytes=byt');
    const rows = (fmt: (s: number) => string): string => [
      'ts,te,sa,da,sp,dp,pr,pkt,byt',
      `${fmt(1700000000)},${fmt(1700000010.5)},192.0.2.10,198.51.100.24,40001,1521,6,10,1000`,
      `${fmt(1700003610.5)},${fmt(1700003620)},192.0.2.10,198.51.100.24,40001,1521,tcp,2,120`,
      `${fmt(1700000000)},${fmt(1700000000)},192.0.2.10,198.51.100.24,40001,1521,6`,
      '',
    ].join('\n');
    const forms: Array<[string, (s: number) => string]> = [
      ['s', (s) => s.toFixed(6)],
      ['ms', (s) => String(Math.round(s * 1000))],
      ['iso', (s) => new Date(s * 1000).toISOString()],
    ];
    for (const [name, fmt] of forms) {
      const r = await readFlowExport(`map-${name}.csv`, chunksOf(rows(fmt)), { map, gapFloorUs: 60 * S });
      expect(r.format, name).toBe('csv');
      expect(r.records, name).toBe(2);
      expect(r.skipped, name).toEqual([{ line: 4, reason: '7 fields where the header names 9' }]);
      expect([r.flows.gapStartUs[0]! / S, r.flows.gapEndUs[0]! / S], name).toEqual([1700000010.5, 1700003610.5]);
      expect([...r.distribution.exactSorted!], name).toEqual([3600]);
    }
  });

  it('a tab-separated file through --map, with a duration column and a forced time unit', async () => {
    const map = parseColumnMap('start=Start,duration=Secs,src=From,dst=To,proto=P,timeunit=ms');
    const text = 'Start\tSecs\tFrom\tTo\tP\n1700000000000\t2.5\t192.0.2.1\t192.0.2.2\tudp\n';
    const { table } = await records(text, { map });
    expect(rec(table, 0)).toMatchObject({ startUs: 1700000000 * S, endUs: 1700000002.5 * S, proto: PROTO_UDP, sport: 0, dport: 0 });
  });

  it('a mapped CSV missing a mapped column stops with EXPORT_MISSING_COLUMN', async () => {
    let err: unknown;
    try { await records('a,b\n1,2\n', { map: parseColumnMap('start=ts,src=sa,dst=da,proto=pr') }); } catch (e) { err = e; }
    expect((err as FwtpError).code).toBe('EXPORT_MISSING_COLUMN');
    expect((err as FwtpError).line).toBe(1);
  });

  it('an unknown content is EXPORT_UNKNOWN_FORMAT; an unknown --format name a usage error', async () => {
    const e1 = await records('hello\nworld\n').catch((e: unknown) => e);
    expect((e1 as FwtpError).code).toBe('EXPORT_UNKNOWN_FORMAT');
    const e2 = await records('hello\n', { format: 'pcap' }).catch((e: unknown) => e);
    expect([(e2 as FwtpError).code, (e2 as FwtpError).kind]).toEqual(['CLI_INVALID_EXPORT_FORMAT', 'usage']);
  });

  it('UTF-8 after ASCII chunks, split inside a character, reads the same as in one piece', async () => {
    const map = parseColumnMap('start=ts,src=sa,dst=da,proto=pr,packets=pkt');
    const text = 'ts,sa,da,pr,pkt,label\n1700000000,192.0.2.1,192.0.2.2,6,3,plain\n1700000100,192.0.2.1,192.0.2.2,6,4,Web Attack \u2013 Brute Force \u00e9\n1700000200,192.0.2.1,192.0.2.2,6,5,x\n';
    const whole = await records(text, { map });
    for (const size of [3, 5, 64]) {
      const bits = await readFlowExportRecords('utf8', chunksOf(text, size), { map });
      expect(allRecords(bits.table), String(size)).toEqual(allRecords(whole.table));
    }
    expect(whole.table.count).toBe(3);
  });

  it('quoted CSV fields (commas, a line break) read the same with both engines', async () => {
    const map = parseColumnMap('start=ts,end=te,src=sa,dst=da,proto=pr,packets=pkt');
    const text = 'ts,te,sa,da,pr,pkt,note\n1700000000,1700000001,192.0.2.1,192.0.2.2,6,3,"a, b"\n' +
      '1700000100,1700000101,"192.0.2.1",192.0.2.2,6,4,"two\nlines"\n1700000200,1700000201,192.0.2.1,192.0.2.2,6,5,plain\n';
    const fast = await records(text, { map, engine: 'fast' });
    const cp = await records(text, { map, engine: 'csv-parse' });
    expect(allRecords(fast.table).map((r) => [r.packetsFwd, r.line])).toEqual([[3, 2], [4, 3], [5, 5]]);
    expect(allRecords(cp.table)).toEqual(allRecords(fast.table));
  });
});

// ---------------------------------------------------------------------------------------------
// Round trips with the real tools: what argus/ra and softflowd/nfcapd/nfdump write, we read.

function haveTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
}

const CAPTURES = ['ftp_cwd-navigation.pcap', 'wikipedia-filtered-plus-udp.pcap', 'communityid_icmp6.pcap', 'communityid_icmp.pcap'];
const capturePath = (c: string): string => join(CORPUS, 'pcap/zeek-traces', c);
const haveCaptures = CAPTURES.every((c) => existsSync(capturePath(c)));
const haveArgus = haveTool('argus') && haveTool('ra');
const haveNetflow = haveTool('softflowd') && haveTool('nfcapd') && haveTool('nfdump');
if (!haveArgus) console.warn('flowexport tests: argus/ra not installed (Debian argus-server, argus-client): the Argus round trip is skipped');
if (!haveNetflow) console.warn('flowexport tests: softflowd/nfcapd/nfdump not installed (Debian softflowd, nfdump): the NetFlow round trip is skipped');
if (!haveCaptures) console.warn('flowexport tests: corpus captures absent: the round trips are skipped');

const ARGUS_PROTO: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, 'ipv6-icmp': 58 };

describe('round trips with the real tools', () => {
  let dir = '';
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'fwtp-flowexport-')); });
  afterAll(() => { if (dir !== '') rmSync(dir, { recursive: true, force: true }); });

  (haveArgus && haveCaptures ? it : it.skip)('argus -> ra CSV: our records equal ra\'s own output, field by field', async () => {
    for (const c of CAPTURES) {
      const argusFile = join(dir, `${c}.argus`);
      execFileSync('argus', ['-r', capturePath(c), '-w', argusFile], { stdio: 'ignore' });
      const fields = ['stime', 'ltime', 'proto', 'saddr', 'sport', 'daddr', 'dport', 'spkts', 'dpkts', 'sbytes', 'dbytes', 'state'];
      const csv = execFileSync('ra', ['-n', '-u', '-c', ',', '-L0', '-s', 'stime', 'ltime', 'proto', 'saddr', 'sport', 'dir', 'daddr', 'dport',
        'spkts', 'dpkts', 'sbytes', 'dbytes', 'state', '-r', argusFile], { encoding: 'utf8' });
      // The oracle: ra again, '|'-separated, no header, no dir column, split by hand.
      const oracle = execFileSync('ra', ['-n', '-u', '-c', '|', '-L', '-1', '-s', ...fields, '-r', argusFile], { encoding: 'utf8' })
        .trim().split('\n').map((l) => l.split('|')).filter((f) => f[2] !== 'man' && ARGUS_PROTO[f[2]!] !== undefined);
      const { table, ctx } = await readFlowExportRecords(c, chunksOf(csv));
      expect(ctx.skipped, c).toEqual([]);
      expect(table.count, c).toBe(oracle.length);
      expect(table.count, c).toBeGreaterThan(0);
      oracle.forEach((f, i) => {
        const port = (s: string): number => (s === '' ? 0 : s.startsWith('0x') ? parseInt(s, 16) : Number(s));
        expect(rec(table, i), `${c} record ${i}`).toMatchObject({
          startUs: Math.round(Number(f[0]) * 1e6), endUs: Math.round(Number(f[1]) * 1e6), proto: ARGUS_PROTO[f[2]!],
          src: f[3], sport: port(f[4]!), dst: f[5], dport: port(f[6]!),
          packetsFwd: Number(f[7]), packetsBwd: Number(f[8]), bytesFwd: Number(f[9]), bytesBwd: Number(f[10]),
        });
      });
      const r = await readFlowExport(c, chunksOf(csv), { gapFloorUs: S });
      expect(r.flows.count, c).toBeGreaterThan(0);
    }
  }, 60_000);

  (haveNetflow && haveCaptures ? it : it.skip)('softflowd -> nfcapd -> nfdump -o csv: our records equal nfdump -o json, field by field', async () => {
    for (const c of CAPTURES.slice(0, 2)) {
      const flowDir = join(dir, `nf-${c}`);
      mkdirSync(flowDir, { recursive: true });
      const port = await freeUdpPort();
      const nfcapd: ChildProcess = spawn('nfcapd', ['-b', '127.0.0.1', '-p', String(port), '-w', flowDir], { stdio: 'ignore' });
      try {
        await sleep(700); // nfcapd binds its socket at start-up
        execFileSync('softflowd', ['-r', capturePath(c), '-n', `127.0.0.1:${port}`, '-v', '9', '-t', 'maxlife=300', '-t', 'tcp=60'], { stdio: 'ignore' });
        await sleep(700);
      } finally {
        await stop(nfcapd);
      }
      // nfdump prints local time without a zone: UTC, as docs/EXPORTS.md says to run it.
      const env = { ...process.env, TZ: 'UTC' };
      const csv = execFileSync('nfdump', ['-R', flowDir, '-o', 'csv'], { encoding: 'utf8', env });
      const json = JSON.parse(execFileSync('nfdump', ['-R', flowDir, '-o', 'json'], { encoding: 'utf8', env })) as Array<Record<string, string | number>>;
      const { table, ctx } = await readFlowExportRecords(c, chunksOf(csv));
      expect(ctx.skipped, c).toEqual([]);
      expect(table.count, c).toBe(json.length);
      expect(table.count, c).toBeGreaterThan(0);
      json.forEach((j, i) => {
        // nfdump's csv prints first/last to the second: the json has milliseconds.
        const sec = (iso: string): number => Date.parse(`${iso.slice(0, 19)}Z`) * 1000;
        expect(rec(table, i), `${c} record ${i}`).toMatchObject({
          startUs: sec(String(j.first)), endUs: sec(String(j.last)), proto: Number(j.proto) === 1 && j.src6_addr !== undefined ? 58 : Number(j.proto),
          src: String(j.src4_addr ?? j.src6_addr), dst: String(j.dst4_addr ?? j.dst6_addr),
          packetsFwd: Number(j.in_packets), bytesFwd: Number(j.in_bytes),
        });
        if (Number(j.proto) === 6 || Number(j.proto) === 17) expect([table.srcPort[i], table.dstPort[i]]).toEqual([Number(j.src_port), Number(j.dst_port)]);
      });
      const r = await readFlowExport(c, chunksOf(csv), { gapFloorUs: S });
      expect(r.flows.count, c).toBeGreaterThan(0);
      expect(r.flows.count, c).toBeLessThanOrEqual(r.records);
    }
  }, 60_000);
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A UDP port free on the loopback right now (bind to 0, read it, close). */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.on('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/** Stop a process we started, by its id, and wait for it to exit (nfcapd writes its file on SIGTERM). */
function stop(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) { resolve(); return; }
    const timer = setTimeout(() => { p.kill('SIGKILL'); }, 5000);
    p.once('exit', () => { clearTimeout(timer); resolve(); });
    p.kill('SIGTERM');
  });
}

