// Apps as people run them, in this process: an orchestrator and participants, each an app host
// behind its own browser-mode UI server (127.0.0.1, its own token and data directory). Helpers
// walk them through the flow by API, to set up a screen or check what the UI did.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startAppHost, type AppHost, type Role } from '../../src-main/api/app/app-host';
import { startBrowserHost, type BrowserHost } from '../../src-main/api/browser-host';
import type { RunResult } from '../../src-main/contract/results';
import { ApiClient } from '../../src-renderer/src/api/client';
import { createWebSocketTransport, type SocketLike } from '../../src-renderer/src/api/ws-transport';
import { DEMO_DATA, PROJECT_ROOT } from './cli';

export interface RunningApp {
  role: Role;
  host: AppHost;
  ui: BrowserHost;
  /** The link the app prints: open it in a browser. */
  url: string;
  dataDir: string;
  /** The API, as the UI uses it. */
  client: ApiClient;
}

async function startApp(role: Role, root: string, name: string, rendererRoot: string): Promise<RunningApp> {
  const dataDir = join(root, name);
  const host = await startAppHost({ dataDir, role, transport: 'browser', hub: { port: 0, approvalWaitMs: 120_000, participantWaitMs: 60_000 } });
  const token = randomBytes(18).toString('base64url');
  const ui = await startBrowserHost({ root: rendererRoot, api: { endpoint: host, token } });
  const { port } = new URL(ui.url);
  const origin = `http://127.0.0.1:${port}`;
  const transport = createWebSocketTransport(`ws://127.0.0.1:${port}/api?token=${token}`, (address) => new WebSocket(address, { origin }) as unknown as SocketLike);
  return { role, host, ui, url: `${ui.url}#token=${token}`, dataDir, client: new ApiClient(transport) };
}

export interface AppFederation {
  root: string;
  orchestrator: RunningApp;
  participants: RunningApp[];
  close(): Promise<void>;
}

export interface AppFederationOptions {
  /**
   * The built renderer the UI servers serve (default: out/renderer). A test that builds its own
   * copy (`electron-vite build --outDir DIR`) is safe from other test files rebuilding out/.
   */
  rendererRoot?: string;
}

/** An orchestrator and participants (named after the demo hospitals), each in its own data directory. */
export async function startAppFederation(participantNames: readonly string[] = ['hospital-a', 'hospital-b'], options: AppFederationOptions = {}): Promise<AppFederation> {
  const rendererRoot = options.rendererRoot ?? join(PROJECT_ROOT, 'out', 'renderer');
  const root = await mkdtemp(join(tmpdir(), 'cohort-apps-'));
  const orchestrator = await startApp('orchestrator', root, 'orchestrator', rendererRoot);
  const participants: RunningApp[] = [];
  for (const name of participantNames) participants.push(await startApp('participant', root, name, rendererRoot));
  return {
    root,
    orchestrator,
    participants,
    async close() {
      for (const app of [...participants, orchestrator]) {
        (app.client.transport as { close?: () => void }).close?.();
        await app.ui.close();
        await app.host.close();
      }
      await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    },
  };
}

export interface PopulatedFederation {
  collaborationId: string;
  projectId: string;
  experimentId: string;
  runId: string;
}

/**
 * The whole flow by API: define the hierarchy, invite each participant, join, register the
 * demo hospital's train and evaluate data, and (if `train`) start the run, approve it at every
 * participant and wait until it ends.
 */
export async function populate(
  federation: AppFederation,
  options: {
    train?: boolean;
    rounds?: number;
    /** Registers a hospital's data (default: its demo CSV files). */
    register?: (participant: RunningApp, hospital: string, projectId: string) => Promise<void>;
  } = {},
): Promise<PopulatedFederation & { result?: RunResult }> {
  const orchestrator = federation.orchestrator.client;
  const collaboration = await orchestrator.call('collaborations.create', { name: 'Breast cancer network', description: 'Three hospitals predicting malignancy from biopsy measurements.' });
  const project = await orchestrator.call('projects.create', {
    collaborationId: collaboration.id,
    name: 'Diagnosis',
    targetColumn: 'diagnosis',
    task: 'classify',
    positiveClass: 'M',
    description: 'Malignant (M) or benign (B).',
  });
  const experiment = await orchestrator.call('experiments.create', { projectId: project.id, name: 'Logistic regression', model: { kind: 'logreg' } });
  const run = await orchestrator.call('runs.create', { experimentId: experiment.id, name: 'FedAvg baseline', hyperparameters: { rounds: options.rounds ?? 10, minClients: federation.participants.length } });
  for (const participant of federation.participants) {
    const { code } = await orchestrator.call('invitations.create', { collaborationId: collaboration.id });
    const hospital = participant.dataDir.split(/[/\\]/).at(-1)!;
    await participant.client.call('memberships.join', { code, name: hospital, organisation: `${hospital} (demo)` });
    if (options.register) await options.register(participant, hospital, project.id);
    else {
      for (const kind of ['train', 'evaluate'] as const) {
        await participant.client.call('tags.register', { projectId: project.id, kind, path: join(DEMO_DATA, hospital, `${kind}.csv`) });
      }
    }
  }
  const ids = { collaborationId: collaboration.id, projectId: project.id, experimentId: experiment.id, runId: run.id };
  if (!options.train) return ids;
  await orchestrator.call('runs.start', { id: run.id });
  await approveAll(federation);
  return { ...ids, result: await waitForRun(federation, run.id) };
}

/** Approves every pending training request at every participant (waiting for them to arrive). */
export async function approveAll(federation: AppFederation, timeoutMs = 30_000): Promise<void> {
  for (const participant of federation.participants) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pending = (await participant.client.call('requests.list', {})).filter((request) => request.state === 'pending');
      if (pending.length > 0) {
        for (const request of pending) await participant.client.call('requests.decide', { id: request.id, approve: true });
        break;
      }
      if (Date.now() > deadline) throw new Error('no training request arrived');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export async function waitForRun(federation: AppFederation, runId: string, timeoutMs = 120_000): Promise<RunResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const detail = await federation.orchestrator.client.call('runs.get', { id: runId });
    if (detail.result && !detail.active) return detail.result;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not end in time (status ${detail.run.status})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
