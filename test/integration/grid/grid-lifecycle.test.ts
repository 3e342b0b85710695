// The grid's life cycle with a real hub and real workers on 127.0.0.1 (in this process): runs
// side by side on one hub, cancellation from the command line, workers that reconnect, and a
// participant that listens for the TTP instead of dialling out.
import { createServer } from 'node:net';
import { cp, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../../../src-main/api/hub/hub-service';
import { registerDataTag } from '../../../src-main/api/records/data-tags';
import { ensureSigningIdentity, IDENTITY_KEY_FILE } from '../../../src-main/api/trust/identity-key';
import { MetadataStore } from '../../../src-main/store/metadata-store';
import { prepareWorkspace, SIMULATION_IDS, type Workspace } from '../../../src-main/api/simulation/workspace';
import type { HubContact } from '../../../src-main/api/trust/hub-contact';
import { approveEveryRun, startWorker, type WorkerNode } from '../../../src-main/api/worker/worker-service';
import { Hyperparameters } from '../../../src-main/contract/records';
import type { RunResult } from '../../../src-main/contract/results';
import { runCli } from '../../support/cli';
import { syntheticParties, writeSyntheticParties } from '../../support/synthetic';
import { hubContact } from '../../support/trust';

const PARTIES = ['alpha', 'beta', 'gamma'];

let root: string;
let workspace: Workspace;
let hub: Hub | undefined;
let workers: WorkerNode[] = [];

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'cohort-grid-'));
  await writeSyntheticParties(join(root, 'data'), syntheticParties(PARTIES, 60));
  workspace = await prepareWorkspace({
    workspace: join(root, 'workspace'),
    partyFolders: PARTIES.map((name) => ({ name, folder: join(root, 'data', name) })),
    target: 'outcome',
    task: 'classify',
    positiveClass: 'yes',
    model: { kind: 'logreg' },
    hyperparameters: Hyperparameters.parse({ solver: 'sgd', rounds: 5, minClients: 3 }),
  });
});

afterEach(async () => {
  await Promise.all(workers.map((worker) => worker.close()));
  workers = [];
  await hub?.close();
  hub = undefined;
  await rm(root, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function workerFor(name: string, hubs: HubContact[]): Promise<WorkerNode> {
  const party = workspace.parties.find((candidate) => candidate.name === name)!;
  return startWorker({ dataDir: party.dataDir, party: { id: name, name }, hubs, heartbeatMs: 500, consent: approveEveryRun });
}

async function startAll(options: { port?: number } = {}): Promise<void> {
  hub = await startHub({ dataDir: workspace.hubDir, port: options.port ?? 0, participantWaitMs: 20_000, heartbeatMs: 500 });
  workers = await Promise.all(PARTIES.map((name) => workerFor(name, [hub!.contact()])));
  await Promise.all(workers.map((worker) => worker.connected));
}

describe('runs on one hub', () => {
  it('run side by side, each its own grid over the same workers', async () => {
    await startAll();
    await hub!.store.create('runs', {
      id: 'second',
      experimentId: SIMULATION_IDS.experiment,
      name: 'FedProx beside FedAvg',
      hyperparameters: Hyperparameters.parse({ rounds: 5, algorithm: 'fedprox', mu: 0.1, minClients: 3 }),
    });
    const seen = new Set<string>();
    hub!.engine.onEvent((event) => {
      if (event.kind === 'round') seen.add(event.run);
    });
    await hub!.engine.start(SIMULATION_IDS.run);
    await hub!.engine.start('second');
    expect(hub!.engine.activeRuns().sort()).toEqual(['run', 'second']);
    const [first, second] = await Promise.all([hub!.engine.wait(SIMULATION_IDS.run), hub!.engine.wait('second')]);
    expect([first.status, second.status]).toEqual(['completed', 'completed']);
    expect([first.algorithm, second.algorithm]).toEqual(['fedavg', 'fedprox']);
    expect(first.rounds).toHaveLength(5);
    expect(second.rounds).toHaveLength(5);
    expect([...seen].sort()).toEqual(['run', 'second']);
    // Both are stored as completed, and every worker freed both runs.
    expect((await hub!.store.get('runs', 'second')).status).toBe('completed');
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const worker of workers) expect(worker.engine.activeRuns()).toEqual([]);
  }, 120_000);
});

describe('one participant, several hubs', () => {
  it('serves a run of each hub at once, even when both runs have the same id', async () => {
    // A second hub with its own identity whose collaboration, project and run use the same ids
    // as the first's: each party keeps that hub's project under another local id, with its own
    // data tags, consents and budgets.
    const secondDir = join(root, 'workspace', 'second-hub');
    await cp(workspace.hubDir, secondDir, { recursive: true, filter: (source) => !source.endsWith(IDENTITY_KEY_FILE) });
    const secondKey = (await ensureSigningIdentity(secondDir)).publicKeyText;
    for (const party of workspace.parties) await holdSecondHubProject(party.name, party.dataDir, secondKey);
    hub = await startHub({ dataDir: workspace.hubDir, port: 0, participantWaitMs: 20_000, heartbeatMs: 500 });
    const second = await startHub({ dataDir: secondDir, port: 0, participantWaitMs: 20_000, heartbeatMs: 500 });
    try {
      workers = await Promise.all(PARTIES.map((name) => workerFor(name, [hub!.contact(), second.contact()])));
      await waitFor(() => hub!.engine.connectedParties().length === 3 && second.engine.connectedParties().length === 3);
      await Promise.all([hub.engine.start(SIMULATION_IDS.run), second.engine.start(SIMULATION_IDS.run)]);
      const [first, other] = await Promise.all([hub.engine.wait(SIMULATION_IDS.run), second.engine.wait(SIMULATION_IDS.run)]);
      expect([first.status, other.status], JSON.stringify([first.error, other.error])).toEqual(['completed', 'completed']);
      expect(first.rounds).toHaveLength(5);
      expect(other.rounds).toHaveLength(5);
      // Each run's files went to its own local project's folder.
      for (const party of workspace.parties) {
        await expect(stat(join(party.dataDir, 'runs', SIMULATION_IDS.project, SIMULATION_IDS.run))).resolves.toBeDefined();
        await expect(stat(join(party.dataDir, 'runs', SECOND_PROJECT, SIMULATION_IDS.run))).resolves.toBeDefined();
      }
    } finally {
      await second.close();
    }
  }, 120_000);
});

const SECOND_PROJECT = 'second-project';

/** What joining the second hub leaves at a party: its collaboration and project under their origin, and data registered for it. */
async function holdSecondHubProject(partyId: string, dataDir: string, hubKey: string): Promise<void> {
  const store = await MetadataStore.open(dataDir);
  const { createdAt: _c, updatedAt: _u, ...collaboration } = await store.get('collaborations', SIMULATION_IDS.collaboration);
  const { createdAt: _pc, updatedAt: _pu, ...project } = await store.get('projects', SIMULATION_IDS.project);
  await store.create('collaborations', { ...collaboration, id: 'second-collaboration', origin: { hubKey, id: SIMULATION_IDS.collaboration } });
  await store.create('projects', { ...project, id: SECOND_PROJECT, collaborationId: 'second-collaboration', origin: { hubKey, id: SIMULATION_IDS.project } });
  for (const tag of (await store.list('dataTags')).filter((candidate) => candidate.projectId === SIMULATION_IDS.project)) {
    if (tag.source.type !== 'file') continue;
    await registerDataTag(store, { participantId: partyId, projectId: SECOND_PROJECT, kind: tag.kind, source: tag.source });
  }
}

describe('cancelling', () => {
  it('stops a run from the command line; the workers are told and free it', async () => {
    await startAll();
    await hub!.store.update('runs', SIMULATION_IDS.run, { hyperparameters: Hyperparameters.parse({ solver: 'sgd', rounds: 10_000, minClients: 3 }) });
    let rounds = 0;
    const twoRounds = new Promise<void>((resolve) =>
      hub!.engine.onEvent((event) => {
        if (event.kind === 'round' && ++rounds === 2) resolve();
      }),
    );
    await hub!.engine.start(SIMULATION_IDS.run);
    await twoRounds;
    const cancelled = await runCli(['run', 'cancel', SIMULATION_IDS.run, '--data-dir', workspace.hubDir, '--json']);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const result = JSON.parse(cancelled.stdout) as RunResult;
    expect(result.status).toBe('cancelled');
    expect(result.error).toBe('cancelled by the orchestrator');
    expect(result.rounds.length).toBeGreaterThanOrEqual(2);
    expect(result.rounds.length).toBeLessThan(10_000);
    const stored = await hub!.store.get('runs', SIMULATION_IDS.run);
    expect(stored).toMatchObject({ status: 'cancelled', error: 'cancelled by the orchestrator' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const worker of workers) expect(worker.engine.activeRuns()).toEqual([]);
    expect(hub!.engine.activeRuns()).toEqual([]);
  }, 120_000);
});

describe('connections', () => {
  it('workers started before the hub, and after a hub restart, connect with backoff', async () => {
    const port = await freePort();
    const contact = await hubContact(workspace.hubDir, `wss://127.0.0.1:${port}`);
    workers = await Promise.all(PARTIES.map((name) => workerFor(name, [contact])));
    await new Promise((resolve) => setTimeout(resolve, 300)); // they are retrying by now
    hub = await startHub({ dataDir: workspace.hubDir, port, heartbeatMs: 500 });
    await Promise.all(workers.map((worker) => worker.connected));
    await waitFor(() => hub!.engine.connectedParties().length === 3);
    await hub.close();
    hub = await startHub({ dataDir: workspace.hubDir, port, heartbeatMs: 500, participantWaitMs: 20_000 });
    await waitFor(() => hub!.engine.connectedParties().length === 3, 15_000);
    await hub.engine.start(SIMULATION_IDS.run);
    expect((await hub.engine.wait(SIMULATION_IDS.run)).status).toBe('completed');
  }, 60_000);

  it('a participant may listen; the TTP dials it', async () => {
    hub = await startHub({ dataDir: workspace.hubDir, port: 0, participantWaitMs: 20_000, heartbeatMs: 500 });
    const listening = workspace.parties.find((party) => party.name === 'gamma')!;
    const worker = await startWorker({
      dataDir: listening.dataDir,
      party: { id: 'gamma', name: 'gamma' },
      listen: { host: '127.0.0.1', port: 0, trustedHubKeys: [hub.identity.key] },
      consent: approveEveryRun,
    });
    workers = [worker, ...(await Promise.all(['alpha', 'beta'].map((name) => workerFor(name, [hub!.contact()]))))];
    const port = Number(new URL(worker.url!).port);
    await hub.store.update('registrations', 'gamma.project', { connection: { mode: 'listen', host: '127.0.0.1', port, certificate: worker.certificate! } });
    expect(hub.engine.connectedParties()).not.toContain('gamma');
    await hub.engine.start(SIMULATION_IDS.run);
    const result = await hub.engine.wait(SIMULATION_IDS.run);
    expect(result.status).toBe('completed');
    expect(result.parties).toEqual(['alpha', 'beta', 'gamma']);
    expect(hub.engine.connectedParties()).toContain('gamma');
  }, 60_000);

  it('refuses a participant the hub does not know', async () => {
    hub = await startHub({ dataDir: workspace.hubDir, port: 0, heartbeatMs: 500 });
    const party = workspace.parties[0]!;
    const stranger = await startWorker({ dataDir: party.dataDir, party: { id: 'stranger', name: 'stranger' }, hubs: [hub.contact()] });
    workers = [stranger];
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(hub.engine.connectedParties()).toEqual([]);
  }, 30_000);
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
