// A loaded table (or a chunk of one) in columnar, typed form: numbers in Float64Arrays (NaN = missing),
// categories as level codes (-1 = missing). Typed arrays live outside the JS heap and are
// compact: 100,000 rows x 50 columns is 40 MB, whatever the size of the text it came from.

export type LoadKind = 'numeric' | 'boolean' | 'categorical';

export type TableColumn =
  | { kind: 'numeric'; values: Float64Array }
  | { kind: 'categorical'; codes: Int32Array; levels: string[] };

export interface Table {
  rows: number;
  columns: Map<string, TableColumn>;
}

/** A typed array that grows by doubling while a file streams in. */
export class GrowableFloat64 {
  private data = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }

  /** The filled part, trimmed to length (a copy, so the spare capacity is freed). */
  finish(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

export class GrowableInt32 {
  private data = new Int32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }

  finish(): Int32Array {
    return this.data.slice(0, this.length);
  }
}
