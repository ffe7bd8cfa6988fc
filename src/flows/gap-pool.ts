/**
 * The long idle gaps of the open flows, until each flow is finished: one pool of gap records
 * (start, end, packed info) shared by all flows, each flow's gaps a singly linked list through
 * the pool, newest first (so a flow needs one head index, not also a tail); finished flows'
 * records return to a free list, so a day of traffic needs only as many records as the open
 * flows hold at once.
 */
import { type FlowSetBuilder } from './builder.js';
import { growF64, growI32, growU16 } from '../util/typed-arrays.js';
import { NONE } from './flow-hash.js';

export class GapPool {
  // Per open flow, indexed by slot: its newest gap record, NONE = no gap yet.
  private head: Int32Array;
  // Gap records.
  private cap = 1024;
  private startUs = new Float64Array(this.cap);
  private endUs = new Float64Array(this.cap);
  private info = new Uint16Array(this.cap);
  private next = new Int32Array(this.cap);
  private used = 0;
  private free = NONE;
  /** Gap records held by open flows. */
  live = 0;

  constructor(slotCapacity: number) {
    this.head = new Int32Array(slotCapacity);
  }

  growSlots(slotCapacity: number): void {
    this.head = growI32(this.head, slotCapacity);
  }

  /** A new flow in `slot`: no gaps. */
  clear(slot: number): void {
    this.head[slot] = NONE;
  }

  /** Append a gap (packGapInfo's bits in `info`) to the flow in `slot`. */
  push(slot: number, startUs: number, endUs: number, info: number): void {
    let g: number;
    if (this.free !== NONE) {
      g = this.free;
      this.free = this.next[g]!;
    } else {
      if (this.used === this.cap) this.growRecords();
      g = this.used++;
    }
    this.startUs[g] = startUs;
    this.endUs[g] = endUs;
    this.info[g] = info;
    this.next[g] = this.head[slot]!;
    this.head[slot] = g;
    this.live++;
  }

  /** Append the gaps of the flow in `slot` to the output flow being written, in time order, and free them. */
  moveTo(slot: number, out: FlowSetBuilder): void {
    const first = this.head[slot]!;
    if (first === NONE) return;
    let n = 0;
    for (let g = first; g !== NONE; g = this.next[g]!) n++;
    // Newest first in the list: written from the end of the flow's range back.
    let k = out.reserveGaps(n) + n;
    for (let g = first; g !== NONE;) {
      k--;
      out.gapStartUs[k] = this.startUs[g]!;
      out.gapEndUs[k] = this.endUs[g]!;
      out.gapInfo[k] = this.info[g]!;
      const next = this.next[g]!;
      this.next[g] = this.free;
      this.free = g;
      g = next;
    }
    this.live -= n;
    this.head[slot] = NONE;
  }

  private growRecords(): void {
    const n = this.cap * 2;
    this.startUs = growF64(this.startUs, n);
    this.endUs = growF64(this.endUs, n);
    this.info = growU16(this.info, n);
    this.next = growI32(this.next, n);
    this.cap = n;
  }
}
