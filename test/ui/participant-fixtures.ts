// Records a participant's app answers with, valid against the contract (the client checks every
// answer), for the participant screens' tests.
import type { ApiTypes } from '../../src-main/contract/api';
import type { ColumnProfile } from '../../src-main/contract/data';
import { encodeInvitation, type InvitationPayload } from '../../src-main/contract/invitation';
import { Consent, DataTag, Hyperparameters, Membership, Project, RunSummary, type Collaboration } from '../../src-main/contract/records';
import { binaryMetrics } from '../../src-main/core/metrics/binary';

export const AT = '2026-01-10T09:00:00.000Z';
const stamps = { createdAt: AT, updatedAt: AT };

export const HUB_KEY = 'q0VkS8m1lTn3J2ZtW4rYp5sX6uA7bC8dE9fG0hI1jK2';
export const CERTIFICATE = Array.from({ length: 32 }, (_, index) => (index * 7 + 16).toString(16).toUpperCase().padStart(2, '0')).join(':');

export function invitationCode(overrides: Partial<InvitationPayload> = {}): string {
  return encodeInvitation({
    hub: 'wss://hub.example.org:7443',
    certificate: CERTIFICATE,
    hubKey: HUB_KEY,
    collaboration: 'network',
    name: 'Breast cancer network',
    token: 'token-0123456789abcdef',
    expiresAt: new Date(Date.now() + 3 * 24 * 3_600_000).toISOString(),
    ...overrides,
  });
}

export const collaboration: Collaboration = { id: 'network', name: 'Breast cancer network', description: 'Hospitals predicting malignancy.', ...stamps };

export const project: Project = Project.parse({
  id: 'diagnosis',
  collaborationId: 'network',
  name: 'Diagnosis',
  targetColumn: 'diagnosis',
  task: 'classify',
  positiveClass: 'M',
  description: 'Malignant (M) or benign (B).',
  ...stamps,
});

export function membershipView(overrides: Partial<ApiTypes['MembershipView']> = {}): ApiTypes['MembershipView'] {
  return {
    membership: Membership.parse({ id: 'network', collaborationId: 'network', hubUrl: 'wss://hub.example.org:7443', partyId: 'st-olaf', orchestrator: 'Cohort hub', ...stamps }),
    collaboration,
    projects: [project],
    connected: true,
    hubKeyFingerprint: 'SHA256:ab12 cd34 ef56 0789 ab12 cd34 ef56 0789',
    problem: null,
    proxy: null,
    ...overrides,
  };
}

export function appInfo(party: ApiTypes['AppInfo']['party']): ApiTypes['AppInfo'] {
  return {
    version: '0.1.0',
    role: 'participant',
    dataDir: '/home/cohort/data',
    transport: 'browser',
    backend: null,
    identity: { key: HUB_KEY, fingerprint: 'SHA256:0000 1111 2222 3333 4444 5555 6666 7777' },
    hub: null,
    party,
  };
}

export function tag(kind: DataTag['kind'], overrides: Partial<DataTag> = {}): DataTag {
  return DataTag.parse({
    id: `st-olaf.diagnosis.${kind}`,
    projectId: 'diagnosis',
    participantId: 'st-olaf',
    kind,
    source: { type: 'file', path: `/data/hospital/${kind}.csv` },
    columns: [
      { name: 'patient_id', kind: 'identifier', excluded: true },
      { name: 'age', kind: 'numeric' },
      { name: 'diagnosis', kind: 'categorical' },
    ],
    rows: kind === 'train' ? 208 : 52,
    ...stamps,
    ...overrides,
  });
}

function numeric(min: number, max: number, mean: number, std: number) {
  return { min, max, mean, std, sum: mean * 10, sumSq: 0, m2: std * std * 10 };
}

const columns: ColumnProfile[] = [
  { name: 'patient_id', position: 1, kind: 'identifier', note: 'distinct values in a column named like an identifier', excluded: true, count: 10, missing: 0, distinct: 10 },
  { name: 'age', position: 2, kind: 'numeric', excluded: false, count: 9, missing: 1, distinct: 9, numeric: numeric(28, 84, 57.5, 16.7) },
  { name: 'ward', position: 3, kind: 'categorical', excluded: false, count: 10, missing: 0, distinct: 3, levels: { Oncology: 5, Radiology: 2, Surgery: 3 } },
  {
    name: 'radius_mean',
    position: 4,
    kind: 'categorical',
    note: 'mostly numbers, but 1 value is not (first: "12,5" on line 4); fix the file or declare the column numeric to see every problem',
    excluded: false,
    count: 10,
    missing: 0,
    distinct: 10,
    levels: { '12,5': 1, '13.1': 9 },
  },
  { name: 'diagnosis', position: 5, kind: 'categorical', excluded: false, count: 10, missing: 0, distinct: 2, levels: { B: 6, M: 4 } },
];

export const preview: ApiTypes['DataPreview'] = {
  profile: { file: '/data/hospital/patients.csv', rows: 10, columns, target: 'diagnosis' },
  header: columns.map((column) => column.name),
  rows: [
    ['P1', '82', 'Oncology', '16.2', 'M'],
    ['P2', '', 'Surgery', '12,5', 'B'],
  ],
};

export function consent(overrides: Partial<Consent> & { run?: string; model?: RunSummary['model'] } = {}): Consent {
  const { run = 'FedAvg baseline', model = { kind: 'mlp', hidden: [64, 32], activation: 'relu', dropout: 0 }, ...rest } = overrides;
  return Consent.parse({
    id: 'c-1',
    membershipId: 'network',
    runId: 'fedavg-baseline',
    projectId: 'diagnosis',
    summary: RunSummary.parse({
      collaboration: 'Breast cancer network',
      project: 'Diagnosis',
      targetColumn: 'diagnosis',
      experiment: 'Two-layer network',
      run,
      model,
      hyperparameters: Hyperparameters.parse({ rounds: 20, epochs: 2, learningRate: 0.05, algorithm: 'fedprox' }),
      tags: ['train', 'evaluate'],
    }),
    state: 'pending',
    ...stamps,
    ...rest,
  });
}

export const metrics = binaryMetrics(Float32Array.of(1, 1, 0, 0, 1), Float32Array.of(0.9, 0.4, 0.2, 0.7, 0.8));

export function activity(overrides: Partial<ApiTypes['ActivityEntry']> = {}): ApiTypes['ActivityEntry'] {
  return {
    run: 'fedavg-baseline',
    state: 'finished',
    trainRows: 208,
    evaluateRows: 52,
    rounds: [
      { round: 1, loss: 0.6, numExamples: 208, seconds: 0.05 },
      { round: 2, loss: 0.34, numExamples: 208, seconds: 0.04 },
    ],
    lastMetrics: metrics,
    predictedRows: null,
    predictionsPath: null,
    endReason: 'run completed',
    startedAt: AT,
    updatedAt: AT,
    ...overrides,
  };
}

export function localModel(kind: 'global' | 'local', overrides: Partial<ApiTypes['LocalModel']> = {}): ApiTypes['LocalModel'] {
  return {
    run: 'fedavg-baseline',
    kind,
    dir: `/home/cohort/data/runs/fedavg-baseline/${kind}-model`,
    savedAt: AT,
    features: 30,
    target: 'diagnosis',
    projectId: 'diagnosis',
    ...overrides,
  };
}
