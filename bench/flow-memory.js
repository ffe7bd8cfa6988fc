// Heap per open flow: one million TCP flows held open in the flow table (a SYN each from a
// distinct client address/port), memory measured after a full GC, before and after.
// Run: node --expose-gc bench/flow-memory.js [flows]
import { FlowTracker } from '../dist/flows/tracker.js';
import { Decoded } from '../dist/ingest/packet.js';

const flows = Number(process.argv[2] ?? 1_000_000);
// Two full GCs: with one, a run now and then still counted the grown-out columns (147 B once in 6 runs).
const mem = () => { globalThis.gc(); globalThis.gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
const before = mem();
const tracker = new FlowTracker();
const d = new Decoded();
d.family = 4; d.proto = 6; d.hasPorts = true; d.tcpFlags = 0x02; d.window = 64240; d.segLen = 0;
d.dst4 = 0xc6336418; d.dport = 1521;
const t0 = 1.7e15;
for (let i = 0; i < flows; i++) {
  d.src4 = (0xc0000200 + (i >>> 14)) >>> 0; // 192.0.2.0 + i/16384: 62 client addresses for 1M flows
  d.sport = 1024 + (i & 0x3fff);
  d.seq = (i * 2654435761) >>> 0;
  d.tsUs = t0 + i * 10;
  tracker.packet(d, 60);
}
const after = mem();
const perFlow = (after - before) / tracker.openFlows;
console.log(JSON.stringify({ bench: 'flow-memory', openFlows: tracker.openFlows, bytesPerOpenFlow: Math.round(perFlow), targetBytes: 150 }));
