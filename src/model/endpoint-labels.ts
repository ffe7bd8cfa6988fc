/**
 * Affected-service label ids by endpoints (client address, direction, server address, port,
 * protocol), in an open-addressing hash over typed arrays: a label's text is built once per
 * endpoint pair, not once per flow. (Nested Maps keyed by numbers above 2^31 took 0.5 s for the
 * million flows of a generated day.)
 */
import type { FlowSet } from '../flows/types.js';

export class EndpointLabels {
  /** Per slot: a flow with these endpoints (-1: empty), its direction, and the label id. */
  private flow: Int32Array;
  private dir: Uint8Array;
  private id: Int32Array;
  private count = 0;

  /** `slots`: the starting size, a power of two (it doubles at half full). */
  constructor(slots = 1024) {
    this.flow = new Int32Array(slots).fill(-1);
    this.dir = new Uint8Array(slots);
    this.id = new Int32Array(slots);
  }

  /** The label id of flow i's packets in direction dir, or -1 when none was set. */
  get(fs: FlowSet, i: number, dir: 0 | 1): number {
    const slot = this.slotOf(fs, i, dir);
    return this.flow[slot]! < 0 ? -1 : this.id[slot]!;
  }

  /** Sets the label id of flow i's endpoints in direction dir (not set before). */
  set(fs: FlowSet, i: number, dir: 0 | 1, id: number): void {
    // At most half full: doubled, every entry placed again.
    if ((this.count + 1) * 2 > this.flow.length) this.grow(fs);
    const slot = this.slotOf(fs, i, dir);
    this.flow[slot] = i;
    this.dir[slot] = dir;
    this.id[slot] = id;
    this.count++;
  }

  /** The slot of these endpoints, or the empty slot where they belong. */
  private slotOf(fs: FlowSet, i: number, dir: number): number {
    const mask = this.flow.length - 1;
    const c = fs.clientAddr[i]!, a = fs.serverAddr[i]!, port = fs.serverPort[i]!, proto = fs.proto[i]!;
    let h = (Math.imul(c * 2 + dir, 0x9e3779b1) ^ Math.imul(a, 0x85ebca77) ^ Math.imul(port * 256 + proto, 0xc2b2ae3d)) >>> 0;
    h = (h ^ (h >>> 15)) & mask;
    for (;;) {
      const r = this.flow[h]!;
      if (r < 0 || (this.dir[h] === dir && fs.clientAddr[r] === c && fs.serverAddr[r] === a && fs.serverPort[r] === port && fs.proto[r] === proto)) return h;
      h = (h + 1) & mask;
    }
  }

  private grow(fs: FlowSet): void {
    const { flow, dir, id } = this;
    const size = flow.length * 2;
    this.flow = new Int32Array(size).fill(-1);
    this.dir = new Uint8Array(size);
    this.id = new Int32Array(size);
    for (let s = 0; s < flow.length; s++) {
      if (flow[s]! < 0) continue;
      const slot = this.slotOf(fs, flow[s]!, dir[s]!);
      this.flow[slot] = flow[s]!; this.dir[slot] = dir[s]!; this.id[slot] = id[s]!;
    }
  }
}
