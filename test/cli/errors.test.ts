// The built command line (node bin/fwtp.js) on good, damaged and wrong inputs: exit codes
// (0 ok, 1 input, 2 usage), one line on stderr per error without a stack, warnings with byte
// offsets, standard input, gzip, the JSON fields of `fwtp gaps`, -o FILE, and piped output.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { BIN, ensureBuilt, runCli } from '../helpers/cli.js';
import { ethernet, pcapFile, ETHERTYPE_ARP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, type PcapRecord } from '../helpers/pcapbuild.js';
import { tcpPacket, udpPacket } from '../helpers/traffic.js';

const T0 = 1_700_000_000;
const C = '192.0.2.10';
const S = '198.51.100.24';

type Seg = { seq: number; ack?: number; flags: number; payload?: number };
const c2s = (s: Seg): Buffer => tcpPacket({ src: C, dst: S, sport: 40001, dport: 1521, window: 502, ...s });
const s2c = (s: Seg): Buffer => tcpPacket({ src: S, dst: C, sport: 1521, dport: 40001, window: 509, ...s });

function rec(seconds: number, data: Buffer): PcapRecord {
  const us = Math.round(seconds * 1e6);
  return { sec: T0 + Math.floor(us / 1e6), nsec: (us % 1e6) * 1000, data };
}

/**
 * 19 frames: the keep-alive story of test/flows/tracker.test.ts (16 TCP frames: 4 probes, 3
 * keep-alive ACKs, FIN both ways), a UDP query and its answer 5 s later, and an ARP frame.
 * Gaps (s): TCP 0.001 x7, 0.01 x2, 0.998, 23.978, 75, 99.999, 7200 x2; UDP 5 -> 16 gaps;
 * sorted, p50 = 0.01, p90 = 99.999 + 0.5 (7200 - 99.999) = 3649.9995, p99 = max = 7200.
 */
function storyRecords(): PcapRecord[] {
  return [
    rec(0, c2s({ seq: 1000, flags: TCP_SYN })),
    rec(0.001, s2c({ seq: 5000, ack: 1001, flags: TCP_SYN | TCP_ACK })),
    rec(0.002, c2s({ seq: 1001, ack: 5001, flags: TCP_ACK })),
    rec(1, c2s({ seq: 1001, ack: 5001, flags: TCP_PSH | TCP_ACK, payload: 100 })),
    rec(1.01, s2c({ seq: 5001, ack: 1101, flags: TCP_PSH | TCP_ACK, payload: 50 })),
    rec(1.02, c2s({ seq: 1101, ack: 5051, flags: TCP_ACK })),
    rec(2, udpPacket({ src: C, dst: '192.0.2.53', sport: 5353, dport: 53, payload: 20 })),
    rec(2.5, ethernet(Buffer.alloc(28), ETHERTYPE_ARP)),
    rec(7, udpPacket({ src: '192.0.2.53', dst: C, sport: 53, dport: 5353, payload: 40 })),
    rec(7201.02, s2c({ seq: 5050, ack: 1101, flags: TCP_ACK })),
    rec(7201.021, c2s({ seq: 1101, ack: 5051, flags: TCP_ACK })),
    rec(14401.021, s2c({ seq: 5050, ack: 1101, flags: TCP_ACK })),
    rec(14476.021, s2c({ seq: 5050, ack: 1101, flags: TCP_ACK })),
    rec(14476.022, c2s({ seq: 1101, ack: 5051, flags: TCP_ACK })),
    rec(14500, c2s({ seq: 1100, ack: 5051, flags: TCP_ACK, payload: 1 })),
    rec(14500.001, s2c({ seq: 5051, ack: 1101, flags: TCP_ACK })),
    rec(14600, c2s({ seq: 1101, ack: 5051, flags: TCP_FIN | TCP_ACK })),
    rec(14600.001, s2c({ seq: 5051, ack: 1102, flags: TCP_FIN | TCP_ACK })),
    rec(14600.002, c2s({ seq: 1102, ack: 5052, flags: TCP_ACK })),
  ];
}

let dir = '';
let story = '';
let storyBytes: Buffer;

beforeAll(() => {
  ensureBuilt();
  dir = mkdtempSync(join(tmpdir(), 'fwtp-cli-'));
  storyBytes = pcapFile(storyRecords(), { linkType: 1 });
  story = join(dir, 'story.pcap');
  writeFileSync(story, storyBytes);
}, 300_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

/** An error: the exit code, exactly one line on stderr (no stack), naming `what` and the code. */
function expectOneLineError(r: ReturnType<typeof runCli>, status: number, code: string, what?: string): void {
  expect(r.status, r.stderr).toBe(status);
  expect(r.errLines.length, r.stderr).toBe(1);
  expect(r.errLines[0]!.startsWith('fwtp: ')).toBe(true);
  expect(r.errLines[0]!.endsWith(`[${code}]`), r.errLines[0]).toBe(true);
  if (what !== undefined) expect(r.errLines[0]).toContain(what);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stdout).toBe('');
}

describe('input errors: exit 1, one line', () => {
  it('a missing file', () => {
    const missing = join(dir, 'no-such.pcap');
    expectOneLineError(runCli(['gaps', missing]), 1, 'INPUT_UNREADABLE', missing);
  });

  it('a directory', () => {
    const sub = join(dir, 'a-directory');
    mkdirSync(sub, { recursive: true });
    expectOneLineError(runCli(['gaps', sub]), 1, 'INPUT_IS_DIRECTORY', sub);
  });

  it('a text file: not a capture, naming what was expected', () => {
    const txt = join(dir, 'notes.txt');
    writeFileSync(txt, 'this is not a capture\n'.repeat(10));
    const r = runCli(['gaps', txt]);
    expectOneLineError(r, 1, 'INPUT_UNKNOWN_FORMAT', txt);
    expect(r.errLines[0]).toMatch(/pcap/);
    expect(r.errLines[0]).toMatch(/pcapng/);
  });

  it('a capture whose first record is absurd: exit 1 with the byte offset', () => {
    const bad = Buffer.from(storyBytes);
    bad.writeUInt32LE(0x7fff_ffff, 24 + 8);
    const p = join(dir, 'absurd.pcap');
    writeFileSync(p, bad);
    expectOneLineError(runCli(['gaps', p]), 1, 'PCAP_RECORD_LENGTH', 'byte 32');
  });
});

describe('damaged but readable', () => {
  it('a truncated capture: exit 0, the packets before the cut, a warning with the byte offset', () => {
    const cut = storyBytes.subarray(0, storyBytes.length - 10);
    const p = join(dir, 'cut.pcap');
    writeFileSync(p, cut);
    // The last record (60 bytes: 16 header + 54 frame) starts 70 bytes before the end.
    const lastStart = storyBytes.length - 70;
    const r = runCli(['gaps', p, '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^fwtp: warning: .*cut\\.pcap: .*record starts at byte ${lastStart}\\b`, 'm'));
    const doc = JSON.parse(r.stdout);
    expect(doc.inputs[0].truncated).toBe(true);
    expect(doc.inputs[0].packets).toBe(18);
    expect(doc.packets).toBe(18);
  });

  it('a gzip stream cut short: exit 0, truncated, a warning that the gzip stream ended early', () => {
    const gz = gzipSync(storyBytes);
    const p = join(dir, 'cut.pcap.gz');
    writeFileSync(p, gz.subarray(0, gz.length - 40));
    const r = runCli(['gaps', p, '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.inputs[0]).toMatchObject({ gzip: true, truncated: true });
    expect(doc.inputs[0].packets).toBeLessThan(19);
    expect(r.stderr).toMatch(/^fwtp: warning: .*cut\.pcap\.gz: .*gzip stream ends early/m);
  });

  it('--quiet keeps the warning off stderr but in the document', () => {
    const p = join(dir, 'cut-quiet.pcap');
    writeFileSync(p, storyBytes.subarray(0, storyBytes.length - 10));
    const r = runCli(['gaps', p, '--format', 'json', '--quiet']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).inputs[0].warnings.length).toBe(1);
  });
});

describe('usage errors: exit 2', () => {
  it.each([
    ['an unknown option', ['gaps', 'STORY', '--bogus']],
    ['a bad --format', ['gaps', 'STORY', '--format', 'yaml']],
    ['a bad --by', ['gaps', 'STORY', '--by', 'vlan']],
    ['no command', []],
    ['an unknown command', ['frobnicate', 'STORY']],
    ['no input', ['gaps']],
  ])('%s', (_name, args) => {
    const r = runCli(args.map((a) => (a === 'STORY' ? story : a)));
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.errLines.some((l) => l.startsWith('fwtp: '))).toBe(true);
  });

  it.each([
    ['--gap-floor', '5x'],
    ['--gap-floor', '-1'],
    ['--flow-idle-limit', 'soon'],
  ])('a bad duration: %s %s', (opt, value) => {
    expectOneLineError(runCli(['gaps', story, opt, value]), 2, 'CLI_INVALID_DURATION', value);
  });

  it('a bad --max-flows', () => {
    expectOneLineError(runCli(['gaps', story, '--max-flows', '0']), 2, 'CLI_INVALID_MAX_FLOWS');
  });

  it('standard input named twice', () => {
    expectOneLineError(runCli(['gaps', '-', '-'], { input: storyBytes }), 2, 'CLI_STDIN_TWICE');
  });
});

describe('the JSON document of fwtp gaps', () => {
  it('has the fields, with the values worked out for the story capture', () => {
    const r = runCli(['gaps', story, '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.inputs).toHaveLength(1);
    expect(doc.inputs[0]).toMatchObject({
      path: story, format: 'pcap', gzip: false, linkTypes: { ETHERNET: 19 }, packets: 19, ipPackets: 18, nonIpPackets: 1,
      malformedPackets: 0, truncated: false, warnings: [],
    });
    expect(doc.packets).toBe(19);
    expect(doc.flows).toEqual({ total: 2, tcp: 1, udp: 1, other: 0 });
    expect(doc.tcpStreams).toBe(1);
    expect(doc.keepAlives.probes).toBe(4);
    expect(doc.keepAlives.acks).toBe(3);
    expect(doc.gaps.count).toBe(16);
    expect(doc.gaps.p50).toBeCloseTo(0.01, 9);
    expect(doc.gaps.p90).toBeCloseTo(3649.9995, 6);
    expect(doc.gaps.p99).toBe(7200);
    expect(doc.gaps.max).toBe(7200);
    expect(doc.gaps.censored).toBe(1); // the UDP flow is open at the end; the TCP flow closed
    expect(doc.window).toEqual({ start: '2023-11-14T22:13:20.000Z', end: '2023-11-15T02:16:40.002Z', seconds: 14600.002 });
  });

  it('reading the capture from standard input (-) gives the same document', () => {
    const fromFile = JSON.parse(runCli(['gaps', story, '--format', 'json']).stdout);
    const r = runCli(['gaps', '-', '--format', 'json'], { input: storyBytes });
    expect(r.status, r.stderr).toBe(0);
    const fromStdin = JSON.parse(r.stdout);
    expect(fromStdin.inputs[0].path).toBe('(stdin)');
    fromStdin.inputs[0].path = story;
    expect(fromStdin).toEqual(fromFile);
  });

  it('a gzip-compressed capture gives the same document, with gzip: true', () => {
    const gz = join(dir, 'story.pcap.gz');
    writeFileSync(gz, gzipSync(storyBytes));
    const fromFile = JSON.parse(runCli(['gaps', story, '--format', 'json']).stdout);
    const r = runCli(['gaps', gz, '--format', 'json']);
    expect(r.status, r.stderr).toBe(0);
    const fromGz = JSON.parse(r.stdout);
    expect(fromGz.inputs[0]).toMatchObject({ path: gz, gzip: true });
    fromGz.inputs[0].path = story;
    fromGz.inputs[0].gzip = false;
    expect(fromGz).toEqual(fromFile);
    // gzip on standard input too
    const viaStdin = JSON.parse(runCli(['gaps', '-', '--format', 'json'], { input: gzipSync(storyBytes) }).stdout);
    expect(viaStdin.inputs[0].gzip).toBe(true);
    expect(viaStdin.flows).toEqual(fromFile.flows);
  });
});

describe('-o FILE', () => {
  it('writes the document to the file (nothing on stdout), replacing an older file, leaving no temporary file', () => {
    const outDir = join(dir, 'out');
    mkdirSync(outDir, { recursive: true });
    const out = join(outDir, 'gaps.json');
    writeFileSync(out, 'old content that must disappear');
    const expected = runCli(['gaps', story, '--format', 'json']).stdout;
    const r = runCli(['gaps', story, '--format', 'json', '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(expected);
    expect(readdirSync(outDir)).toEqual(['gaps.json']);
  });

  it('refuses an output path that is one of the inputs (exit 2) and leaves the input intact', () => {
    const copy = join(dir, 'victim.pcap');
    writeFileSync(copy, storyBytes);
    expectOneLineError(runCli(['gaps', copy, '--format', 'json', '-o', copy]), 2, 'CLI_OUTPUT_IS_INPUT', copy);
    expect(readFileSync(copy).equals(storyBytes)).toBe(true);
    // The same file by another spelling of its path.
    const other = `${dir}/./victim.pcap`;
    expectOneLineError(runCli(['gaps', copy, '-o', other]), 2, 'CLI_OUTPUT_IS_INPUT');
    expect(readFileSync(copy).equals(storyBytes)).toBe(true);
  });
});

describe('piped output', () => {
  it('is not cut short when the reader is slow (4000 flows, about 1 MB of JSON)', () => {
    const recs: PcapRecord[] = [];
    for (let i = 0; i < 4000; i++) recs.push(rec(i * 0.01, udpPacket({ src: '10.1.0.1', dst: `10.2.${i >> 8}.${i & 255}`, sport: 20000 + (i % 30000), dport: 53 })));
    const big = join(dir, 'many.pcap');
    writeFileSync(big, pcapFile(recs, { linkType: 1 }));
    const out = join(dir, 'many.json');
    const w = runCli(['gaps', big, '--format', 'json', '--by', 'flow', '--top', '100000', '-o', out]);
    expect(w.status, w.stderr).toBe(0);
    const expectedBytes = readFileSync(out).length;
    expect(expectedBytes).toBeGreaterThan(500_000);
    // The shell pipeline makes stdout a pipe; the reader starts only after a second.
    const piped = execFileSync('sh', ['-c', `"${process.execPath}" "${BIN}" gaps "${big}" --format json --by flow --top 100000 | (sleep 1; wc -c)`], { encoding: 'utf8', timeout: 60_000 });
    expect(Number(piped.trim())).toBe(expectedBytes);
  });
});
