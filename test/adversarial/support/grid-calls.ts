// The requests a hub sends a worker, as a test drives them by hand: the same messages and
// schemas as the real TTP, with whatever a modified hub chooses to put in them.
import { TENSOR, tensorOf } from '../../../src-main/contract/tensors';
import { z } from 'zod';
import type { Alignment, PartyDeclaration } from '../../../src-main/contract/data';
import { ConsentReply, DeclareReply, EvaluateReply, FitReply, GRID, PrepareReply, SumsReply } from '../../../src-main/contract/grid';
import { Hyperparameters, RunSummary, type ModelSpec } from '../../../src-main/contract/records';
import { alignFeatures, featureNames, fingerprintOf } from '../../../src-main/core/alignment/align';
import { fitConfigFor } from '../../../src-main/core/strategies/fit-config';
import type { Peer } from '../../../src-main/protocol/peer';

export interface Plan {
  run: string;
  project: { id: string; name: string; targetColumn: string; task: 'classify' | 'regress'; positiveClass?: string };
  model: ModelSpec;
  hyperparameters: Hyperparameters;
  roster?: Array<{ id: string; name: string; key?: string }>;
}

export function plan(run: string, project: Plan['project'], hyperparameters: Partial<z.input<typeof Hyperparameters>> = {}, model: ModelSpec = { kind: 'logreg' }): Plan {
  return { run, project, model, hyperparameters: Hyperparameters.parse({ solver: 'sgd', ...hyperparameters }) };
}

export function summaryOf(p: Plan, overrides: Partial<RunSummary> = {}): RunSummary {
  return RunSummary.parse({
    collaboration: 'Hostile collaboration',
    project: p.project.name,
    targetColumn: p.project.targetColumn,
    experiment: 'E',
    run: p.run,
    model: p.model,
    hyperparameters: p.hyperparameters,
    tags: ['train', 'evaluate'],
    privacy: p.hyperparameters.privacy,
    roster: p.roster ?? [],
    ...overrides,
  });
}

/** The error a request failed with, or undefined if it succeeded. */
export async function refusal(work: Promise<unknown>): Promise<{ code: string; message: string } | undefined> {
  try {
    await work;
    return undefined;
  } catch (error) {
    return { code: String((error as { code?: unknown }).code ?? 'ERROR'), message: (error as Error).message };
  }
}

export class GridCalls {
  constructor(private readonly peer: Peer) {}

  async consent(p: Plan, overrides: Partial<RunSummary> = {}) {
    const { body } = await this.peer.request(GRID.consent, { run: p.run, projectId: p.project.id, summary: summaryOf(p, overrides) }, { schema: ConsentReply, timeoutMs: 30_000 });
    return body;
  }

  async declare(p: Plan, project: Partial<Plan['project']> = {}) {
    const { id, targetColumn, task, positiveClass } = { ...p.project, ...project };
    const body = { run: p.run, project: { id, targetColumn, task, ...(positiveClass === undefined ? {} : { positiveClass }) } };
    return (await this.peer.request(GRID.declare, body, { schema: DeclareReply, timeoutMs: 30_000 })).body;
  }

  async prepare(p: Plan, alignment: Alignment, changes: { model?: ModelSpec; hyperparameters?: Hyperparameters } = {}) {
    const body = { run: p.run, projectId: p.project.id, alignment, model: changes.model ?? p.model, hyperparameters: changes.hyperparameters ?? p.hyperparameters };
    return (await this.peer.request(GRID.prepare, body, { schema: PrepareReply, timeoutMs: 60_000 })).body;
  }

  async fit(p: Plan, round: number, weights: Float32Array, config = fitConfigFor(p.hyperparameters, round)) {
    const { body, tensors } = await this.peer.request(GRID.fit, { run: p.run, config }, { schema: FitReply, tensors: { [TENSOR.weights]: tensorOf(weights) }, timeoutMs: 60_000 });
    return { body, update: tensors[TENSOR.weights]?.data };
  }

  async sums(p: Plan, round: number, coefficients: Float64Array, totalRows: number) {
    const { body, tensors } = await this.peer.request(GRID.sums, { run: p.run, round, totalRows }, { schema: SumsReply, tensors: { [TENSOR.coefficients]: tensorOf(coefficients) }, timeoutMs: 60_000 });
    return { body, sums: tensors[TENSOR.sums]?.data };
  }

  async evaluate(p: Plan, round: number, weights: Float32Array) {
    return (await this.peer.request(GRID.evaluate, { run: p.run, round }, { schema: EvaluateReply, tensors: { [TENSOR.weights]: tensorOf(weights) }, timeoutMs: 60_000 })).body;
  }

  async request(type: string, body: unknown) {
    return (await this.peer.request(type, body, { schema: z.unknown(), timeoutMs: 30_000 })).body;
  }

  teardown(p: Plan, reason = 'done'): Promise<void> {
    return this.peer.notify(GRID.teardown, { run: p.run, reason });
  }
}

/** The honest alignment of these declarations. */
export function honestAlignment(declarations: PartyDeclaration[], p: Plan): Alignment {
  const { alignment, report } = alignFeatures(declarations, { targetColumn: p.project.targetColumn, task: p.project.task, positiveClass: p.project.positiveClass });
  if (!alignment) throw new Error(`alignment failed: ${report.errors.map((issue) => issue.message).join('; ')}`);
  return alignment;
}

/** An alignment changed by a hub, with its features and fingerprint made consistent again (as a modified hub would). */
export function forged(alignment: Alignment, change: (copy: Alignment) => void): Alignment {
  const copy = structuredClone(alignment);
  change(copy);
  copy.features = featureNames(copy.columns);
  copy.fingerprint = fingerprintOf(copy);
  return copy;
}

/** Weights for a logistic regression over this alignment (a kernel per feature and a bias). */
export function logregWeights(alignment: Alignment, value = 0): Float32Array {
  return new Float32Array(alignment.features.length + 1).fill(value);
}
