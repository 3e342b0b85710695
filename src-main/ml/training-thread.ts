// The training thread (worker_threads entry): holds one model and its data, and answers
// TrainingClient's requests one at a time, so training never blocks the main event loop.
//
// From source it is started through training-thread.bootstrap.mjs (which registers tsx first);
// a bundle builds this file as its own entry (see training-client.ts).
import { parentPort, workerData } from 'node:worker_threads';
import { CohortError } from '../contract/errors';
import { type BackendPreference, backendReport, selectBackend } from './backend';
import { buildModel, layerSummary, parameterCount } from './model';
import { saveModel } from './model-io';
import { type LayersModel, tf } from './tf';
import type { DataRef, InitArgs, InitResult, Operation, Operations, Request, Response, SerializedError } from './thread-protocol';
import { transferList } from './thread-protocol';
import { regressionSums } from './regression-sums';
import { LocalTrainer, type TrainingData } from './trainer';
import { setFlatWeights } from './weights';

interface State {
  model: LayersModel;
  trainer: LocalTrainer;
  train: TrainingData;
  evaluate: TrainingData | undefined;
  validation: TrainingData | undefined;
}

let state: State | null = null;

function current(): State {
  if (!state) throw new CohortError('INTERNAL', 'the training thread has no model yet: call init() first');
  return state;
}

function dataOf(which: DataRef): { x: Float32Array; y?: Float32Array; rows: number } {
  const { train, evaluate, validation } = current();
  if (which === 'train') return train;
  if (which === 'validation') {
    if (!validation) throw new CohortError('BAD_INPUT', 'no validation data was given to init()');
    return validation;
  }
  if (which === 'evaluate') {
    if (!evaluate) throw new CohortError('BAD_INPUT', 'no evaluation data was given to init()');
    return evaluate;
  }
  return which;
}

function disposeState(): void {
  if (!state) return;
  state.trainer.dispose();
  state.model.dispose();
  state = null;
}

async function init(args: InitArgs, defaultBackend: BackendPreference): Promise<InitResult> {
  const backend = await selectBackend(args.backend ?? defaultBackend);
  // Build the new model first: a refused init leaves the previous one in place.
  const model = buildModel(args.spec, args.shape, args.seed);
  let trainer: LocalTrainer;
  try {
    trainer = new LocalTrainer(model, args.shape.target, args.train, args.engine ? { engine: args.engine } : {});
  } catch (error) {
    model.dispose();
    throw error;
  }
  disposeState();
  state = { model, trainer, train: args.train, evaluate: args.evaluate, validation: args.validation };
  return { backend, parameterCount: parameterCount(model), weights: trainer.weights(), layers: layerSummary(model), engine: trainer.engine };
}

type Handlers = { [K in Operation]: (args: Operations[K]['args']) => Promise<Operations[K]['result']> };

function handlers(defaultBackend: BackendPreference): Handlers {
  return {
    init: (args) => init(args, defaultBackend),
    fit: (args) => current().trainer.fit(args.global, args.cfg),
    predict: async (args) => {
      const data = dataOf(args.which);
      return current().trainer.predict(args.weights, data.x, data.rows);
    },
    regressionSums: (args) => regressionSums(current().train, args.spec, args.theta),
    evaluateLoss: async (args) => {
      const data = dataOf(args.which);
      if (!data.y) throw new CohortError('BAD_INPUT', 'evaluateLoss needs targets (y) for the rows');
      return current().trainer.evaluateLoss(args.weights, data.x, data.y, data.rows, args.loss);
    },
    saveModel: async (args) => {
      const { model } = current();
      setFlatWeights(model, args.weights);
      return saveModel(model, args.dir, args.metadata);
    },
    backend: async () => backendReport(),
    memory: async () => {
      const memory = tf.memory();
      return { numTensors: memory.numTensors, numBytes: memory.numBytes };
    },
  };
}

function serializeError(error: unknown): SerializedError {
  if (error instanceof CohortError) {
    return { name: error.name, message: error.message, code: error.code, details: { ...error.details }, stack: error.stack };
  }
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  // TF.js sometimes rejects with plain objects ({ message }).
  const message = typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
  return { name: 'Error', message };
}

/** Starts answering requests on `port`. Requests run one after another, in arrival order. */
export function serve(port: NonNullable<typeof parentPort>, defaultBackend: BackendPreference = 'auto'): void {
  const table = handlers(defaultBackend);
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (request: Request) => {
    queue = queue.then(async () => {
      let response: Response;
      let transfer: ArrayBuffer[] = [];
      try {
        const handler = table[request.op] as ((args: unknown) => Promise<unknown>) | undefined;
        if (!handler) throw new CohortError('INTERNAL', `unknown training-thread operation ${JSON.stringify(request.op)}`);
        const result = await handler(request.args);
        response = { id: request.id, ok: true, result };
        transfer = transferList(result, 1);
      } catch (error) {
        response = { id: request.id, ok: false, error: serializeError(error) };
      }
      port.postMessage(response, transfer);
    });
  });
  port.postMessage({ ready: true });
}

/** What TrainingClient passes as workerData; the marker keeps this file inert anywhere else. */
export interface ThreadOptions {
  cohortTrainingThread: true;
  backend?: BackendPreference;
}

const options = workerData as Partial<ThreadOptions> | null | undefined;
if (parentPort && options?.cohortTrainingThread === true) serve(parentPort, options.backend ?? 'auto');
