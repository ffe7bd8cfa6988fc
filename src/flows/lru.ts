/**
 * Slot lists of the flow table, intrusive over slot ids: the open slots in least-recently-active
 * order (head = idlest, the one to evict first), and the freed slots waiting for reuse, chained
 * through the same `next` column (a slot is on exactly one of the two lists, or neither).
 */
import { growI32 } from '../util/typed-arrays.js';
import { NONE } from './flow-hash.js';

export class SlotLru {
  prev: Int32Array;
  next: Int32Array;
  /** Least recently active open slot, or NONE. */
  head = NONE;
  /** Most recently active open slot, or NONE. */
  tail = NONE;
  /** First freed slot, or NONE. */
  private freeHead = NONE;

  constructor(slotCapacity: number) {
    this.prev = new Int32Array(slotCapacity);
    this.next = new Int32Array(slotCapacity);
  }

  growSlots(slotCapacity: number): void {
    this.prev = growI32(this.prev, slotCapacity);
    this.next = growI32(this.next, slotCapacity);
  }

  /** A freed slot to reuse, taken off the free list, or NONE. */
  takeFree(): number {
    const slot = this.freeHead;
    if (slot !== NONE) this.freeHead = this.next[slot]!;
    return slot;
  }

  /** Add a new open slot as the most recently active. */
  append(slot: number): void {
    this.prev[slot] = this.tail;
    this.next[slot] = NONE;
    if (this.tail !== NONE) this.next[this.tail] = slot;
    else this.head = slot;
    this.tail = slot;
  }

  /** Mark an open slot the most recently active. */
  moveToTail(slot: number): void {
    if (this.tail === slot) return;
    const p = this.prev[slot]!, n = this.next[slot]!;
    if (p !== NONE) this.next[p] = n; else this.head = n;
    if (n !== NONE) this.prev[n] = p;
    this.prev[slot] = this.tail;
    this.next[slot] = NONE;
    this.next[this.tail] = slot;
    this.tail = slot;
  }

  /** Unlink an open slot and put it on the free list. */
  release(slot: number): void {
    const p = this.prev[slot]!, n = this.next[slot]!;
    if (p !== NONE) this.next[p] = n; else this.head = n;
    if (n !== NONE) this.prev[n] = p; else this.tail = p;
    this.next[slot] = this.freeHead;
    this.freeHead = slot;
  }
}
