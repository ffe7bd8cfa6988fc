/**
 * The tracker keeps per-flow packet and byte counters as Uint32 with the high part in a side
 * map (src/flows/tracker.ts, carry()): counts past 2^32 must still come out exact.
 */
import { describe, expect, it } from 'vitest';
import { FlowTracker } from '../../src/flows/tracker.js';
import { Decoded } from '../../src/ingest/packet.js';

function udp(): Decoded {
  const d = new Decoded();
  d.family = 4; d.proto = 17; d.hasPorts = true;
  d.src4 = 0xc0000201; d.dst4 = 0xc6336418; d.sport = 40000; d.dport = 53;
  return d;
}

function at(t: FlowTracker, d: Decoded, tsUs: number, wireLen: number): void {
  d.tsUs = tsUs;
  t.packet(d, wireLen);
}

describe('flow counters past 2^32', () => {
  it('adds byte counts beyond 32 bits exactly, per direction', () => {
    const t = new FlowTracker();
    const d = udp();
    const big = 0xffffffff;
    for (let k = 0; k < 3; k++) at(t, d, 1e15 + k, big);
    const fs = t.finish();
    expect(fs.count).toBe(1);
    expect(fs.bytesC2S[0]).toBe(3 * big);
    expect(fs.packetsC2S[0]).toBe(3);
    expect(fs.bytesS2C[0]).toBe(0);
  });

  it('a reused slot starts from zero after an overflowed flow', () => {
    const t = new FlowTracker({ maxFlows: 1 });
    const d = udp();
    at(t, d, 1e15, 0xffffffff);
    at(t, d, 1e15 + 1, 0xffffffff);
    d.sport = 40001; // a second flow evicts the first (the first's slot is freed) ...
    at(t, d, 1e15 + 2, 100);
    d.sport = 40002; // ... and a third takes that slot
    at(t, d, 1e15 + 3, 7);
    const fs = t.finish();
    expect(fs.count).toBe(3);
    const byPort = new Map<number, number>();
    for (let i = 0; i < fs.count; i++) byPort.set(fs.clientPort[i]!, fs.bytesC2S[i]!);
    expect(byPort.get(40000)).toBe(2 * 0xffffffff);
    expect(byPort.get(40001)).toBe(100);
    expect(byPort.get(40002)).toBe(7);
  });
});
