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
    if (this.count === this.cap) {
      const n = this.cap * 2;
      this.proto = growU8(this.proto, n);
      this.clientAddr = growU32(this.clientAddr, n);
      this.serverAddr = growU32(this.serverAddr, n);
      this.clientPort = growU16(this.clientPort, n);
      this.serverPort = growU16(this.serverPort, n);
      this.firstUs = growF64(this.firstUs, n);
      this.lastUs = growF64(this.lastUs, n);
      this.start = growU8(this.start, n);
      this.end = growU8(this.end, n);
      this.endState = growU8(this.endState, n);
      this.packetsC2S = growF64(this.packetsC2S, n);
      this.packetsS2C = growF64(this.packetsS2C, n);
      this.bytesC2S = growF64(this.bytesC2S, n);
      this.bytesS2C = growF64(this.bytesS2C, n);
      this.keepAlivesC2S = growU32(this.keepAlivesC2S, n);
      this.keepAlivesS2C = growU32(this.keepAlivesS2C, n);
      this.keepAliveAcks = growU32(this.keepAliveAcks, n);
      this.gapOffset = growU32(this.gapOffset, n + 1);
      this.cap = n;
    }
    return this.count++;
  }

  pushGap(startUs: number, endUs: number, info: number): void {
    if (this.gapCount === this.gapCap) {
      const n = this.gapCap * 2;
      this.gapStartUs = growF64(this.gapStartUs, n);
      this.gapEndUs = growF64(this.gapEndUs, n);
      this.gapInfo = growU16(this.gapInfo, n);
      this.gapCap = n;
    }
    this.gapStartUs[this.gapCount] = startUs;
    this.gapEndUs[this.gapCount] = endUs;
    this.gapInfo[this.gapCount] = info;
    this.gapCount++;
  }

  /** The FlowSet of the flows appended so far (columns copied to their exact length). */
  toFlowSet(addresses: string[], gapFloorUs: number, windowStartUs: number, windowEndUs: number): FlowSet {
    const n = this.count;
    return {
      count: n,
      proto: this.proto.slice(0, n),
      clientAddr: this.clientAddr.slice(0, n),
      serverAddr: this.serverAddr.slice(0, n),
      clientPort: this.clientPort.slice(0, n),
      serverPort: this.serverPort.slice(0, n),
      firstUs: this.firstUs.slice(0, n),
      lastUs: this.lastUs.slice(0, n),
      start: this.start.slice(0, n),
      end: this.end.slice(0, n),
      endState: this.endState.slice(0, n),
      packetsC2S: this.packetsC2S.slice(0, n),
      packetsS2C: this.packetsS2C.slice(0, n),
      bytesC2S: this.bytesC2S.slice(0, n),
      bytesS2C: this.bytesS2C.slice(0, n),
      keepAlivesC2S: this.keepAlivesC2S.slice(0, n),
      keepAlivesS2C: this.keepAlivesS2C.slice(0, n),
      keepAliveAcks: this.keepAliveAcks.slice(0, n),
      gapOffset: this.gapOffset.slice(0, n + 1),
      gapStartUs: this.gapStartUs.slice(0, this.gapCount),
      gapEndUs: this.gapEndUs.slice(0, this.gapCount),
      gapInfo: this.gapInfo.slice(0, this.gapCount),
      addresses,
      gapFloorUs,
      windowStartUs,
      windowEndUs,
    };
  }
}
