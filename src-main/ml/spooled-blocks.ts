// Train rows kept in files (row-major float32, x and y), read a block at a time: an epoch visits
// the blocks in a seeded order, so memory holds one block whatever the number of rows.
import { open, stat } from 'node:fs/promises';
import { CohortError } from '../contract/errors';
import { deriveSeed, shuffledIndices } from '../core/stats/random';

/** Rows per block: 65,536 rows of 50 features is 13 MB. */
export const BLOCK_ROWS = 65_536;

export interface Block {
  index: number;
  rows: number;
  x: Float32Array;
  y: Float32Array;
}

export class SpooledBlocks {
  readonly count: number;

  constructor(
    private readonly files: { xPath: string; yPath: string },
    readonly rows: number,
    private readonly featureCount: number,
    private readonly outputCount: number,
    private readonly blockRows = BLOCK_ROWS,
  ) {
    this.count = Math.ceil(rows / blockRows);
  }

  /** Every block once, in an order drawn from `seed`. */
  async *shuffled(seed: number): AsyncGenerator<Block> {
    await this.checkSizes();
    const x = await open(this.files.xPath, 'r');
    const y = await open(this.files.yPath, 'r');
    try {
      for (const index of shuffledIndices(this.count, deriveSeed(seed, 0x5b10c5))) {
        const start = index * this.blockRows;
        const rows = Math.min(this.blockRows, this.rows - start);
        yield { index, rows, x: await read(x, start * this.featureCount, rows * this.featureCount), y: await read(y, start * this.outputCount, rows * this.outputCount) };
      }
    } finally {
      await x.close();
      await y.close();
    }
  }

  private async checkSizes(): Promise<void> {
    const [x, y] = await Promise.all([stat(this.files.xPath), stat(this.files.yPath)]);
    if (x.size !== this.rows * this.featureCount * 4 || y.size !== this.rows * this.outputCount * 4) {
      throw new CohortError('INTERNAL', `the spooled train rows are ${x.size} and ${y.size} bytes, not ${this.rows} rows of ${this.featureCount} features and ${this.outputCount} outputs`);
    }
  }
}

async function read(file: Awaited<ReturnType<typeof open>>, offset: number, count: number): Promise<Float32Array> {
  const values = new Float32Array(count);
  const bytes = new Uint8Array(values.buffer);
  let done = 0;
  while (done < bytes.length) {
    const { bytesRead } = await file.read(bytes, done, bytes.length - done, offset * 4 + done);
    if (bytesRead === 0) throw new CohortError('INTERNAL', 'the spooled train rows ended early');
    done += bytesRead;
  }
  return values;
}
