// The local administrator's side of a hub's admin endpoint: finds the running hub through the
// hub.json it wrote in its data directory, and sends it commands.
import { join } from 'node:path';
import { ADMIN, Ack, CutOffReply, HubInfo, PartiesReply, RunStatusReply } from '../contract/admin';
import { CohortError } from '../contract/errors';
import { RunEvent, RunResult } from '../contract/results';
import { Peer } from '../protocol/peer';
import { dial } from '../protocol/transport';
import { readJsonFile } from '../store/json-files';
import { HUB_INFO_FILE } from './hub/hub-service';

export class AdminClient {
  private constructor(private readonly peer: Peer) {}

  static async connect(dataDir: string): Promise<AdminClient> {
    const info = await readHubInfo(dataDir);
    let socket;
    try {
      socket = await dial(`${info.adminUrl}/?token=${encodeURIComponent(info.token)}`, { timeoutMs: 5_000 });
    } catch (error) {
      throw new CohortError('NOT_FOUND', `the hub of ${dataDir} (pid ${info.pid}) does not answer at ${info.adminUrl}: ${(error as Error).message}. Is it still running?`);
    }
    return new AdminClient(new Peer(socket, { label: 'hub', heartbeatMs: 0, requestTimeoutMs: 30_000 }));
  }

  async start(run: string): Promise<void> {
    await this.peer.request(ADMIN.start, { run }, { schema: Ack });
  }

  async cancel(run: string): Promise<RunResult> {
    return (await this.peer.request(ADMIN.cancel, { run }, { schema: RunResult, timeoutMs: 120_000 })).body;
  }

  async stop(run: string): Promise<RunResult> {
    return (await this.peer.request(ADMIN.stop, { run }, { schema: RunResult, timeoutMs: 120_000 })).body;
  }

  async resume(run: string): Promise<void> {
    await this.peer.request(ADMIN.resume, { run }, { schema: Ack });
  }

  async status(run: string) {
    return (await this.peer.request(ADMIN.status, { run }, { schema: RunStatusReply })).body;
  }

  async wait(run: string): Promise<RunResult> {
    return (await this.peer.request(ADMIN.wait, { run }, { schema: RunResult, timeoutMs: Number.POSITIVE_INFINITY })).body;
  }

  async connected(): Promise<string[]> {
    return (await this.peer.request(ADMIN.parties, {}, { schema: PartiesReply })).body.connected;
  }

  /** Closes a revoked participant's connection; resolves with whether it was connected. */
  async cutOff(participant: string, reason: string): Promise<boolean> {
    return (await this.peer.request(ADMIN.cutOff, { participant, reason }, { schema: CutOffReply })).body.wasConnected;
  }

  /** Calls `listener` with every event of the run (or of all runs). */
  async subscribe(listener: (event: RunEvent) => void, run?: string): Promise<void> {
    this.peer.on(ADMIN.event, RunEvent, listener);
    await this.peer.request(ADMIN.subscribe, run === undefined ? {} : { run }, { schema: Ack });
  }

  close(): void {
    this.peer.close('done');
  }
}

export async function readHubInfo(dataDir: string): Promise<HubInfo> {
  const info = await readJsonFile(join(dataDir, HUB_INFO_FILE), HubInfo);
  if (!info) throw new CohortError('NOT_FOUND', `no hub is running with data directory ${dataDir} (start one with "cohort hub --data-dir ${dataDir}")`);
  return info;
}
