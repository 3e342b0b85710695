// The TTP's use of models: seeded initial global weights, and the exported global model (TF.js
// layers format) with its alignment, hyperparameters and metrics. TF.js is loaded on first use,
// so starting a hub (or any command) does not pay for it.
import { join } from 'node:path';
import { CohortError } from '../../contract/errors';
import type { ModelSpec } from '../../contract/records';
import type { ModelPort, ModelShape } from '../../engines/ports';
import { CoefficientTable } from '../../contract/results';
import { coefficientRecords } from '../../core/glm/table-rows';
import { writeCsv } from '../../datasource/write-csv';
import { runFolder } from '../../store/run-repository';

async function loadMl() {
  const [backend, model, io, weights] = await Promise.all([
    import('../../ml/backend'),
    import('../../ml/model'),
    import('../../ml/model-io'),
    import('../../ml/weights'),
  ]);
  await backend.selectBackend();
  return { backend, model, io, weights };
}

/** Beside an exact regression's global model: its coefficient table. */
export const COEFFICIENTS_FILE = 'coefficients.csv';

export class HubModelPort implements ModelPort {
  private ml: ReturnType<typeof loadMl> | undefined;
  private backendName = 'not loaded';

  constructor(private readonly dataDir: string) {}

  /** Loads TF.js and selects its backend; returns the backend's name. */
  async ready(): Promise<string> {
    const ml = await (this.ml ??= loadMl());
    this.backendName = ml.backend.currentBackend() ?? 'none';
    return this.backendName;
  }

  async initialWeights(spec: ModelSpec, shape: ModelShape, seed: number) {
    await this.ready();
    const { model: models, weights } = await this.ml!;
    const model = models.buildModel(spec, shape, seed);
    try {
      return { weights: weights.getFlatWeights(model), parameterCount: models.parameterCount(model) };
    } finally {
      model.dispose();
    }
  }

  async saveGlobal(runId: string, spec: ModelSpec, shape: ModelShape, weights: Float32Array, metadata: Record<string, unknown>) {
    await this.ready();
    const { model: models, weights: flat, io } = await this.ml!;
    const model = models.buildModel(spec, shape, 0);
    try {
      flat.setFlatWeights(model, weights);
      const dir = join(runFolder(this.dataDir, runId), 'global-model');
      await io.saveModel(model, dir, metadata);
      // An exact regression's table travels with its model, for spreadsheets and statistics packages.
      const table = CoefficientTable.safeParse(metadata['coefficients']);
      if (table.success) await writeCsv(join(dir, COEFFICIENTS_FILE), coefficientRecords(table.data));
      return dir;
    } finally {
      model.dispose();
    }
  }

  async loadGlobal(runId: string) {
    await this.ready();
    const { weights: flat, io } = await this.ml!;
    const { model, metadata } = await io.loadModel(join(runFolder(this.dataDir, runId), 'global-model')).catch((error: unknown) => {
      throw new CohortError('NOT_FOUND', `run "${runId}" has no saved global model to start from (${(error as Error).message})`);
    });
    try {
      const alignment = metadata['alignment'] as { features?: unknown } | undefined;
      const features = Array.isArray(alignment?.features) && alignment.features.every((feature) => typeof feature === 'string') ? (alignment.features as string[]) : null;
      return { weights: flat.getFlatWeights(model), features };
    } finally {
      model.dispose();
    }
  }

  backend(): string {
    return this.backendName;
  }
}
