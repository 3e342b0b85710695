// A participant's models used on its own files: a model saved as a run leaves it, evaluated on
// a real CSV. The result names the classes as the model was trained on them, so the confusion
// matrix reads in the hospital's own labels.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateLocally } from '../../../src-main/api/app/local-models';
import { ALIGNMENT_VERSION, type AlignedTarget, type Alignment } from '../../../src-main/contract/data';
import { fingerprintOf } from '../../../src-main/core/alignment/align';
import { selectBackend } from '../../../src-main/ml/backend';
import { buildModel } from '../../../src-main/ml/model';
import { saveModel } from '../../../src-main/ml/model-io';

let root: string;
beforeAll(async () => {
  await selectBackend();
  root = await mkdtemp(join(tmpdir(), 'cohort-local-models-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A model saved with its alignment (one numeric feature, `age`), as a run's worker saves it. */
async function savedModel(name: string, target: AlignedTarget): Promise<string> {
  const body: Omit<Alignment, 'fingerprint'> = {
    version: ALIGNMENT_VERSION,
    task: 'classify',
    columns: [{ kind: 'numeric', name: 'age', mean: 60, std: 10, missingIndicator: false, missingAt: [] }],
    features: ['age'],
    target,
    parties: ['st-olaf'],
    ignored: [],
    options: { columns: 'union', missingIndicators: false },
  };
  const alignment: Alignment = { ...body, fingerprint: fingerprintOf(body) };
  const outputSize = target.kind === 'multiclass' ? target.labels.length : 1;
  const model = buildModel({ kind: 'logreg' }, { inputSize: 1, outputSize, target: target.kind }, 1);
  const dir = join(root, name, 'global-model');
  try {
    await saveModel(model, dir, { run: name, project: 'outcome', alignment, model: 'global' });
  } finally {
    model.dispose();
  }
  return dir;
}

async function csv(name: string, rows: Array<[number, string]>): Promise<string> {
  const path = join(root, name);
  await writeFile(path, `age,outcome\n${rows.map(([age, outcome]) => `${age},${outcome}`).join('\n')}\n`);
  return path;
}

describe('evaluating a saved model on a local file', () => {
  it('names the binary classes as the model knows them: the negative one, then the positive one', async () => {
    // The positive class sorts first: the order comes from the model, not from the alphabet.
    const dir = await savedModel('binary', { kind: 'binary', column: 'outcome', labels: ['died', 'survived'], positive: 'died' });
    const file = await csv('binary.csv', [
      [71, 'died'],
      [45, 'survived'],
      [66, 'survived'],
      [80, 'died'],
    ]);
    const result = await evaluateLocally(dir, file, 'st-olaf');
    expect(result.labels).toEqual(['survived', 'died']);
    expect(result.metrics.kind).toBe('binary');
    expect(result.rows).toBe(4);
  });

  it('names the classes of a multiclass model in the order of its confusion matrix', async () => {
    const dir = await savedModel('multiclass', { kind: 'multiclass', column: 'outcome', labels: ['home', 'rehab', 'care home'] });
    const file = await csv('multiclass.csv', [
      [71, 'rehab'],
      [45, 'home'],
      [88, 'care home'],
    ]);
    const result = await evaluateLocally(dir, file, 'st-olaf');
    expect(result.labels).toEqual(['home', 'rehab', 'care home']);
    expect(result.metrics.kind === 'multiclass' && result.metrics.labels).toEqual(result.labels);
  });
});
