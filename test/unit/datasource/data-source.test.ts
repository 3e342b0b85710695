import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDataSource } from '../../../src-main/datasource/data-source';

describe('openDataSource', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cohort-source-'));
    await writeFile(join(dir, 'data.csv'), 'x,y\n1,a\n2,b\n');
    await writeFile(join(dir, 'scan.png'), 'not a table');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads CSV files through one interface', async () => {
    const source = await openDataSource(join(dir, 'data.csv'));
    expect(source.format).toBe('csv');
    expect((await source.inspect()).rows).toBe(2);
    const { table } = await source.load({ x: 'numeric' });
    expect(Array.from((table.columns.get('x') as { values: Float64Array }).values)).toEqual([1, 2]);
  });

  it('says clearly what it cannot read yet', async () => {
    await expect(openDataSource(dir)).rejects.toThrow(`${dir} is a folder: image folders are not supported yet; register a CSV or Parquet file`);
    await expect(openDataSource(join(dir, 'scan.png'))).rejects.toThrow('Cohort reads CSV (.csv) and Parquet (.parquet) files, not .png files');
  });
});
