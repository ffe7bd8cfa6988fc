/**
 * The services the per-service figures follow (docs/MODEL.md, "Per service"), built once per
 * prepared model: a service is (protocol, server address, server port); the `limit` services with
 * the most sessions are tracked, each in a slot. For each slot, what its occupancy sweep needs
 * that does not depend on the candidate: entry starts and fixed-state ends per bucket, their sums,
 * and its flows' starts, fixed ends and candidate-state last packets in time order (for the exact
 * peak inside a bucket). Per-candidate work then adds O(flows + slots x buckets) to a sweep.
 */
import type { FlowSet } from '../flows/types.js';
import { protoName } from '../util/protocols.js';
import { bucketOf, clipToWindow } from './occupancy-grid.js';

export interface TrackedService {
  protocol: string;
  serverAddr: string;
  serverPort: number;
  /** Flows of this service in the inputs. */
  sessions: number;
}

export interface ServiceIndex {
  /** Tracked services, most sessions first (ties: address, port, protocol); slot = position. */
  services: TrackedService[];
  /** Per flow: its service's slot, or -1 when the service is not tracked. */
  slotOf: Int16Array;
  /** Slot of each flow in candEndOrder (aligned with it). */
  candSlot: Int16Array;
  /** Per slot, buckets + 1 values: entry starts minus fixed-state ends per bucket (slot * (buckets + 1) + bucket). */
  baseNet: Int32Array;
  /** Per slot, buckets values: entry starts per bucket. */
  startsPerBucket: Int32Array;
  /** Per slot: sum of (first packet - window start) and of clipped fixed-state ends - window start, us. */
  startSumUs: Float64Array;
  fixedEndSumUs: Float64Array;
  /** Per slot, ascending: first packets; fixed-state ends (with their flows); candidate-state last packets (with their flows). */
  starts: Float64Array[];
  fixedEnds: Float64Array[];
  fixedFlows: Uint32Array[];
  candLast: Float64Array[];
  candFlows: Uint32Array[];
}

/** Most services tracked: a slot is an Int16 (and a slot costs buckets x 8 bytes per candidate). */
export const MAX_TRACKED_SERVICES = 1000;

export interface SweepOrders {
  buckets: number;
  bucketUs: number;
  /** The flows by first packet, ascending (stable). */
  startOrder: Uint32Array;
  fixedEndOrder: Uint32Array;
  fixedEndUs: Float64Array;
  fixedBucket: Int32Array;
  candEndOrder: Uint32Array;
  candLastUs: Float64Array;
}

/**
 * Each flow's service as a dense id, by an open-addressing hash on (server address index, server
 * port, protocol): no string keys and no boxed doubles (a Map keyed by large numbers was a fifth
 * of the preparation on a million flows). The table grows with the services, not the flows: sized
 * at twice the flows it was 16 MiB at a million of them, nearly all of it never used.
 */
function serviceIds(fs: FlowSet): { ids: Int32Array; count: number; first: Int32Array; sessions: Int32Array } {
  const n = fs.count;
  let table = new ServiceTable(1024);
  const ids = new Int32Array(n);
  const first: number[] = [];
  const sessions: number[] = [];
  for (let i = 0; i < n; i++) {
    const h = table.find(fs, i);
    if (table.flow[h]! >= 0) {
      const id = table.id[h]!;
      ids[i] = id;
      sessions[id]!++;
      continue;
    }
    table.flow[h] = i;
    table.id[h] = first.length;
    ids[i] = first.length;
    first.push(i);
    sessions.push(1);
    // At most half full: doubled, every service (by its first flow) placed again.
    if (first.length * 2 > table.flow.length) {
      table = new ServiceTable(table.flow.length * 2);
      for (let id = 0; id < first.length; id++) { const g = table.find(fs, first[id]!); table.flow[g] = first[id]!; table.id[g] = id; }
    }
  }
  return { ids, count: first.length, first: Int32Array.from(first), sessions: Int32Array.from(sessions) };
}

/** The hash of serviceIds: per slot a representative flow of its service (-1: empty) and the service's id. */
class ServiceTable {
  readonly flow: Int32Array;
  readonly id: Int32Array;
  constructor(cap: number) {
    this.flow = new Int32Array(cap).fill(-1);
    this.id = new Int32Array(cap);
  }

  /** The slot of flow i's service, or the empty slot where it belongs. */
  find(fs: FlowSet, i: number): number {
    const mask = this.flow.length - 1;
    const a = fs.serverAddr[i]!, port = fs.serverPort[i]!, proto = fs.proto[i]!;
    let h = (Math.imul(a, 0x9e3779b1) ^ Math.imul(port * 256 + proto, 0x85ebca77)) >>> 0;
    h = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const r = this.flow[h]!;
      if (r < 0 || (fs.serverAddr[r] === a && fs.serverPort[r] === port && fs.proto[r] === proto)) return h;
      h = (h + 1) & mask;
    }
  }
}

/** The `wanted` ids with the most sessions: those above the wanted-th count, then ties in order of first appearance. */
function topIds(sessions: Int32Array, wanted: number): number[] {
  const hist = new Map<number, number>();
  for (let id = 0; id < sessions.length; id++) hist.set(sessions[id]!, (hist.get(sessions[id]!) ?? 0) + 1);
  const countsDesc = [...hist.keys()].sort((a, b) => b - a);
  let taken = 0;
  let threshold = 0;
  for (const c of countsDesc) { threshold = c; taken += hist.get(c)!; if (taken >= wanted) break; }
  const above: number[] = [];
  const ties: number[] = [];
  for (let id = 0; id < sessions.length; id++) {
    if (sessions[id]! > threshold) above.push(id);
    else if (sessions[id] === threshold && ties.length < wanted) ties.push(id);
  }
  return [...above, ...ties].slice(0, wanted);
}

/** The index of the `limit` services with the most sessions, or null when limit is 0 or there are no flows. */
export function indexServices(fs: FlowSet, limit: number, o: SweepOrders): ServiceIndex | null {
  const n = fs.count;
  const wanted = Math.min(Math.max(0, Math.floor(limit)), MAX_TRACKED_SERVICES);
  if (wanted === 0 || n === 0) return null;
  const all = serviceIds(fs);
  const chosen = topIds(all.sessions, wanted).map((id) => {
    const i = all.first[id]!;
    return { id, sessions: all.sessions[id]!, protocol: protoName(fs.proto[i]!), proto: fs.proto[i]!, serverAddr: fs.addresses[fs.serverAddr[i]!]!, serverPort: fs.serverPort[i]! };
  });
  chosen.sort((x, y) => y.sessions - x.sessions || (x.serverAddr < y.serverAddr ? -1 : x.serverAddr > y.serverAddr ? 1 : 0) || x.serverPort - y.serverPort || x.proto - y.proto);
  const slotOfId = new Int16Array(all.count).fill(-1);
  chosen.forEach((c, slot) => { slotOfId[c.id] = slot; });
  const services: TrackedService[] = chosen.map((c) => ({ protocol: c.protocol, serverAddr: c.serverAddr, serverPort: c.serverPort, sessions: c.sessions }));
  const S = services.length;
  const B = o.buckets;
  const ws = fs.windowStartUs, we = fs.windowEndUs;
  const slotOf = new Int16Array(n);
  for (let i = 0; i < n; i++) slotOf[i] = slotOfId[all.ids[i]!]!;

  const baseNet = new Int32Array(S * (B + 1));
  const startsPerBucket = new Int32Array(S * B);
  const startSumUs = new Float64Array(S);
  const fixedEndSumUs = new Float64Array(S);
  const starts = services.map((svc) => new Float64Array(svc.sessions));
  const fill = new Int32Array(S);
  for (let i = 0; i < n; i++) {
    const s = slotOf[i]!;
    if (s < 0) continue;
    const t = fs.firstUs[i]!;
    const b = bucketOf(t, B, o.bucketUs, ws, we);
    if (b < B) { baseNet[s * (B + 1) + b]!++; startsPerBucket[s * B + b]!++; }
    startSumUs[s]! += Math.max(t, ws) - ws; // in flow order, as before: the same rounding
  }
  // In start order, so each slot's starts come out sorted (no sort per slot).
  for (let k = 0; k < n; k++) {
    const i = o.startOrder[k]!;
    const s = slotOf[i]!;
    if (s >= 0) starts[s]![fill[s]!++] = fs.firstUs[i]!;
  }
  // Fixed-state ends and candidate-state last packets, per slot, in the order the global lists hold them (ascending).
  const fixedCount = new Int32Array(S);
  for (let k = 0; k < o.fixedEndOrder.length; k++) { const s = slotOf[o.fixedEndOrder[k]!]!; if (s >= 0) fixedCount[s]!++; }
  const fixedEnds = services.map((_, s) => new Float64Array(fixedCount[s]!));
  const fixedFlows = services.map((_, s) => new Uint32Array(fixedCount[s]!));
  fill.fill(0);
  for (let k = 0; k < o.fixedEndOrder.length; k++) {
    const i = o.fixedEndOrder[k]!;
    const s = slotOf[i]!;
    if (s < 0) continue;
    baseNet[s * (B + 1) + o.fixedBucket[k]!]!--;
    fixedEndSumUs[s]! += clipToWindow(o.fixedEndUs[k]!, ws, we) - ws;
    fixedEnds[s]![fill[s]!] = o.fixedEndUs[k]!;
    fixedFlows[s]![fill[s]!++] = i;
  }
  const candSlot = new Int16Array(o.candEndOrder.length);
  const candCount = new Int32Array(S);
  for (let k = 0; k < o.candEndOrder.length; k++) { const s = slotOf[o.candEndOrder[k]!]!; candSlot[k] = s; if (s >= 0) candCount[s]!++; }
  const candLast = services.map((_, s) => new Float64Array(candCount[s]!));
  const candFlows = services.map((_, s) => new Uint32Array(candCount[s]!));
  fill.fill(0);
  for (let k = 0; k < o.candEndOrder.length; k++) {
    const s = candSlot[k]!;
    if (s < 0) continue;
    candLast[s]![fill[s]!] = o.candLastUs[k]!;
    candFlows[s]![fill[s]!++] = o.candEndOrder[k]!;
  }
  return { services, slotOf, candSlot, baseNet, startsPerBucket, startSumUs, fixedEndSumUs, starts, fixedEnds, fixedFlows, candLast, candFlows };
}
