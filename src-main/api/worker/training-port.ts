// Local training for the worker engine, in a training thread per run (ml/TrainingClient), so
// the worker keeps answering heartbeats and other runs while a model trains.
import type { Alignment } from '../../contract/data';
import { outputCountOf } from '../../core/alignment/encode';
import type { EncodedDataset } from '../../core/alignment/encode';
import type { TrainingPort, TrainingSession } from '../../engines/ports';
import { checkModelSize } from '../../ml/keras';
import { TrainingClient, type TrainingClientOptions } from '../../ml/training-client';
import type { TrainingData } from '../../ml/trainer';

/** The encoded data as the trainer takes it. Copies: the thread takes ownership of what it gets. */
function trainingData(data: EncodedDataset): TrainingData {
  if (data.spool) {
    // Rows in files: the thread reads them a block at a time.
    return { x: new Float32Array(0), y: new Float32Array(0), rows: data.rows, featureCount: data.featureCount, outputCount: data.outputCount, spool: data.spool };
  }
  return {
    x: data.x.slice(),
    y: data.y ? data.y.slice() : new Float32Array(data.rows * data.outputCount),
    rows: data.rows,
    featureCount: data.featureCount,
    outputCount: data.outputCount,
  };
}

export function modelShapeOf(alignment: Alignment) {
  return { inputSize: alignment.features.length, outputSize: outputCountOf(alignment), target: alignment.target.kind };
}

export class ThreadTrainingPort implements TrainingPort {
  constructor(private readonly threadOptions: TrainingClientOptions = {}) {}

  async open({ model, alignment, seed, data }: Parameters<TrainingPort['open']>[0]): Promise<TrainingSession> {
    // A model over the limits is refused here, before a thread starts for it.
    checkModelSize(model, modelShapeOf(alignment));
    const client = await TrainingClient.start(this.threadOptions);
    try {
      const init = await client.init({
        spec: model,
        shape: modelShapeOf(alignment),
        seed,
        train: trainingData(data.train),
        ...(data.evaluate && data.evaluate.rows > 0 ? { evaluate: trainingData(data.evaluate) } : {}),
        ...(data.validation && data.validation.rows > 0 ? { validation: trainingData(data.validation) } : {}),
      });
      const predictRows = data.predict;
      return {
        backend: init.backend.backend,
        // The global weights are not needed after a fit: hand them over without a copy.
        fit: (global, config) => client.fit(global, config),
        regressionSums: (spec, theta) => client.regressionSums(spec, theta.slice()),
        predict: (weights, which) =>
          which === 'evaluate'
            ? client.predict(weights.slice(), 'evaluate')
            : client.predict(weights.slice(), { x: predictRows!.x.slice(), rows: predictRows!.rows }),
        validationLoss: (weights, loss) => client.evaluateLoss(weights.slice(), 'validation', loss),
        saveModel: async (weights, dir, metadata) => {
          await client.saveModel(weights.slice(), dir, metadata);
        },
        close: async () => {
          await client.close();
          await data.release?.();
        },
      };
    } catch (error) {
      await client.close();
      throw error;
    }
  }
}
