// Encodes a loaded table into the aligned feature space: the same columns, in the same order,
// with the same scaling, at every party. Levels unseen when the alignment was made become
// all-zero one-hots and are counted, so the owner can see them.
//
// A party encodes only what it declared: a column the alignment says it lacks is imputed
// (its local values are not read), and a category level it did not declare (merged into
// "(other)" under its disclosure rules, or one it never had) encodes as "(other)" when the
// alignment has that level, else as zeros: so a level named by another party, or by a hub
// guessing values, never lights up a feature from this party's rows.
import type { AlignedColumn, Alignment } from '../../contract/data';
import { OTHER_LEVEL } from '../disclosure/threshold';
import type { LoadKind, Table, TableColumn } from '../data/table';

/** The kind each column must be loaded as to be encoded with this alignment (at `party`: only those it holds). */
export function loadKindsFor(alignment: Alignment, withTarget: boolean, party?: string): Record<string, LoadKind> {
  const kinds: Record<string, LoadKind> = {};
  for (const column of alignment.columns) if (party === undefined || !column.missingAt.includes(party)) kinds[column.name] = column.kind;
  if (withTarget) kinds[alignment.target.column] = alignment.target.kind === 'regression' ? 'numeric' : 'categorical';
  return kinds;
}

/** Encoded rows kept in files instead of memory (large train data): row-major float32, x then y. */
export interface SpooledRows {
  xPath: string;
  yPath: string;
}

export interface EncodedDataset {
  /** Rows kept (rows without a usable target are skipped when a target is needed). */
  rows: number;
  /** When set, x and y are empty: the rows are in these files, read a block at a time. */
  spool?: SpooledRows;
  featureCount: number;
  /** Row-major rows x featureCount. */
  x: Float32Array;
  /** Row-major rows x outputCount, when encoded with the target. */
  y?: Float32Array;
  outputCount: number;
  /** Index in the loaded table of each kept row. */
  sourceRows: Int32Array;
  skipped: { missingTarget: number; unseenLabel: number };
  /** Column -> level -> rows, for levels the alignment has not seen. */
  unseenLevels: Record<string, Record<string, number>>;
  /** Labels not in the alignment -> rows (those rows are skipped). */
  unseenLabels: Record<string, number>;
}

export function outputCountOf(alignment: Alignment): number {
  return alignment.target.kind === 'multiclass' ? alignment.target.labels.length : 1;
}

export interface EncodeOptions {
  withTarget: boolean;
  /** This party: columns the alignment lists it as lacking are imputed, not read. */
  party?: string;
  /** The levels this party declared, per categorical column: only those encode as themselves. */
  declaredLevels?: ReadonlyMap<string, ReadonlySet<string>>;
}

export function encodeDataset(alignment: Alignment, table: Table, options: EncodeOptions): EncodedDataset {
  const unseenLabels: Record<string, number> = {};
  const skipped = { missingTarget: 0, unseenLabel: 0 };
  const outputCount = outputCountOf(alignment);
  let sourceRows: Int32Array;
  let y: Float32Array | undefined;

  if (options.withTarget) {
    const target = encodeTarget(alignment, table, unseenLabels, skipped);
    sourceRows = target.rows;
    y = target.y;
  } else {
    sourceRows = Int32Array.from({ length: table.rows }, (_, index) => index);
  }

  const featureCount = alignment.features.length;
  const x = new Float32Array(sourceRows.length * featureCount);
  const unseenLevels: Record<string, Record<string, number>> = {};
  let offset = 0;
  for (const column of alignment.columns) {
    const absent = options.party !== undefined && column.missingAt.includes(options.party);
    const local = absent ? undefined : table.columns.get(column.name);
    offset = encodeColumn(column, local, sourceRows, x, featureCount, offset, unseenLevels, options.declaredLevels?.get(column.name));
  }
  const encoded: EncodedDataset = {
    rows: sourceRows.length,
    featureCount,
    x,
    outputCount,
    sourceRows,
    skipped,
    unseenLevels,
    unseenLabels,
  };
  if (y) encoded.y = y;
  return encoded;
}

/** Writes one aligned column into x at `offset`; returns the offset after it. */
function encodeColumn(
  aligned: AlignedColumn,
  local: TableColumn | undefined,
  rows: Int32Array,
  x: Float32Array,
  stride: number,
  offset: number,
  unseenLevels: Record<string, Record<string, number>>,
  declared: ReadonlySet<string> | undefined,
): number {
  if (aligned.kind === 'categorical') {
    const codes = local ? requireKind(aligned.name, local, 'categorical') : undefined;
    if (codes) {
      const position = new Map(aligned.levels.map((level, index) => [level, index]));
      const other = position.get(OTHER_LEVEL) ?? -1;
      const mapped = codes.levels.map((level) => (declared && !declared.has(level) ? other : (position.get(level) ?? other)));
      for (let r = 0; r < rows.length; r += 1) {
        const code = codes.codes[rows[r]!]!;
        if (code < 0) continue;
        const index = mapped[code]!;
        if (index >= 0) x[r * stride + offset + index] = 1;
        const level = codes.levels[code]!;
        if (!position.has(level)) {
          const counts = (unseenLevels[aligned.name] ??= {});
          counts[level] = (counts[level] ?? 0) + 1;
        }
      }
    }
    return offset + aligned.levels.length;
  }

  const values = local ? requireKind(aligned.name, local, 'numeric').values : undefined;
  const scale = aligned.kind === 'numeric' ? aligned.std : 1;
  const centre = aligned.kind === 'numeric' ? aligned.mean : 0;
  // A missing value takes the pooled mean: 0 once standardised, the share of true for booleans.
  const imputed = aligned.kind === 'numeric' ? 0 : aligned.mean;
  for (let r = 0; r < rows.length; r += 1) {
    const value = values ? values[rows[r]!]! : Number.NaN;
    const missing = Number.isNaN(value);
    x[r * stride + offset] = missing ? imputed : (value - centre) / scale;
    if (aligned.missingIndicator && missing) x[r * stride + offset + 1] = 1;
  }
  return offset + (aligned.missingIndicator ? 2 : 1);
}

function encodeTarget(
  alignment: Alignment,
  table: Table,
  unseenLabels: Record<string, number>,
  skipped: { missingTarget: number; unseenLabel: number },
): { rows: Int32Array; y: Float32Array } {
  const target = alignment.target;
  const local = table.columns.get(target.column);
  if (!local) throw new Error(`the target column "${target.column}" was not loaded`);
  const kept: number[] = [];
  const targets: number[] = [];

  if (target.kind === 'regression') {
    const values = requireKind(target.column, local, 'numeric').values;
    for (let row = 0; row < table.rows; row += 1) {
      const value = values[row]!;
      if (Number.isNaN(value)) {
        skipped.missingTarget += 1;
        continue;
      }
      kept.push(row);
      targets.push((value - target.mean) / target.std);
    }
    return { rows: Int32Array.from(kept), y: Float32Array.from(targets) };
  }

  const { codes, levels } = requireKind(target.column, local, 'categorical');
  const classIndex = new Map(target.labels.map((label, index) => [label, index]));
  const localToClass = levels.map((level) => classIndex.get(level) ?? -1);
  for (let row = 0; row < table.rows; row += 1) {
    const code = codes[row]!;
    if (code < 0) {
      skipped.missingTarget += 1;
      continue;
    }
    const index = localToClass[code]!;
    if (index < 0) {
      skipped.unseenLabel += 1;
      const label = levels[code]!;
      unseenLabels[label] = (unseenLabels[label] ?? 0) + 1;
      continue;
    }
    kept.push(row);
    targets.push(index);
  }
  const rows = Int32Array.from(kept);
  if (target.kind === 'binary') {
    const positiveIndex = target.labels.indexOf(target.positive);
    return { rows, y: Float32Array.from(targets, (index) => (index === positiveIndex ? 1 : 0)) };
  }
  const width = target.labels.length;
  const y = new Float32Array(rows.length * width);
  targets.forEach((index, r) => {
    y[r * width + index] = 1;
  });
  return { rows, y };
}

function requireKind<K extends TableColumn['kind']>(name: string, column: TableColumn, kind: K): Extract<TableColumn, { kind: K }> {
  if (column.kind !== kind) throw new Error(`column "${name}" was loaded as ${column.kind}, but the alignment needs ${kind}`);
  return column as Extract<TableColumn, { kind: K }>;
}
