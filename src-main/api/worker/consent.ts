// Consent as the participant's store keeps it. Each run the TTP proposes becomes a stored
// consent: approved at once by the participant's policy when it matches a run approved before,
// otherwise pending until someone decides, in the app (settled at once) or with
// `cohort worker approve | decline` from another process (noticed by polling the store).
// Decisions are keyed by (hub identity, run) and cover the hash of the whole plan: a decision
// is reused when the same hub asks again about the same plan (after a reconnection), and asked
// anew when the plan changed or the approved run has ended (a rerun is a new question).
import { createHash } from 'node:crypto';
import type { ConsentReply } from '../../contract/grid';
import { CohortError } from '../../contract/errors';
import type { Consent, ConsentUsage } from '../../contract/records';
import { matchingApproval } from '../../core/consent/policy';
import type { Channel, ConsentContext, ConsentPort } from '../../engines/ports';
import type { MetadataStore } from '../../store/metadata-store';

/** A stable, valid id for the consent to one run of one hub: (hub identity, run), never the run id alone. */
export function consentId(hubKey: string, run: string): string {
  return `c-${createHash('sha256').update(`${hubKey}\u0000${run}`).digest('hex').slice(0, 24)}`;
}

function replyFor(consent: Consent): ConsentReply & { usage?: ConsentUsage } {
  if (consent.state === 'approved') return { approved: true, usage: consent.usage };
  if (consent.state === 'withdrawn') return { approved: false, reason: 'the earlier request for this run was withdrawn before a decision' };
  return { approved: false, reason: 'declined by the data owner' };
}

export interface StoredConsentOptions {
  /** Told when a consent is created or decided. */
  changed?: (consent: Consent) => void;
  /** How often a pending request looks for a decision taken by another process. */
  pollMs?: number;
}

export class StoredConsent implements ConsentPort {
  private readonly waiting = new Map<string, (reply: ConsentReply) => void>();

  constructor(
    private readonly store: MetadataStore,
    private readonly options: StoredConsentOptions = {},
  ) {}

  async decide(channel: Channel, context: ConsentContext): Promise<ConsentReply & { usage?: ConsentUsage }> {
    const { hubKey, request, project, planHash } = context;
    const db = await this.store.snapshot();
    const membership = db.memberships.find((candidate) => candidate.collaborationId === db.projects.find((p) => p.id === project.id)?.collaborationId);
    if (!membership) return { approved: false, reason: 'this participant is not in that project' };
    const id = consentId(hubKey, request.run);
    const existing = db.consents.find((consent) => consent.id === id);
    // Shown and matched as what the run would touch here: only the kinds of data this party registered.
    const registered = new Set(db.dataTags.filter((tag) => tag.projectId === project.id).map((tag) => tag.kind));
    const summary = { ...context.summary, tags: context.summary.tags.filter((kind) => registered.has(kind)) };
    // A decision stands when the TTP asks again about the same plan (a reconnection, a resumed
    // run); a withdrawn question, a finished run or a changed plan is asked anew.
    if (existing && (existing.state === 'approved' || existing.state === 'declined') && existing.planHash === planHash) return replyFor(existing);

    const earlier = db.consents.filter((consent) => consent.id !== id);
    const policyMatch = membership.autoApproveProjects.includes(project.id) ? matchingApproval(summary, project.id, earlier) : undefined;
    const now = new Date().toISOString();
    const fields = {
      membershipId: membership.id,
      hubKey,
      runId: request.run,
      projectId: project.id,
      summary,
      planHash,
      usage: { fits: 0, lastRound: 0, evaluations: 0 },
      ...(policyMatch ? { state: 'approved' as const, decidedAt: now, decidedBy: 'policy' as const } : { state: 'pending' as const }),
    };
    const stored = existing
      ? await this.store.update('consents', id, { ...fields, ...(policyMatch ? {} : { decidedAt: undefined, decidedBy: undefined }) })
      : await this.store.create('consents', { id, ...fields });
    this.options.changed?.(stored);
    if (stored.state !== 'pending') return replyFor(stored);
    return this.awaitDecision(id, channel);
  }

  /** The run ended before a decision: the request is marked withdrawn and stops waiting. */
  async withdraw(hubKey: string, run: string, reason: string): Promise<void> {
    const consent = await this.store.find('consents', consentId(hubKey, run));
    if (consent?.state !== 'pending') return;
    const withdrawn = await this.store.update('consents', consent.id, { state: 'withdrawn', decidedAt: new Date().toISOString() });
    this.waiting.get(consent.id)?.({ approved: false, reason: `withdrawn: ${reason}` });
    this.options.changed?.(withdrawn);
  }

  async recordUsage(hubKey: string, run: string, usage: ConsentUsage): Promise<void> {
    const id = consentId(hubKey, run);
    if (await this.store.find('consents', id)) await this.store.update('consents', id, { usage });
  }

  /** The approved run ended: it stays on record as completed, and a rerun asks again. */
  async complete(hubKey: string, run: string): Promise<void> {
    const consent = await this.store.find('consents', consentId(hubKey, run));
    if (consent?.state !== 'approved') return;
    const completed = await this.store.update('consents', consent.id, { state: 'completed' });
    this.options.changed?.(completed);
  }

  /** Answers a waiting request at once (the decision was taken in this process). */
  settle(consent: Consent): void {
    this.waiting.get(consent.id)?.(replyFor(consent));
  }

  private awaitDecision(id: string, channel: Channel): Promise<ConsentReply & { usage?: ConsentUsage }> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (reply: ConsentReply) => {
        if (done) return;
        done = true;
        clearInterval(poll);
        this.waiting.delete(id);
        resolve(reply);
      };
      this.waiting.set(id, finish);
      const poll = setInterval(() => {
        this.store.find('consents', id).then(
          (consent) => {
            if (!consent) finish({ approved: false, reason: 'the request was withdrawn on the participant side' });
            else if (consent.state !== 'pending') finish(replyFor(consent));
          },
          () => undefined,
        );
      }, this.options.pollMs ?? 1_000);
      poll.unref();
      // Nobody to answer any more: stop waiting (the TTP asks again when it reconnects).
      void channel.closed.then(() => finish({ approved: false, reason: 'the connection closed before a decision' }));
    });
  }
}

/** Records a person's decision on a pending request. */
export async function decideConsent(store: MetadataStore, id: string, approve: boolean): Promise<Consent> {
  const current = await store.get('consents', id);
  if (current.state !== 'pending') throw new CohortError('BAD_INPUT', `this request was already ${current.state}`);
  return store.update('consents', id, { state: approve ? 'approved' : 'declined', decidedAt: new Date().toISOString(), decidedBy: 'person' });
}

/** Ask every time, or auto-approve runs of this project that match an approved one. */
export async function setConsentPolicy(store: MetadataStore, projectId: string, policy: 'ask' | 'auto-matching'): Promise<void> {
  await store.mutate((db) => {
    const project = db.projects.find((candidate) => candidate.id === projectId);
    if (!project) throw new CohortError('NOT_FOUND', `no project with id "${projectId}"`);
    const membership = db.memberships.find((candidate) => candidate.collaborationId === project.collaborationId);
    if (!membership) throw new CohortError('NOT_FOUND', `this participant is not a member of the collaboration of project "${projectId}"`);
    const others = membership.autoApproveProjects.filter((candidate) => candidate !== projectId);
    membership.autoApproveProjects = policy === 'auto-matching' ? [...others, projectId] : others;
    membership.updatedAt = new Date().toISOString();
  });
}
