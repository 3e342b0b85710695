// Hospitals behind HTTP proxies: real `cohort worker` processes join a real hub and train a run
// through Debian's tinyproxy (one open, one asking for Basic credentials), one told by --proxy,
// the other by HTTPS_PROXY; a wrong password is refused with a clear message.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../src-main/contract/results';
import { PROJECT_ROOT, runCli } from '../../support/cli';
import { syntheticParties, writeSyntheticParties } from '../../support/synthetic';
import { freePort, hasTinyproxy, startTinyproxy, type Tinyproxy } from '../../support/tinyproxy';

const available = hasTinyproxy();
if (!available) console.warn('\n*** tinyproxy is not installed (apt-get install tinyproxy): the proxy federation test is SKIPPED ***\n');

const HOSPITALS = ['north', 'south'];
/** Loopback addresses never go through HTTPS_PROXY, so the hub is addressed by this machine's own. */
const HOST = Object.values(networkInterfaces()).flat().find((address) => address?.family === 'IPv4' && !address.internal)?.address;

async function cli(args: string[]): Promise<string> {
  const result = await runCli(args);
  if (result.code !== 0) throw new Error(`cohort ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

describe.skipIf(!available)('a federation whose hospitals sit behind HTTP proxies', () => {
  let root: string;
  let open: Tinyproxy;
  let guarded: Tinyproxy;
  const processes: ChildProcess[] = [];
  const hubDir = () => ['--data-dir', join(root, 'hub')];

  function start(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'cohort.js'), ...args], { env: { ...process.env, NO_COLOR: '1', HTTPS_PROXY: '', https_proxy: '', NO_PROXY: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    processes.push(child);
    return child;
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cohort-proxy-grid-'));
    [open, guarded] = await Promise.all([startTinyproxy(), startTinyproxy({ auth: { user: 'cohort', password: 's3cret' } })]);
    await writeSyntheticParties(join(root, 'data'), syntheticParties(HOSPITALS, 60));
    await cli(['collab', 'create', '--name', 'Stroke network', ...hubDir()]);
    await cli(['project', 'create', '--collab', 'stroke-network', '--name', 'Outcome', '--target', 'outcome', '--positive', 'yes', ...hubDir()]);
    await cli(['experiment', 'create', '--project', 'outcome', '--name', 'Logistic', '--model', 'logreg', ...hubDir()]);
    await cli(['run', 'create', '--experiment', 'logistic', '--name', 'Through proxies', '--rounds', '2', '--min-clients', '2', ...hubDir()]);
    for (const hospital of HOSPITALS) {
      const own = ['--data-dir', join(root, hospital)];
      await cli(['collab', 'create', '--name', 'Stroke network', ...own]);
      await cli(['project', 'create', '--collab', 'stroke-network', '--name', 'Outcome', '--target', 'outcome', '--positive', 'yes', ...own]);
      await cli(['participant', 'add', '--name', hospital, ...own]);
      for (const kind of ['train', 'evaluate']) {
        await cli(['tag', 'add', join(root, 'data', hospital, `${kind}.csv`), '--project', 'outcome', '--participant', hospital, '--kind', kind, ...own]);
      }
    }
  }, 300_000);

  afterAll(async () => {
    for (const child of processes) child.kill('SIGKILL');
    await Promise.all([open?.stop(), guarded?.stop()]);
    await rm(root, { recursive: true, force: true });
  });

  it('joins and trains through the proxies, and refuses a wrong password clearly', async () => {
    const port = await freePort();
    const host = HOST ?? '127.0.0.1';
    const hub = start(['hub', '--host', HOST ? '0.0.0.0' : '127.0.0.1', '--port', String(port), '--public-url', `wss://${host}:${port}`, '--json', ...hubDir()]);
    await new Promise<void>((resolve, reject) => {
      hub.stdout!.once('data', () => resolve());
      hub.once('exit', (code) => reject(new Error(`hub exited ${code}`)));
    });
    const invite = async (note: string) => (JSON.parse(await cli(['invitation', 'create', '--collaboration', 'stroke-network', '--note', note, '--json', ...hubDir()])) as { code: string }).code;

    // A wrong password: the join fails at once, naming the proxy (not its password) and the fix.
    const refused = await runCli(['worker', '--join', await invite('wrong password'), '--id', 'north', '--data-dir', join(root, 'north'), '--proxy', `http://cohort:wrong@127.0.0.1:${guarded.port}`], { timeoutMs: 60_000 });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(new RegExp(`could not join: the proxy at http://cohort:\\*\\*\\*@127\\.0\\.0\\.1:${guarded.port} refused the credentials \\(40[17] [A-Za-z ]+\\): check the user name and password in the proxy setting`));
    expect(refused.stderr).not.toContain('wrong@');

    // north: told by --proxy (the open proxy); south: by HTTPS_PROXY, with credentials.
    const north = start(['worker', '--join', await invite('north'), '--id', 'north', '--approve-all', '--proxy', open.url, '--data-dir', join(root, 'north')]);
    const southProxy = `http://cohort:s3cret@127.0.0.1:${guarded.port}`;
    const south = start(
      ['worker', '--join', await invite('south'), '--id', 'south', '--approve-all', '--data-dir', join(root, 'south'), ...(HOST ? [] : ['--proxy', southProxy])],
      HOST ? { HTTPS_PROXY: southProxy } : {},
    );
    let northOut = '';
    north.stdout!.on('data', (chunk: Buffer) => (northOut += chunk.toString()));
    let southOut = '';
    south.stdout!.on('data', (chunk: Buffer) => (southOut += chunk.toString()));
    await expect.poll(async () => (JSON.parse(await cli(['participant', 'list', '--json', ...hubDir()])) as unknown[]).length, { timeout: 30_000 }).toBe(2);
    expect(northOut).toContain(`through the proxy ${open.url}`);
    expect(southOut).toContain(`through the proxy http://cohort:***@127.0.0.1:${guarded.port}${HOST ? ' (from HTTPS_PROXY)' : ''}`);
    expect(southOut).not.toContain('s3cret');

    await cli(['run', 'start', 'through-proxies', ...hubDir()]);
    const watched = await runCli(['run', 'watch', 'through-proxies', '--json', ...hubDir()], { timeoutMs: 120_000 });
    expect(watched.code, watched.stderr).toBe(0);
    const result = JSON.parse(watched.stdout) as RunResult;
    expect(result).toMatchObject({ status: 'completed', parties: ['north', 'south'], dropouts: [] });
    expect(result.rounds).toHaveLength(2);

    // Each worker's traffic went through its own proxy: the tunnels are in the proxies' logs.
    const target = new RegExp(`CONNECT ${host.replace(/\./g, '\\.')}:${port}`);
    expect(await open.log()).toMatch(target);
    expect(await guarded.log()).toMatch(target);

    // --proxy is remembered with the membership (a later `cohort worker` uses it); HTTPS_PROXY is not.
    const stored = (who: string) => readFile(join(root, who, 'cohort.json'), 'utf8').then((text) => (JSON.parse(text) as { memberships: Array<{ proxy?: string }> }).memberships);
    expect((await stored('north')).map((membership) => membership.proxy)).toEqual([open.url]);
    expect((await stored('south')).map((membership) => membership.proxy)).toEqual([HOST ? undefined : southProxy]);

    // A later start serves the hub through the remembered proxy; --no-proxy forgets it.
    const exited = new Promise((resolve) => north.once('exit', resolve));
    north.kill('SIGTERM');
    await exited;
    const direct = start(['worker', '--no-proxy', '--data-dir', join(root, 'north')]);
    let directOut = '';
    direct.stdout!.on('data', (chunk: Buffer) => (directOut += chunk.toString()));
    await expect.poll(() => directOut, { timeout: 30_000 }).toContain('serving wss://');
    expect(directOut).not.toContain('through the proxy');
    expect((await stored('north')).map((membership) => membership.proxy)).toEqual([undefined]);
  }, 240_000);
});
