/** A growable list of small integers (service slots, -1 for none): 2 bytes a value, no boxing. */
export class I16List {
  data = new Int16Array(64);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const grown = new Int16Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = v;
  }
}
