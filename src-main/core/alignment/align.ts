// Federated feature alignment: from each party's declared schema and aggregate statistics
// (never rows), one feature space that every party encodes identically.
//
// - numerics: standardised with the pooled mean and std from summed counts, sums and sums of
//   squares (equal to standardising the pooled data); missing values take the pooled mean.
// - booleans: 0/1, missing values take the pooled share of true.
// - categoricals: one-hot over the union of all parties' levels, in a locale-free sorted order.
// - the target: binary 0/1 with the positive class, multiclass over the union of labels, or a
//   standardised number for regression.
import { createHash } from 'node:crypto';
import {
  ALIGNMENT_VERSION,
  type AlignedColumn,
  type AlignedTarget,
  type Alignment,
  type AlignmentIssue,
  type AlignmentReport,
  type DeclaredStats,
  type PartyAlignmentReport,
  type PartyDeclaration,
} from '../../contract/data';
import type { AlignmentOptions, ColumnKind, Task } from '../../contract/records';
import { canonicalJson } from '../stats/canonical-json';
import { CompensatedSum, meanAndStd } from '../stats/compensated-sum';
import { combineMoments, populationStd } from '../stats/moments';
import { looksBoolean, parseBoolean, parseNumber, sortLevels } from '../data/values';

export interface AlignmentProject {
  targetColumn: string;
  task: Task;
  positiveClass?: string | undefined;
  alignment?: Partial<AlignmentOptions> | undefined;
}

export interface AlignmentResult {
  /** Present only when the report has no errors. */
  alignment?: Alignment;
  report: AlignmentReport;
}

type FeatureKind = 'numeric' | 'boolean' | 'categorical';

/** One column across the parties that declared it. */
interface ColumnAcrossParties {
  name: string;
  byParty: Map<string, DeclaredStats>;
}

export function alignFeatures(declarations: readonly PartyDeclaration[], project: AlignmentProject): AlignmentResult {
  const options: AlignmentOptions = {
    columns: project.alignment?.columns ?? 'union',
    missingIndicators: project.alignment?.missingIndicators ?? false,
  };
  const issues = new IssueList();
  // Sorting makes the result independent of the order in which parties answered.
  const parties = [...declarations].sort((a, b) => (a.party < b.party ? -1 : a.party > b.party ? 1 : 0));
  const partyNames = parties.map((declaration) => declaration.party);
  const reports: Record<string, PartyAlignmentReport> = {};
  for (const declaration of parties) {
    if (reports[declaration.party]) {
      issues.error('DUPLICATE_PARTY', `party "${declaration.party}" declared twice`, { party: declaration.party });
    }
    reports[declaration.party] = { rows: declaration.rows, missingColumns: [], droppedColumns: {}, unseenLevels: {} };
  }
  if (parties.length === 0) issues.error('NO_PARTIES', 'no party declared any data');

  const target = alignTarget(parties, project, issues, reports);

  const columns: AlignedColumn[] = [];
  const ignored: string[] = [];
  for (const across of collectColumns(parties, project.targetColumn)) {
    const column = alignColumn(across, partyNames, options, issues, reports);
    if (column) columns.push(column);
    else ignored.push(across.name);
  }

  const features = featureNames(columns);
  const clashes = features.filter((name, index) => features.indexOf(name) !== index);
  for (const name of new Set(clashes)) {
    issues.error('FEATURE_NAME_CLASH', `two features would both be called "${name}"; rename one of the columns`);
  }
  if (columns.length === 0 && parties.length > 0) {
    issues.error('NO_FEATURES', 'no column is usable as a feature at every party: nothing to train on');
  }

  const report: AlignmentReport = { ok: !issues.hasErrors, errors: issues.errors, warnings: issues.warnings, parties: reports };
  if (!report.ok || target === undefined) return { report: { ...report, ok: false } };
  const body = {
    version: ALIGNMENT_VERSION,
    task: project.task,
    columns,
    features,
    target,
    parties: partyNames,
    ignored: sortLevels(ignored),
    options,
  } as const;
  return { alignment: { ...body, fingerprint: fingerprintOf(body) }, report };
}

/** sha256 of the alignment's canonical JSON, fingerprint excluded. */
export function fingerprintOf(alignment: Omit<Alignment, 'fingerprint'> & { fingerprint?: string }): string {
  const { fingerprint: _ignored, ...body } = alignment;
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

export function featureNames(columns: readonly AlignedColumn[]): string[] {
  const names: string[] = [];
  for (const column of columns) {
    if (column.kind === 'categorical') {
      for (const level of column.levels) names.push(`${column.name}=${level}`);
    } else {
      names.push(column.name);
      if (column.missingIndicator) names.push(`${column.name}__missing`);
    }
  }
  return names;
}

// ---------------------------------------------------------------------------------------------

class IssueList {
  readonly errors: AlignmentIssue[] = [];
  readonly warnings: AlignmentIssue[] = [];

  error(code: AlignmentIssue['code'], message: string, where: { party?: string; column?: string } = {}): void {
    this.errors.push({ code, message, ...where });
  }

  warn(code: AlignmentIssue['code'], message: string, where: { party?: string; column?: string } = {}): void {
    this.warnings.push({ code, message, ...where });
  }

  get hasErrors(): boolean {
    return this.errors.length > 0;
  }
}

/** Every non-target column, in order of first appearance over the (sorted) parties. */
function collectColumns(parties: readonly PartyDeclaration[], targetColumn: string): ColumnAcrossParties[] {
  const byName = new Map<string, ColumnAcrossParties>();
  for (const declaration of parties) {
    for (const column of declaration.columns) {
      if (column.name === targetColumn) continue;
      let across = byName.get(column.name);
      if (!across) {
        across = { name: column.name, byParty: new Map() };
        byName.set(column.name, across);
      }
      across.byParty.set(declaration.party, column);
    }
  }
  return [...byName.values()];
}

function alignColumn(
  across: ColumnAcrossParties,
  partyNames: readonly string[],
  options: AlignmentOptions,
  issues: IssueList,
  reports: Record<string, PartyAlignmentReport>,
): AlignedColumn | undefined {
  const { name, byParty } = across;
  const drop = (reason: string) => {
    for (const party of byParty.keys()) reports[party]!.droppedColumns[name] = reason;
    return undefined;
  };

  // Left out anywhere (an identifier, or excluded by its owner) means left out everywhere.
  const excludedAt = [...byParty].filter(([, column]) => column.excluded && column.kind !== 'empty');
  if (excludedAt.length > 0) {
    const why = excludedAt
      .map(([party, column]) => `${column.kind === 'identifier' ? 'identifier-like' : 'excluded'} at ${party}`)
      .join(', ');
    issues.warn('COLUMN_EXCLUDED', `column "${name}" is not a feature: ${why}`, { column: name });
    return drop(why);
  }

  // Parties without the column, or with every value missing, are imputed.
  const holding = [...byParty].filter(([, column]) => column.kind !== 'empty');
  const missingAt = partyNames.filter((party) => !holding.some(([holder]) => holder === party));
  if (holding.length === 0) {
    issues.warn('COLUMN_DROPPED', `column "${name}" has no values at any party`, { column: name });
    return drop('no values at any party');
  }
  if (missingAt.length > 0 && options.columns === 'intersection') {
    issues.warn('COLUMN_DROPPED', `column "${name}" is dropped: ${missingAt.join(', ')} lack it (column policy: intersection)`, {
      column: name,
    });
    return drop(`not held by ${missingAt.join(', ')}`);
  }
  for (const party of missingAt) {
    reports[party]!.missingColumns.push(name);
    issues.warn('COLUMN_MISSING', `${party} lacks column "${name}"; its values will be imputed there`, { party, column: name });
  }

  const kind = resolveKind(name, holding, issues);
  if (kind === undefined) return drop('kinds disagree between parties');

  const stats = holding.map(([, column]) => column);
  const anyMissing = missingAt.length > 0 || stats.some((column) => column.missing > 0);
  const missingIndicator = options.missingIndicators && anyMissing;

  if (kind === 'categorical') {
    const levels = sortLevels(new Set(stats.flatMap((column) => column.levels ?? [])));
    return { kind, name, levels, missingAt };
  }
  const { mean, std } = pooledMeanAndStd(stats);
  if (kind === 'boolean') return { kind, name, mean, missingIndicator, missingAt };
  if (!(std > 0)) {
    issues.warn('CONSTANT_COLUMN', `column "${name}" has the same value everywhere; it carries no information`, {
      column: name,
    });
  }
  return { kind, name, mean, std: std > 0 ? std : 1, missingIndicator, missingAt };
}

/**
 * One kind for a column the parties declared differently, where that is safe: a boolean
 * spelled 0/1 is a number, and a boolean beside a categorical is a category. Anything else is
 * a conflict the data owners must settle.
 */
function resolveKind(name: string, holding: Array<[string, DeclaredStats]>, issues: IssueList): FeatureKind | undefined {
  const kinds = new Set(holding.map(([, column]) => column.kind));
  const only = (...allowed: ColumnKind[]) => [...kinds].every((kind) => allowed.includes(kind));
  if (kinds.size === 1) return [...kinds][0] as FeatureKind;
  const booleansSpelledAsNumbers = holding
    .filter(([, column]) => column.kind === 'boolean')
    .every(([, column]) => (column.levels ?? []).every((level) => parseNumber(level) !== undefined));
  if (only('numeric', 'boolean') && booleansSpelledAsNumbers) return 'numeric';
  if (only('categorical', 'boolean')) return 'categorical';
  const detail = holding.map(([party, column]) => `${party}: ${column.kind}`).join(', ');
  issues.error('KIND_CONFLICT', `column "${name}" has different kinds at different parties (${detail})`, { column: name });
  return undefined;
}

function alignTarget(
  parties: readonly PartyDeclaration[],
  project: AlignmentProject,
  issues: IssueList,
  reports: Record<string, PartyAlignmentReport>,
): AlignedTarget | undefined {
  const column = project.targetColumn;
  const holding: Array<[string, DeclaredStats]> = [];
  for (const declaration of parties) {
    const stats = declaration.columns.find((candidate) => candidate.name === column);
    if (!stats) {
      issues.error('TARGET_MISSING', `${declaration.party} has no target column "${column}"`, { party: declaration.party, column });
      continue;
    }
    if (stats.count === 0) {
      issues.error('TARGET_MISSING', `${declaration.party}: every value of the target "${column}" is missing`, {
        party: declaration.party,
        column,
      });
      continue;
    }
    holding.push([declaration.party, stats]);
    if (stats.labelCounts) reports[declaration.party]!.labelCounts = stats.labelCounts;
  }
  if (holding.length === 0) return undefined;
  return project.task === 'regress'
    ? regressionTarget(column, holding, issues)
    : classificationTarget(column, holding, project.positiveClass, issues);
}

function regressionTarget(column: string, holding: Array<[string, DeclaredStats]>, issues: IssueList): AlignedTarget | undefined {
  const notNumeric = holding.filter(([, stats]) => stats.kind !== 'numeric' || stats.sum === undefined);
  for (const [party, stats] of notNumeric) {
    issues.error('TARGET_KIND', `${party}: the target "${column}" is ${stats.kind}; a regression target must be numeric`, {
      party,
      column,
    });
  }
  if (notNumeric.length > 0) return undefined;
  const { mean, std } = pooledMeanAndStd(holding.map(([, stats]) => stats));
  return { kind: 'regression', column, mean, std: std > 0 ? std : 1 };
}

/**
 * The pooled mean and population std of a numeric column from the parties' aggregates: from
 * their means and centred sums of squares (Chan's formula, stable) when all sent them, else
 * from the plain sums and sums of squares.
 */
function pooledMeanAndStd(stats: readonly DeclaredStats[]): { mean: number; std: number } {
  // Parties that held back their sums (a boolean with a small count) do not weigh in.
  const holding = stats.filter((column) => column.count > 0 && column.sum !== undefined);
  if (holding.length === 0) return { mean: 0.5, std: 0.5 };
  if (holding.every((column) => column.m2 !== undefined && column.sum !== undefined)) {
    const pooled = combineMoments(holding.map((column) => ({ count: column.count, mean: column.sum! / column.count, m2: column.m2! })));
    return { mean: pooled.mean, std: populationStd(pooled) };
  }
  const count = holding.reduce((total, column) => total + column.count, 0);
  const sum = new CompensatedSum();
  const sumSq = new CompensatedSum();
  for (const column of holding) {
    sum.add(column.sum ?? 0);
    sumSq.add(column.sumSq ?? 0);
  }
  return meanAndStd(count, sum.value, sumSq.value);
}

function classificationTarget(
  column: string,
  holding: Array<[string, DeclaredStats]>,
  positiveClass: string | undefined,
  issues: IssueList,
): AlignedTarget | undefined {
  const noLabels = holding.filter(([, stats]) => stats.levels === undefined);
  for (const [party] of noLabels) {
    issues.error('TARGET_KIND', `${party}: the target "${column}" has too many distinct values to be class labels`, {
      party,
      column,
    });
  }
  if (noLabels.length > 0) return undefined;
  const totals = new Map<string, number>();
  for (const [, stats] of holding) {
    for (const label of stats.levels ?? []) totals.set(label, (totals.get(label) ?? 0) + (stats.labelCounts?.[label] ?? 0));
  }
  const labels = sortLevels(totals.keys());
  if (labels.length < 2) {
    issues.error('TOO_FEW_LABELS', `the target "${column}" has only ${labels.length} label (${labels.join(', ')}) over all parties`, {
      column,
    });
    return undefined;
  }
  if (labels.length > 2) {
    if (positiveClass !== undefined) {
      issues.warn('POSITIVE_CLASS', `the positive class "${positiveClass}" is ignored: the target has ${labels.length} labels`, {
        column,
      });
    }
    return { kind: 'multiclass', column, labels };
  }
  const pair: [string, string] = [labels[0]!, labels[1]!];
  if (positiveClass !== undefined) {
    if (!labels.includes(positiveClass)) {
      issues.error('POSITIVE_CLASS', `the positive class "${positiveClass}" is not a label of "${column}" (labels: ${labels.join(', ')})`, {
        column,
      });
      return undefined;
    }
    return { kind: 'binary', column, labels: pair, positive: positiveClass };
  }
  return { kind: 'binary', column, labels: pair, positive: defaultPositive(pair, totals, column, issues) };
}

/** true / yes / 1 when the labels spell a boolean; else the rarer label, which is usually the condition. */
function defaultPositive(labels: [string, string], totals: Map<string, number>, column: string, issues: IssueList): string {
  if (looksBoolean(labels)) return labels.find((label) => parseBoolean(label) === 1)!;
  const [a, b] = labels;
  const positive = (totals.get(a) ?? 0) < (totals.get(b) ?? 0) ? a : b;
  issues.warn(
    'POSITIVE_CLASS',
    `no positive class given for "${column}"; using "${positive}", the less frequent label (set the project's positive class to choose)`,
    { column },
  );
  return positive;
}
