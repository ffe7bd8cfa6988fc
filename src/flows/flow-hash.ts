/**
 * The open flows' keys and the open-addressing hash that finds a slot by key: linear probing on
 * the numeric key (protocol, address id A, address id B, portA << 16 | portB as an int32), deletion by
 * backward shift, so there are no tombstones and a lookup stops at the first empty cell.
 * Per packet it allocates nothing; the key columns are indexed by the tracker's slot id.
 */
import { growI32, growU32, growU8 } from '../util/typed-arrays.js';

export const NONE = -1;

export class FlowHash {
  // Key columns, indexed by slot. Address ids are in key order (A <= B).
  proto: Uint8Array;
  addrA: Uint32Array;
  addrB: Uint32Array;
  /**
   * portA << 16 | portB as an int32 (negative when portA >= 32768): a key passed to find() and
   * insert() as a uint32 past 2^31 would be a heap number per call (a packet from an ephemeral port).
   */
  ports: Int32Array;
  /** Slot + 1 per cell, 0 = empty; kept at most half full. */
  private cells = new Int32Array(2048);
  private mask = 2047;
  private size = 0;

  constructor(slotCapacity: number) {
    this.proto = new Uint8Array(slotCapacity);
    this.addrA = new Uint32Array(slotCapacity);
    this.addrB = new Uint32Array(slotCapacity);
    this.ports = new Int32Array(slotCapacity);
  }

  /** Grow the key columns to `slotCapacity` slots. */
  growSlots(slotCapacity: number): void {
    this.proto = growU8(this.proto, slotCapacity);
    this.addrA = growU32(this.addrA, slotCapacity);
    this.addrB = growU32(this.addrB, slotCapacity);
    this.ports = growI32(this.ports, slotCapacity);
  }

  /** The slot holding this key, or NONE. */
  find(proto: number, a: number, b: number, ports: number): number {
    const cells = this.cells;
    const mask = this.mask;
    let i = hashKey(proto, a, b, ports) & mask;
    for (;;) {
      const s = cells[i]!;
      if (s === 0) return NONE;
      const f = s - 1;
      if (this.ports[f] === ports && this.addrA[f] === a && this.addrB[f] === b && this.proto[f] === proto) return f;
      i = (i + 1) & mask;
    }
  }

  /** Store the key of `slot` and enter it in the table (the key must not be present). */
  insert(slot: number, proto: number, a: number, b: number, ports: number): void {
    this.proto[slot] = proto;
    this.addrA[slot] = a;
    this.addrB[slot] = b;
    this.ports[slot] = ports;
    if ((this.size + 1) * 2 > this.cells.length) this.rehash(this.cells.length * 2);
    const mask = this.mask;
    let i = hashKey(proto, a, b, ports) & mask;
    while (this.cells[i] !== 0) i = (i + 1) & mask;
    this.cells[i] = slot + 1;
    this.size++;
  }

  /** Take `slot` out of the table: linear-probing delete with backward shift (no tombstones). */
  remove(slot: number): void {
    const cells = this.cells;
    const mask = this.mask;
    let i = this.home(slot);
    while (cells[i] !== slot + 1) i = (i + 1) & mask;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const s = cells[j]!;
      if (s === 0) break;
      const home = this.home(s - 1);
      // Move the entry at j back into the hole at i if its home is not cyclically in (i, j].
      if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
        cells[i] = s;
        i = j;
      }
    }
    cells[i] = 0;
    this.size--;
  }

  private home(slot: number): number {
    return hashKey(this.proto[slot]!, this.addrA[slot]!, this.addrB[slot]!, this.ports[slot]!) & this.mask;
  }

  private rehash(cellCount: number): void {
    const old = this.cells;
    this.cells = new Int32Array(cellCount);
    this.mask = cellCount - 1;
    for (let k = 0; k < old.length; k++) {
      const s = old[k]!;
      if (s === 0) continue;
      let i = this.home(s - 1);
      while (this.cells[i] !== 0) i = (i + 1) & this.mask;
      this.cells[i] = s;
    }
  }
}

/** A 32-bit mix of the key (murmur3-style multiply and shift rounds); callers mask it. */
function hashKey(proto: number, a: number, b: number, ports: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ b, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ ports, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16) ^ proto, 0x165667b1);
  return h ^ (h >>> 15);
}
