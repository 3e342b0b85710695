// The data owner's rules through the app's API (settings.get / settings.update), on a real store:
// k for the installation or a project with where it comes from, a project's privacy budget, and
// every invalid value refused with a message a person reads, before anything is stored.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDispatcher, type Handlers } from '../../../src-main/api/app/dispatch';
import { rulesHandlers } from '../../../src-main/api/app/participant-rules';
import { settingsFor } from '../../../src-main/api/records/owner-settings';
import type { SecurityEvent } from '../../../src-main/contract/security';
import { MetadataStore } from '../../../src-main/store/metadata-store';
import { SecurityLog } from '../../../src-main/store/security-log';

describe("the owner's settings in the app's API", () => {
  let dir: string;
  let store: MetadataStore;
  let security: SecurityLog;
  let dispatch: ReturnType<typeof createDispatcher>;
  const changes: string[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cohort-owner-rules-'));
    store = await MetadataStore.open(dir);
    security = await SecurityLog.open(dir);
    await store.create('collaborations', { id: 'heart', name: 'Heart study' });
    await store.create('projects', { id: 'stroke', collaborationId: 'heart', name: 'Stroke', targetColumn: 'outcome', task: 'classify' });
    changes.length = 0;
    dispatch = createDispatcher(rulesHandlers(store, () => security.all(), (what) => changes.push(what)) as Handlers);
  });
  afterEach(async () => {
    await security.close();
    await rm(dir, { recursive: true, force: true });
  });

  const call = async (name: string, input: unknown) => dispatch(name, input);

  it('starts at the default k = 5 and says so', async () => {
    expect(await call('settings.get', {})).toEqual({
      ok: true,
      value: { projectId: null, minCellCount: 5, minCellCountFrom: 'default', defaultMinCellCount: 5, installationMinCellCount: null, projectMinCellCount: null, epsilonBudget: null, epsilonSpent: null },
    });
    expect(await call('settings.get', { projectId: 'stroke' })).toMatchObject({ ok: true, value: { projectId: 'stroke', minCellCount: 5, minCellCountFrom: 'default', epsilonSpent: 0 } });
  });

  it('sets k for the installation, then for one project, and each reply says where k comes from', async () => {
    expect(await call('settings.update', { minCellCount: 10 })).toMatchObject({ ok: true, value: { minCellCount: 10, minCellCountFrom: 'installation', installationMinCellCount: 10 } });
    expect(changes).toEqual(['settings']);
    expect(await call('settings.get', { projectId: 'stroke' })).toMatchObject({ ok: true, value: { minCellCount: 10, minCellCountFrom: 'installation' } });

    const project = await call('settings.update', { projectId: 'stroke', minCellCount: 3, epsilonBudget: 4.5 });
    expect(project).toMatchObject({ ok: true, value: { minCellCount: 3, minCellCountFrom: 'project', installationMinCellCount: 10, projectMinCellCount: 3, epsilonBudget: 4.5 } });
    // What the worker enforces is what was shown: the same stored settings.
    expect(settingsFor(await store.snapshot(), 'stroke')).toEqual({ minCellCount: 3, minCellCountFrom: 'project', epsilonBudget: 4.5 });
    const stored = JSON.parse(await readFile(join(dir, 'cohort.json'), 'utf8')) as { ownerSettings: unknown[] };
    expect(stored.ownerSettings).toHaveLength(2);

    // null clears: the project falls back to the installation's k, and keeps its budget.
    expect(await call('settings.update', { projectId: 'stroke', minCellCount: null })).toMatchObject({
      ok: true,
      value: { minCellCount: 10, minCellCountFrom: 'installation', projectMinCellCount: null, epsilonBudget: 4.5 },
    });
    expect(await call('settings.update', { minCellCount: null })).toMatchObject({ ok: true, value: { minCellCount: 5, minCellCountFrom: 'default' } });
  });

  it.each([
    [{ minCellCount: 1 }, 'k must be at least 2'],
    [{ minCellCount: 0 }, 'k must be at least 2'],
    [{ minCellCount: 2.5 }, 'k must be a whole number'],
    [{ minCellCount: 1_001 }, 'k must be at most 1000'],
    [{ minCellCount: '7' }, 'k must be a whole number'],
    [{ projectId: 'stroke', epsilonBudget: 0 }, 'the privacy budget must be above 0'],
    [{ projectId: 'stroke', epsilonBudget: -1 }, 'the privacy budget must be above 0'],
    [{ projectId: 'stroke', epsilonBudget: 5_000 }, 'the privacy budget must be at most 1000'],
    [{ epsilonBudget: 3 }, 'a privacy budget is set per project: name the project'],
    [{ minCellCount: 5, hub: 'x' }, 'Unrecognized key'],
  ])('refuses %j before storing anything', async (input, message) => {
    const reply = await call('settings.update', input);
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('BAD_INPUT');
    expect(reply.error.message).toContain(message);
    expect((await store.snapshot()).ownerSettings).toEqual([]);
    expect(changes).toEqual([]);
  });

  it('refuses a project this participant does not have', async () => {
    const reply = await call('settings.update', { projectId: 'elsewhere', minCellCount: 7 });
    expect(reply).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect((await store.snapshot()).ownerSettings).toEqual([]);
  });

  it('sums up what left for a project from the security log, per run', async () => {
    await store.create('memberships', { id: 'heart', collaborationId: 'heart', hubUrl: 'wss://hub.heart.example:7800', partyId: 'north' });
    const base = { direction: 'outbound', outcome: 'sent', peer: 'hub wss://hub.heart.example:7800' } as const;
    const declaration: SecurityEvent['disclosed'] = {
      what: 'declaration',
      rows: 120,
      columns: [{ name: 'ward', kind: 'categorical', use: 'feature', levels: ['cardio', 'icu', 'other'], count: 120, missing: 0 }],
    };
    security.record({ ...base, kind: 'disclosure', what: 'declaration', bytes: 0, project: 'stroke', run: 'r1', disclosed: declaration });
    security.record({ ...base, kind: 'message', what: 'reply to run.declare', bytes: 700, run: 'r1' });
    security.record({ ...base, kind: 'disclosure', what: 'model update', bytes: 0, project: 'stroke', run: 'r1', disclosed: { what: 'model update', round: 1, examples: 120, protection: 'secure aggregation' } });
    security.record({ ...base, kind: 'message', what: 'reply to run.fit', bytes: 4_000, run: 'r1' });
    security.record({ ...base, kind: 'disclosure', what: 'metrics', bytes: 0, project: 'stroke', run: 'r1', disclosed: { what: 'metrics', round: 1, rows: 30, withheld: ['confusion'] } });
    security.record({ ...base, kind: 'message', what: 'reply to run.evaluate', bytes: 300, run: 'r1' });
    // Another project's run, and a refused message: not this project's traffic.
    security.record({ ...base, kind: 'disclosure', what: 'model update', bytes: 0, project: 'other', run: 'r9', disclosed: { what: 'model update', round: 1, examples: 5, protection: 'none' } });
    security.record({ ...base, kind: 'message', what: 'reply to run.fit', bytes: 9_999, run: 'r9' });
    security.record({ ...base, kind: 'message', what: 'reply to run.fit', bytes: 50, run: 'r1', outcome: 'refused' });
    // Another hub's run that happens to have the same id.
    security.record({ ...base, kind: 'message', what: 'reply to run.fit', bytes: 7_777, run: 'r1', peer: 'hub wss://elsewhere.example:7800' });

    const reply = await call('shared.summary', { projectId: 'stroke' });
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    expect(reply.value).toMatchObject({
      projectId: 'stroke',
      declarations: 1,
      declaration: { rows: 120, columns: [{ name: 'ward', levels: ['cardio', 'icu', 'other'] }] },
      messages: 3,
      bytes: 5_000,
      runs: [{ run: 'r1', messages: 3, bytes: 5_000, updates: 1, protection: 'secure aggregation', evaluations: 1, withheld: ['confusion'] }],
    });
  });
});
