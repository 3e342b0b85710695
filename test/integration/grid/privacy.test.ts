// Nothing row-level reaches the TTP: after a run with train, evaluate and predict data, no row
// value and no prediction appears anywhere in the orchestrator's store, artifacts or logs.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate, type SimulationResult } from '../../../src-main/api/simulation/simulate';
import { Hyperparameters } from '../../../src-main/contract/records';
import { syntheticParties, writeSyntheticParties, type SyntheticParty } from '../../support/synthetic';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

describe('what reaches the TTP', () => {
  let root: string;
  let parties: SyntheticParty[];
  let result: SimulationResult;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cohort-privacy-'));
    parties = syntheticParties(['north', 'south']);
    await writeSyntheticParties(join(root, 'data'), parties);
    result = await simulate({
      data: join(root, 'data'),
      target: 'outcome',
      task: 'classify',
      positiveClass: 'yes',
      model: { kind: 'logreg' },
      hyperparameters: Hyperparameters.parse({ rounds: 3 }),
      workspace: join(root, 'workspace'),
    });
  }, 120_000);

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('leaves predictions only in each party\'s own folder', async () => {
    for (const party of parties) {
      const file = result.artifacts.parties[party.name]!.predictions!;
      expect(file.startsWith(join(root, 'workspace', 'parties', party.name))).toBe(true);
      const lines = (await readFile(file, 'utf8')).trim().split('\n');
      expect(lines[0]).toBe('row,predicted_outcome,score_no,score_yes');
      expect(lines).toHaveLength(party.predict.length + 1);
    }
  });

  it('keeps every row value and every prediction out of the hub\'s store, artifacts and logs', async () => {
    const hubFiles = [...(await filesUnder(join(root, 'workspace', 'hub'))), join(result.artifacts.logs, 'hub.log')];
    expect(hubFiles.some((file) => file.endsWith('cohort.json'))).toBe(true);
    expect(hubFiles.some((file) => file.endsWith('result.json'))).toBe(true);
    const hubText = (await Promise.all(hubFiles.map((file) => readFile(file)))).map((bytes) => bytes.toString('latin1')).join('\n');
    const markers = parties.flatMap((party) => [...party.train, ...party.evaluate, ...party.predict].map((row) => row[1]!));
    expect(markers.length).toBeGreaterThan(100);
    for (const marker of markers) expect(hubText.includes(marker), `row value ${marker} found at the hub`).toBe(false);
    // Nor any prediction: the scores the parties wrote.
    for (const party of parties) {
      const lines = (await readFile(result.artifacts.parties[party.name]!.predictions!, 'utf8')).trim().split('\n').slice(1);
      for (const line of lines) {
        const score = line.split(',')[3]!;
        expect(hubText.includes(score), `prediction ${score} found at the hub`).toBe(false);
      }
    }
    // What the hub does hold about the data: aggregates and levels, as declared.
    expect(hubText).toContain('ward=icu');
  });
});
