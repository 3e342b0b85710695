// Three hospitals train together from the command line: the orchestrator defines the
// hierarchy and invites each hospital; each hospital registers its files and joins with its
// invitation; the hub and workers run as processes over TLS; each hospital approves or declines
// the run from its own command line, and the orchestrator starts and watches it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../src-main/contract/results';
import { PROJECT_ROOT, runCli } from '../../support/cli';
import { isRunning } from '../../support/processes';
import { syntheticParties, writeSyntheticParties } from '../../support/synthetic';

const HOSPITALS = ['north', 'south', 'east'];

async function cli(args: string[]): Promise<string> {
  const result = await runCli(args);
  if (result.code !== 0) throw new Error(`cohort ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

function start(args: string[]): ChildProcess {
  return spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'cohort.js'), ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('a federation driven from the command line', () => {
  let root: string;
  const processes: ChildProcess[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cohort-cli-grid-'));
    await writeSyntheticParties(join(root, 'data'), syntheticParties(HOSPITALS, 80));
  });

  afterAll(async () => {
    for (const child of processes) child.kill('SIGKILL');
    await rm(root, { recursive: true, force: true });
  });

  it('defines, trains, watches and exports', async () => {
    const hubDir = ['--data-dir', join(root, 'hub')];
    // A Keras model file: its input size and output layer are fixed up from the alignment.
    const modelFile = join(root, 'model.json');
    await writeFile(
      modelFile,
      JSON.stringify({
        class_name: 'Sequential',
        config: {
          name: 'small',
          layers: [
            { class_name: 'Dense', config: { name: 'hidden', units: 8, activation: 'relu', batch_input_shape: [null, 99] } },
            { class_name: 'Dense', config: { name: 'out', units: 5, activation: 'softmax' } },
          ],
        },
      }),
    );
    await cli(['collab', 'create', '--name', 'Stroke network', ...hubDir]);
    await cli(['project', 'create', '--collab', 'stroke-network', '--name', 'Outcome', '--target', 'outcome', '--positive', 'yes', ...hubDir]);
    await cli(['experiment', 'create', '--project', 'outcome', '--name', 'Small net', '--model', modelFile, ...hubDir]);
    await cli(['run', 'create', '--experiment', 'small-net', '--name', 'First', '--rounds', '4', '--epochs', '2', '--lr', '0.05', '--min-clients', '2', ...hubDir]);
    for (const hospital of HOSPITALS) {
      const own = ['--data-dir', join(root, hospital)];
      await cli(['collab', 'create', '--name', 'Stroke network', ...own]);
      await cli(['project', 'create', '--collab', 'stroke-network', '--name', 'Outcome', '--target', 'outcome', '--positive', 'yes', ...own]);
      await cli(['participant', 'add', '--name', hospital, ...own]);
      for (const kind of ['train', 'evaluate', 'predict']) {
        await cli(['tag', 'add', join(root, 'data', hospital, `${kind}.csv`), '--project', 'outcome', '--participant', hospital, '--kind', kind, ...own]);
      }
    }
    const tags = JSON.parse(await cli(['tag', 'list', '--json', '--data-dir', join(root, 'north')])) as Array<{ kind: string; rows: number }>;
    expect(tags.map((tag) => [tag.kind, tag.rows])).toEqual([['train', 80], ['evaluate', 40], ['predict', 40]]);

    const hub = start(['hub', '--port', '0', '--json', ...hubDir]);
    processes.push(hub);
    const started = await new Promise<{ url: string; certificate: string }>((resolve, reject) => {
      hub.stdout!.once('data', (chunk: Buffer) => resolve(JSON.parse(chunk.toString()) as { url: string; certificate: string }));
      hub.once('exit', (code) => reject(new Error(`hub exited ${code}`)));
    });
    expect(started.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    expect(started.certificate).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);

    // Each hospital joins with its own single-use invitation; nothing is registered by hand.
    for (const hospital of HOSPITALS) {
      const { code } = JSON.parse(await cli(['invitation', 'create', '--collaboration', 'stroke-network', '--note', hospital, '--json', ...hubDir])) as { code: string };
      processes.push(start(['worker', '--join', code, '--data-dir', join(root, hospital), '--id', hospital]));
    }
    await expect.poll(async () => (JSON.parse(await cli(['participant', 'list', '--json', ...hubDir])) as unknown[]).length, { timeout: 30_000 }).toBe(3);

    // The run waits for each hospital's decision: two approve it, one declines, and the run
    // goes ahead without the one that declined.
    await cli(['run', 'start', 'first', ...hubDir]);
    for (const hospital of HOSPITALS) {
      const own = ['--data-dir', join(root, hospital)];
      const pending = await expect
        .poll(async () => JSON.parse(await cli(['worker', 'requests', '--pending', '--json', ...own])) as Array<{ id: string; summary: { run: string; model: { kind: string }; hyperparameters: { rounds: number }; tags: string[] } }>, { timeout: 30_000 })
        .toHaveLength(1)
        .then(async () => JSON.parse(await cli(['worker', 'requests', '--pending', '--json', ...own])) as Array<{ id: string; summary: { run: string; model: { kind: string }; hyperparameters: { rounds: number }; tags: string[] } }>);
      expect(pending[0]!.summary).toMatchObject({ run: 'First', model: { kind: 'keras' }, hyperparameters: { rounds: 4 }, tags: ['train', 'evaluate', 'predict'] });
      const readable = await cli(['worker', 'requests', ...own]);
      expect(readable).toContain('custom Keras model, fedavg');
      await cli(['worker', hospital === 'east' ? 'decline' : 'approve', 'first', ...own]);
    }
    const watched = await runCli(['run', 'watch', 'first', '--json', ...hubDir], { timeoutMs: 120_000 });
    expect(watched.code, watched.stderr).toBe(0);
    const result = JSON.parse(watched.stdout) as RunResult;
    expect(result).toMatchObject({ run: 'first', status: 'completed', parties: ['north', 'south'] });
    expect(result.dropouts).toEqual([expect.objectContaining({ party: 'east', reason: expect.stringContaining('declined') })]);
    expect(result.rounds).toHaveLength(4);
    // 5 aligned features (age, marker, ward=cardio, ward=icu, ward=oncology) -> 8 hidden -> 1 output.
    expect(result.parameterCount).toBe(5 * 8 + 8 + 8 + 1);
    expect(result.evaluation?.aggregate.kind).toBe('binary');

    const runs = JSON.parse(await cli(['run', 'list', '--json', ...hubDir])) as Array<{ id: string; status: string; round: number }>;
    expect(runs).toEqual([expect.objectContaining({ id: 'first', status: 'completed', round: 4 })]);
    const history = JSON.parse(await readFile(join(root, 'hub', 'runs', 'first', 'history.json'), 'utf8')) as Array<{ parties: Record<string, { ok: boolean; loss: number }> }>;
    expect(Object.keys(history[0]!.parties).sort()).toEqual(['north', 'south']);
    for (const hospital of ['north', 'south']) {
      const predictions = await readFile(join(root, hospital, 'runs', 'outcome', 'first', 'predictions.csv'), 'utf8');
      expect(predictions.trim().split('\n')).toHaveLength(41);
    }
    // The hospital that declined trained nothing and kept no model.
    await expect(readFile(join(root, 'east', 'runs', 'outcome', 'first', 'predictions.csv'), 'utf8')).rejects.toThrow();

    // A second run with the same model: north lets such runs through by policy, the others are
    // asked again (east approves this time).
    await cli(['worker', 'policy', 'outcome', '--set', 'auto-matching', '--data-dir', join(root, 'north')]);
    await cli(['run', 'create', '--experiment', 'small-net', '--name', 'Second', '--rounds', '2', '--min-clients', '3', ...hubDir]);
    await cli(['run', 'start', 'second', ...hubDir]);
    for (const hospital of ['south', 'east']) {
      const own = ['--data-dir', join(root, hospital)];
      await expect.poll(async () => (JSON.parse(await cli(['worker', 'requests', '--pending', '--json', ...own])) as unknown[]).length, { timeout: 30_000 }).toBe(1);
      await cli(['worker', 'approve', 'second', ...own]);
    }
    const second = JSON.parse((await runCli(['run', 'watch', 'second', '--json', ...hubDir], { timeoutMs: 120_000 })).stdout) as RunResult;
    expect(second).toMatchObject({ status: 'completed', parties: ['east', 'north', 'south'], dropouts: [] });
    const northRequests = JSON.parse(await cli(['worker', 'requests', '--json', '--data-dir', join(root, 'north')])) as Array<{ runId: string; state: string; decidedBy: string }>;
    expect(northRequests.find((request) => request.runId === 'second')).toMatchObject({ state: 'completed', decidedBy: 'policy' }); // approved by policy, then used up by the run

    // Each hospital's security log shows what it sent to the hub, and the hub's shows who came in.
    const log = JSON.parse(await cli(['security-log', '--json', '--limit', '5000', '--data-dir', join(root, 'north')])) as { events: Array<{ direction: string; what: string; bytes: number; peer: string }>; bytesSent: number };
    expect(log.events.some((event) => event.direction === 'outbound' && event.what === 'reply to run.fit' && event.bytes > 0)).toBe(true);
    expect(log.bytesSent).toBeGreaterThan(0);
    const hubLog = JSON.parse(await cli(['security-log', '--json', '--search', 'handshake', ...hubDir])) as { events: Array<{ outcome: string; peer: string }> };
    expect(hubLog.events.filter((event) => event.outcome === 'accepted').map((event) => event.peer.split(' ')[0]).sort()).toEqual(expect.arrayContaining(HOSPITALS.slice().sort()));

    for (const child of processes) child.kill('SIGTERM');
    await Promise.all(processes.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
    for (const child of processes) expect(isRunning(child.pid!)).toBe(false);
  }, 300_000);
});
