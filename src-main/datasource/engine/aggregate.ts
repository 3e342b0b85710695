// Profiling by the engine: one pass for counts, sums, moments, quartiles and an estimate of
// distinct values per column, a second for the level counts (histograms) of the columns with few
// enough distinct values. The results are the aggregates core/data/profile.ts infers kinds from.
import type { DuckDBConnection } from '@duckdb/node-api';
import { MAX_TRACKED_LEVELS, nameLooksLikeIdentifier, type ColumnAggregates } from '../../core/data/profile';
import { cellSql, trimmedSelect, type Relation, type RelationColumn } from './relation';

/** Columns whose estimated distinct count is above this are not grouped: surely truncated. */
const GROUPING_LIMIT = 2 * MAX_TRACKED_LEVELS;

export interface AggregateRequest {
  missingTokens: readonly string[];
  /** Columns whose kind is declared numeric / boolean: count the values that are not. */
  numericChecks?: readonly string[];
  booleanChecks?: readonly string[];
  /** Columns whose levels are wanted even past the cap (the target, declared categorical). */
  needLevels?: readonly string[];
  /** Count cells holding a double quote (CSV: a stray quote the engine may have accepted). */
  countQuotes?: boolean;
}

export interface RelationAggregates {
  rows: number;
  columns: ColumnAggregates[];
  /** Per column: values that are not numbers / booleans although declared so. */
  badNumbers: Map<string, number>;
  badBooleans: Map<string, number>;
  cellsWithQuotes: number;
}

type Row = Record<string, unknown>;

export async function aggregateRelation(connection: DuckDBConnection, relation: Relation, request: AggregateRequest): Promise<RelationAggregates> {
  const cells = relation.columns.map((column) => cellSql(column, request.missingTokens));
  const sums = await firstPass(connection, relation, request, cells);
  const rows = Number(sums['rows'] ?? 0);

  const grouped = relation.columns.filter((_, i) => Number(sums[`d${i}`] ?? 0) <= GROUPING_LIMIT);
  const levels = await levelCounts(connection, relation, grouped, request.missingTokens);
  for (const name of request.needLevels ?? []) {
    const column = relation.columns.find((candidate) => candidate.name === name);
    if (column && !levels.has(name)) levels.set(name, await topLevels(connection, relation, column, request.missingTokens));
  }

  const columns = relation.columns.map((column, i): ColumnAggregates => {
    const count = Number(sums[`c${i}`] ?? 0);
    const numericCount = Number(sums[`n${i}`] ?? 0);
    const found = levels.get(column.name);
    const levelMap = found ? cap(found) : new Map<string, number>();
    // Not grouped: the estimate was far past the cap.
    const truncated = found ? found.size > MAX_TRACKED_LEVELS : true;
    const variance = sums[`v${i}`];
    const aggregates: ColumnAggregates = {
      name: column.name,
      position: i + 1,
      count,
      missing: rows - count,
      numericCount,
      integerValued: sums[`int${i}`] !== false,
      min: numericCount > 0 ? Number(sums[`min${i}`]) : Infinity,
      max: numericCount > 0 ? Number(sums[`max${i}`]) : -Infinity,
      sum: numericCount > 0 ? Number(sums[`s${i}`]) : 0,
      sumSq: numericCount > 0 ? Number(sums[`ss${i}`]) : 0,
      // The mean from the compensated sum: as exact as the sum itself.
      mean: numericCount > 0 ? Number(sums[`s${i}`]) / numericCount : 0,
      m2: numericCount > 0 && variance !== null ? Number(variance) * numericCount : 0,
      levels: levelMap,
      levelsTruncated: truncated,
    };
    const quartiles = sums[`q${i}`];
    if (numericCount > 0 && Array.isArray(quartiles) && quartiles.length === 3) {
      aggregates.quartiles = quartiles.map(Number) as [number, number, number];
    }
    if (nameLooksLikeIdentifier(column.name)) aggregates.numbersAllDistinct = Number(sums[`u${i}`] ?? 0) === numericCount;
    return aggregates;
  });

  const badNumbers = new Map<string, number>();
  const badBooleans = new Map<string, number>();
  relation.columns.forEach((column, i) => {
    if (sums[`bn${i}`] !== undefined) badNumbers.set(column.name, Number(sums[`bn${i}`]));
    if (sums[`bb${i}`] !== undefined) badBooleans.set(column.name, Number(sums[`bb${i}`]));
  });
  return { rows, columns, badNumbers, badBooleans, cellsWithQuotes: Number(sums['quotes'] ?? 0) };
}

async function firstPass(
  connection: DuckDBConnection,
  relation: Relation,
  request: AggregateRequest,
  cells: ReturnType<typeof cellSql>[],
): Promise<Row> {
  // Each cell's expressions are computed once, in a projection; the aggregates read plain columns.
  const projected: string[] = [];
  const items = ['count(*) AS rows'];
  const quartiles = (column: string) => (relation.large ? `reservoir_quantile(${column}, [0.25, 0.5, 0.75], 8192)` : `quantile_cont(${column}, [0.25, 0.5, 0.75])`);
  const quoteChecks: string[] = [];
  relation.columns.forEach((column, i) => {
    const cell = cells[i]!;
    projected.push(`${cell.missing} AS m${i}`, `${cell.number} AS x${i}`, `${cell.level} AS l${i}`);
    const x = `x${i}`;
    items.push(
      `count(*) FILTER (WHERE NOT m${i}) AS c${i}`,
      `count(${x}) AS n${i}`,
      `min(${x}) AS min${i}`,
      `max(${x}) AS max${i}`,
      `fsum(${x}) AS s${i}`,
      `fsum(${x} * ${x}) AS ss${i}`,
      `var_pop(${x}) AS v${i}`,
      `${quartiles(x)} AS q${i}`,
      `approx_count_distinct(l${i}) AS d${i}`,
    );
    // Only the identifier rule asks whether the numbers are whole and distinct.
    if (nameLooksLikeIdentifier(column.name)) items.push(`count(DISTINCT ${x}) AS u${i}`, `bool_and(${x} = trunc(${x})) AS int${i}`);
    if (request.numericChecks?.includes(column.name)) {
      items.push(`count(*) FILTER (WHERE NOT m${i} AND ${x} IS NULL) AS bn${i}`);
    }
    if (request.booleanChecks?.includes(column.name)) {
      projected.push(`${cell.boolean} AS b${i}`);
      items.push(`count(*) FILTER (WHERE NOT m${i} AND b${i} IS NULL) AS bb${i}`);
    }
    if (request.countQuotes && column.type === 'text') quoteChecks.push(`contains(l${i}, '"')`);
  });
  if (quoteChecks.length > 0) items.push(`count(*) FILTER (WHERE ${quoteChecks.join(' OR ')}) AS quotes`);
  const sql = `SELECT ${items.join(', ')} FROM (SELECT ${projected.length > 0 ? projected.join(', ') : '1 AS one'} FROM (${trimmedSelect(relation)}))`;
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJS()[0] as Row;
}

/** Level -> count for each of `columns`, in one pass (a histogram per column), without missing values. */
async function levelCounts(
  connection: DuckDBConnection,
  relation: Relation,
  columns: readonly RelationColumn[],
  missingTokens: readonly string[],
): Promise<Map<string, Map<string, number>>> {
  const found = new Map<string, Map<string, number>>(columns.map((column) => [column.name, new Map()]));
  if (columns.length === 0) return found;
  // Only columns whose distinct count was estimated small come here, so each histogram is small.
  const levels = columns.map((column, i) => `${cellSql(column, missingTokens).level} AS l${i}`);
  const sql = `SELECT ${columns.map((_, i) => `histogram(l${i}) AS h${i}`).join(', ')} FROM (SELECT ${levels.join(', ')} FROM (${trimmedSelect(relation, columns)}))`;
  const row = (await connection.runAndReadAll(sql)).getRowObjectsJS()[0] as Row | undefined;
  columns.forEach((column, i) => {
    const histogram = row?.[`h${i}`];
    if (!Array.isArray(histogram)) return;
    const counts = found.get(column.name)!;
    for (const entry of histogram as Array<{ key: unknown; value: unknown }>) {
      if (entry.key === null || entry.key === undefined) continue;
      counts.set(levelText(entry.key), Number(entry.value));
    }
  });
  return found;
}

/** The most frequent levels of one column, one past the cap so truncation shows. */
async function topLevels(connection: DuckDBConnection, relation: Relation, column: RelationColumn, missingTokens: readonly string[]): Promise<Map<string, number>> {
  const level = cellSql(column, missingTokens).level;
  const sql =
    `SELECT l, count(*) AS n FROM (SELECT ${level} AS l FROM (${trimmedSelect(relation, [column])})) WHERE l IS NOT NULL ` +
    `GROUP BY l ORDER BY n DESC, l LIMIT ${MAX_TRACKED_LEVELS + 1}`;
  const reader = await connection.runAndReadAll(sql);
  return new Map((reader.getRowObjectsJS() as Row[]).map((row) => [levelText(row['l']), Number(row['n'])]));
}

/** At most MAX_TRACKED_LEVELS levels, the most frequent kept. */
function cap(levels: Map<string, number>): Map<string, number> {
  if (levels.size <= MAX_TRACKED_LEVELS) return levels;
  const kept = [...levels].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, MAX_TRACKED_LEVELS);
  return new Map(kept);
}

/** A level as text: numbers as JavaScript writes them (1, not 1.0), so typed and CSV columns agree. */
export function levelText(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'bigint') return value.toString();
  return String(value);
}
