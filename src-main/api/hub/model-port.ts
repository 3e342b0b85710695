// The TTP's use of models: seeded initial global weights, and the exported global model (TF.js
// layers format) with its alignment, hyperparameters and metrics.
import { join } from 'node:path';
import type { ModelSpec } from '../../contract/records';
import type { ModelPort, ModelShape } from '../../engines/ports';
import { currentBackend, selectBackend } from '../../ml/backend';
import { buildModel, parameterCount } from '../../ml/model';
import { saveModel } from '../../ml/model-io';
import { getFlatWeights, setFlatWeights } from '../../ml/weights';
import { runFolder } from '../../store/run-repository';

export class HubModelPort implements ModelPort {
  constructor(private readonly dataDir: string) {}

  /** Selects the TF.js backend; returns its name. */
  async ready(): Promise<string> {
    return (await selectBackend()).backend;
  }

  async initialWeights(spec: ModelSpec, shape: ModelShape, seed: number) {
    await this.ready();
    const model = buildModel(spec, shape, seed);
    try {
      return { weights: getFlatWeights(model), parameterCount: parameterCount(model) };
    } finally {
      model.dispose();
    }
  }

  async saveGlobal(runId: string, spec: ModelSpec, shape: ModelShape, weights: Float32Array, metadata: Record<string, unknown>) {
    await this.ready();
    const model = buildModel(spec, shape, 0);
    try {
      setFlatWeights(model, weights);
      const dir = join(runFolder(this.dataDir, runId), 'global-model');
      await saveModel(model, dir, metadata);
      return dir;
    } finally {
      model.dispose();
    }
  }

  backend(): string {
    return currentBackend() ?? 'none';
  }
}
