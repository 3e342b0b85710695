// The first rows of a relation as its owner sees them before registering it: the cells as text,
// untrimmed (a CSV file's own text; typed values as JavaScript writes them).
import type { DuckDBConnection } from '@duckdb/node-api';
import { levelText } from './aggregate';
import { sqlName } from './duckdb';
import type { Relation } from './relation';

export interface Preview {
  header: string[];
  rows: string[][];
}

export async function previewRelation(connection: DuckDBConnection, relation: Relation, count: number): Promise<Preview> {
  const names = relation.columns.map((column) => sqlName(column.name));
  const limit = Math.max(0, Math.floor(count));
  const sql = `SELECT ${names.length > 0 ? names.join(', ') : '1'} FROM ${relation.from}${relation.where ? ` WHERE ${relation.where}` : ''} LIMIT ${limit}`;
  const reader = await connection.runAndReadAll(sql);
  const rows = (reader.getRowsJS() as unknown[][]).map((row) => row.map((cell) => (cell === null || cell === undefined ? '' : cellText(cell))));
  return { header: relation.columns.map((column) => column.name), rows };
}

function cellText(cell: unknown): string {
  if (cell instanceof Date) return cell.toISOString();
  return levelText(cell);
}
