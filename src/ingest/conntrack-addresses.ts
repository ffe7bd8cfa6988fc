/**
 * The addresses of one conntrack input, interned to small ids (the readers store ids, never
 * texts, per line).
 */
import { AddressTable } from './addresses.js';
import { parseIPv4Bytes as parseV4, parseIPv6Bytes as parseV6 } from '../util/ip-address.js';

/**
 * Interned addresses of one input: small ids over the flow stage's open-addressing table (no
 * string keys per line); texts are made once per address, RFC 5952 for IPv6 (so the full form
 * /proc prints and the short form conntrack prints are the same address).
 */
export class AddressBook {
  private readonly table = new AddressTable();
  private readonly cache: string[] = [];
  private readonly v6 = new Uint32Array(4);

  get count(): number {
    return this.table.count;
  }

  // A small direct-mapped cache in front of the table: busy servers recur on most lines.
  private readonly recentV4 = new Float64Array(256).fill(-1);
  private readonly recentV4Id = new Int32Array(256);

  /** IPv4 as an unsigned 32-bit number. */
  internV4(a: number): number {
    const slot = a & 255;
    if (this.recentV4[slot] === a) return this.recentV4Id[slot]!;
    const id = this.table.internV4(a >>> 0);
    this.recentV4[slot] = a;
    this.recentV4Id[slot] = id;
    return id;
  }

  /** IPv6 text in b[s..e) (any valid form); -1 when malformed. */
  internV6Bytes(b: Uint8Array, s: number, e: number): number {
    return parseV6(b, s, e, this.v6) ? this.table.internV6(this.v6) : -1;
  }

  /** Interns an address given as text (IPv4 or IPv6); -1 when malformed. */
  internText(text: string): number {
    const b = Buffer.from(text, 'latin1');
    const a = parseV4(b, 0, b.length);
    if (a >= 0) return this.internV4(a);
    return this.internV6Bytes(b, 0, b.length);
  }

  text(id: number): string {
    return id < this.cache.length ? this.cache[id]! : this.texts()[id]!;
  }

  /** Text of every id so far (index = id); the array grows as addresses are added. */
  texts(): string[] {
    for (let id = this.cache.length; id < this.table.count; id++) this.cache.push(this.table.text(id));
    return this.cache;
  }
}
