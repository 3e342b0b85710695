// Consent binds the whole plan, as a real worker process keeps it: the owner decides with the
// command line, the decision is kept per (hub, run) and covers the plan's hash; the owner sees
// its own names for the project, not those the hub wrote into its request; a changed plan or a
// rerun of a finished run is asked anew.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDataTag } from '../../src-main/api/records/data-tags';
import { MetadataStore } from '../../src-main/store/metadata-store';
import { PROJECT_ROOT, runCli } from '../support/cli';
import { GridCalls, plan } from './support/grid-calls';
import { startHostileHub, type HostileHub } from './support/hostile-hub';
import { writePrivateFiles } from './support/private-files';

const PROJECT = { id: 'outcome', name: 'Outcome', targetColumn: 'outcome', task: 'classify' as const, positiveClass: 'yes' };

describe('consent binds the plan, kept by the participant', () => {
  let root: string;
  let hub: HostileHub;
  let worker: ChildProcess;
  let workerDir: string;
  let calls: GridCalls;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cohort-consent-'));
    const files = await writePrivateFiles(join(root, 'files'));
    hub = await startHostileHub(join(root, 'hub'), { collaboration: { id: 'heart', name: 'Heart study' }, project: PROJECT });
    workerDir = join(root, 'south');
    const store = await MetadataStore.open(workerDir);
    await store.create('collaborations', { id: 'heart', name: 'Heart study' });
    await store.create('projects', { ...PROJECT, collaborationId: 'heart' });
    await store.create('participants', { id: 'south', displayName: 'South Hospital' });
    await registerDataTag(store, { participantId: 'south', projectId: PROJECT.id, kind: 'train', source: { type: 'file', path: files.train } });
    const code = await hub.invitation('heart');
    worker = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'cohort.js'), 'worker', '--join', code, '--data-dir', workerDir, '--id', 'south', '--name', 'South Hospital'], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stdout!.resume();
    worker.stderr!.resume();
    calls = new GridCalls(await hub.party('south'));
  }, 120_000);

  afterAll(async () => {
    worker?.kill('SIGKILL');
    await hub?.close();
    await rm(root, { recursive: true, force: true });
  });

  const consents = async () => (await MetadataStore.open(workerDir)).list('consents');
  const decide = async (run: string, how: 'approve' | 'decline') => {
    const result = await runCli(['worker', how, run, '--data-dir', workerDir]);
    expect(result.code, result.stderr).toBe(0);
  };

  it('asks its owner with its own names, keeps the decision for (hub, run), and asks again for another plan or a rerun', async () => {
    const p = plan('r1', PROJECT, { rounds: 5 });
    const asked = calls.consent(p, { project: 'An approved ethics study', collaboration: 'Trust us' });
    await expect.poll(async () => (await consents()).map((consent) => consent.state), { timeout: 20_000 }).toEqual(['pending']);
    const [pending] = await consents();
    expect(pending!.summary).toMatchObject({ project: 'Outcome', collaboration: 'Heart study' });
    expect(pending!.hubKey).toBe(hub.contact.key);
    expect(pending!.planHash).toMatch(/^[0-9a-f]{64}$/);
    await decide('r1', 'approve');
    expect(await asked).toMatchObject({ approved: true });

    // The same plan again (a reconnection): approved, nobody asked.
    expect(await calls.consent(p)).toMatchObject({ approved: true });
    expect(await consents()).toHaveLength(1);

    // The same run id with another plan: a new question; declined, it stays declined for that plan.
    const longer = plan('r1', PROJECT, { rounds: 500 });
    const askedAgain = calls.consent(longer);
    await expect.poll(async () => (await consents())[0]!.state, { timeout: 20_000 }).toBe('pending');
    await decide('r1', 'decline');
    expect(await askedAgain).toMatchObject({ approved: false });
    expect(await calls.consent(longer)).toMatchObject({ approved: false });

    // Approved, run and ended: running it again asks again.
    const third = plan('r2', PROJECT, { rounds: 5 });
    const thirdAsked = calls.consent(third);
    await expect.poll(async () => (await consents()).find((consent) => consent.runId === 'r2')?.state, { timeout: 20_000 }).toBe('pending');
    await decide('r2', 'approve');
    expect(await thirdAsked).toMatchObject({ approved: true });
    await calls.teardown(third, 'run completed');
    await expect.poll(async () => (await consents()).find((consent) => consent.runId === 'r2')?.state, { timeout: 20_000 }).toBe('completed');
    const rerun = calls.consent(third);
    await expect.poll(async () => (await consents()).find((consent) => consent.runId === 'r2')?.state, { timeout: 20_000 }).toBe('pending');
    await decide('r2', 'decline');
    expect(await rerun).toMatchObject({ approved: false });
  });
});
