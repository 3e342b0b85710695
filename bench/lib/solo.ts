// A hub in this process with registered participants whose workers a benchmark starts itself.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHub, type Hub } from '../../src-main/api/hub/hub-service';
import { createInvitation } from '../../src-main/api/hub/invitations';
import { prepareWorkspace, SIMULATION_IDS, type Workspace } from '../../src-main/api/simulation/workspace';
import { Hyperparameters, type ModelSpec } from '../../src-main/contract/records';
import { DEMO } from './federation';

export interface Solo {
  hub: Hub;
  workspace: Workspace;
  /** A fresh invitation code to the simulated collaboration, for `cohort worker --join`. */
  invite(): Promise<string>;
  close(): Promise<void>;
}

export async function hubWithParties(parties: string[], model: ModelSpec = { kind: 'logreg' }): Promise<Solo> {
  const root = await mkdtemp(join(tmpdir(), 'cohort-bench-'));
  const workspace = await prepareWorkspace({
    workspace: root,
    partyFolders: parties.map((name) => ({ name, folder: join(DEMO, 'hospital-a') })),
    target: 'diagnosis',
    task: 'classify',
    positiveClass: 'M',
    model,
    hyperparameters: Hyperparameters.parse({ solver: 'sgd' }),
  });
  const hub = await startHub({ dataDir: workspace.hubDir, port: 0, participantWaitMs: 60_000 });
  return {
    hub,
    workspace,
    invite: async () => (await createInvitation(hub.store, hub.contact(), { collaborationId: SIMULATION_IDS.collaboration })).code,
    async close() {
      await hub.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

export async function waitUntil(condition: () => boolean, timeoutMs = 30_000, stepMs = 2): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
}

/** Resident set size of a process in bytes (Linux), or undefined. */
export async function rssOf(pid: number): Promise<number | undefined> {
  try {
    const { readFile } = await import('node:fs/promises');
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
