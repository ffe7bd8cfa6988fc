/** Growable lists of numbers in typed arrays (no boxing), doubling when full. */
class TypedList<A extends Float64Array | Int16Array> {
  data: A;
  length = 0;
  /** `capacity`: the length expected, so that filling it copies nothing (at least 64). */
  constructor(private readonly make: (n: number) => A, capacity = 64) {
    this.data = make(Math.max(64, capacity));
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = this.make(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
}

/** Float64 values, with a native numeric sort. */
export class F64List extends TypedList<Float64Array> {
  constructor(capacity?: number) { super((n) => new Float64Array(n), capacity); }
  sorted(): Float64Array {
    return this.data.subarray(0, this.length).sort();
  }
}

/** Small integers (service slots, -1 for none): 2 bytes a value. */
export class I16List extends TypedList<Int16Array> {
  constructor(capacity?: number) { super((n) => new Int16Array(n), capacity); }
}
