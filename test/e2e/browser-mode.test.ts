// `npm start` without the Electron runtime: browser mode prints a URL that serves the UI.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchChromium } from '../support/browser';
import { PROJECT_ROOT } from '../support/cli';

describe.skipIf(!hasChromium)('browser mode', () => {
  let app: ChildProcess;
  let url: string;
  let dataDir: string | undefined;

  beforeAll(async () => {
    const build = spawn('npm', ['run', 'build'], { cwd: PROJECT_ROOT, stdio: 'ignore' });
    expect(await new Promise((resolve) => build.on('exit', resolve))).toBe(0);
    dataDir = await mkdtemp(join(tmpdir(), 'cohort-start-'));
    // What `npm start` runs after building: no Electron runtime here, so browser mode.
    app = spawn(process.execPath, ['bin/cohort.js', 'app', '--role', 'orchestrator', '--data-dir', dataDir, '--hub-port', '0'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NO_COLOR: '1' },
    });
    url = await new Promise<string>((resolve, reject) => {
      let output = '';
      app.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /Open (http:\/\/127\.0\.0\.1:\d+\/#token=\S+) in a browser/.exec(output);
        if (match) resolve(match[1]!);
      });
      app.on('exit', (code) => reject(new Error(`app exited with ${code}: ${output}`)));
    });
  }, 120_000);

  afterAll(async () => {
    app?.kill('SIGTERM');
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('serves the UI on 127.0.0.1, rendered without console errors', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      const response = await page.goto(url);
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
      await expect(page.getByRole('heading', { name: 'Cohort', exact: true }).textContent()).resolves.toBe('Cohort');
      await expect(page.getByText('Orchestrator', { exact: true }).isVisible()).resolves.toBe(true);
      await mkdir(join(PROJECT_ROOT, 'test-results'), { recursive: true });
      await page.screenshot({ path: join(PROJECT_ROOT, 'test-results', 'browser-mode-home.png') });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('without the one-time key, explains how to open the app instead of failing', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(url.replace(/#.*$/, ''));
      await expect(page.getByText('Open Cohort with its link').isVisible()).resolves.toBe(true);
    } finally {
      await browser.close();
    }
  });

  it('refuses requests for another Host name (DNS rebinding)', async () => {
    const { port } = new URL(url);
    // fetch() may not set Host, so use a raw request.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/', headers: { Host: `evil.example:${port}` } }, (response) => {
        response.resume();
        resolve(response.statusCode);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(421);
  });
});
