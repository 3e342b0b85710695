// A modified hub against a real worker process on real files. The hub is built from the real
// protocol code (TLS, pinning, handshake, invitations); what it asks is crafted to make the
// worker hand over row-level values: alignments naming excluded or identifying columns, a
// switched target, plans other than the approved one, extra rounds and evaluations, padded
// secure-aggregation rosters and keys it made itself, a second hub reusing the first one's ids,
// errors that could carry cell values. Each attempt is refused and logged, and no private value
// (ids, surnames, exact lab values, rare wards, the files' folder) appears in any byte the hub
// received.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDataTag } from '../../src-main/api/records/data-tags';
import { ensureSigningIdentity } from '../../src-main/api/trust/identity-key';
import { saveOwnerSettings } from '../../src-main/api/records/owner-settings';
import { GRID } from '../../src-main/contract/grid';
import { Hyperparameters } from '../../src-main/contract/records';
import { OTHER_LEVEL } from '../../src-main/core/disclosure/threshold';
import { RdpAccountant } from '../../src-main/core/privacy/rdp-accountant';
import { fixedPointFor } from '../../src-main/core/privacy/secagg';
import { ephemeralKeyPair } from '../../src-main/core/crypto/keys';
import type { Peer } from '../../src-main/protocol/peer';
import { MetadataStore } from '../../src-main/store/metadata-store';
import { PROJECT_ROOT } from '../support/cli';
import { forged, GridCalls, honestAlignment, logregWeights, plan, refusal, type Plan } from './support/grid-calls';
import { leaked, startHostileHub, type HostileHub } from './support/hostile-hub';
import { writePrivateFiles, type PrivateFiles } from './support/private-files';

const PROJECT = { id: 'outcome', name: 'Outcome', targetColumn: 'outcome', task: 'classify' as const, positiveClass: 'yes' };
const DEFINITION = { collaboration: { id: 'heart', name: 'Heart study' }, project: PROJECT };

function startWorker(dataDir: string, codes: string[]): ChildProcess {
  const args = ['worker', ...codes.flatMap((code) => ['--join', code]), '--data-dir', dataDir, '--id', 'north', '--name', 'North Hospital', '--approve-all'];
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'cohort.js'), ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

describe('a modified hub against a real worker', () => {
  let root: string;
  let files: PrivateFiles;
  let hub: HostileHub;
  let worker: ChildProcess | undefined;
  let workerDir: string;
  let calls: GridCalls;
  let peer: Peer;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'cohort-hostile-'));
    files = await writePrivateFiles(join(root, 'north-files'));
    hub = await startHostileHub(join(root, 'hub'), DEFINITION);
    workerDir = join(root, 'north');
    const store = await MetadataStore.open(workerDir);
    await store.create('collaborations', DEFINITION.collaboration);
    await store.create('projects', { ...PROJECT, collaborationId: 'heart' });
    await store.create('participants', { id: 'north', displayName: 'North Hospital' });
    for (const kind of ['train', 'evaluate'] as const) {
      await registerDataTag(store, { participantId: 'north', projectId: PROJECT.id, kind, source: { type: 'file', path: kind === 'train' ? files.train : files.evaluate } });
    }
    worker = startWorker(workerDir, [await hub.invitation('heart')]);
    peer = await hub.party('north');
    calls = new GridCalls(peer);
  }, 120_000);

  afterAll(async () => {
    await stop(worker);
    await hub?.close();
    await rm(root, { recursive: true, force: true });
  });

  async function approvedAndDeclared(p: Plan) {
    expect(await calls.consent(p)).toMatchObject({ approved: true });
    const { declaration } = await calls.declare(p);
    return { declaration, alignment: honestAlignment([declaration], p) };
  }

  it('declares aggregates only: identifiers and surnames by name, rare wards merged into "(other)"', async () => {
    const p = plan('declared', PROJECT);
    const { declaration } = await approvedAndDeclared(p);
    const byName = Object.fromEntries(declaration.columns.map((column) => [column.name, column]));
    expect(byName['patient_id']).toMatchObject({ excluded: true });
    expect(byName['surname']).toMatchObject({ excluded: true });
    expect(byName['surname']!.levels).toBeUndefined();
    expect(byName['ward']!.levels).toEqual([OTHER_LEVEL, 'Cardiology', 'Neurology', 'Oncology']);
    expect(byName['lab']).toMatchObject({ kind: 'numeric', count: 60 });
    await calls.teardown(p);
  });

  it('refuses an alignment that encodes a column its owner left out, with guessed levels', async () => {
    const p = plan('guessed-surnames', PROJECT);
    const { alignment } = await approvedAndDeclared(p);
    const guessing = forged(alignment, (copy) => copy.columns.push({ kind: 'categorical', name: 'surname', levels: ['VandershootAax0', 'Smith'], missingAt: [] }));
    const refused = await refusal(calls.prepare(p, guessing));
    expect(refused).toMatchObject({ code: 'INSTRUCTION_REFUSED' });
    expect(refused!.message).toMatch(/column "surname", which the data owner left out/);
    const asNumbers = forged(alignment, (copy) => copy.columns.push({ kind: 'numeric', name: 'patient_id', mean: 0, std: 1, missingIndicator: false, missingAt: [] }));
    expect(await refusal(calls.prepare(p, asNumbers))).toMatchObject({ code: 'INSTRUCTION_REFUSED' });
    // A level only this party holds, which it never declared (a rare ward, guessed).
    const rare = forged(alignment, (copy) => {
      const ward = copy.columns.find((column) => column.name === 'ward');
      if (ward?.kind === 'categorical') ward.levels = [...ward.levels, 'Ward-Zeta-Annex'].sort();
    });
    expect((await refusal(calls.prepare(p, rare)))!.message).toMatch(/levels of column "ward" that this party, its only holder, never declared/);
    // Nothing of it was encoded: the honest alignment still prepares.
    expect(await calls.prepare(p, alignment)).toMatchObject({ trainRows: 60 });
    await calls.teardown(p);
  });

  it('refuses a switched target, at consent, at declaration and in the alignment', async () => {
    const p = plan('switched-target', PROJECT);
    expect(await calls.consent(p, { targetColumn: 'surname' })).toMatchObject({ approved: false });
    const { alignment } = await approvedAndDeclared(p);
    expect(await refusal(calls.declare(p, { targetColumn: 'surname' }))).toMatchObject({ code: 'INSTRUCTION_REFUSED' });
    const switched = forged(alignment, (copy) => {
      copy.target = { kind: 'binary', column: 'surname', labels: ['a', 'b'], positive: 'b' };
    });
    expect((await refusal(calls.prepare(p, switched)))!.message).toMatch(/its target is "surname", but the project's target is "outcome"/);
    await calls.teardown(p);
  });

  it('holds the hub to the approved plan: model, settings and the alignment once accepted', async () => {
    const p = plan('other-plan', PROJECT, { rounds: 3 });
    const { alignment } = await approvedAndDeclared(p);
    expect(await refusal(calls.prepare(p, alignment, { hyperparameters: Hyperparameters.parse({ rounds: 300 }) }))).toMatchObject({ code: 'PLAN_MISMATCH' });
    expect(await refusal(calls.prepare(p, alignment, { model: { kind: 'mlp', hidden: [512], activation: 'relu', dropout: 0 } }))).toMatchObject({ code: 'PLAN_MISMATCH' });
    await calls.prepare(p, alignment);
    const weights = logregWeights(alignment);
    const config = { round: 1, epochs: 500, batchSize: 1, learningRate: 5, optimizer: 'sgd' as const, momentum: 0, l2: 0, mu: 0, seed: 1 };
    expect(await refusal(calls.fit(p, 1, weights, config))).toMatchObject({ code: 'PLAN_MISMATCH' });
    const other = forged(alignment, (copy) => {
      const age = copy.columns.find((column) => column.name === 'age');
      if (age?.kind === 'numeric') age.mean += 1;
    });
    expect((await refusal(calls.prepare(p, other)))!.message).toMatch(/its alignment differs from the one this run already uses/);
    await calls.teardown(p);
  });

  it('trains no more rounds and evaluates no more often than approved', async () => {
    const p = plan('budget', PROJECT, { rounds: 4, evaluateEvery: 0 });
    const { alignment } = await approvedAndDeclared(p);
    await calls.prepare(p, alignment);
    const weights = logregWeights(alignment);
    // Evaluating weights before any round was trained: refused.
    expect(await refusal(calls.evaluate(p, 1, weights))).toMatchObject({ code: 'INSTRUCTION_REFUSED' });
    for (let round = 1; round <= 4; round += 1) await calls.fit(p, round, weights);
    expect(await refusal(calls.fit(p, 5, weights))).toMatchObject({ code: 'BUDGET_SPENT' });
    // Going back further than a resumed hub could need: refused.
    expect(await refusal(calls.fit(p, 1, weights))).toMatchObject({ code: 'INSTRUCTION_REFUSED' });
    // Redoing the last round (a hub restarted) is allowed a few times, then refused.
    const redone = [];
    for (let attempt = 0; attempt < 6; attempt += 1) redone.push(await refusal(calls.fit(p, 4, weights)));
    expect(redone.filter((outcome) => outcome === undefined)).toHaveLength(3);
    expect(redone.at(-1)).toMatchObject({ code: 'BUDGET_SPENT' });
    // One evaluation for the only scheduled one, one at the end, three redone: then no more,
    // however the weights are chosen (a constant prediction swept to probe the labels).
    const outcomes = [];
    for (let sweep = 0; sweep < 8; sweep += 1) outcomes.push(await refusal(calls.evaluate(p, 4, logregWeights(alignment, sweep / 8 - 0.5))));
    expect(outcomes.filter((outcome) => outcome === undefined)).toHaveLength(5);
    expect(outcomes.at(-1)).toMatchObject({ code: 'BUDGET_SPENT' });
    await calls.teardown(p);
  });

  it('allows early stopping no extra evaluations: it looks at validation rows, whose loss rides on the fits', async () => {
    const p = plan('stopping', PROJECT, { rounds: 4, evaluateEvery: 0, earlyStopping: { patience: 2 } });
    const { alignment } = await approvedAndDeclared(p);
    await calls.prepare(p, alignment);
    const weights = logregWeights(alignment);
    for (let round = 1; round <= 4; round += 1) {
      const { body } = await calls.fit(p, round, weights);
      // A validation loss, when sent, is over held-out train rows, never fewer than a handful.
      if (body.validation) expect(body.validation.rows).toBeGreaterThanOrEqual(5);
    }
    // As without early stopping: the final round's, the final model's and three redone; once
    // early stopping counted every round as an evaluation of the evaluate data.
    const outcomes = [];
    for (let sweep = 0; sweep < 8; sweep += 1) outcomes.push(await refusal(calls.evaluate(p, 4, logregWeights(alignment, sweep / 8 - 0.5))));
    expect(outcomes.filter((outcome) => outcome === undefined)).toHaveLength(5);
    expect(outcomes.at(-1)).toMatchObject({ code: 'BUDGET_SPENT' });
    await calls.teardown(p);
  });

  it('sends regression sums only for a run approved for the exact solver, within its rounds', async () => {
    const p = plan('exact', PROJECT, { solver: 'exact', rounds: 3 });
    const { alignment } = await approvedAndDeclared(p);
    await calls.prepare(p, alignment);
    const coefficients = new Float64Array(alignment.features.length + 1);
    // Approved for sums, not for trained weights.
    expect(await refusal(calls.fit(p, 1, logregWeights(alignment)))).toMatchObject({ code: 'INSTRUCTION_REFUSED' });
    expect(await refusal(calls.sums(p, 1, new Float64Array(3), 60))).toMatchObject({ code: 'INSTRUCTION_REFUSED' });
    expect(await refusal(calls.sums(p, 1, coefficients.map(() => Number.NaN), 60))).toMatchObject({ code: 'INSTRUCTION_REFUSED' });
    // A total below its own rows would push its values out of secure aggregation's range.
    expect(await refusal(calls.sums(p, 1, coefficients, 10))).toMatchObject({ code: 'INSTRUCTION_REFUSED' });
    const first = await calls.sums(p, 1, coefficients, 120);
    expect(first.body.numExamples).toBe(60);
    // gradient, packed curvature, loss and rows, each divided by the round's 120 rows: rows 60/120.
    const p1 = coefficients.length;
    expect(first.sums).toHaveLength(p1 + (p1 * (p1 + 1)) / 2 + 2);
    expect(first.sums!.at(-1)).toBeCloseTo(0.5, 12);
    for (const round of [2, 3]) await calls.sums(p, round, coefficients, 120);
    expect(await refusal(calls.sums(p, 4, coefficients, 120))).toMatchObject({ code: 'BUDGET_SPENT' });
    await calls.teardown(p);
    // A run approved for gradient steps sends no sums.
    const sgd = plan('not-exact', PROJECT, { rounds: 3 });
    const honest = await approvedAndDeclared(sgd);
    await calls.prepare(sgd, honest.alignment);
    expect((await refusal(calls.sums(sgd, 1, coefficients, 120)))!.message).toMatch(/approved to train by gradient steps/);
    await calls.teardown(sgd);
  });

  it('sends metrics under its disclosure rules: no table with a cell of fewer than 5 patients', async () => {
    const p = plan('metrics', PROJECT, { rounds: 1 });
    const { alignment } = await approvedAndDeclared(p);
    await calls.prepare(p, alignment);
    await calls.fit(p, 1, logregWeights(alignment));
    const { metrics } = await calls.evaluate(p, 1, logregWeights(alignment, 0.01));
    if (metrics?.kind !== 'binary') throw new Error('binary metrics expected');
    expect(metrics.n).toBe(30);
    for (const cell of Object.values(metrics.confusion ?? {})) expect(cell === 0 || cell >= 5).toBe(true);
    for (const count of [...(metrics.scoreHistogram?.positive ?? []), ...(metrics.scoreHistogram?.negative ?? [])]) expect(count === 0 || count >= 5).toBe(true);
    await calls.teardown(p);
  });

  it('refuses secure-aggregation rounds padded with parties it did not approve, and keys nobody signed', async () => {
    const northKey = (await ensureSigningIdentity(workerDir)).publicKeyText;
    const roster = [{ id: 'north', name: 'North Hospital', key: northKey }, { id: 'south', name: 'South Hospital', key: ephemeralKeyPair().publicKeyText }];
    const p: Plan = { ...plan('padded', PROJECT, { rounds: 2, minClients: 2, privacy: { secureAggregation: true } }), roster };
    const { alignment } = await approvedAndDeclared(p);
    await calls.prepare(p, alignment);
    const length = alignment.features.length + 2;
    const setup = (parties: string[], threshold: number) => ({ run: p.run, round: 1, parties, threshold, encoding: fixedPointFor(parties.length), length });
    expect((await refusal(calls.request(GRID.secaggAdvertise, setup(['north', 'south', 'sybil-1', 'sybil-2'], 3))))!.message).toMatch(/sybil-1, sybil-2, who are not among the run's approved participants/);
    expect(await refusal(calls.request(GRID.secaggAdvertise, setup(['north', 'south'], 1)))).toBeDefined();
    const own = (await calls.request(GRID.secaggAdvertise, setup(['north', 'south'], 2))) as Record<string, string>;
    expect(own['signature']).toMatch(/^[A-Za-z0-9_-]{86}$/);
    // The hub makes south's keys itself: it holds no key that south's identity signed.
    const madeUp = { encryptionKey: ephemeralKeyPair().publicKeyText, maskKey: ephemeralKeyPair().publicKeyText, selfMaskCommitment: '0'.repeat(64), signature: own['signature']! };
    const shared = await refusal(calls.request(GRID.secaggShare, { run: p.run, round: 1, keys: { north: own, south: madeUp } }));
    expect(shared!.message).toMatch(/the keys relayed for south are not signed by the identity key this party approved for south/);
    // A plain update is never sent for a run approved with secure aggregation.
    expect(await refusal(calls.fit(p, 1, logregWeights(alignment)))).toMatchObject({ code: 'INSTRUCTION_REFUSED' });
    await calls.teardown(p);
  });

  it('stops releasing noisy updates once its own privacy budget for the project is spent', async () => {
    const store = await MetadataStore.open(workerDir);
    await saveOwnerSettings(store, { projectId: PROJECT.id }, { epsilonBudget: 3 });
    const privacy = { dp: 'local' as const, clip: 1, noiseMultiplier: 4, delta: 1e-5 };
    const p = plan('local-dp', PROJECT, { rounds: 40, privacy });
    const accountant = new RdpAccountant();
    let allowed = 0;
    while (accountant.epsilonAfter(1, 4, 1, 1e-5) <= 3) {
      accountant.step(1, 4);
      allowed += 1;
    }
    const { alignment } = await approvedAndDeclared(p);
    await calls.prepare(p, alignment);
    let released = 0;
    let last: { code: string } | undefined;
    for (let round = 1; round <= 40 && !last; round += 1) {
      last = await refusal(calls.fit(p, round, logregWeights(alignment)));
      if (!last) released += 1;
    }
    expect(released).toBe(allowed);
    expect(last).toMatchObject({ code: 'BUDGET_SPENT' });
    // The ledger is the worker's own, kept per project: another run of the project cannot start afresh.
    await calls.teardown(p);
    const again = plan('local-dp-again', PROJECT, { rounds: 40, privacy });
    const second = await approvedAndDeclared(again);
    await calls.prepare(again, second.alignment);
    expect(await refusal(calls.fit(again, 1, logregWeights(second.alignment)))).toMatchObject({ code: 'BUDGET_SPENT' });
    await calls.teardown(again);
    await saveOwnerSettings(store, { projectId: PROJECT.id }, { epsilonBudget: null });
  });

  it('keeps a second hub that reuses the same ids away from the first hub’s records and data', async () => {
    const second = await startHostileHub(join(root, 'hub-2'), DEFINITION);
    try {
      await stop(worker);
      worker = startWorker(workerDir, [await second.invitation('heart')]);
      const intruder = new GridCalls(await second.party('north'));
      peer = await hub.party('north');
      calls = new GridCalls(peer);
      const p = plan('collide', PROJECT);
      expect(await intruder.consent(p)).toMatchObject({ approved: true });
      const refused = await refusal(intruder.declare(p));
      expect(refused).toMatchObject({ code: 'NOT_FOUND' });
      expect(leaked(second.received, files.secrets)).toEqual([]);
      expect(second.received.some((frame) => frame.includes(Buffer.from('"declaration"')))).toBe(false);
      const store = await MetadataStore.open(workerDir);
      const projects = await store.list('projects');
      expect(projects.map((project) => [project.id, project.origin?.hubKey === hub.contact.key])).toEqual([
        ['outcome', true],
        [expect.stringMatching(/^outcome-[0-9a-f]{6}$/), false],
      ]);
      // The first hub's project and data are as they were.
      expect((await calls.declare(plan('declared', PROJECT)).catch((error: Error) => error.message))).toMatch(/not been approved/);
      const p1 = plan('after-collision', PROJECT);
      expect((await approvedAndDeclared(p1)).declaration.rows).toBe(60);
      await calls.teardown(p1);
    } finally {
      await second.close();
    }
  });

  it('tells the hub an error’s code and columns, never a cell value or a path', async () => {
    const original = await readFile(files.train, 'utf8');
    await writeFile(files.train, `${original}MRN-999999,VanderslootLeak,not-a-number-Vandersloot,1.0000,Cardiology,yes\n`);
    try {
      const p = plan('broken-file', PROJECT);
      expect(await calls.consent(p)).toMatchObject({ approved: true });
      const refused = await refusal(calls.declare(p));
      expect(refused!.code).toBe('NOT_NUMERIC');
      expect(refused!.message).not.toMatch(/Vandersloot|MRN|north-files|\.csv/);
    } finally {
      await writeFile(files.train, original);
    }
  });

  it('let no private value reach the hub, in any byte it received, and logged every refusal', async () => {
    expect(hub.received.length).toBeGreaterThan(50);
    expect(leaked(hub.received, files.secrets)).toEqual([]);
    const log = await readFile(join(workerDir, 'security-log.jsonl'), 'utf8');
    for (const code of ['INSTRUCTION_REFUSED', 'PLAN_MISMATCH', 'BUDGET_SPENT', 'NOT_NUMERIC']) expect(log).toContain(code);
  });
});
