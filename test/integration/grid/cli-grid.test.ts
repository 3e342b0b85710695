// Three hospitals train together from the command line: the orchestrator defines the
// hierarchy, each hospital registers its files, the hub and workers run as processes, and
// the orchestrator starts and watches the run.
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
    await cli(['run', 'create', '--experiment', 'small-net', '--name', 'First', '--rounds', '4', '--epochs', '2', '--lr', '0.05', '--min-clients', '3', ...hubDir]);
    for (const hospital of HOSPITALS) {
      await cli(['participant', 'add', '--name', hospital, ...hubDir]);
      await cli(['participant', 'register', hospital, '--project', 'outcome', ...hubDir]);
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
    const url = await new Promise<string>((resolve, reject) => {
      hub.stdout!.once('data', (chunk: Buffer) => resolve((JSON.parse(chunk.toString()) as { url: string }).url));
      hub.once('exit', (code) => reject(new Error(`hub exited ${code}`)));
    });
    for (const hospital of HOSPITALS) processes.push(start(['worker', '--hub', url, '--data-dir', join(root, hospital), '--id', hospital]));

    const watched = await runCli(['run', 'start', 'first', '--watch', '--json', ...hubDir], { timeoutMs: 120_000 });
    expect(watched.code, watched.stderr).toBe(0);
    const result = JSON.parse(watched.stdout) as RunResult;
    expect(result).toMatchObject({ run: 'first', status: 'completed', parties: HOSPITALS.slice().sort(), dropouts: [] });
    expect(result.rounds).toHaveLength(4);
    // 5 aligned features (age, marker, ward=cardio, ward=icu, ward=oncology) -> 8 hidden -> 1 output.
    expect(result.parameterCount).toBe(5 * 8 + 8 + 8 + 1);
    expect(result.evaluation?.aggregate.kind).toBe('binary');

    const runs = JSON.parse(await cli(['run', 'list', '--json', ...hubDir])) as Array<{ id: string; status: string; round: number }>;
    expect(runs).toEqual([expect.objectContaining({ id: 'first', status: 'completed', round: 4 })]);
    const history = JSON.parse(await readFile(join(root, 'hub', 'runs', 'first', 'history.json'), 'utf8')) as Array<{ parties: Record<string, { ok: boolean; loss: number }> }>;
    expect(Object.keys(history[0]!.parties).sort()).toEqual(HOSPITALS.slice().sort());
    for (const hospital of HOSPITALS) {
      const predictions = await readFile(join(root, hospital, 'runs', 'first', 'predictions.csv'), 'utf8');
      expect(predictions.trim().split('\n')).toHaveLength(41);
    }

    for (const child of processes) child.kill('SIGTERM');
    await Promise.all(processes.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
    for (const child of processes) expect(isRunning(child.pid!)).toBe(false);
  }, 180_000);
});
