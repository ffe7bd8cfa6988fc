/**
 * Finished flows, appended column by column, and the FlowSet they become: shared by every
 * source of flows (the packet tracker, flow exports).
 */
import type { FlowSet } from './types.js';
import { growF64, growU16, growU32, growU8 } from '../util/typed-arrays.js';

/** Finished flows, appended column by column; becomes the FlowSet. */
export class FlowSetBuilder {
  count = 0;
  cap = 1024;
  proto = new Uint8Array(this.cap);
  clientAddr = new Uint32Array(this.cap);
  serverAddr = new Uint32Array(this.cap);
  clientPort = new Uint16Array(this.cap);
  serverPort = new Uint16Array(this.cap);
  firstUs = new Float64Array(this.cap);
  lastUs = new Float64Array(this.cap);
  start = new Uint8Array(this.cap);
  end = new Uint8Array(this.cap);
  endState = new Uint8Array(this.cap);
  packetsC2S = new Float64Array(this.cap);
  packetsS2C = new Float64Array(this.cap);
  bytesC2S = new Float64Array(this.cap);
  bytesS2C = new Float64Array(this.cap);
  keepAlivesC2S = new Uint32Array(this.cap);
  keepAlivesS2C = new Uint32Array(this.cap);
  keepAliveAcks = new Uint32Array(this.cap);
  gapOffset = new Uint32Array(this.cap + 1);
  gapCount = 0;
  gapCap = 1024;
  gapStartUs = new Float64Array(this.gapCap);
  gapEndUs = new Float64Array(this.gapCap);
  gapInfo = new Uint16Array(this.gapCap);

  reserve(): number {
    if (this.count === this.cap) this.growFlows(this.cap * 2);
    return this.count++;
  }

  /**
   * Room for exactly `flows` more flows and `gaps` more gaps, when the caller knows how many
   * are still to come: toFlowSet then hands the columns over without copying them.
   */
  reserveExactly(flows: number, gaps: number): void {
    if (this.count + flows !== this.cap) this.growFlows(this.count + flows);
    if (this.gapCount + gaps !== this.gapCap) this.growGaps(this.gapCount + gaps);
  }

  /** Columns of length n (more or fewer than now, never fewer than the flows written). */
  private growFlows(n: number): void {
    const k = this.count;
    this.proto = growU8(this.proto.subarray(0, k), n);
    this.clientAddr = growU32(this.clientAddr.subarray(0, k), n);
    this.serverAddr = growU32(this.serverAddr.subarray(0, k), n);
    this.clientPort = growU16(this.clientPort.subarray(0, k), n);
    this.serverPort = growU16(this.serverPort.subarray(0, k), n);
    this.firstUs = growF64(this.firstUs.subarray(0, k), n);
    this.lastUs = growF64(this.lastUs.subarray(0, k), n);
    this.start = growU8(this.start.subarray(0, k), n);
    this.end = growU8(this.end.subarray(0, k), n);
    this.endState = growU8(this.endState.subarray(0, k), n);
    this.packetsC2S = growF64(this.packetsC2S.subarray(0, k), n);
    this.packetsS2C = growF64(this.packetsS2C.subarray(0, k), n);
    this.bytesC2S = growF64(this.bytesC2S.subarray(0, k), n);
    this.bytesS2C = growF64(this.bytesS2C.subarray(0, k), n);
    this.keepAlivesC2S = growU32(this.keepAlivesC2S.subarray(0, k), n);
    this.keepAlivesS2C = growU32(this.keepAlivesS2C.subarray(0, k), n);
    this.keepAliveAcks = growU32(this.keepAliveAcks.subarray(0, k), n);
    this.gapOffset = growU32(this.gapOffset.subarray(0, k + 1), n + 1);
    this.cap = n;
  }

  private growGaps(n: number): void {
    const k = this.gapCount;
    this.gapStartUs = growF64(this.gapStartUs.subarray(0, k), n);
    this.gapEndUs = growF64(this.gapEndUs.subarray(0, k), n);
    this.gapInfo = growU16(this.gapInfo.subarray(0, k), n);
    this.gapCap = n;
  }

  /** Room for `n` more gaps of the flow being written: the index of the first, for the caller to fill. */
  reserveGaps(n: number): number {
    const at = this.gapCount;
    if (at + n > this.gapCap) this.growGaps(Math.max(this.gapCap * 2, at + n));
    this.gapCount = at + n;
    return at;
  }

  pushGap(startUs: number, endUs: number, info: number): void {
    if (this.gapCount === this.gapCap) this.growGaps(this.gapCap * 2);
    this.gapStartUs[this.gapCount] = startUs;
    this.gapEndUs[this.gapCount] = endUs;
    this.gapInfo[this.gapCount] = info;
    this.gapCount++;
  }

  /**
   * The FlowSet of the flows appended so far: columns of exactly the right length are handed
   * over, others copied to their length; the builder then starts empty (it never writes into a
   * set it returned).
   */
  toFlowSet(addresses: string[], gapFloorUs: number, windowStartUs: number, windowEndUs: number): FlowSet {
    const n = this.count;
    const g = this.gapCount;
    const fs: FlowSet = {
      count: n,
      proto: fit(this.proto, n),
      clientAddr: fit(this.clientAddr, n),
      serverAddr: fit(this.serverAddr, n),
      clientPort: fit(this.clientPort, n),
      serverPort: fit(this.serverPort, n),
      firstUs: fit(this.firstUs, n),
      lastUs: fit(this.lastUs, n),
      start: fit(this.start, n),
      end: fit(this.end, n),
      endState: fit(this.endState, n),
      packetsC2S: fit(this.packetsC2S, n),
      packetsS2C: fit(this.packetsS2C, n),
      bytesC2S: fit(this.bytesC2S, n),
      bytesS2C: fit(this.bytesS2C, n),
      keepAlivesC2S: fit(this.keepAlivesC2S, n),
      keepAlivesS2C: fit(this.keepAlivesS2C, n),
      keepAliveAcks: fit(this.keepAliveAcks, n),
      gapOffset: fit(this.gapOffset, n + 1),
      gapStartUs: fit(this.gapStartUs, g),
      gapEndUs: fit(this.gapEndUs, g),
      gapInfo: fit(this.gapInfo, g),
      addresses,
      gapFloorUs,
      windowStartUs,
      windowEndUs,
    };
    this.count = 0;
    this.gapCount = 0;
    this.growFlows(1024);
    this.growGaps(1024);
    return fs;
  }
}

/** The first n values: the array itself when that is all of it, else a copy. */
function fit<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(a: T, n: number): T {
  return a.length === n ? a : a.slice(0, n) as T;
}
