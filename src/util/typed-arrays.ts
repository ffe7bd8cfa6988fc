/** Growable typed-array columns: a new array of length n holding the old one's values. */
export function growF64(a: Float64Array, n: number): Float64Array<ArrayBuffer> { const b = new Float64Array(n); b.set(a); return b; }
export function growU32(a: Uint32Array, n: number): Uint32Array<ArrayBuffer> { const b = new Uint32Array(n); b.set(a); return b; }
export function growI32(a: Int32Array, n: number): Int32Array<ArrayBuffer> { const b = new Int32Array(n); b.set(a); return b; }
export function growU16(a: Uint16Array, n: number): Uint16Array<ArrayBuffer> { const b = new Uint16Array(n); b.set(a); return b; }
export function growU8(a: Uint8Array, n: number): Uint8Array<ArrayBuffer> { const b = new Uint8Array(n); b.set(a); return b; }


/** The size a buffer of `size` doubles to for `need` values (at least 1 to start from). */
export function grownSize(size: number, need: number): number {
  let s = Math.max(size, 1);
  while (s < need) s *= 2;
  return s;
}
