// Records of one federated run, valid against the contract (the client checks every answer),
// for the run and compare screens' tests.
import type { ApiTypes } from '../../src-main/contract/api';
import type { AggregatedMetrics } from '../../src-main/contract/metrics';
import { Hyperparameters, type Collaboration, type Experiment, type Project, type Run } from '../../src-main/contract/records';
import { NO_PRIVACY, type RoundRecord, type RunResult } from '../../src-main/contract/results';
import { aggregateMetrics } from '../../src-main/core/metrics/aggregate';
import { binaryMetrics } from '../../src-main/core/metrics/binary';

export const AT = '2026-01-10T09:00:00.000Z';
const stamps = { createdAt: AT, updatedAt: AT };

export const collaboration: Collaboration = { id: 'network', name: 'Breast cancer network', description: '', ...stamps };

export const project: Project = {
  id: 'diagnosis',
  collaborationId: 'network',
  name: 'Diagnosis',
  targetColumn: 'diagnosis',
  task: 'classify',
  positiveClass: 'M',
  description: '',
  alignment: { columns: 'union', missingIndicators: false },
  ...stamps,
};

export const experiment: Experiment = { id: 'logreg', projectId: 'diagnosis', name: 'Logistic regression', description: '', model: { kind: 'logreg' }, ...stamps };

export function makeRun(overrides: Omit<Partial<Run>, 'hyperparameters'> & { hyperparameters?: Partial<Hyperparameters> } = {}): Run {
  const { hyperparameters, ...rest } = overrides;
  return {
    id: 'baseline',
    experimentId: 'logreg',
    name: 'FedAvg baseline',
    status: 'defined',
    round: 0,
    ...stamps,
    ...rest,
    hyperparameters: Hyperparameters.parse({ solver: 'sgd', rounds: 10, minClients: 2, ...hyperparameters }),
  };
}

/** Binary metrics of one party: its rows' truths and the model's scores. */
function partyMetrics(truth: number[], scores: number[]) {
  return binaryMetrics(Float32Array.from(truth), Float32Array.from(scores));
}

/** Evaluation of a round: hospital-a gets better with `quality` in [0, 1]; hospital-b is fixed. */
export function evaluation(quality = 0.5): AggregatedMetrics {
  const a = partyMetrics([1, 1, 0, 0, 1, 0], [0.9, 0.4 + 0.3 * quality, 0.2, 0.7 - 0.5 * quality, 0.8, 0.1]);
  const b = partyMetrics([1, 0, 0, 1], [0.8, 0.3, 0.6, 0.7]);
  return aggregateMetrics([
    { party: 'hospital-a', metrics: a },
    { party: 'hospital-b', metrics: b },
  ]);
}

export function round(number: number, seconds: number, options: { lossA?: number; lossB?: number; evaluate?: boolean } = {}): RoundRecord {
  const lossA = options.lossA ?? 0.7 / number;
  const lossB = options.lossB ?? 0.8 / number;
  return {
    round: number,
    trainLoss: (lossA * 60 + lossB * 40) / 100,
    seconds,
    parties: {
      'hospital-a': { ok: true, loss: lossA, numExamples: 60, seconds: seconds * 0.8 },
      'hospital-b': { ok: true, loss: lossB, numExamples: 40, seconds: seconds * 0.7 },
    },
    ...(options.evaluate === false ? {} : { evaluate: evaluation(Math.min(1, number / 5)) }),
  };
}

export { NO_PRIVACY };

export function makeResult(run: Run, overrides: Partial<RunResult> = {}): RunResult {
  const rounds = [round(1, 2), round(2, 2), round(3, 2)];
  return {
    run: run.id,
    status: 'completed',
    algorithm: run.hyperparameters.algorithm,
    features: ['radius', 'texture', 'smoothness'],
    alignmentFingerprint: 'a3f1c09e5b7d2e4f8a6c1b3d5e7f9a0b2c4d6e8f',
    parties: ['hospital-a', 'hospital-b'],
    rounds,
    evaluation: rounds.at(-1)!.evaluate!,
    dropouts: [],
    stoppedEarly: null,
    backend: 'wasm',
    parameterCount: 4,
    coefficients: null,
    artifacts: { globalModel: '/data/runs/baseline/global-model' },
    privacy: NO_PRIVACY,
    startedAt: '2026-01-10T09:00:00.000Z',
    finishedAt: '2026-01-10T09:01:05.000Z',
    error: null,
    ...overrides,
  };
}

export function detail(run: Run, options: { history?: RoundRecord[]; result?: RunResult | null; active?: boolean } = {}): ApiTypes['RunDetail'] {
  return { run, experiment, project, history: options.history ?? [], result: options.result ?? null, active: options.active ?? false };
}

export const participantViews: Array<ApiTypes['ParticipantView']> = ['a', 'b'].map((letter) => ({
  participant: { id: `hospital-${letter}`, displayName: `Hospital ${letter.toUpperCase()}`, organisation: `Hospital ${letter.toUpperCase()} trust`, contact: '', ...stamps },
  keyFingerprint: null,
  online: true,
  registrations: [
    {
      id: `registration-${letter}`,
      participantId: `hospital-${letter}`,
      collaborationId: 'network',
      projectId: 'diagnosis',
      role: 'participant' as const,
      connection: { mode: 'dial-out' as const },
      declaredTags: [],
      ...stamps,
    },
  ],
}));
