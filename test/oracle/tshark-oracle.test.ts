// The oracle's own counting (scripts/tshark-oracle.mjs, scripts/oracle-diff.mjs)
// on hand-written tshark output, so its classification rules
// (docs/WIRESHARK-RULES.md §4) are pinned without running tshark.
import { describe, expect, it } from 'vitest';
import { compareFile } from '../../scripts/oracle-diff.mjs';
import { cleanStderr, factsFromFields } from '../../scripts/tshark-oracle.mjs';

const lines = (rows: string[][]) => rows.map((r) => `${r.join('\t')}\n`).join('');

describe('factsFromFields', () => {
  const out = lines([
    ['1', 'eth:ethertype:ip:tcp', '0', '', ''],
    ['2', 'eth:ethertype:vlan:ethertype:ip:tcp:http', '1', '1', ''], // VLAN is not an IP layer
    ['3', 'eth:ethertype:ipv6:ipv6.hopopts:tcp', '2', '', '1'], // extension headers are not IP layers
    ['4', 'eth:ethertype:ip:gre:ip:tcp', '3', '1', ''], // tunnelled
    ['5', 'eth:ethertype:ip:icmp:ip:tcp', '0', '', ''], // ICMP-quoted
    ['6', 'eth:ethertype:ip:udp:dns', '', '', ''],
    ['7', 'eth:ethertype:ip:tcp', '', '', ''], // header cut before byte 16
    ['8', 'eth:ethertype:ip:tcp:ip:tcp', '4,5', '1,1', ''], // TCP in TCP, both flagged
    ['9', 'eth:ethertype:ip:tcp:ip:tcp', '6,7', '1', ''], // only one flagged: ambiguous
    ['10', 'eth:ethertype:ip:tcp', '1', '', '1'], // stream 1 again: distinct non-tunnelled streams are 0,1,2,4,6
  ]);
  const f = factsFromFields(out);

  it('counts every frame', () => {
    expect(f.packets).toBe(10);
  });
  it('counts non-tunnelled TCP by the first tcp layer', () => {
    expect(f.nonTunnelled).toEqual({ tcpFrames: 7, tcpStreams: 5, keepAliveProbes: 2, keepAliveAcks: 2 });
  });
  it('counts every TCP layer in the all view', () => {
    expect(f.all).toEqual({ tcpFrames: 9, tcpStreams: 8, keepAliveProbes: 5, keepAliveAcks: 2 });
  });
  it('classifies tunnelled, ICMP-quoted, stream-less and ambiguous frames', () => {
    expect([f.tunnelledTcpFrames, f.icmpQuotedTcpFrames, f.tcpWithoutStreamFrames, f.ambiguousFrames]).toEqual([1, 1, 1, 1]);
  });
  it('reads empty output as an empty capture', () => {
    expect(factsFromFields('').packets).toBe(0);
  });
});

describe('cleanStderr', () => {
  it('drops the root warning and keeps real messages', () => {
    const stderr = 'Running as user "root" and group "root". This could be dangerous.\ntshark: The file "x" appears to have been cut short in the middle of a packet.\n';
    expect(cleanStderr(stderr)).toBe('tshark: The file "x" appears to have been cut short in the middle of a packet.');
  });
});

describe('compareFile', () => {
  const facts = {
    file: '/c/a.pcap', readOk: true, exitCode: 0, signal: null, stderr: '', elapsedMs: 1, dissectorWarnings: 0,
    packets: 10, all: { tcpFrames: 9, tcpStreams: 3, keepAliveProbes: 2, keepAliveAcks: 1 },
    nonTunnelled: { tcpFrames: 8, tcpStreams: 2, keepAliveProbes: 2, keepAliveAcks: 1 },
    tunnelledTcpFrames: 1, icmpQuotedTcpFrames: 0, tcpWithoutStreamFrames: 0, ambiguousFrames: 0,
  };
  const run = (over: object) => ({ exitCode: 0, signal: null, stderr: '', elapsedMs: 1, crashed: false, json: null, jsonError: null, ...over });
  const json = (tcpStreams: number) => ({ inputs: [{ packets: 10, truncated: false, warnings: [] }], packets: 10, tcpStreams, keepAlives: { probes: 2, acks: 1 } });

  it('agrees on equal non-tunnelled figures', () => {
    const c = compareFile(facts.file, facts, run({ json: json(2) }));
    expect([c.status, c.differences]).toEqual(['compared', {}]);
  });
  it('reports the differing field with both values', () => {
    expect(compareFile(facts.file, facts, run({ json: json(3) })).differences).toEqual({ tcpStreams: { tshark: 2, fwtp: 3 } });
  });
  it('reports a rejection of a file tshark reads', () => {
    expect(compareFile(facts.file, facts, run({ exitCode: 1 })).status).toBe('fwtp-input-error');
  });
  it('does not compare files tshark cannot read, but still reports crashes', () => {
    const unreadable = { ...facts, readOk: false, exitCode: 2 };
    expect(compareFile(facts.file, unreadable, run({ exitCode: 1 })).status).toBe('tshark-error');
    expect(compareFile(facts.file, unreadable, run({ exitCode: 134, crashed: true })).status).toBe('crash');
  });
});
