// `npm run build` produces the three bundles electron-vite is configured for, and the CLI bundle.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/cli';

describe('npm run build', () => {
  it('builds the main, preload and renderer bundles', () => {
    const result = spawnSync('npm', ['run', 'build'], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 180_000 });
    expect(result.status, result.stderr).toBe(0);
    const out = join(PROJECT_ROOT, 'out');
    expect(existsSync(join(out, 'main', 'index.js'))).toBe(true);
    // The engines' utility process and the training thread are bundles of their own.
    expect(existsSync(join(out, 'main', 'app-host.js'))).toBe(true);
    expect(readFileSync(join(out, 'main', 'app-host.js'), 'utf8')).toContain('training-thread.js');
    expect(existsSync(join(out, 'main', 'training-thread.js'))).toBe(true);
    // A sandboxed preload must be CommonJS.
    const preload = readFileSync(join(out, 'preload', 'index.cjs'), 'utf8');
    expect(preload).toContain('contextBridge');
    expect(preload).not.toMatch(/^import /m);
    expect(readFileSync(join(out, 'renderer', 'index.html'), 'utf8')).toContain('<div id="root">');
    // The command line, bundled with its training thread; bin/cohort.js runs it while it is fresh.
    expect(existsSync(join(out, 'cli', 'cohort.js'))).toBe(true);
    expect(existsSync(join(out, 'cli', 'training-thread.js'))).toBe(true);
    const bundled = spawnSync(process.execPath, [join(out, 'cli', 'cohort.js'), '--version'], { encoding: 'utf8' });
    expect(bundled.stdout.trim(), bundled.stderr).toMatch(/^\d+\.\d+\.\d+$/);
  }, 180_000);
});
