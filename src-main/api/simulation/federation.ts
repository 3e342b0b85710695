// A federation of real processes on this machine, from a prepared workspace: the hub and one
// worker per party, each a `cohort` process over 127.0.0.1 with TLS, every party joining with
// a real invitation that pins the hub. The hub can be restarted on the same address (a crashed
// hub coming back), and any process killed, for tests of what survives.
import { createServer, type AddressInfo } from 'node:net';
import { createInvitation } from '../hub/invitations';
import { ensureSigningIdentity } from '../trust/identity-key';
import { ensureTlsMaterial } from '../trust/tls-files';
import { MetadataStore } from '../../store/metadata-store';
import { AdminClient } from '../admin-client';
import type { ManagedProcess, ProcessGroup } from './processes';
import { SIMULATION_IDS, type Workspace } from './workspace';

export interface Federation {
  url: string;
  hub: ManagedProcess;
  workers: Record<string, ManagedProcess>;
  /** Starts the hub again on the same address and data (after it stopped or was killed). */
  restartHub(): Promise<ManagedProcess>;
  /** Connects to the running hub's admin endpoint. */
  admin(): Promise<AdminClient>;
}

export interface FederationOptions {
  participantWaitMs?: number;
  /** Extra arguments for a party's worker (tests: a poisoned party). */
  workerArgs?: (party: string) => string[];
}

export async function launchFederation(setup: Workspace, processes: ProcessGroup, options: FederationOptions = {}): Promise<Federation> {
  // The hub and every worker start at once (the workers retry until the hub listens). The
  // hub's certificate and identity are made first, so each party can be sent a real
  // invitation to join with, pinning them, as a participant would be.
  const port = await freePort();
  const url = `wss://127.0.0.1:${port}`;
  const contact = {
    url,
    certificate: (await ensureTlsMaterial(setup.hubDir, { commonName: 'Cohort hub' })).fingerprint,
    key: (await ensureSigningIdentity(setup.hubDir)).publicKeyText,
  };
  const hubStore = await MetadataStore.open(setup.hubDir);
  const startHub = () =>
    processes.spawn('hub', ['hub', '--port', String(port), '--json', '--data-dir', setup.hubDir, '--participant-wait', String((options.participantWaitMs ?? 60_000) / 1000)]);
  let hub = startHub();
  const workers: Record<string, ManagedProcess> = {};
  for (const party of setup.parties) {
    const { code } = await createInvitation(hubStore, contact, { collaborationId: SIMULATION_IDS.collaboration, note: `simulated party ${party.name}` });
    // Every party belongs to whoever runs the simulation: its runs need no separate approval.
    workers[party.name] = processes.spawn(party.name, ['worker', '--join', code, '--data-dir', party.dataDir, '--id', party.name, '--approve-all', ...(options.workerArgs?.(party.name) ?? [])]);
  }
  await hub.firstLine;
  return {
    url,
    get hub() {
      return hub;
    },
    workers,
    async restartHub() {
      hub = startHub();
      await hub.firstLine;
      return hub;
    },
    admin: () => AdminClient.connect(setup.hubDir),
  };
}

/** A port free on 127.0.0.1 now (the hub binds it a moment later). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
