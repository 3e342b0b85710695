// A participant's own count of what a hub asked of it in one approved run: training rounds
// within the plan's rounds, evaluations within the plan's schedule. A hub that asks for more
// (to average local noise away, or to probe the evaluate data with chosen weights) is refused.
// A round redone after an interruption (a hub restarted from its last checkpoint, at most two
// rounds back) is allowed a few times in all; each one is counted, and with differential
// privacy each one is also charged to the party's privacy ledger.
import type { ConsentUsage, Hyperparameters } from '../../contract/records';
import { CohortError } from '../../contract/errors';
import { evaluationRounds } from './plan';

/** Rounds or evaluations a run may redo in all, for hub restarts. */
export const REDO_ALLOWANCE = 3;

export class RunBudget {
  private readonly usage: ConsentUsage;

  constructor(
    private readonly hyperparameters: Pick<Hyperparameters, 'rounds' | 'evaluateEvery' | 'earlyStopping'>,
    usage: ConsentUsage = { fits: 0, lastRound: 0, evaluations: 0 },
  ) {
    this.usage = { ...usage };
  }

  get used(): ConsentUsage {
    return { ...this.usage };
  }

  /** Counts a fit for `round`, or refuses it. */
  admitFit(round: number): void {
    const { rounds } = this.hyperparameters;
    if (round < 1 || round > rounds) throw new CohortError('BUDGET_SPENT', `round ${round} is outside the ${rounds} rounds approved`);
    // A hub resumed from its last checkpoint redoes the round it lost, or the one before.
    if (round < this.usage.lastRound - REDO_ALLOWANCE + 1) {
      throw new CohortError('INSTRUCTION_REFUSED', `round ${round} comes after round ${this.usage.lastRound}: rounds only go forward (a resumed run redoes at most ${REDO_ALLOWANCE - 1} earlier rounds)`);
    }
    if (this.usage.fits >= rounds + REDO_ALLOWANCE) {
      throw new CohortError('BUDGET_SPENT', `${this.usage.fits} training rounds were already answered for a run of ${rounds} approved rounds`);
    }
    this.usage.fits += 1;
    this.usage.lastRound = Math.max(this.usage.lastRound, round);
  }

  /** Counts an evaluation of the global model after `round`, or refuses it. */
  admitEvaluation(round: number): void {
    if (round > this.usage.lastRound) throw new CohortError('INSTRUCTION_REFUSED', `an evaluation after round ${round} comes before that round was trained`);
    // The schedule's evaluations, the final model's (+1), and a few redone after restarts.
    const allowed = evaluationRounds(this.hyperparameters) + 1 + REDO_ALLOWANCE;
    if (this.usage.evaluations >= allowed) {
      throw new CohortError('BUDGET_SPENT', `the ${allowed} evaluations the approved schedule allows were already answered`);
    }
    this.usage.evaluations += 1;
  }
}
