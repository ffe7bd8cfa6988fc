/**
 * What is dropped once a session broke (docs/MODEL.md, "After a break"): it depends on the gap
 * where it broke, not on the candidate, so the break schedule (break-schedule.ts) works it out
 * once per break and the per-candidate walk (replay.ts) once per candidate.
 */
import { PacketKind, gapDirection, gapKind, type FlowSet } from '../flows/types.js';
import { KIND_KEEPALIVE } from './break-kind.js';
import { scheduleOf, type FlowModel } from './flow-model.js';

/** What dropsAfterBreak found, written into an object the caller reuses (one per broken session was an allocation each). */
export interface Drops { keepAlives: number; packets: number }

/**
 * What is dropped once a session broke at gap k:
 * - a keep-alive probe is retried until COUNT probes went unanswered, then the sender resets;
 * - data is retransmitted (not keep-alives: Linux sends no probe while data is unacknowledged);
 * - the peer, if it keeps alive, probes after its idle time from the last packet it saw, and
 *   gives up after COUNT probes as well.
 * Packets the capture shows after the break are dropped too.
 */
export function dropsAfterBreak(p: FlowModel, i: number, k: number, bk: number, dir: 0 | 1, out: Drops): void {
  const fs = p.fs;
  let keepAlives = 0;
  let packets = 0;
  const sender = scheduleOf(p, i, dir === 0 ? 0 : 1);
  const peerSide: 0 | 1 = dir === 0 ? 1 : 0;
  const peer = scheduleOf(p, i, peerSide);
  const gapStart = fs.gapStartUs[k]!;
  if (bk === KIND_KEEPALIVE) {
    const count = sender !== null ? sender.count : countProbesFrom(fs, i, k, dir);
    keepAlives += count;
    packets += count + 1; // the probes and the reset that ends them
  } else {
    packets += 1;
  }
  if (peer !== null) {
    // The peer heard nothing since the gap began; its timer fires after its idle time.
    const peerProbeAt = gapStart + peer.idleSeconds * 1e6;
    if (peerProbeAt >= fs.gapEndUs[k]! && peerProbeAt <= p.windowEndUs) {
      keepAlives += peer.count;
      packets += peer.count + 1;
    }
  }
  out.keepAlives = keepAlives;
  out.packets = packets;
}

/** Probes the capture shows from `dir` at and after gap k, for senders with no known schedule. */
function countProbesFrom(fs: FlowSet, i: number, k: number, dir: 0 | 1): number {
  let c = 0;
  for (let j = k; j < fs.gapOffset[i + 1]!; j++) {
    const info = fs.gapInfo[j]!;
    if (gapKind(info) === PacketKind.KeepAliveProbe && gapDirection(info) === dir) c++;
  }
  return Math.max(1, c);
}
