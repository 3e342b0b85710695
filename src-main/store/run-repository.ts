// The TTP's runs: their context and status in the metadata store, their history and result as
// JSON files beside the models in the run's folder (written atomically).
import { join } from 'node:path';
import { CohortError } from '../contract/errors';
import { z } from 'zod';
import { RoundRecord as RoundRecordSchema, RunResult, type RoundRecord } from '../contract/results';
import type { RunContext, RunRepository, RunStatusPatch } from '../engines/ports';
import { readJsonFile, writeJsonFile } from './json-files';
import type { MetadataStore } from './metadata-store';

export function runFolder(dataDir: string, runId: string): string {
  return join(dataDir, 'runs', runId);
}

export class StoreRunRepository implements RunRepository {
  constructor(
    private readonly store: MetadataStore,
    private readonly dataDir: string,
  ) {}

  async context(runId: string): Promise<RunContext> {
    const db = await this.store.snapshot();
    const run = db.runs.find((candidate) => candidate.id === runId);
    if (!run) throw new CohortError('NOT_FOUND', `no run with id "${runId}"`);
    const experiment = db.experiments.find((candidate) => candidate.id === run.experimentId)!;
    const project = db.projects.find((candidate) => candidate.id === experiment.projectId)!;
    const collaboration = db.collaborations.find((candidate) => candidate.id === project.collaborationId)!;
    const participants = db.registrations
      .filter((registration) => registration.projectId === project.id && registration.role === 'participant')
      .map((registration) => {
        const participant = db.participants.find((candidate) => candidate.id === registration.participantId)!;
        return {
          id: participant.id,
          name: participant.displayName,
          connection: registration.connection,
          ...(participant.publicKey ? { key: participant.publicKey } : {}),
        };
      })
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    return { collaboration, run, experiment, project, participants };
  }

  async setStatus(runId: string, patch: RunStatusPatch): Promise<void> {
    await this.store.mutate((db) => {
      const run = db.runs.find((candidate) => candidate.id === runId);
      if (!run) throw new CohortError('NOT_FOUND', `no run with id "${runId}"`);
      run.status = patch.status;
      if (patch.round !== undefined) run.round = patch.round;
      if (patch.startedAt !== undefined) {
        run.startedAt = patch.startedAt;
        delete run.finishedAt;
        delete run.error;
      }
      if (patch.finishedAt !== undefined) run.finishedAt = patch.finishedAt;
      if (patch.error !== undefined) run.error = patch.error.slice(0, 10_000);
      run.updatedAt = new Date().toISOString();
    });
  }

  async saveHistory(runId: string, rounds: readonly RoundRecord[]): Promise<void> {
    await this.write(runId, 'history.json', rounds);
  }

  async saveResult(runId: string, result: RunResult): Promise<void> {
    await this.write(runId, 'result.json', result);
  }

  /** The stored per-round history of a run (empty before its first round). */
  async history(runId: string): Promise<RoundRecord[]> {
    return (await readJsonFile(join(runFolder(this.dataDir, runId), 'history.json'), z.array(RoundRecordSchema))) ?? [];
  }

  /** The stored result of a finished run, if any. */
  async result(runId: string): Promise<RunResult | undefined> {
    return readJsonFile(join(runFolder(this.dataDir, runId), 'result.json'), RunResult);
  }

  private async write(runId: string, name: string, value: unknown): Promise<void> {
    await writeJsonFile(join(runFolder(this.dataDir, runId), name), value);
  }
}
