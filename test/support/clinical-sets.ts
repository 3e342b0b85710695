// The project's own federations of public clinical sets (test/fixtures/clinical), split in
// several ways: IID, label-skewed (a Dirichlet split of each class), with missing values,
// categorical columns, several classes and a numeric target. The quality tests and the
// results tables of the README run on them, never on the demo alone.
import { join } from 'node:path';
import type { SimulationOptions } from '../../src-main/api/simulation/simulate';
import { PROJECT_ROOT } from './cli';

const CLINICAL = join(PROJECT_ROOT, 'test', 'fixtures', 'clinical');

export interface ClinicalSet {
  name: string;
  /** What the set exercises, for the tables. */
  traits: string;
  options: Pick<SimulationOptions, 'data' | 'target' | 'task' | 'positiveClass' | 'split'>;
}

const split = (parties: number, mode: 'iid' | 'label-skew', alpha = 0.5) => ({ parties, mode, alpha, evaluateFraction: 0.25 });

export const CLINICAL_SETS: ClinicalSet[] = [
  {
    name: 'birthwt (low)',
    traits: 'binary, categorical race, 3 parties IID',
    options: { data: join(CLINICAL, 'birthwt.csv'), target: 'low', task: 'classify', positiveClass: 'low', split: split(3, 'iid') },
  },
  {
    name: 'nwtco (relapse)',
    traits: 'binary, categorical histology and stage, 4 parties label-skewed',
    options: { data: join(CLINICAL, 'nwtco.csv'), target: 'relapse', task: 'classify', positiveClass: 'yes', split: split(4, 'label-skew', 0.3) },
  },
  {
    name: 'flchain (death)',
    traits: 'binary, missing creatinine, 4 parties label-skewed',
    options: { data: join(CLINICAL, 'flchain.csv'), target: 'death', task: 'classify', positiveClass: 'died', split: split(4, 'label-skew', 0.5) },
  },
  {
    name: 'lung (status)',
    traits: 'binary, missing values, 3 parties IID',
    options: { data: join(CLINICAL, 'lung.csv'), target: 'status', task: 'classify', positiveClass: 'died', split: split(3, 'iid') },
  },
  {
    name: 'pbc (outcome)',
    traits: '3 classes, many missing values, 3 parties IID',
    options: { data: join(CLINICAL, 'pbc.csv'), target: 'outcome', task: 'classify', split: split(3, 'iid') },
  },
  {
    name: 'nwtco (stage)',
    traits: '4 classes, categorical, 4 parties label-skewed',
    options: { data: join(CLINICAL, 'nwtco.csv'), target: 'stage', task: 'classify', split: split(4, 'label-skew', 0.3) },
  },
  {
    name: 'airquality (Ozone)',
    traits: 'numeric target, missing values, 3 parties IID',
    options: { data: join(CLINICAL, 'airquality.csv'), target: 'Ozone', task: 'regress', split: split(3, 'iid') },
  },
];
