// Consent as the participant's store keeps it, with real store files: a request waits for a
// decision taken in this process or by another one (the command line), a policy approves runs
// matching an approved one, a decision stands when the TTP asks again, and a run that ends
// first withdraws its request.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decideConsent, setConsentPolicy, StoredConsent } from '../../../src-main/api/worker/consent';
import { RunSummary } from '../../../src-main/contract/records';
import { planHash } from '../../../src-main/core/authority/plan';
import type { Channel, ConsentContext, LocalProject } from '../../../src-main/engines/ports';
import { MetadataStore } from '../../../src-main/store/metadata-store';

let dir: string;
let store: MetadataStore;
let closeChannel: () => void;
let channel: Channel;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cohort-consent-'));
  store = await MetadataStore.open(dir);
  await store.create('collaborations', { id: 'stroke', name: 'Stroke' });
  await store.create('projects', { id: 'outcome', collaborationId: 'stroke', name: 'Outcome', targetColumn: 'y', task: 'classify' });
  await store.create('participants', { id: 'north', displayName: 'North' });
  await store.create('memberships', { id: 'stroke', collaborationId: 'stroke', hubUrl: 'wss://hub:7800', partyId: 'north' });
  await store.create('dataTags', { id: 'north.outcome.train', projectId: 'outcome', participantId: 'north', kind: 'train', source: { type: 'file', path: '/data/train.csv' }, columns: [{ name: 'y', kind: 'categorical' }], rows: 10 });
  const closed = new Promise<{ reason: string }>((resolve) => (closeChannel = () => resolve({ reason: 'closed' })));
  channel = { closed } as unknown as Channel;
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const HUB = 'h'.repeat(43);
const OTHER_HUB = 'o'.repeat(43);

/** What the worker's authority hands the consent store for a run: its own project and the plan's hash. */
function request(run: string, overrides: Partial<RunSummary> = {}, options: { hubKey?: string; projectId?: string } = {}): ConsentContext {
  const summary = RunSummary.parse({ collaboration: 'Stroke', project: 'Outcome', targetColumn: 'y', experiment: 'E', run, model: { kind: 'logreg' }, hyperparameters: {}, tags: ['train', 'evaluate', 'predict'], ...overrides });
  const projectId = options.projectId ?? 'outcome';
  const hubKey = options.hubKey ?? HUB;
  const project: LocalProject = { id: projectId, remoteId: projectId, name: 'Outcome', collaborationName: 'Stroke', targetColumn: 'y', task: 'classify', positiveClass: null, minCellCount: 5, epsilonBudget: null };
  const plan = { hub: hubKey, run, project: { id: projectId, targetColumn: 'y', task: 'classify' as const, positiveClass: null }, model: summary.model, hyperparameters: summary.hyperparameters, tags: summary.tags, roster: [] };
  return { hubKey, request: { run, projectId, summary }, project, summary, planHash: planHash(plan) };
}

describe('StoredConsent', () => {
  it('stores a pending request showing only the data this party holds, and answers once the owner decides here', async () => {
    const consent = new StoredConsent(store);
    const reply = consent.decide(channel, request('r1'));
    await expect.poll(async () => (await store.list('consents')).length).toBe(1);
    const [pending] = await store.list('consents');
    expect(pending).toMatchObject({ state: 'pending', runId: 'r1', summary: { tags: ['train'] } });
    consent.settle(await decideConsent(store, pending!.id, true));
    await expect(reply).resolves.toMatchObject({ approved: true });
    expect(await store.get('consents', pending!.id)).toMatchObject({ state: 'approved', decidedBy: 'person', hubKey: HUB });
  });

  it('notices a decision another process wrote to the store', async () => {
    const consent = new StoredConsent(store, { pollMs: 50 });
    const reply = consent.decide(channel, request('r1'));
    await expect.poll(async () => (await store.list('consents')).length).toBe(1);
    const other = await MetadataStore.open(dir); // what `cohort worker decline` does
    await decideConsent(other, (await other.list('consents'))[0]!.id, false);
    await expect(reply).resolves.toEqual({ approved: false, reason: 'declined by the data owner' });
  });

  it('keeps a decision when asked again about the same run, and asks again when the run changed', async () => {
    const consent = new StoredConsent(store);
    const first = consent.decide(channel, request('r1'));
    await expect.poll(async () => (await store.list('consents')).length).toBe(1);
    consent.settle(await decideConsent(store, (await store.list('consents'))[0]!.id, false));
    await first;
    await expect(consent.decide(channel, request('r1'))).resolves.toMatchObject({ approved: false });
    // The orchestrator edited the run: a new question.
    const changed = consent.decide(channel, request('r1', { model: { kind: 'mlp', hidden: [4], activation: 'relu', dropout: 0 } }));
    await expect.poll(async () => (await store.list('consents'))[0]!.state).toBe('pending');
    closeChannel();
    await expect(changed).resolves.toMatchObject({ approved: false, reason: 'the connection closed before a decision' });
  });

  it('auto-approves a matching run only once the policy is on, and only when model and privacy match', async () => {
    const consent = new StoredConsent(store);
    const first = consent.decide(channel, request('r1'));
    await expect.poll(async () => (await store.list('consents')).length).toBe(1);
    consent.settle(await decideConsent(store, (await store.list('consents'))[0]!.id, true));
    await first;
    await setConsentPolicy(store, 'outcome', 'auto-matching');
    expect((await store.get('memberships', 'stroke')).autoApproveProjects).toEqual(['outcome']);
    await expect(consent.decide(channel, request('r2', { hyperparameters: RunSummary.shape.hyperparameters.parse({ rounds: 99 }) }))).resolves.toMatchObject({ approved: true });
    expect((await store.list('consents', { runId: 'r2' }))[0]).toMatchObject({ state: 'approved', decidedBy: 'policy' });
    // Another privacy setting is a new question, even under the policy.
    const differs = consent.decide(channel, request('r3', { privacy: { ...request('x').summary.privacy, secureAggregation: true } }));
    await expect.poll(async () => (await store.list('consents', { runId: 'r3' }))[0]?.state).toBe('pending');
    await consent.withdraw(HUB, 'r3', 'the run failed');
    await expect(differs).resolves.toMatchObject({ approved: false, reason: 'withdrawn: the run failed' });
    expect((await store.list('consents', { runId: 'r3' }))[0]).toMatchObject({ state: 'withdrawn' });
    await setConsentPolicy(store, 'outcome', 'ask');
    expect((await store.get('memberships', 'stroke')).autoApproveProjects).toEqual([]);
  });

  it('declines a run of a project this party is not in, and refuses deciding twice', async () => {
    const consent = new StoredConsent(store);
    await expect(consent.decide(channel, request('r1', {}, { projectId: 'elsewhere' }))).resolves.toEqual({ approved: false, reason: 'this participant is not in that project' });
    const pending = consent.decide(channel, request('r2'));
    await expect.poll(async () => (await store.list('consents')).length).toBe(1);
    const id = (await store.list('consents'))[0]!.id;
    consent.settle(await decideConsent(store, id, true));
    await pending;
    await expect(decideConsent(store, id, false)).rejects.toThrow('this request was already approved');
  });

  it('keys decisions by hub and run: another hub asking about a run of the same id asks anew', async () => {
    const consent = new StoredConsent(store);
    const first = consent.decide(channel, request('r1'));
    await expect.poll(async () => (await store.list('consents')).length).toBe(1);
    consent.settle(await decideConsent(store, (await store.list('consents'))[0]!.id, true));
    await first;
    const other = consent.decide(channel, request('r1', {}, { hubKey: OTHER_HUB }));
    await expect.poll(async () => (await store.list('consents')).length).toBe(2);
    expect((await store.list('consents')).map((record) => [record.hubKey, record.state]).sort()).toEqual([
      [HUB, 'approved'],
      [OTHER_HUB, 'pending'],
    ]);
    closeChannel();
    await expect(other).resolves.toMatchObject({ approved: false });
  });

  it('keeps count of what an approved run used, and asks again once the run has ended', async () => {
    const consent = new StoredConsent(store);
    const first = consent.decide(channel, request('r1'));
    await expect.poll(async () => (await store.list('consents')).length).toBe(1);
    consent.settle(await decideConsent(store, (await store.list('consents'))[0]!.id, true));
    await first;
    await consent.recordUsage(HUB, 'r1', { fits: 3, lastRound: 3, evaluations: 2 });
    // Asked again about the same plan (the hub reconnected): approved, with what was used so far.
    await expect(consent.decide(channel, request('r1'))).resolves.toEqual({ approved: true, usage: { fits: 3, lastRound: 3, evaluations: 2 } });
    await consent.complete(HUB, 'r1');
    expect((await store.list('consents'))[0]).toMatchObject({ state: 'completed' });
    // Running it again is a new question.
    const again = consent.decide(channel, request('r1'));
    await expect.poll(async () => (await store.list('consents'))[0]!.state).toBe('pending');
    expect((await store.list('consents'))[0]!.usage).toEqual({ fits: 0, lastRound: 0, evaluations: 0 });
    closeChannel();
    await expect(again).resolves.toMatchObject({ approved: false });
  });
});
