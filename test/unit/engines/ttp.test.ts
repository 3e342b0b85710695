// The TTP engine against in-memory workers: the run's phases, what is stored, early stopping,
// timeouts and failures, and the exact regression workflow (the pooled model, a party lost,
// a resume), with no sockets and no TF.js.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { PartyDeclaration } from '../../../src-main/contract/data';
import { TENSOR, tensorOf, type Tensors } from '../../../src-main/contract/tensors';
import { GRID, type FitReply } from '../../../src-main/contract/grid';
import type { Metrics } from '../../../src-main/contract/metrics';
import { Hyperparameters, type Experiment, type Project, type Run } from '../../../src-main/contract/records';
import type { RoundRecord, RunEvent, RunResult } from '../../../src-main/contract/results';
import { declareProfile } from '../../../src-main/core/data/declare';
import { tableVector, withoutTables } from '../../../src-main/core/metrics/tables';
import { SecAggClient, type SecAggRound } from '../../../src-main/core/privacy/secagg';
import { TableProfiler } from '../../../src-main/core/data/profile';
import { missingMatcher } from '../../../src-main/core/data/values';
import type { Channel, ModelPort, RunContext, RunRepository, RunStatusPatch } from '../../../src-main/engines/ports';
import { TtpEngine } from '../../../src-main/engines/ttp';
import { fitRows } from '../../../src-main/core/glm/fit';
import { toLayerWeights, type GlmSpec } from '../../../src-main/core/glm/spec';
import { GlmAccumulator, sumsToVector } from '../../../src-main/core/glm/sums';
import type { Checkpoint, RunJournal } from '../../../src-main/engines/run/journal';
import { silentLog } from '../../../src-main/api/log';

const NOW = '2026-11-24T10:00:00.000Z';
/** The fake parties' regression: one feature (age), a binary outcome. */
const EXACT_SPEC: GlmSpec = { family: 'binomial', features: 1, predictors: 1 };

function declaration(party: string, withTarget = true): PartyDeclaration {
  const header = withTarget ? ['age', 'outcome'] : ['age', 'result'];
  const profiler = new TableProfiler(header, missingMatcher());
  [['50', 'yes'], ['60', 'no'], ['70', 'yes']].forEach((row, i) => profiler.pushRow(row, i + 2));
  return declareProfile(party, profiler.finish(`${party}.csv`, {}, withTarget ? 'outcome' : undefined), 'classify', 2);
}

function binary(logLoss: number): Metrics {
  return {
    kind: 'binary',
    n: 4,
    accuracy: 0.5,
    precision: 0.5,
    recall: 0.5,
    f1: 0.5,
    rocAuc: 0.5,
    prAuc: 0.5,
    logLoss,
    confusion: { tp: 1, fp: 1, tn: 1, fn: 1 },
  };
}

interface FakeBehaviour {
  /** Declines the run, with this reason. */
  decline?: string;
  withTarget?: boolean;
  /** The weights this worker returns from a fit: the global ones plus this. */
  step?: number;
  /** Never answers the fit of these rounds. */
  silentInRounds?: number[];
  /** Evaluate loss by round. */
  loss?: (round: number) => number;
  /** The validation loss a fit of this round reports (of the global model it received). */
  validation?: (round: number) => number | undefined;
  /** Exact regression: this worker's encoded rows (one feature) and labels. */
  rows?: { x: number[]; y: number[] };
  /** Exact regression: fails its sums in these rounds. */
  failSumsInRounds?: number[];
}

/** An in-memory worker: answers the grid's requests the way the worker engine would. */
class FakeWorker implements Channel {
  readonly closed: Promise<{ reason: string }>;
  isOpen = true;
  finished: Float32Array | undefined;
  evaluations = 0;
  private secagg: SecAggClient | undefined;
  private close_: (reason: { reason: string }) => void = () => undefined;

  constructor(
    readonly label: string,
    private readonly behaviour: FakeBehaviour = {},
  ) {
    this.closed = new Promise((resolve) => (this.close_ = resolve));
  }

  async request<S extends z.ZodType>(type: string, body: unknown, options: { schema: S; tensors?: Tensors; timeoutMs?: number }) {
    const global = (options.tensors?.[TENSOR.weights] ?? options.tensors?.[TENSOR.coefficients])?.data as Float32Array | Float64Array | undefined;
    const reply = await this.answer(type, body as Record<string, unknown>, global ? [global] : [], options.timeoutMs ?? 60_000);
    const [tensor] = reply.tensors;
    const name = type === GRID.evaluate ? TENSOR.masked : type === GRID.sums ? TENSOR.sums : TENSOR.weights;
    return { body: options.schema.parse(reply.body) as z.infer<S>, tensors: tensor ? { [name]: tensorOf(tensor) } : {} };
  }

  private async answer(type: string, body: Record<string, unknown>, tensors: ReadonlyArray<Float32Array | Float64Array>, timeoutMs: number): Promise<{ body: unknown; tensors: Array<Float32Array | Float64Array | Uint32Array> }> {
    switch (type) {
      case GRID.consent:
        return { body: this.behaviour.decline ? { approved: false, reason: this.behaviour.decline } : { approved: true }, tensors: [] };
      case GRID.declare:
        return { body: { declaration: declaration(this.label, this.behaviour.withTarget ?? true), tags: { train: true, evaluate: true, predict: false } }, tensors: [] };
      case GRID.prepare:
        return { body: { trainRows: this.behaviour.rows?.x.length ?? 3, evaluateRows: 4, predictRows: 0, backend: 'fake', unseenLevels: {}, skippedRows: 0 }, tensors: [] };
      case GRID.fit: {
        const round = (body['config'] as { round: number }).round;
        if (this.behaviour.silentInRounds?.includes(round)) {
          await new Promise((resolve) => setTimeout(resolve, timeoutMs + 50));
          throw Object.assign(new Error(`${this.label} did not answer run.fit`), { name: 'RequestTimeoutError' });
        }
        const weights = Float32Array.from(tensors[0]!, (value) => value + (this.behaviour.step ?? 1));
        const validation = this.behaviour.validation?.(round);
        const reply: FitReply = { numExamples: 3, loss: 0.5, seconds: 0.01, ...(validation === undefined ? {} : { validation: { loss: validation, rows: 10 } }) };
        return { body: reply, tensors: [weights] };
      }
      case GRID.sums: {
        const round = Number(body['round']);
        if (this.behaviour.failSumsInRounds?.includes(round)) throw new Error(`${this.label} lost its data`);
        const { x, y } = this.behaviour.rows!;
        const accumulator = new GlmAccumulator(EXACT_SPEC, Float64Array.from(tensors[0]!));
        accumulator.add(x, y, x.length);
        const sums = accumulator.result();
        return { body: { numExamples: x.length, loss: sums.loss / x.length, seconds: 0 }, tensors: [sumsToVector(sums, Number(body['totalRows']))] };
      }
      case GRID.secaggAdvertise: {
        const setup = body as unknown as SecAggRound;
        this.secagg = new SecAggClient({ ...setup, parties: [...setup.parties].sort() }, this.label);
        return { body: { ...this.secagg.advertisement(), signature: 'A'.repeat(86) }, tensors: [] };
      }
      case GRID.secaggShare: {
        const keys = Object.fromEntries(Object.entries(body['keys'] as Record<string, Record<string, string>>).map(([party, { signature: _s, ...keys }]) => [party, keys]));
        return { body: { ciphertexts: await this.secagg!.shareKeys(keys as never) }, tensors: [] };
      }
      case GRID.secaggUnmask:
        return { body: { shares: this.secagg!.unmaskShares(body['survivors'] as string[], body['dropped'] as string[]) }, tensors: [] };
      case GRID.evaluate: {
        this.evaluations += 1;
        const metrics = binary(this.behaviour.loss?.(Number(body['round'])) ?? 0.5);
        const secagg = body['secagg'] as { ciphertexts: Record<string, string> } | undefined;
        if (!secagg) return { body: { metrics }, tensors: [] };
        // Two or more parties evaluate: the tables travel only inside a secure sum.
        this.secagg!.receiveShares(secagg.ciphertexts);
        const { masked } = this.secagg!.maskUpdate(tableVector(metrics), 1, []);
        return { body: { metrics: withoutTables(metrics) }, tensors: [masked] };
      }
      case GRID.finish:
        this.finished = Float32Array.from(tensors[0]!);
        return { body: { predictedRows: null }, tensors: [] };
      default:
        throw new Error(`unexpected ${type}`);
    }
  }

  async notify(): Promise<void> {}
  handle(): void {}
  on(): void {}
  close(reason = 'closed'): void {
    this.isOpen = false;
    this.close_({ reason });
  }
}

class MemoryRuns implements RunRepository {
  statuses: RunStatusPatch[] = [];
  history: RoundRecord[] = [];
  result: RunResult | undefined;

  constructor(private readonly context_: RunContext) {}

  async context(): Promise<RunContext> {
    return structuredClone(this.context_);
  }
  async setStatus(_runId: string, patch: RunStatusPatch): Promise<void> {
    this.statuses.push(patch);
    this.context_.run.status = patch.status;
  }
  async saveHistory(_runId: string, rounds: readonly RoundRecord[]): Promise<void> {
    this.history = structuredClone([...rounds]);
  }
  async saveResult(_runId: string, result: RunResult): Promise<void> {
    this.result = result;
  }
}

const models: ModelPort = {
  initialWeights: async () => ({ weights: new Float32Array(2), parameterCount: 2 }),
  saveGlobal: async () => '/models/global',
  loadGlobal: async () => {
    throw new Error('no saved model');
  },
  backend: () => 'fake',
};

function context(parties: string[], hyperparameters: Partial<Hyperparameters>): RunContext {
  const stamp = { createdAt: NOW, updatedAt: NOW };
  const project: Project = { id: 'p', collaborationId: 'c', name: 'P', targetColumn: 'outcome', task: 'classify', positiveClass: 'yes', description: '', alignment: { columns: 'union', missingIndicators: false }, ...stamp };
  const experiment: Experiment = { id: 'e', projectId: 'p', name: 'E', description: '', model: { kind: 'logreg' }, ...stamp };
  const run: Run = { id: 'r', experimentId: 'e', name: 'R', hyperparameters: Hyperparameters.parse({ solver: 'sgd', ...hyperparameters }), status: 'defined', round: 0, ...stamp };
  const collaboration = { id: 'c', name: 'C', description: '', ...stamp };
  return { collaboration, run, experiment, project, participants: parties.map((id) => ({ id, name: id, connection: { mode: 'dial-out' } })) };
}

async function runWith(
  workers: FakeWorker[],
  hyperparameters: Partial<Hyperparameters>,
  options: { registered?: string[]; participantWaitMs?: number; models?: ModelPort; initialRunId?: string; journal?: RunJournal; onEvent?: (event: RunEvent, engine: TtpEngine) => void } = {},
) {
  const runContext = context(options.registered ?? workers.map((worker) => worker.label), hyperparameters);
  if (options.initialRunId) runContext.run.initialRunId = options.initialRunId;
  const runs = new MemoryRuns(runContext);
  const engine = new TtpEngine({ runs, models: options.models ?? models, log: silentLog, ...(options.journal ? { journal: options.journal } : {}) }, { participantWaitMs: options.participantWaitMs ?? 1_000 });
  const events: RunEvent[] = [];
  engine.onEvent((event) => {
    events.push(event);
    options.onEvent?.(event, engine);
  });
  for (const worker of workers) engine.attach(worker.label, worker);
  await engine.start('r');
  const result = await engine.wait('r');
  return { result, runs, events, engine };
}

describe('a run, phase by phase', () => {
  it('stores every status in order, the history of every round and the result', async () => {
    const workers = ['a', 'b'].map((name) => new FakeWorker(name));
    const { result, runs, events } = await runWith(workers, { rounds: 3 });
    expect(result.status).toBe('completed');
    expect(runs.statuses.map((patch) => `${patch.status}${patch.round === undefined ? '' : `@${patch.round}`}`)).toEqual([
      'waiting@0',
      'awaiting-approval@0',
      'aligning@0',
      'training@0',
      // Progress is stored at most once a second (these rounds take milliseconds), and always
      // after the last round; events still report every round.
      'training@1',
      'training@3',
      'evaluating@3',
      'exporting@3',
      'completed@3',
    ]);
    expect(runs.history.map((round) => round.round)).toEqual([1, 2, 3]);
    expect(runs.result).toEqual(result);
    // FedAvg of (w + 1) from both parties, three times, from zeros.
    expect(Array.from(workers[0]!.finished!)).toEqual([3, 3]);
    expect(result.features).toEqual(['age']);
    expect(events.filter((event) => event.kind === 'round')).toHaveLength(3);
    expect(events.at(-1)).toMatchObject({ kind: 'finished', result: { status: 'completed' } });
  });
});

describe('warm start', () => {
  const saved = (weights: number[], features: string[] | null): ModelPort => ({
    ...models,
    loadGlobal: async (runId) => {
      if (runId !== 'source') throw new Error(`no saved model for ${runId}`);
      return { weights: Float32Array.from(weights), features };
    },
  });

  it("starts from the source run's final weights instead of the seeded ones", async () => {
    const workers = ['a', 'b'].map((name) => new FakeWorker(name));
    const { result } = await runWith(workers, { rounds: 1 }, { models: saved([5, 7], ['age']), initialRunId: 'source' });
    expect(result.status).toBe('completed');
    // One FedAvg round of (w + 1) from the source's [5, 7], not from zeros.
    expect(Array.from(workers[0]!.finished!)).toEqual([6, 8]);
  });

  it('fails with the reason when the weights do not fit the layers or the features', async () => {
    const run = async (port: ModelPort) => (await runWith(['a', 'b'].map((name) => new FakeWorker(name)), { rounds: 1 }, { models: port, initialRunId: 'source' })).result;
    const layers = await run(saved([1, 2, 3], ['age']));
    expect(layers.status).toBe('failed');
    expect(layers.error).toBe('cannot start from run "source": its model has 3 weights, this run\'s has 2: the layers differ');
    const features = await run(saved([1, 2], ['weight']));
    expect(features.error).toBe('cannot start from run "source": the participants\' aligned features differ from those it was trained on (new: age; gone: weight)');
    const missing = await run({ ...models });
    expect(missing.error).toBe('cannot start from run "source": no saved model');
  });
});

describe('early stopping', () => {
  // The loss on the parties' validation rows of the global model after round 0 (the initial one), 1, 2, ...
  const validationLosses = [0.9, 0.6, 0.5, 0.55, 0.52, 0.51, 0.4];
  // A fit of round r reports the loss of the model it received: round r - 1's.
  const validation = (round: number) => validationLosses[round - 1];

  it('stops once the validation loss has not improved for `patience` rounds and keeps the best round', async () => {
    // The evaluate loss would pick other rounds: it must not choose the model.
    const evaluateLosses = [0.1, 0.9, 0.9, 0.1, 0.1, 0.1, 0.1];
    const workers = ['a', 'b'].map((name) => new FakeWorker(name, { validation, loss: (round) => evaluateLosses[round - 1] ?? 0.3 }));
    const { result } = await runWith(workers, { rounds: 7, evaluateEvery: 0, earlyStopping: { patience: 3, minDelta: 0 } });
    expect(result.status).toBe('completed');
    // Round 6's replies report the model of round 5, the third after the best (round 2's).
    expect(result.rounds).toHaveLength(6);
    expect(result.rounds.map((round) => round.validationLoss)).toEqual([0.9, 0.6, 0.5, 0.55, 0.52, 0.51]);
    expect(result.stoppedEarly).toEqual({ round: 6, bestRound: 2 });
    expect(Array.from(workers[0]!.finished!)).toEqual([2, 2]); // the weights of round 2
    // The evaluate data is asked once, for the final (best) model's report.
    expect(workers.map((worker) => worker.evaluations)).toEqual([1, 1]);
  });

  it('weights the parties by their validation rows and runs to the cap when the loss keeps improving', async () => {
    const workers = [new FakeWorker('a', { validation: (round) => 1 / round }), new FakeWorker('b', { validation: (round) => 2 / round })];
    const { result } = await runWith(workers, { rounds: 4, evaluateEvery: 0, earlyStopping: { patience: 2, minDelta: 0 } });
    expect(result.stoppedEarly).toBeNull();
    expect(result.rounds.map((round) => round.validationLoss)).toEqual([1.5, 0.75, 0.5, 0.375]);
    // Round 4's model was never validated: the kept model is round 3's.
    expect(Array.from(workers[0]!.finished!)).toEqual([3, 3]);
  });

  it('keeps the last model when no party reports a validation loss', async () => {
    const workers = ['a', 'b'].map((name) => new FakeWorker(name));
    const { result } = await runWith(workers, { rounds: 3, earlyStopping: { patience: 1, minDelta: 0 } });
    expect(result.rounds).toHaveLength(3);
    expect(result.stoppedEarly).toBeNull();
    expect(Array.from(workers[0]!.finished!)).toEqual([3, 3]);
  });
});

describe('failures', () => {
  it('records a worker that misses the round timeout and goes on with the others', async () => {
    const workers = [new FakeWorker('a'), new FakeWorker('b'), new FakeWorker('c', { silentInRounds: [2], step: 100 })];
    const { result } = await runWith(workers, { rounds: 3, minClients: 2, roundTimeoutSeconds: 0.2 });
    expect(result.status).toBe('completed');
    expect(result.rounds[1]!.parties['c']).toMatchObject({ ok: false, reason: 'timeout' });
    expect(result.dropouts).toEqual([expect.objectContaining({ party: 'c', round: 2, reason: expect.stringMatching(/^timeout/) })]);
    expect(result.rounds[2]!.parties['c']).toMatchObject({ ok: true }); // back in round 3
  });

  it('fails with the reason when too few workers answer', async () => {
    const workers = [new FakeWorker('a'), new FakeWorker('b', { silentInRounds: [1] })];
    const { result, runs } = await runWith(workers, { rounds: 3, minClients: 2, roundTimeoutSeconds: 0.2 });
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^round 1: /);
    expect(result.error).toContain('b');
    expect(runs.statuses.at(-1)).toMatchObject({ status: 'failed', error: result.error });
  });

  it('fails with the alignment report when a party lacks the target', async () => {
    const workers = [new FakeWorker('a'), new FakeWorker('b', { withTarget: false })];
    const { result } = await runWith(workers, { rounds: 2 });
    expect(result.status).toBe('failed');
    expect(result.error).toBe('feature alignment failed: b has no target column "outcome"');
  });

  it('fails after waiting when registered participants never connect', async () => {
    const { result } = await runWith([new FakeWorker('a')], { rounds: 2, minClients: 2 }, { registered: ['a', 'late'], participantWaitMs: 300 });
    expect(result.status).toBe('failed');
    expect(result.error).toBe('waited 0.3 s for participants: late did not connect (1 connected, minClients 2)');
  });

  it('starts without a missing participant when enough are there, and records it', async () => {
    const { result } = await runWith([new FakeWorker('a'), new FakeWorker('b')], { rounds: 1, minClients: 2 }, { registered: ['a', 'b', 'late'], participantWaitMs: 300 });
    expect(result.status).toBe('completed');
    expect(result.parties).toEqual(['a', 'b']);
    expect(result.dropouts).toEqual([{ party: 'late', round: 0, reason: 'did not connect in time' }]);
  });
});

describe('consent', () => {
  it('leaves out a participant who declines, and fails when too few approve', async () => {
    const { result } = await runWith([new FakeWorker('a'), new FakeWorker('b'), new FakeWorker('c', { decline: 'not this project' })], { rounds: 2, minClients: 2 });
    expect(result.status).toBe('completed');
    expect(result.parties).toEqual(['a', 'b']);
    expect(result.dropouts).toEqual([{ party: 'c', round: 0, reason: 'declined: not this project' }]);
    const failed = await runWith([new FakeWorker('a'), new FakeWorker('b', { decline: 'no' })], { rounds: 2, minClients: 2 });
    expect(failed.result.status).toBe('failed');
    expect(failed.result.error).toBe('only 1 participant approved the run, but minClients is 2; dropped: b (declined: no)');
  });
});

describe('cancelling', () => {
  it('stops a run that is waiting for participants', async () => {
    const runs = new MemoryRuns(context(['never'], { rounds: 2 }));
    const engine = new TtpEngine({ runs, models, log: silentLog }, { participantWaitMs: 60_000 });
    await engine.start('r');
    const result = await engine.cancel('r', 'changed my mind');
    expect(result).toMatchObject({ status: 'cancelled', error: 'changed my mind' });
    expect(runs.statuses.at(-1)).toMatchObject({ status: 'cancelled' });
    expect(engine.activeRuns()).toEqual([]);
  });

  it('refuses to start a run twice at once', async () => {
    const runs = new MemoryRuns(context(['never'], { rounds: 2 }));
    const engine = new TtpEngine({ runs, models, log: silentLog }, { participantWaitMs: 60_000 });
    await engine.start('r');
    await expect(engine.start('r')).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    await engine.cancel('r');
  });
});

describe('exact regression', () => {
  // Two parties whose rows overlap in age: a logistic regression with a finite optimum.
  const A = { x: [-1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2], y: [0, 0, 1, 0, 1, 1, 0, 1] };
  const B = { x: [-2, -1.2, -0.3, 0.2, 0.8, 1.1], y: [0, 1, 0, 1, 1, 1] };
  const pooled = (...parts: Array<{ x: number[]; y: number[] }>) => fitRows(EXACT_SPEC, { x: parts.flatMap((part) => part.x), y: parts.flatMap((part) => part.y), rows: parts.reduce((total, part) => total + part.x.length, 0) }, 1).theta;
  const exact = { solver: 'auto', rounds: 25 } as const;

  it("fits the pooled rows' model from the parties' sums, and keeps its table", async () => {
    const workers = [new FakeWorker('a', { rows: A }), new FakeWorker('b', { rows: B })];
    const { result } = await runWith(workers, exact);
    expect(result.status).toBe('completed');
    const expected = pooled(A, B);
    expect(result.coefficients!.terms.map((row) => row.encoded)).toEqual([expect.closeTo(expected[0]!, 9), expect.closeTo(expected[1]!, 9)]);
    expect(result.coefficients!.rows).toBe(14);
    expect(result.rounds.length).toBeLessThanOrEqual(6);
    expect(Array.from(workers[0]!.finished!)).toEqual(Array.from(toLayerWeights(EXACT_SPEC, result.coefficients!.terms.map((row) => row.encoded))));
  });

  it("goes on with the others' rows when a party is lost, towards their model", async () => {
    const workers = [new FakeWorker('a', { rows: A }), new FakeWorker('b', { rows: B, failSumsInRounds: [2, 3, 4, 5, 6, 7, 8, 9, 10] })];
    const { result } = await runWith(workers, exact);
    expect(result.status).toBe('completed');
    // Lost in round 2, b is not asked again in this fit (its rows would change the objective once more).
    expect(result.dropouts).toEqual([expect.objectContaining({ party: 'b', round: 2 })]);
    const expected = pooled(A);
    result.coefficients!.terms.forEach((row, index) => expect(row.encoded).toBeCloseTo(expected[index]!, 9));
    expect(result.coefficients!.rows).toBe(A.x.length);
  });

  it('resumes from its last checkpoint with the same workflow, to the same model', async () => {
    const saved: Checkpoint[] = [];
    const journal: RunJournal = { save: async (checkpoint) => void saved.push(checkpoint), latest: async () => saved.at(-1) ?? null, clear: async () => void (saved.length = 0) };
    const workers = () => [new FakeWorker('a', { rows: A }), new FakeWorker('b', { rows: B })];
    const first = await runWith(workers(), exact, { journal, onEvent: (event, engine) => event.kind === 'round' && event.record.round === 2 && void engine.stop('r') });
    expect(first.result.status).toBe('interrupted');
    expect(saved.at(-1)).toMatchObject({ workflow: 'exact-regression', round: 2 });
    // A new engine, as after a restart: the run continues from round 3.
    const runs = new MemoryRuns({ ...context(['a', 'b'], exact), run: { ...context(['a', 'b'], exact).run, status: 'interrupted' } });
    const engine = new TtpEngine({ runs, models, log: silentLog, journal }, { participantWaitMs: 1_000 });
    for (const worker of workers()) engine.attach(worker.label, worker);
    await engine.resume('r');
    const resumed = await engine.wait('r');
    expect(resumed.status).toBe('completed');
    expect(resumed.rounds[0]!.round).toBe(1);
    expect(resumed.rounds.at(-1)!.round).toBeGreaterThan(2);
    // The table counts the whole fit's rounds, those before the stop included.
    expect(resumed.coefficients!.iterations).toBe(resumed.rounds.at(-1)!.round);
    const expected = pooled(A, B);
    resumed.coefficients!.terms.forEach((row, index) => expect(row.encoded).toBeCloseTo(expected[index]!, 6));
  });
});
