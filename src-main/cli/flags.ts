// Options shared by commands that define a model or a run: `run create` and `simulate`.
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { CohortError } from '../contract/errors';
import { Activation, Algorithm, AUTO_ROUNDS, Compression, Hyperparameters, ModelSpec, modelDefaults, Optimizer, Loss } from '../contract/records';

function number(what: string, check: (value: number) => boolean = Number.isFinite) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || !check(parsed)) throw new InvalidArgumentError(`expected ${what}`);
    return parsed;
  };
}

export const integer = (what = 'a whole number', min = 0) => number(what, (value) => Number.isInteger(value) && value >= min);
export const positive = number('a positive number', (value) => value > 0);
export const nonNegative = number('a number >= 0', (value) => value >= 0);

function hiddenSizes(value: string): number[] {
  const sizes = value.split(',').map((part) => Number(part.trim()));
  if (sizes.length === 0 || sizes.some((size) => !Number.isInteger(size) || size < 1)) {
    throw new InvalidArgumentError('expected layer sizes such as 64,32');
  }
  return sizes;
}

/** A number of rounds, or auto: rounds until the validation loss stops improving. */
function rounds(value: string): number | 'auto' {
  if (value === 'auto') return 'auto';
  return integer("a whole number >= 1, or auto", 1)(value);
}

function earlyStopping(value: string): { patience: number; minDelta: number } {
  const [patience, minDelta = '0'] = value.split(':');
  const result = { patience: Number(patience), minDelta: Number(minDelta) };
  if (!Number.isInteger(result.patience) || result.patience < 1 || !(result.minDelta >= 0)) {
    throw new InvalidArgumentError('expected PATIENCE or PATIENCE:MIN_DELTA, e.g. 5 or 5:0.001');
  }
  return result;
}

export function addModelOptions(command: Command): Command {
  return command
    .option('--model <model>', 'logreg, mlp, or a Keras / TF.js layers JSON file', 'logreg')
    .option('--hidden <sizes>', 'mlp: hidden layer sizes', hiddenSizes)
    .addOption(new Option('--activation <name>', 'mlp: hidden activation').choices(Activation.options))
    .option('--dropout <rate>', 'mlp: dropout after each hidden layer', nonNegative);
}

export interface ModelFlags {
  model: string;
  hidden?: number[];
  activation?: string;
  dropout?: number;
}

export async function modelSpecFrom(flags: ModelFlags): Promise<ModelSpec> {
  if (flags.model === 'logreg') return ModelSpec.parse({ kind: 'logreg' });
  if (flags.model === 'mlp') {
    return ModelSpec.parse({
      kind: 'mlp',
      ...(flags.hidden ? { hidden: flags.hidden } : {}),
      ...(flags.activation ? { activation: flags.activation } : {}),
      ...(flags.dropout === undefined ? {} : { dropout: flags.dropout }),
    });
  }
  let text: string;
  try {
    text = await readFile(flags.model, 'utf8');
  } catch {
    throw new CohortError('FILE_NOT_FOUND', `--model: "${flags.model}" is neither logreg, mlp nor a readable JSON file`);
  }
  let topology: unknown;
  try {
    topology = JSON.parse(text);
  } catch (error) {
    throw new CohortError('BAD_INPUT', `${flags.model} is not valid JSON: ${(error as Error).message}`);
  }
  if (topology === null || typeof topology !== 'object' || Array.isArray(topology)) {
    throw new CohortError('BAD_INPUT', `${flags.model} must hold a JSON object (a Keras or TF.js model topology)`);
  }
  return ModelSpec.parse({ kind: 'keras', topology });
}

export function addHyperparameterOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--algorithm <name>',
        'aggregation strategy: fedavg (average of the updates), fedprox (keeps local models near the global one), fedavgm / fedadam / fedyogi / fedadagrad (server optimisers), scaffold (corrects local drift), fedmedian / trimmedmean / krum / multikrum (robust to faulty or poisoned updates)',
      ).choices(Algorithm.options),
    )
    .addOption(new Option('--solver <name>', 'how the logreg preset is fitted: exact (the pooled-data model, from summed gradients and curvature, in a few rounds), sgd (gradient steps averaged by the strategy), auto (exact where the settings allow it)').choices(['auto', 'exact', 'sgd']))
    .option('--penalty <lambda>', "exact solver: L2 penalty (default 1, scikit-learn's C = 1; 0 for plain maximum likelihood as R's glm)", nonNegative)
    .option('--rounds <n>', `federated rounds (exact solver: the most Newton rounds); auto: until the loss on the parties' validation rows stops improving (at most ${AUTO_ROUNDS.cap}, patience ${AUTO_ROUNDS.patience}; the default for mlp)`, rounds)
    .option('--epochs <n>', 'local epochs per round', integer('a whole number >= 1', 1))
    .option('--batch-size <n>', 'local mini-batch size', integer('a whole number >= 1', 1))
    .option('--lr <rate>', 'local learning rate', positive)
    .addOption(new Option('--optimizer <name>', 'local optimiser').choices(Optimizer.options))
    .option('--momentum <m>', 'sgd momentum', nonNegative)
    .addOption(new Option('--loss <name>', 'loss (auto picks one for the task)').choices(Loss.options))
    .option('--l2 <lambda>', 'L2 penalty on the weights', nonNegative)
    .option('--mu <mu>', 'FedProx proximal weight', nonNegative)
    .option('--server-lr <eta>', 'server learning rate (fedavgm, fedadam, fedyogi, fedadagrad)', positive)
    .option('--server-momentum <beta1>', 'server momentum / beta1', nonNegative)
    .option('--beta2 <beta2>', 'server beta2 (fedadam, fedyogi)', nonNegative)
    .option('--tau <tau>', 'server adaptivity (fedadam, fedyogi, fedadagrad)', positive)
    .option('--trim-beta <beta>', 'trimmedmean: share of updates dropped from each end, per weight (default 0.2)', nonNegative)
    .option('--byzantine <f>', 'krum, multikrum: faulty participants to tolerate (default 1)', integer())
    .option('--norm-bound <B>', "bound each update's L2 norm (by the TTP, or by each party under secure aggregation)", positive)
    .addOption(new Option('--compression <method>', "compress each update before it is sent: float16 (half the bytes), int8 (a quarter), topk (only the largest values; the rest follow in later rounds)").choices(Compression.options))
    .option('--topk-fraction <f>', 'topk: the share of values sent each round (default 0.01)', positive)
    .option('--fraction-fit <f>', 'fraction of participants sampled each round', positive)
    .option('--min-clients <k>', 'least participants that must reply each round', integer('a whole number >= 1', 1))
    .option('--round-timeout <seconds>', 'give up on a participant after this long in a round', positive)
    .option('--evaluate-every <n>', 'evaluate every n rounds (0: only at the end)', integer())
    .option('--early-stopping <patience[:minDelta]>', "stop when the loss on the parties' validation rows (held out of their train rows) stops improving; the best round's model is kept", earlyStopping)
    .option('--seed <n>', 'seed for initialisation, shuffling and sampling', integer())
    .option('--secure-aggregation', 'mask each update so the TTP learns only their sum (needs 2+ participants per round)')
    .addOption(new Option('--dp <mode>', 'client-level differential privacy: noise added to the sum (central) or by each party (local)').choices(['off', 'central', 'local']))
    .option('--dp-clip <C>', 'DP: clip each update to this L2 norm', positive)
    .option('--dp-noise <sigma>', 'DP: noise multiplier (noise std = sigma * C)', positive)
    .option('--dp-target-epsilon <epsilon>', 'DP: stop training before a round would spend more than this epsilon', positive)
    .option('--dp-delta <delta>', 'DP: the delta of the (epsilon, delta) reported', positive);
}

export interface HyperparameterFlags {
  algorithm?: string;
  solver?: string;
  penalty?: number;
  rounds?: number | 'auto';
  epochs?: number;
  batchSize?: number;
  lr?: number;
  optimizer?: string;
  momentum?: number;
  loss?: string;
  l2?: number;
  mu?: number;
  serverLr?: number;
  serverMomentum?: number;
  beta2?: number;
  tau?: number;
  trimBeta?: number;
  byzantine?: number;
  normBound?: number;
  compression?: string;
  topkFraction?: number;
  fractionFit?: number;
  minClients?: number;
  roundTimeout?: number;
  evaluateEvery?: number;
  earlyStopping?: { patience: number; minDelta: number };
  seed?: number;
  secureAggregation?: boolean;
  dp?: string;
  dpClip?: number;
  dpNoise?: number;
  dpTargetEpsilon?: number;
  dpDelta?: number;
}

/**
 * The run's hyperparameters: the flags given, the model's own defaults (modelDefaults) and the
 * plain defaults for the rest, validated.
 */
export function hyperparametersFrom(flags: HyperparameterFlags, model?: ModelSpec, defaults: Partial<Hyperparameters> = {}): Hyperparameters {
  const auto = flags.rounds === 'auto';
  const given: Record<string, unknown> = {
    algorithm: flags.algorithm,
    solver: flags.solver,
    penalty: flags.penalty,
    rounds: auto ? AUTO_ROUNDS.cap : flags.rounds,
    epochs: flags.epochs,
    batchSize: flags.batchSize,
    learningRate: flags.lr,
    optimizer: flags.optimizer,
    momentum: flags.momentum,
    loss: flags.loss,
    l2: flags.l2,
    mu: flags.mu,
    serverLearningRate: flags.serverLr,
    serverMomentum: flags.serverMomentum,
    beta2: flags.beta2,
    tau: flags.tau,
    trimBeta: flags.trimBeta,
    byzantine: flags.byzantine,
    normBound: flags.normBound,
    compression: flags.compression,
    topkFraction: flags.topkFraction,
    fractionFit: flags.fractionFit,
    minClients: flags.minClients,
    roundTimeoutSeconds: flags.roundTimeout,
    evaluateEvery: flags.evaluateEvery,
    earlyStopping: flags.earlyStopping ?? (auto ? { patience: AUTO_ROUNDS.patience, minDelta: 0 } : undefined),
    seed: flags.seed,
  };
  const privacyGiven: Record<string, unknown> = {
    secureAggregation: flags.secureAggregation,
    dp: flags.dp,
    clip: flags.dpClip,
    noiseMultiplier: flags.dpNoise,
    targetEpsilon: flags.dpTargetEpsilon,
    delta: flags.dpDelta,
  };
  const privacy = Object.fromEntries(Object.entries(privacyGiven).filter(([, value]) => value !== undefined));
  if (Object.keys(privacy).length > 0) given.privacy = { ...defaults.privacy, ...privacy };
  const defined = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined));
  const fromModel = model ? modelDefaults(model, defined as Partial<Hyperparameters>) : {};
  const parsed = Hyperparameters.safeParse({ ...defaults, ...fromModel, ...defined });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CohortError('BAD_INPUT', `hyperparameter ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}
