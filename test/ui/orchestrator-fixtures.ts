// Records as the orchestrator's API answers them, for the screens' component tests.
import type { ApiTypes } from '../../src-main/contract/api';
import { Hyperparameters, type Collaboration, type DeclaredTagSummary, type Experiment, type Project, type Run } from '../../src-main/contract/records';

export const STAMP = '2026-03-02T09:30:00.000Z';

export const collaboration: Collaboration = {
  id: 'breast-cancer-network',
  name: 'Breast cancer network',
  description: 'Three hospitals predicting malignancy.',
  createdAt: STAMP,
  updatedAt: STAMP,
};

export const project: Project = {
  id: 'diagnosis',
  collaborationId: collaboration.id,
  name: 'Diagnosis',
  targetColumn: 'diagnosis',
  task: 'classify',
  positiveClass: 'M',
  description: 'Malignant or benign.',
  alignment: { columns: 'union', missingIndicators: false },
  createdAt: STAMP,
  updatedAt: STAMP,
};

export const experiment: Experiment = {
  id: 'logistic-regression',
  projectId: project.id,
  name: 'Logistic regression',
  description: '',
  model: { kind: 'logreg' },
  createdAt: STAMP,
  updatedAt: STAMP,
};

export function run(overrides: Partial<Run> = {}): Run {
  return {
    id: 'fedavg-baseline',
    experimentId: experiment.id,
    name: 'FedAvg baseline',
    hyperparameters: Hyperparameters.parse({}),
    status: 'defined',
    round: 0,
    createdAt: STAMP,
    updatedAt: STAMP,
    ...overrides,
  };
}

export const trainTag: DeclaredTagSummary = {
  kind: 'train',
  rows: 208,
  columns: [
    { name: 'radius_mean', kind: 'numeric' },
    { name: 'texture_mean', kind: 'numeric' },
    { name: 'diagnosis', kind: 'categorical' },
  ],
  declaredAt: STAMP,
};

export function participant(id: string, online: boolean, tags: DeclaredTagSummary[] = [trainTag]): ApiTypes['ParticipantView'] {
  return {
    participant: { id, displayName: id, organisation: `${id} (demo)`, contact: '', createdAt: STAMP, updatedAt: STAMP },
    keyFingerprint: 'SHA256:ab12 cd34 ef56 0789 ab12 cd34 ef56 0789',
    online,
    registrations: [
      {
        id: `${id}.${project.id}`,
        participantId: id,
        collaborationId: collaboration.id,
        projectId: project.id,
        role: 'participant',
        connection: { mode: 'dial-out' },
        declaredTags: tags,
        createdAt: STAMP,
        updatedAt: STAMP,
      },
    ],
  };
}

export function invitation(overrides: Partial<ApiTypes['InvitationView']> = {}): ApiTypes['InvitationView'] {
  return {
    id: 'inv-1',
    collaborationId: collaboration.id,
    expiresAt: '2026-03-05T09:30:00.000Z',
    note: '',
    revoked: false,
    state: 'open',
    createdAt: STAMP,
    updatedAt: STAMP,
    ...overrides,
  };
}

export const description: ApiTypes['ModelDescription'] = {
  parameterCount: 1_057,
  layers: [
    { name: 'hidden_1', className: 'Dense', outputShape: '32', params: 1_024 },
    { name: 'output', className: 'Dense', outputShape: '1', params: 33 },
  ],
  inputSize: 31,
  outputSize: 1,
  note: 'about 31 input features from the declared columns',
};
