/**
 * The long idle gaps of the open flows, until each flow is finished: one pool of gap records
 * (start, end, packed info) shared by all flows, each flow's gaps a singly linked list through
 * the pool, newest first (so a flow needs one head index, not also a tail); finished flows'
 * records return to a free list, so a day of traffic needs only as many records as the open
 * flows hold at once.
 *
 * Records live in fixed-size chunks, added as needed and never copied: growing one array by
 * doubling allocated twice the final size and copied every record at each step (day capture:
 * 22 MB allocated for 400 k gaps, 8.7 MB in chunks). A record is touched once per gap, not per
 * packet, so the chunk lookup costs nothing measurable.
 */
import { type FlowSetBuilder } from './builder.js';
import { growI32 } from '../util/typed-arrays.js';
import { NONE } from './flow-hash.js';

const CHUNK_BITS = 13;
const CHUNK = 1 << CHUNK_BITS; // records per chunk (64 KiB of start/end times)
const IN_CHUNK = CHUNK - 1;

export class GapPool {
  // Per open flow, indexed by slot: its newest gap record, NONE = no gap yet.
  private head: Int32Array;
  // Gap records by chunk: times [2k] start, [2k + 1] end (microseconds); info; next record in the flow's list (or the free list).
  private readonly times: Float64Array[] = [];
  private readonly info: Uint16Array[] = [];
  private readonly next: Int32Array[] = [];
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

  /**
   * The start and end (microseconds) of the gap the next push() appends, written by the caller
   * first: timestamps are past 2^31, so as arguments to a call V8 does not inline each would be
   * a heap number per gap (the bench day's 400 k gaps made 13 MB of garbage).
   */
  readonly pending = new Float64Array(2);

  /** Append a gap (its times in `pending`, packGapInfo's bits in `info`) to the flow in `slot`. */
  push(slot: number, info: number): void {
    let g: number;
    if (this.free !== NONE) {
      g = this.free;
      this.free = this.next[g >>> CHUNK_BITS]![g & IN_CHUNK]!;
    } else {
      g = this.used++;
      if ((g & IN_CHUNK) === 0) this.addChunk();
    }
    const c = g >>> CHUNK_BITS, k = g & IN_CHUNK;
    const times = this.times[c]!;
    times[k * 2] = this.pending[0]!;
    times[k * 2 + 1] = this.pending[1]!;
    this.info[c]![k] = info;
    this.next[c]![k] = this.head[slot]!;
    this.head[slot] = g;
    this.live++;
  }

  /** Append the gaps of the flow in `slot` to the output flow being written, in time order, and free them. */
  moveTo(slot: number, out: FlowSetBuilder): void {
    const first = this.head[slot]!;
    if (first === NONE) return;
    let n = 0;
    for (let g = first; g !== NONE; g = this.next[g >>> CHUNK_BITS]![g & IN_CHUNK]!) n++;
    // Newest first in the list: written from the end of the flow's range back.
    let at = out.reserveGaps(n) + n;
    for (let g = first; g !== NONE;) {
      at--;
      const c = g >>> CHUNK_BITS, k = g & IN_CHUNK;
      const times = this.times[c]!;
      out.gapStartUs[at] = times[k * 2]!;
      out.gapEndUs[at] = times[k * 2 + 1]!;
      out.gapInfo[at] = this.info[c]![k]!;
      const nextChunk = this.next[c]!;
      const next = nextChunk[k]!;
      nextChunk[k] = this.free;
      this.free = g;
      g = next;
    }
    this.live -= n;
    this.head[slot] = NONE;
  }

  private addChunk(): void {
    this.times.push(new Float64Array(CHUNK * 2));
    this.info.push(new Uint16Array(CHUNK));
    this.next.push(new Int32Array(CHUNK));
  }
}
