// The worker as the authority over its data. For every run a hub proposes, it keeps its own
// grant, keyed by (hub identity, run): the plan the owner approved and its hash, the owner's
// project and disclosure threshold, the declaration it sent, the alignment it accepted, and
// the budget used. Every later request is checked against the grant, not against the hub's
// word: a request outside the plan is refused, logged, and nothing is computed for it.
import type { Alignment, PartyDeclaration } from '../contract/data';
import type { ConsentReply, ConsentRequest, DeclareRequest, PrepareRequest } from '../contract/grid';
import type { Privacy } from '../contract/records';
import { CohortError } from '../contract/errors';
import { alignmentProblems } from '../core/authority/alignment-check';
import { RunBudget } from '../core/authority/budget';
import { planHash, samePlanSettings, type RunPlan } from '../core/authority/plan';
import { RdpAccountant } from '../core/privacy/rdp-accountant';
import type { Channel, ConsentPort, LocalProject, Log, OwnerPort } from './ports';

export interface RunGrant {
  hubKey: string;
  run: string;
  project: LocalProject;
  plan: RunPlan;
  planHash: string;
  budget: RunBudget;
  declaration?: PartyDeclaration;
  /** Set by the first accepted alignment: a run's alignment never changes afterwards. */
  alignment?: string;
}

/** How often the budget used is written to the store while a run trains (and always at its end). */
const PERSIST_EVERY_MS = 1_000;

export class WorkerAuthority {
  private readonly grants = new Map<string, RunGrant>();
  /** The connections on which each grant was approved: a new connection asks again. */
  private readonly approvedOn = new Map<string, Set<Channel>>();
  private readonly persistedAt = new Map<string, number>();

  constructor(
    readonly party: string,
    private readonly owner: OwnerPort,
    private readonly consent: ConsentPort,
    private readonly log: Log,
  ) {}

  /** Asks the owner (or their policy) about a run, with the owner's own view of it. */
  async decide(channel: Channel, hubKey: string, request: ConsentRequest): Promise<ConsentReply> {
    const project = await this.owner.project(hubKey, request.projectId);
    if (!project) return { approved: false, reason: 'this participant is not in that project' };
    const { summary } = request;
    if (summary.targetColumn !== project.targetColumn) {
      this.log.warn('a run names another target than the project', { run: request.run, target: summary.targetColumn, project: project.id });
      return { approved: false, reason: `the run's target "${summary.targetColumn}" is not the project's target "${project.targetColumn}"` };
    }
    const plan: RunPlan = {
      hub: hubKey,
      run: request.run,
      project: { id: project.id, targetColumn: project.targetColumn, task: project.task, positiveClass: project.positiveClass },
      model: summary.model,
      hyperparameters: summary.hyperparameters,
      tags: summary.tags,
      roster: summary.roster.map((party) => ({ id: party.id, key: party.key ?? null })),
    };
    if (JSON.stringify(summary.privacy) !== JSON.stringify(summary.hyperparameters.privacy)) {
      return { approved: false, reason: 'the run states two different privacy settings' };
    }
    const hash = planHash(plan);
    // The owner sees this participant's own names, not the hub's.
    const shown = { ...summary, collaboration: project.collaborationName, project: project.name };
    const { usage, ...reply } = await this.consent.decide(channel, { hubKey, request, project, summary: shown, planHash: hash });
    if (!reply.approved) return reply;
    const key = grantKey(hubKey, request.run);
    const existing = this.grants.get(key);
    if (!existing || existing.planHash !== hash) {
      this.grants.set(key, { hubKey, run: request.run, project, plan, planHash: hash, budget: new RunBudget(summary.hyperparameters, usage) });
    }
    let channels = this.approvedOn.get(key);
    if (!channels) this.approvedOn.set(key, (channels = new Set()));
    channels.add(channel);
    void channel.closed.then(() => channels.delete(channel));
    return reply;
  }

  /** The grant of a run approved on this connection, or CONSENT_REQUIRED. */
  grant(channel: Channel, hubKey: string, run: string): RunGrant {
    const key = grantKey(hubKey, run);
    const grant = this.grants.get(key);
    if (!grant || !this.approvedOn.get(key)?.has(channel)) {
      throw new CohortError('CONSENT_REQUIRED', `run "${run}" has not been approved by ${this.party}; its data stays unused`);
    }
    return grant;
  }

  /** A declaration is asked for the approved project, with its own target, task and positive class. */
  checkDeclare(grant: RunGrant, request: DeclareRequest): void {
    const { project } = grant;
    const asked = request.project;
    const problems: string[] = [];
    if (asked.id !== project.remoteId) problems.push(`it names project "${asked.id}", not the approved one`);
    if (asked.targetColumn !== project.targetColumn) problems.push(`it names the target "${asked.targetColumn}", not "${project.targetColumn}"`);
    if (asked.task !== project.task) problems.push(`it names the task "${asked.task}", not "${project.task}"`);
    if ((asked.positiveClass ?? null) !== project.positiveClass) problems.push('it names another positive class');
    this.refuseIf(grant, 'declare', problems);
  }

  /** A preparation must carry the approved model and settings, and an alignment this party accepts. */
  checkPrepare(grant: RunGrant, request: PrepareRequest): { alignment: Alignment; declaration: PartyDeclaration } {
    if (request.projectId !== grant.project.remoteId) this.refuseIf(grant, 'prepare', [`it names project "${request.projectId}", not the approved one`]);
    if (!samePlanSettings(grant.plan, request.model, request.hyperparameters)) {
      this.log.warn('refused: a request outside the approved plan', { run: grant.run, step: 'prepare' });
      throw new CohortError('PLAN_MISMATCH', `run "${grant.run}" asks for a model or settings other than those ${this.party} approved`);
    }
    const declaration = grant.declaration;
    if (!declaration) throw new CohortError('INSTRUCTION_REFUSED', `run "${grant.run}" is prepared before ${this.party} declared its data`);
    if (grant.alignment !== undefined && grant.alignment !== request.alignment.fingerprint) {
      this.refuseIf(grant, 'prepare', ['its alignment differs from the one this run already uses']);
    }
    const problems = alignmentProblems(request.alignment, {
      party: this.party,
      declaration,
      project: { targetColumn: grant.project.targetColumn, task: grant.project.task, positiveClass: grant.project.positiveClass },
    });
    this.refuseIf(grant, 'prepare', problems.map((problem) => `the alignment: ${problem}`));
    grant.alignment = request.alignment.fingerprint;
    return { alignment: request.alignment, declaration };
  }

  admitFit(grant: RunGrant, round: number): void {
    this.withBudget(grant, 'fit', () => grant.budget.admitFit(round));
  }

  admitEvaluation(grant: RunGrant, round: number): void {
    this.withBudget(grant, 'evaluate', () => grant.budget.admitEvaluation(round));
  }

  /**
   * Charges one noisy update to the project's ledger before it is released, at noise
   * multiplier sigma and without amplification by sampling (this party cannot tell whether it
   * was sampled at random). Refused when it would exceed the run's approved target epsilon or
   * the owner's budget for the project, whatever the hub reports.
   */
  async chargeRelease(grant: RunGrant, privacy: Privacy): Promise<void> {
    const { project } = grant;
    const stored = await this.owner.ledger(project.id);
    const accountant = stored ? RdpAccountant.restore(stored) : new RdpAccountant();
    const next = accountant.epsilonAfter(1, privacy.noiseMultiplier, 1, privacy.delta);
    const limits = [privacy.targetEpsilon, project.epsilonBudget].filter((limit): limit is number => limit !== null);
    const limit = limits.length > 0 ? Math.min(...limits) : null;
    if (limit !== null && next > limit) {
      this.log.warn('privacy budget spent: update withheld', { run: grant.run, project: project.id, epsilon: next, limit });
      throw new CohortError('BUDGET_SPENT', `another update would bring this party's epsilon for the project to ${next.toFixed(2)}, above its limit of ${limit}`);
    }
    accountant.step(1, privacy.noiseMultiplier);
    await this.owner.charge(project.id, grant.run, accountant.state());
  }

  /** The run ended at the hub (completed = it ran; a rerun asks again). Writes the budget used. */
  async ended(hubKey: string, run: string, completed: boolean): Promise<void> {
    const key = grantKey(hubKey, run);
    const grant = this.grants.get(key);
    if (grant) await this.persist(grant, true);
    if (completed && grant) await this.consent.complete?.(hubKey, run).catch(() => undefined);
    if (completed) {
      this.grants.delete(key);
      this.approvedOn.delete(key);
    }
  }

  /** Writes every grant's usage (the worker is stopping). */
  async flush(): Promise<void> {
    for (const grant of this.grants.values()) await this.persist(grant, true);
  }

  private withBudget(grant: RunGrant, step: string, admit: () => void): void {
    try {
      admit();
    } catch (error) {
      this.log.warn('refused: beyond the approved budget', { run: grant.run, step, reason: (error as Error).message });
      throw error;
    }
    void this.persist(grant, false);
  }

  private async persist(grant: RunGrant, force: boolean): Promise<void> {
    const key = grantKey(grant.hubKey, grant.run);
    const now = Date.now();
    if (!force && now - (this.persistedAt.get(key) ?? 0) < PERSIST_EVERY_MS) return;
    this.persistedAt.set(key, now);
    await this.consent.recordUsage?.(grant.hubKey, grant.run, grant.budget.used).catch((error: Error) =>
      this.log.warn('could not record the budget used', { run: grant.run, error: error.message }),
    );
  }

  private refuseIf(grant: RunGrant, step: string, problems: readonly string[]): void {
    if (problems.length === 0) return;
    this.log.warn('refused an instruction that does not fit the approved run', { run: grant.run, step, problems });
    throw new CohortError('INSTRUCTION_REFUSED', `${this.party} refuses to ${step} run "${grant.run}": ${problems.join('; ')}`);
  }
}

function grantKey(hubKey: string, run: string): string {
  return `${hubKey}\u0000${run}`;
}
