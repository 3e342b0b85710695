// A participant checks the alignment a hub sends against its own records before it encodes a
// single row: the target and task must be its project's, every feature must be a column it
// declared as one (never a column its owner left out, an identifier or a quasi-identifier),
// kinds must agree with what it declared, levels of a column only it holds must be levels it
// declared, and the alignment must be internally consistent (its fingerprint and features).
// A modified hub could otherwise have a party encode, and train on, any column of its files.
import type { Alignment, PartyDeclaration } from '../../contract/data';
import type { Task } from '../../contract/records';
import { featureNames, fingerprintOf } from '../alignment/align';
import { parseNumber } from '../data/values';

export interface AlignmentContext {
  party: string;
  declaration: PartyDeclaration;
  project: { targetColumn: string; task: Task; positiveClass: string | null };
}

/** What is wrong with the alignment from this party's point of view (empty: acceptable). */
export function alignmentProblems(alignment: Alignment, context: AlignmentContext): string[] {
  const problems: string[] = [];
  const { declaration, project, party } = context;
  if (fingerprintOf(alignment) !== alignment.fingerprint) problems.push('its fingerprint does not match its content');
  if (JSON.stringify(featureNames(alignment.columns)) !== JSON.stringify(alignment.features)) problems.push('its feature list does not follow from its columns');
  if (alignment.task !== project.task) problems.push(`it is for a ${alignment.task} task, but the project is ${project.task}`);
  const target = alignment.target;
  if (target.column !== project.targetColumn) problems.push(`its target is "${target.column}", but the project's target is "${project.targetColumn}"`);
  if ((project.task === 'regress') !== (target.kind === 'regression')) problems.push(`its target is encoded for ${target.kind}, which does not fit a ${project.task} project`);
  if (target.kind === 'binary' && project.positiveClass !== null && target.positive !== project.positiveClass) {
    problems.push(`its positive class is "${target.positive}", but the project's is "${project.positiveClass}"`);
  }
  if (!alignment.parties.includes(party)) problems.push('it does not list this party');

  const declared = new Map(declaration.columns.map((column) => [column.name, column]));
  for (const column of alignment.columns) {
    const own = declared.get(column.name);
    const name = `"${column.name}"`;
    if (column.name === project.targetColumn) {
      problems.push(`it uses the target ${name} as a feature`);
      continue;
    }
    const absentHere = column.missingAt.includes(party);
    if (!own) {
      if (!absentHere) problems.push(`it uses column ${name}, which this party does not have, without imputing it here`);
      continue;
    }
    if (own.excluded || own.kind === 'identifier') {
      problems.push(`it uses column ${name}, which the data owner left out of the features`);
      continue;
    }
    if (own.kind === 'empty') {
      if (!absentHere) problems.push(`it uses column ${name}, which this party declared without values, as if it had them`);
      continue;
    }
    if (absentHere) {
      problems.push(`it says this party lacks column ${name}, which it declared`);
      continue;
    }
    if (!kindsAgree(column.kind, own.kind, own.levels)) problems.push(`it encodes column ${name} as ${column.kind}, but this party declared it ${own.kind}`);
    if (column.kind === 'categorical') {
      const onlyHere = alignment.parties.filter((other) => other !== party).every((other) => column.missingAt.includes(other));
      const sent = new Set(own.levels ?? []);
      const foreign = column.levels.filter((level) => !sent.has(level));
      if (onlyHere && foreign.length > 0) problems.push(`it lists levels of column ${name} that this party, its only holder, never declared`);
    }
  }
  const aligned = new Set([...alignment.columns.map((column) => column.name), ...alignment.ignored, alignment.target.column]);
  const forgotten = declaration.columns.filter((column) => !aligned.has(column.name)).map((column) => `"${column.name}"`);
  if (forgotten.length > 0) problems.push(`it does not account for column${forgotten.length === 1 ? '' : 's'} ${forgotten.join(', ')}`);
  return problems;
}

/** The alignment's kind for a column, given the kind this party declared (as alignFeatures resolves them). */
function kindsAgree(aligned: 'numeric' | 'boolean' | 'categorical', declared: string, levels: readonly string[] | undefined): boolean {
  if (aligned === declared) return true;
  if (declared !== 'boolean') return false;
  // A boolean spelled 0/1 may be aligned as a number, and any boolean as a category.
  return aligned === 'categorical' || (aligned === 'numeric' && (levels ?? []).every((level) => parseNumber(level) !== undefined));
}
