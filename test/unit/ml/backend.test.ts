import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { backendReport, currentBackend, selectBackend } from '../../../src-main/ml/backend';
import { PROJECT_ROOT } from '../../support/cli';

/** Runs an ES module snippet in a fresh Node with tsx, from the project root. */
function runSnippet(code: string): { stdout: string; stderr: string; status: number | null } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

describe('backend selection', () => {
  it('auto picks WASM here (tfjs-node has no binary) and records why tfjs-node failed', async () => {
    expect(currentBackend()).toBeNull();
    const selection = await selectBackend();
    expect(selection.backend).toBe('wasm');
    expect(selection.tried[0]?.name).toBe('tensorflow');
    expect(selection.tried[0]?.error).toMatch(/tfjs_binding\.node|native addon|Cannot find/);
    expect(selection.tried[1]).toEqual({ name: 'wasm' });
    expect(currentBackend()).toBe('wasm');
    expect(backendReport()).toEqual(selection);
  });

  it('is idempotent: a second call returns the cached choice at once', async () => {
    const started = performance.now();
    const [a, b] = await Promise.all([selectBackend(), selectBackend('auto')]);
    expect(a).toEqual(b);
    expect(a.backend).toBe('wasm');
    expect(await selectBackend('wasm')).toEqual(a);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('switches on an explicit different preference', async () => {
    const cpu = await selectBackend('cpu');
    expect(cpu).toEqual({ backend: 'cpu', tried: [{ name: 'cpu' }] });
    expect(currentBackend()).toBe('cpu');
    expect((await selectBackend('wasm')).backend).toBe('wasm');
  });

  it('prints nothing: no "Hi, looks like you are running TensorFlow.js in Node.js" banner', () => {
    // WASM first (auto), then the CPU backend, whose first tensor is what triggers the banner.
    const result = runSnippet(`
      import { selectBackend } from './src-main/ml/backend.ts';
      import { tf } from './src-main/ml/tf.ts';
      for (const preference of ['auto', 'cpu']) {
        await selectBackend(preference);
        tf.tidy(() => tf.add(tf.tensor([1, 2]), tf.tensor([3, 4])).dataSync());
      }
      if (tf.getBackend() !== 'cpu') throw new Error('expected the CPU backend');
    `);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
    // The control: TF.js on its own does print the banner, so the test above can fail.
    const control = runSnippet(`
      import * as tf from '@tensorflow/tfjs-core';
      import '@tensorflow/tfjs-backend-cpu';
      await tf.setBackend('cpu');
      tf.add(tf.tensor([1]), tf.tensor([2])).dataSync();
    `);
    expect(control.stdout + control.stderr).toContain('looks like you are running TensorFlow.js in Node.js');
  });
});
