// The pieces of the thread client that need no thread (the thread itself: test/integration/ml-thread.test.ts).
import { describe, expect, it } from 'vitest';
import { transferList } from '../../../src-main/ml/thread-protocol';
import { defaultThreadEntry, workerExecArgv } from '../../../src-main/ml/training-client';

describe('training client helpers', () => {
  it('starts from the tsx bootstrap when running from source, else from the bundled entry', () => {
    expect(defaultThreadEntry().pathname).toMatch(/src-main\/ml\/training-thread\.bootstrap\.mjs$/);
    expect(defaultThreadEntry('file:///app/out/main/index.js').href).toBe('file:///app/out/main/training-thread.js');
  });

  it('transfers whole Float32Array buffers, once each, and copies views and shared memory', () => {
    const whole = new Float32Array(4);
    const big = new Float32Array(10);
    const view = big.subarray(2, 5);
    const shared = new Float32Array(new SharedArrayBuffer(16));
    const list = transferList({ train: { x: whole, y: view }, again: whole, shared, weights: new Float32Array(2) }, 3);
    expect(list).toHaveLength(2);
    expect(list).toContain(whole.buffer);
    expect(list).not.toContain(big.buffer);
    expect(transferList(new Float32Array(3))).toHaveLength(1);
    expect(transferList({ a: { b: { c: { d: new Float32Array(1) } } } }, 2)).toEqual([]);
  });

  it('drops the parent\'s main-script options, which a worker refuses', () => {
    expect(workerExecArgv(['--input-type=module', '-e', 'code', '--no-warnings'])).toEqual(['--no-warnings']);
    expect(workerExecArgv(['--input-type', 'module', '--eval', 'code'])).toEqual([]);
    // V8 and process options, which workers refuse, are left out; module loading is kept.
    expect(workerExecArgv(['--expose-gc', '--import', 'tsx', '--max-old-space-size=64', '--cpu-prof', '--conditions=dev', '--title', 'x'])).toEqual([
      '--import',
      'tsx',
      '--conditions=dev',
    ]);
    expect(workerExecArgv(['--import', 'tsx', '--conditions=development', '-p', 'x'])).toEqual(['--import', 'tsx', '--conditions=development']);
  });
});
