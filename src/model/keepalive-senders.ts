/**
 * Keep-alive schedules per sender: the probes the capture shows, gathered per sender and
 * inferred (keepalive.ts), or the profile the user gave; each flow side points at its schedule.
 */
import { PacketKind, GAP_PROBE_RETRY_BIT, gapDirection, gapKind, type FlowSet } from '../flows/types.js';
import { PROTO_TCP } from '../util/protocols.js';
import { hostPort } from '../util/endpoints.js';
import { NO_SCHEDULE } from './flow-model.js';
import { inferKeepAlive, parseKeepAlive } from './keepalive.js';
import type { KeepAliveSchedule, KeepAliveSetting, Source } from './types.js';

/** Keep-alive senders: servers by address:port, clients by address (their ports are ephemeral). */
function senderKey(fs: FlowSet, i: number, side: 0 | 1): number {
  // Numeric, so the per-flow lookups build no strings: servers by address id and port, clients by address id.
  return side === 1 ? fs.serverAddr[i]! * 65536 + fs.serverPort[i]! : -1 - fs.clientAddr[i]!;
}

function senderLabel(fs: FlowSet, i: number, side: 0 | 1): string {
  return side === 1 ? hostPort(fs.addresses[fs.serverAddr[i]!]!, fs.serverPort[i]!) : `${fs.addresses[fs.clientAddr[i]!]}:*`;
}

export function prepareKeepAlive(fs: FlowSet, keepaliveText: string, source: Source, kaSchedule: Int32Array): { setting: KeepAliveSetting; schedules: KeepAliveSchedule[]; kaIdleMinSeconds: Float64Array } {
  const given = parseKeepAlive(keepaliveText);
  // Senders with probes, numbered in order of first appearance (flow order, client side first);
  // then their probe gaps in typed arrays sized by a count (no per-sender growing lists).
  const senderIds = new Map<number, number>();
  const senderFlow: number[] = []; // a flow of the sender, for its label
  const senderSide: Array<0 | 1> = [];
  const probesOf: number[] = [];
  const gapCount: number[] = [];
  for (let i = 0; i < fs.count; i++) {
    if (fs.proto[i] !== PROTO_TCP) continue;
    for (let sideIndex = 0; sideIndex < 2; sideIndex++) { // not `of [0, 1]`: an array per flow
      const side = sideIndex as 0 | 1;
      const probes = side === 0 ? fs.keepAlivesC2S[i]! : fs.keepAlivesS2C[i]!;
      if (probes === 0) continue;
      const key = senderKey(fs, i, side);
      let id = senderIds.get(key);
      if (id === undefined) {
        id = senderFlow.length;
        senderIds.set(key, id);
        senderFlow.push(i); senderSide.push(side); probesOf.push(0); gapCount.push(0);
      }
      probesOf[id]! += probes;
      gapCount[id]! += probeGaps(fs, i, side, null, null, 0);
    }
  }
  const gaps = gapCount.map((c) => new Float64Array(c));
  const retry = gapCount.map((c) => new Uint8Array(c));
  const filled = new Int32Array(gapCount.length);
  for (let i = 0; i < fs.count && gapCount.length > 0; i++) {
    if (fs.proto[i] !== PROTO_TCP) continue;
    for (let sideIndex = 0; sideIndex < 2; sideIndex++) {
      const side = sideIndex as 0 | 1;
      if ((side === 0 ? fs.keepAlivesC2S[i]! : fs.keepAlivesS2C[i]!) === 0) continue;
      const id = senderIds.get(senderKey(fs, i, side))!;
      filled[id]! += probeGaps(fs, i, side, gaps[id]!, retry[id]!, filled[id]!);
    }
  }
  const schedules: KeepAliveSchedule[] = [];
  const observed: KeepAliveSetting['observed'] = [];
  const bySender = new Map<number, number>();
  for (const [key, id] of senderIds) {
    const inf = inferKeepAlive(gaps[id]!, retry[id]!);
    const probes = probesOf[id]!;
    if (inf !== null) observed.push({ sender: senderLabel(fs, senderFlow[id]!, senderSide[id]!), idleSeconds: inf.idleSeconds, intervalSeconds: inf.intervalSeconds, probes });
    let schedule: KeepAliveSchedule | null;
    if (source === 'flag') schedule = given.schedule;
    else {
      // Observed idle (and interval where retries showed it), the profile for the rest.
      const base = given.schedule ?? { idleSeconds: 7200, intervalSeconds: 75, count: 9 };
      schedule = inf === null ? base : { idleSeconds: inf.idleSeconds, intervalSeconds: inf.intervalSeconds ?? base.intervalSeconds, count: base.count };
    }
    if (schedule !== null) {
      bySender.set(key, schedules.length);
      schedules.push(schedule);
    }
  }
  kaSchedule.fill(NO_SCHEDULE);
  const anyObserved = senderIds.size > 0;
  let flagForAllServers = -1;
  if (!anyObserved && source === 'flag' && given.schedule !== null) {
    // No probes in the data, but the user says the endpoints keep alive: the servers do (the story's database).
    flagForAllServers = schedules.length;
    schedules.push(given.schedule);
  }
  // Clients are keyed by address alone: their schedules in an array by address id, not a Map lookup per flow.
  const clientSchedule = new Int32Array(fs.addresses.length).fill(NO_SCHEDULE);
  let serverSenders = 0;
  for (const [key, s] of bySender) { if (key < 0) clientSchedule[-1 - key] = s; else serverSenders++; }
  for (let i = 0; i < fs.count && (bySender.size > 0 || flagForAllServers >= 0); i++) {
    if (fs.proto[i] !== PROTO_TCP) continue;
    kaSchedule[i * 2] = clientSchedule[fs.clientAddr[i]!] ?? NO_SCHEDULE;
    const s = serverSenders > 0 ? bySender.get(senderKey(fs, i, 1)) : undefined;
    if (s !== undefined) kaSchedule[i * 2 + 1] = s;
    else if (flagForAllServers >= 0) kaSchedule[i * 2 + 1] = flagForAllServers;
  }
  const setting: KeepAliveSetting = {
    profile: given.profile,
    schedule: given.schedule,
    source: source === 'flag' ? 'flag' : observed.length > 0 ? 'observed' : 'profile',
    observed,
  };
  return { setting, schedules, kaIdleMinSeconds: idleMinPerFlow(kaSchedule, schedules, fs.count) };
}

/** Per flow: the shorter keep-alive idle time of its two sides (NaN when neither has one: no `<=` holds, as for no schedule). */
function idleMinPerFlow(kaSchedule: Int32Array, schedules: KeepAliveSchedule[], n: number): Float64Array {
  const idle = Float64Array.from(schedules, (s) => s.idleSeconds);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = kaSchedule[i * 2]!, b = kaSchedule[i * 2 + 1]!;
    const ia = a !== NO_SCHEDULE ? idle[a]! : NaN, ib = b !== NO_SCHEDULE ? idle[b]! : NaN;
    out[i] = Number.isNaN(ia) ? ib : Number.isNaN(ib) ? ia : Math.min(ia, ib);
  }
  return out;
}

/** The probe gaps of flow i sent by `side` (seconds, and whether each was a retry), written from `at` when given; returns how many. */
function probeGaps(fs: FlowSet, i: number, side: 0 | 1, gaps: Float64Array | null, retry: Uint8Array | null, at: number): number {
  let c = 0;
  for (let k = fs.gapOffset[i]!; k < fs.gapOffset[i + 1]!; k++) {
    const info = fs.gapInfo[k]!;
    if (gapKind(info) !== PacketKind.KeepAliveProbe || gapDirection(info) !== side) continue;
    if (gaps !== null) {
      gaps[at + c] = (fs.gapEndUs[k]! - fs.gapStartUs[k]!) / 1e6;
      retry![at + c] = (info & GAP_PROBE_RETRY_BIT) !== 0 ? 1 : 0;
    }
    c++;
  }
  return c;
}
