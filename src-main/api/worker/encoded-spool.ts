// Collects a party's data encoded chunk by chunk, as the engine streams it: in memory while it
// is small, else in two files of float32 rows (x and y) in the party's data folder, so that no
// party's data has to fit in memory. The files hold encoded patient rows: they are private to
// the owner (0600, in a 0700 folder) and removed when the run frees its data.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { EncodedDataset } from '../../core/alignment/encode';

/** Above this many bytes of encoded rows, they go to files. */
export const DEFAULT_IN_MEMORY_BYTES = 256 * 1024 ** 2;

class GrowableFloat32 {
  private data = new Float32Array(1 << 14);
  length = 0;

  append(values: Float32Array): void {
    if (this.length + values.length > this.data.length) {
      let size = this.data.length;
      while (size < this.length + values.length) size *= 2;
      const next = new Float32Array(size);
      next.set(this.data.subarray(0, this.length));
      this.data = next;
    }
    this.data.set(values, this.length);
    this.length += values.length;
  }

  finish(): Float32Array {
    return this.data.slice(0, this.length);
  }
}

export class EncodedSink {
  private rows = 0;
  private featureCount = 0;
  private outputCount = 0;
  private readonly x = new GrowableFloat32();
  private readonly y = new GrowableFloat32();
  private readonly sourceRows: number[] = [];
  private readonly skipped = { missingTarget: 0, unseenLabel: 0 };
  private readonly unseenLevels: EncodedDataset['unseenLevels'] = {};
  private readonly unseenLabels: EncodedDataset['unseenLabels'] = {};
  private files: { dir: string; x: FileHandle; y: FileHandle } | undefined;
  private hasY = false;

  /** `spoolDir`: where files go when `spool` is set (data too large for memory). */
  constructor(
    private readonly options: { spool: boolean; spoolDir: string; keepSourceRows: boolean },
  ) {}

  async add(chunk: EncodedDataset, firstRow: number): Promise<void> {
    this.featureCount = chunk.featureCount;
    this.outputCount = chunk.outputCount;
    this.rows += chunk.rows;
    if (chunk.y) this.hasY = true;
    if (this.options.spool) {
      this.files ??= await this.openFiles();
      await this.files.x.write(new Uint8Array(chunk.x.buffer, chunk.x.byteOffset, chunk.x.byteLength));
      if (chunk.y) await this.files.y.write(new Uint8Array(chunk.y.buffer, chunk.y.byteOffset, chunk.y.byteLength));
    } else {
      this.x.append(chunk.x);
      if (chunk.y) this.y.append(chunk.y);
    }
    if (this.options.keepSourceRows) for (const row of chunk.sourceRows) this.sourceRows.push(row + firstRow);
    this.skipped.missingTarget += chunk.skipped.missingTarget;
    this.skipped.unseenLabel += chunk.skipped.unseenLabel;
    for (const [column, levels] of Object.entries(chunk.unseenLevels)) {
      const merged = (this.unseenLevels[column] ??= {});
      for (const [level, rows] of Object.entries(levels)) merged[level] = (merged[level] ?? 0) + rows;
    }
    for (const [label, rows] of Object.entries(chunk.unseenLabels)) this.unseenLabels[label] = (this.unseenLabels[label] ?? 0) + rows;
  }

  async finish(featureCount: number, outputCount: number): Promise<EncodedDataset> {
    const dataset: EncodedDataset = {
      rows: this.rows,
      featureCount: this.rows > 0 ? this.featureCount : featureCount,
      outputCount: this.rows > 0 ? this.outputCount : outputCount,
      x: this.files ? new Float32Array(0) : this.x.finish(),
      sourceRows: Int32Array.from(this.sourceRows),
      skipped: this.skipped,
      unseenLevels: this.unseenLevels,
      unseenLabels: this.unseenLabels,
    };
    if (this.files) {
      await this.files.x.close();
      await this.files.y.close();
      dataset.spool = { xPath: join(this.files.dir, 'x.f32'), yPath: join(this.files.dir, 'y.f32') };
      dataset.y = new Float32Array(0);
    } else if (this.hasY) {
      dataset.y = this.y.finish();
    }
    return dataset;
  }

  /** Removes the files, if any. */
  async release(): Promise<void> {
    if (!this.files) return;
    await this.files.x.close().catch(() => undefined);
    await this.files.y.close().catch(() => undefined);
    await rm(this.files.dir, { recursive: true, force: true });
  }

  private async openFiles(): Promise<{ dir: string; x: FileHandle; y: FileHandle }> {
    const dir = join(this.options.spoolDir, randomBytes(8).toString('hex'));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return { dir, x: await open(join(dir, 'x.f32'), 'w', 0o600), y: await open(join(dir, 'y.f32'), 'w', 0o600) };
  }
}
