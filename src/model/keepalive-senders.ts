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

export function prepareKeepAlive(fs: FlowSet, keepaliveText: string, source: Source, kaSchedule: Int32Array): { setting: KeepAliveSetting; schedules: KeepAliveSchedule[] } {
  const given = parseKeepAlive(keepaliveText);
  // Gather, per sender, the gaps that ended with its probes.
  const senders = new Map<number, { label: string; gaps: number[]; retry: boolean[]; flows: number[]; side: 0 | 1 }>();
  for (let i = 0; i < fs.count; i++) {
    if (fs.proto[i] !== PROTO_TCP) continue;
    for (let sideIndex = 0; sideIndex < 2; sideIndex++) { // not `of [0, 1]`: an array per flow
      const side = sideIndex as 0 | 1;
      const probes = side === 0 ? fs.keepAlivesC2S[i] : fs.keepAlivesS2C[i];
      if (probes === 0) continue;
      const key = senderKey(fs, i, side);
      let s = senders.get(key);
      if (s === undefined) {
        s = { label: senderLabel(fs, i, side), gaps: [], retry: [], flows: [], side };
        senders.set(key, s);
      }
      s.flows.push(i);
      for (let k = fs.gapOffset[i]!; k < fs.gapOffset[i + 1]!; k++) {
        const info = fs.gapInfo[k]!;
        if (gapKind(info) !== PacketKind.KeepAliveProbe || gapDirection(info) !== side) continue;
        s.gaps.push((fs.gapEndUs[k]! - fs.gapStartUs[k]!) / 1e6);
        s.retry.push((info & GAP_PROBE_RETRY_BIT) !== 0);
      }
    }
  }
  const schedules: KeepAliveSchedule[] = [];
  const observed: KeepAliveSetting['observed'] = [];
  const bySender = new Map<number, number>();
  for (const [key, s] of senders) {
    const inf = inferKeepAlive(s.gaps, s.retry);
    const probes = s.flows.reduce((n, i) => n + (s.side === 0 ? fs.keepAlivesC2S[i]! : fs.keepAlivesS2C[i]!), 0);
    if (inf !== null) observed.push({ sender: s.label, idleSeconds: inf.idleSeconds, intervalSeconds: inf.intervalSeconds, probes });
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
  const anyObserved = senders.size > 0;
  let flagForAllServers = -1;
  if (!anyObserved && source === 'flag' && given.schedule !== null) {
    // No probes in the data, but the user says the endpoints keep alive: the servers do (the story's database).
    flagForAllServers = schedules.length;
    schedules.push(given.schedule);
  }
  for (let i = 0; i < fs.count && (bySender.size > 0 || flagForAllServers >= 0); i++) {
    if (fs.proto[i] !== PROTO_TCP) continue;
    for (let sideIndex = 0; sideIndex < 2; sideIndex++) { // not `of [0, 1]`: an array per flow
      const side = sideIndex as 0 | 1;
      const s = bySender.get(senderKey(fs, i, side));
      if (s !== undefined) kaSchedule[i * 2 + side] = s;
      else if (side === 1 && flagForAllServers >= 0) kaSchedule[i * 2 + 1] = flagForAllServers;
    }
  }
  const setting: KeepAliveSetting = {
    profile: given.profile,
    schedule: given.schedule,
    source: source === 'flag' ? 'flag' : observed.length > 0 ? 'observed' : 'profile',
    observed,
  };
  return { setting, schedules };
}
