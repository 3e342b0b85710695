// The exact regression workflow (the logreg preset's default): logistic, multinomial or linear
// regression fitted to the pooled optimum by Newton's method on the parties' summed sums.
//   aligning   as every workflow (align-parties.ts)
//   training   rounds: every prepared party returns its sums of loss, gradient and curvature
//              at the current coefficients (plain, or inside a secure sum); the TTP adds them,
//              adds the penalty and steps; a handful of rounds, one step for a linear model
//   evaluating the fitted model's metrics, as any model's
//   exporting  the coefficients as the logreg preset's weights, with the regression table
// Exactness needs every party's rows in every round: when the parties summed change (one
// dropped out, and is not asked again), the solver goes on from where it was, towards the
// optimum of the rows left.
import type { Alignment } from '../../contract/data';
import type { AggregatedMetrics } from '../../contract/metrics';
import { NO_PRIVACY, type CoefficientTable, type RoundRecord } from '../../contract/results';
import { outputCountOf } from '../../core/alignment/encode';
import { coefficientTable } from '../../core/glm/inference';
import { NewtonSolver } from '../../core/glm/newton';
import { solverProblem } from '../../core/glm/solver';
import { fromLayerWeights, glmSpecFor, parameterCountOf, toLayerWeights, type GlmSpec } from '../../core/glm/spec';
import type { ModelShape } from '../ports';
import { gatherSums } from '../pipelines/regression-sums';
import { RunFailed } from '../run/cancellation';
import { CHECKPOINT_VERSION, type Checkpoint } from '../run/journal';
import type { RunSession, Workflow, WorkflowReport } from '../run/run-session';
import { taskHostOf } from '../run/task-host';
import { alignParties } from './align-parties';
import { evaluateGlobal } from './evaluate-global';
import { exportModel } from './export-model';
import { warmStartWeights } from './warm-start';

export class ExactRegression implements Workflow {
  readonly name = 'exact-regression';
  private session!: RunSession;
  private alignment: Alignment | undefined;
  private spec: GlmSpec | undefined;
  private evaluation: AggregatedMetrics | null = null;
  private coefficients: CoefficientTable | null = null;
  private globalModel: string | null = null;
  private encoding: { fractionalBits: number; range: number } | null = null;

  async run(session: RunSession, from: Checkpoint | null): Promise<void> {
    this.session = session;
    const problem = solverProblem(session.context.experiment.model, session.hyperparameters);
    if (problem) throw new RunFailed(problem);
    if (from && from.settings !== session.settings) throw new RunFailed('the run was edited since its last checkpoint: start it again instead of resuming');
    await session.setStatus('aligning');
    this.alignment = await alignParties(session, from ? from.alignment : null);
    this.spec = glmSpecFor(this.alignment.target, this.alignment.features.length);
    const start = await this.start(from);
    await session.setStatus('training');
    const fit = await this.fit(start, from ? from.round + 1 : 1);
    const weights = toLayerWeights(this.spec, fit.theta);
    await session.setStatus('evaluating');
    this.evaluation = await this.evaluate(weights);
    this.coefficients = coefficientTable({ ...fit, spec: this.spec, penalty: session.hyperparameters.penalty }, this.alignment);
    await session.setStatus('exporting');
    this.globalModel = await exportModel(session, { shape: this.shape(), alignment: this.alignment, weights, evaluation: this.evaluation }, { solver: 'exact', coefficients: this.coefficients });
  }

  report(): WorkflowReport {
    return {
      evaluation: this.evaluation,
      stoppedEarly: null,
      globalModel: this.globalModel,
      features: this.alignment?.features ?? [],
      alignmentFingerprint: this.alignment?.fingerprint ?? null,
      parameterCount: this.spec ? parameterCountOf(this.spec) : 0,
      privacy: { ...NO_PRIVACY, secureAggregation: this.session?.hyperparameters.privacy.secureAggregation ?? false, quantization: this.encoding },
      coefficients: this.coefficients,
    };
  }

  private shape(): ModelShape {
    return { inputSize: this.alignment!.features.length, outputSize: outputCountOf(this.alignment!), target: this.alignment!.target.kind };
  }

  /** Zero, the saved coefficients, or another run's final model (a warm start). */
  private async start(from: Checkpoint | null): Promise<Float64Array> {
    const { session } = this;
    const spec = this.spec!;
    if (from) return fromLayerWeights(spec, from.weights);
    const source = session.context.run.initialRunId;
    const zero = new Float64Array(parameterCountOf(spec));
    if (source === undefined) return zero;
    session.deps.log.info('starting from the final coefficients of another run', { run: session.runId, from: source });
    const layer = toLayerWeights(spec, zero);
    return fromLayerWeights(spec, await warmStartWeights(session.deps.models, source, layer.length, this.alignment!.features));
  }

  private async fit(start: Float64Array, firstRound: number) {
    const { session } = this;
    const spec = this.spec!;
    const { rounds, penalty, privacy } = session.hyperparameters;
    let solver = new NewtonSolver(spec, { penalty }, start);
    let summedBefore: string | null = null;
    // A party whose sums failed is not asked again in this fit: its rows coming back would change
    // the objective once more, and a refusal (too few rows for the owner's rules) stands.
    const left = new Set<string>();
    // Rounds of the whole fit, those before a resume included.
    let iterations = firstRound - 1;
    for (let round = firstRound; round <= rounds; round += 1) {
      session.cancellation.check();
      const started = performance.now();
      const parties = (await session.pool.available(this.alignment!)).filter((party) => !left.has(party));
      session.pool.requireEnough(parties.length, `were available for round ${round}`);
      const point = solver.point;
      const gathered = await gatherSums(taskHostOf(session), spec, round, parties, point, privacy.secureAggregation);
      session.cancellation.check();
      for (const party of parties) if (!gathered.summed.includes(party)) left.add(party);
      this.encoding = gathered.encoding;
      if (!gathered.sums || gathered.summed.length === 0) throw new RunFailed(`round ${round}: no participant returned its sums`);
      session.pool.requireEnough(gathered.summed.length, `returned their sums in round ${round}`);
      const summed = [...gathered.summed].sort().join('\u0000');
      if (summedBefore !== null && summed !== summedBefore) {
        // Other rows: another objective. Newton goes on from here towards its optimum.
        session.deps.log.warn('the parties in the fit changed: the fit goes on with the rows of those left', { run: session.runId, round });
        solver = new NewtonSolver(spec, { penalty }, point);
      }
      summedBefore = summed;
      const step = solver.step(gathered.sums);
      iterations += 1;
      const record: RoundRecord = { round, trainLoss: gathered.sums.loss / Math.max(1, gathered.sums.rows), seconds: (performance.now() - started) / 1000, parties: gathered.parties };
      const next = step.next ?? solver.result()!.theta;
      await session.completeRound(record, () => this.checkpoint(next, round));
      if (!step.next) break;
    }
    const result = solver.result();
    if (!result) throw new RunFailed('the fit took no step');
    if (!result.converged) session.deps.log.warn('the exact fit did not converge within the rounds allowed', { run: session.runId, rounds });
    return { theta: result.theta, sums: result.sums, curvature: result.curvature, objective: solver.objective(result.theta, result.sums), iterations, converged: result.converged };
  }

  private evaluate(weights: Float32Array): Promise<AggregatedMetrics | null> {
    const { session } = this;
    return evaluateGlobal({ ...taskHostOf(session), target: this.alignment!.target }, weights, session.round);
  }

  private checkpoint(theta: Float64Array, round: number): Checkpoint {
    const { session } = this;
    return {
      version: CHECKPOINT_VERSION,
      run: session.runId,
      round,
      settings: session.settings,
      workflow: this.name,
      startedAt: session.startedAt,
      alignment: this.alignment!,
      shape: this.shape(),
      parameterCount: parameterCountOf(this.spec!),
      weights: toLayerWeights(this.spec!, theta),
      strategy: { algorithm: session.hyperparameters.algorithm, buffers: {}, values: {} },
      accountant: null,
      pool: session.pool.state(),
      history: [...session.history],
      state: {},
      tensors: {},
    };
  }
}
