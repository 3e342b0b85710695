// A relation is what the engine reads: a CSV or Parquet file, or a staged query result, with
// its columns and how their values are read. Cells follow Cohort's rules whatever the source:
// text is trimmed, compared with the missing tokens, and is a number only in plain decimal
// notation (core/data/values.ts); typed numbers and booleans are taken as they are.
import { sqlName, sqlString } from './duckdb';

/** How a column's values are read: as text (CSV, text columns), typed numbers, or booleans. */
export type ValueType = 'text' | 'number' | 'boolean';

export interface RelationColumn {
  name: string;
  type: ValueType;
}

export interface Relation {
  /** A FROM item: a table function or a table. */
  from: string;
  columns: RelationColumn[];
  /** A filter every read applies (a one-column CSV's blank lines). */
  where?: string;
  /** SQL for a row's 1-based number, where the source has one (not CSV: there lines are counted by the reader). */
  rowNumber?: string;
  /** Many rows: exact quantiles would hold every value; approximate ones do not. */
  large: boolean;
}

// The same whitespace as JavaScript's String.prototype.trim.
const WHITESPACE = ' \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';
// values.ts's NUMBER, for the engine's regular expressions (RE2).
const NUMBER = '^[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?$';
const TRUE_WORDS = ['true', 'yes', 't', 'y', '1'];
const FALSE_WORDS = ['false', 'no', 'f', 'n', '0'];

/** SQL for one column's cell: missing, its number, its level, and its boolean value. */
export interface CellSql {
  /** The trimmed text (text columns), else the value. */
  value: string;
  /** TRUE when the cell is missing. */
  missing: string;
  /** The cell as a DOUBLE, or NULL when it is not a number (missing cells included). */
  number: string;
  /** The level: trimmed text, the number, or 'true' / 'false'. */
  level: string;
  /** 1 / 0 for a true / false spelling, NULL otherwise. */
  boolean: string;
}

/**
 * The expressions for `column`, reading from `inner`, a SELECT that gives the trimmed text (text
 * columns) or the value under the column's own name.
 */
export function cellSql(column: RelationColumn, missingTokens: readonly string[]): CellSql {
  const name = sqlName(column.name);
  if (column.type === 'number') {
    const missing = `(${name} IS NULL OR NOT isfinite(CAST(${name} AS DOUBLE)))`;
    return {
      value: name,
      missing,
      number: `CASE WHEN ${missing} THEN NULL ELSE CAST(${name} AS DOUBLE) END`,
      level: `CASE WHEN ${missing} THEN NULL ELSE CAST(${name} AS DOUBLE) END`,
      boolean: `CASE WHEN CAST(${name} AS DOUBLE) = 1 THEN 1 WHEN CAST(${name} AS DOUBLE) = 0 THEN 0 END`,
    };
  }
  if (column.type === 'boolean') {
    return {
      value: name,
      missing: `(${name} IS NULL)`,
      number: 'CAST(NULL AS DOUBLE)',
      level: `CASE WHEN ${name} THEN 'true' WHEN NOT ${name} THEN 'false' END`,
      boolean: `CAST(${name} AS INTEGER)`,
    };
  }
  const tokens = [...new Set(missingTokens.map((token) => token.trim().toLowerCase()))];
  // list_contains, not IN: the engine turns an IN list of five or more values into a join, per column.
  const missing = tokens.length === 0 ? 'FALSE' : `list_contains([${tokens.map(sqlString).join(', ')}], lower(${name}))`;
  const words = (list: readonly string[]) => `[${list.map(sqlString).join(', ')}]`;
  return {
    value: name,
    missing,
    number: `CASE WHEN NOT ${missing} AND regexp_full_match(${name}, ${sqlString(NUMBER)}) THEN TRY_CAST(${name} AS DOUBLE) END`,
    level: `CASE WHEN ${missing} THEN NULL ELSE ${name} END`,
    boolean: `CASE WHEN list_contains(${words(TRUE_WORDS)}, lower(${name})) THEN 1 WHEN list_contains(${words(FALSE_WORDS)}, lower(${name})) THEN 0 END`,
  };
}

/** SELECT over the relation giving each column's trimmed text (text columns) or value, by name. */
export function trimmedSelect(relation: Relation, columns: readonly RelationColumn[] = relation.columns, extra: readonly string[] = []): string {
  const items = columns.map((column) => {
    const name = sqlName(column.name);
    return column.type === 'text' ? `trim(coalesce(CAST(${name} AS VARCHAR), ''), ${sqlString(WHITESPACE)}) AS ${name}` : name;
  });
  return `SELECT ${[...items, ...extra].join(', ')} FROM ${relation.from}${relation.where ? ` WHERE ${relation.where}` : ''}`;
}

/** How the engine's column types are read. */
export function valueTypeOf(engineType: string): ValueType {
  const type = engineType.toUpperCase();
  if (type === 'BOOLEAN') return 'boolean';
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL)/.test(type)) return 'number';
  return 'text';
}
