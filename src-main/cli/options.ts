// Parsers for option values, so a bad value fails with a message naming the option.
import { InvalidArgumentError } from 'commander';
import { MinCellCount } from '../contract/api';
import { ColumnKind } from '../contract/records';
import type { ColumnOverrides } from '../core/data/profile';

const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb)?$/i;
const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

/** "500MB", "2GB", "1048576" -> bytes. */
export function parseSize(value: string): number {
  const match = SIZE.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected a size such as 500MB or 2GB');
  return Math.round(Number(match[1]) * UNITS[(match[2] ?? 'b').toLowerCase()]!);
}

/** Collects a repeatable option into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** "age=numeric" -> ["age", "numeric"], for --kind. */
export function parseKind(value: string, previous: Array<[string, string]> = []): Array<[string, string]> {
  const at = value.lastIndexOf('=');
  const name = value.slice(0, at);
  const kind = value.slice(at + 1);
  if (at <= 0 || !ColumnKind.safeParse(kind).success) {
    throw new InvalidArgumentError(`expected COLUMN=KIND with KIND one of ${ColumnKind.options.join(', ')}`);
  }
  return [...previous, [name, kind]];
}

export function overridesFrom(options: { kind?: Array<[string, string]>; exclude?: string[]; include?: string[]; minCellCount?: number }): ColumnOverrides {
  const kinds: NonNullable<ColumnOverrides['kinds']> = {};
  for (const [name, kind] of options.kind ?? []) kinds[name] = ColumnKind.parse(kind);
  return {
    kinds,
    exclude: options.exclude ?? [],
    ...(options.include === undefined ? {} : { include: options.include }),
    ...(options.minCellCount === undefined ? {} : { minCellCount: options.minCellCount }),
  };
}

/** --min-cell-count: k as the owner's settings accept it (a whole number from 2 to 1000). */
export function parseMinCellCount(value: string): number {
  const parsed = MinCellCount.safeParse(Number(value));
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues.map((issue) => issue.message).join('; '));
  return parsed.data;
}

export function parseMissing(value: string): string[] {
  return value.split(',');
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return port;
}
