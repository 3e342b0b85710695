// The breast-cancer demo as three hospitals' tables in PostgreSQL: each hospital's train and
// evaluate CSV loaded as hospital_a_train, hospital_a_evaluate, …, numbers as double precision.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type pg from 'pg';
import { DEMO_DATA } from './cli';

export const DEMO_HOSPITALS = ['hospital-a', 'hospital-b', 'hospital-c'] as const;

export function demoTable(hospital: string, kind: 'train' | 'evaluate'): string {
  return `${hospital.replace('-', '_')}_${kind}`;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Creates and fills the tables; returns their names. */
export async function loadDemoTables(client: pg.Client): Promise<string[]> {
  const tables: string[] = [];
  for (const hospital of DEMO_HOSPITALS) {
    for (const kind of ['train', 'evaluate'] as const) {
      const [header, ...rows] = parse(await readFile(join(DEMO_DATA, hospital, `${kind}.csv`), 'utf8')) as string[][];
      const table = demoTable(hospital, kind);
      const types = header!.map((name) => (name === 'diagnosis' ? 'text' : 'double precision'));
      await client.query(`CREATE TABLE ${table} (${header!.map((name, i) => `${quote(name)} ${types[i]}`).join(', ')})`);
      for (const row of rows) {
        await client.query(
          `INSERT INTO ${table} VALUES (${row.map((_, i) => `$${i + 1}`).join(', ')})`,
          row.map((cell, i) => (types[i] === 'text' ? cell : Number(cell))),
        );
      }
      tables.push(table);
    }
  }
  return tables;
}
