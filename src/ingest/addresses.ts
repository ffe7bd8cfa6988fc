/**
 * Interns IPv4 and IPv6 addresses to small integer ids (open addressing on the numeric
 * words, no string keys on the hot path). Text forms are made only when asked for.
 */
import type { Decoded } from './packet.js';

export class AddressTable {
  private mask: number;
  private slots: Int32Array; // id + 1, 0 = empty
  /** 5 words per id: family (4 or 6), then the address (IPv4 in word 4). */
  private words: Uint32Array;
  count = 0;

  constructor(initialSlots = 1 << 12) {
    this.slots = new Int32Array(initialSlots);
    this.mask = initialSlots - 1;
    this.words = new Uint32Array(initialSlots * 5 / 2);
  }

  internV4(a: number): number {
    return this.findV4(a | 0);
  }

  /**
   * internV4 of a decoded packet's source (`destination` false) or destination address, read
   * from the record: most IPv4 addresses are past 2^30, not small integers, and as an argument
   * to a call V8 does not inline each would be boxed (a heap number per packet). findV4 takes
   * the address as an int32 for the same reason.
   */
  internV4Of(d: Decoded, destination: boolean): number {
    return this.findV4((destination ? d.dst4 : d.src4) | 0);
  }

  /** The id of IPv4 address `a`, given as an int32 (its bits; a Uint32Array stores it back as the address). */
  private findV4(a: number): number {
    let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
    h ^= h >>> 13;
    let i = h & this.mask;
    const slots = this.slots;
    const words = this.words;
    for (;;) {
      const s = slots[i]!;
      if (s === 0) return this.insert(i, 4, 0, 0, 0, a);
      const w = (s - 1) * 5;
      if (words[w] === 4 && (words[w + 4]! | 0) === a) return s - 1;
      i = (i + 1) & this.mask;
    }
  }

  internV6(v: Uint32Array): number {
    const a = v[0]!, b = v[1]!, c = v[2]!, d = v[3]!;
    let h = Math.imul(a ^ 0x27d4eb2f, 0x165667b1) ^ Math.imul(b, 0x9e3779b9) ^ Math.imul(c, 0x85ebca6b) ^ Math.imul(d ^ 0x6, 0xc2b2ae35);
    h ^= h >>> 15;
    let i = h & this.mask;
    const slots = this.slots;
    const words = this.words;
    for (;;) {
      const s = slots[i]!;
      if (s === 0) return this.insert(i, 6, a, b, c, d);
      const w = (s - 1) * 5;
      if (words[w] === 6 && words[w + 1] === a && words[w + 2] === b && words[w + 3] === c && words[w + 4] === d) return s - 1;
      i = (i + 1) & this.mask;
    }
  }

  private insert(slot: number, family: number, a: number, b: number, c: number, d: number): number {
    const id = this.count++;
    if ((id + 1) * 5 > this.words.length) {
      const grown = new Uint32Array(this.words.length * 2);
      grown.set(this.words);
      this.words = grown;
    }
    const w = id * 5;
    this.words[w] = family;
    this.words[w + 1] = a;
    this.words[w + 2] = b;
    this.words[w + 3] = c;
    this.words[w + 4] = d;
    this.slots[slot] = id + 1;
    if (this.count * 2 > this.slots.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const size = this.slots.length * 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let id = 0; id < this.count; id++) {
      const w = id * 5;
      let h: number;
      if (this.words[w] === 4) {
        h = Math.imul(this.words[w + 4]! ^ 0x9e3779b9, 0x85ebca6b);
        h ^= h >>> 13;
      } else {
        h = Math.imul(this.words[w + 1]! ^ 0x27d4eb2f, 0x165667b1) ^ Math.imul(this.words[w + 2]!, 0x9e3779b9) ^
          Math.imul(this.words[w + 3]!, 0x85ebca6b) ^ Math.imul(this.words[w + 4]! ^ 0x6, 0xc2b2ae35);
        h ^= h >>> 15;
      }
      let i = h & this.mask;
      while (this.slots[i] !== 0) i = (i + 1) & this.mask;
      this.slots[i] = id + 1;
    }
  }

  /** Text form: dotted quad, or RFC 5952 IPv6. */
  text(id: number): string {
    const w = id * 5;
    if (this.words[w] === 4) return ipv4Text(this.words[w + 4]!);
    return ipv6Text(this.words[w + 1]!, this.words[w + 2]!, this.words[w + 3]!, this.words[w + 4]!);
  }

  /** All texts, index = id. */
  texts(): string[] {
    const out = new Array<string>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.text(i);
    return out;
  }
}

export function ipv4Text(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** RFC 5952: lower case, leading zeros dropped, the longest run (>= 2) of zero groups as "::". */
export function ipv6Text(a: number, b: number, c: number, d: number): string {
  const g = [a >>> 16, a & 0xffff, b >>> 16, b & 0xffff, c >>> 16, c & 0xffff, d >>> 16, d & 0xffff];
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestStart < 0) return g.map((x) => x.toString(16)).join(':');
  const head = g.slice(0, bestStart).map((x) => x.toString(16)).join(':');
  const tail = g.slice(bestStart + bestLen).map((x) => x.toString(16)).join(':');
  return `${head}::${tail}`;
}
