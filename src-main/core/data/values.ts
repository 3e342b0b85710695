// How a single CSV cell is read: missing, a number, a boolean, or a category level.

/** Cells that mean "no value" (compared after trimming, case-insensitively). */
export const DEFAULT_MISSING_TOKENS: readonly string[] = ['', 'NA', 'NaN', '?', 'null'];

export function missingMatcher(tokens: readonly string[] = DEFAULT_MISSING_TOKENS): (cell: string) => boolean {
  const set = new Set(tokens.map((token) => token.trim().toLowerCase()));
  return (cell) => set.has(cell.trim().toLowerCase());
}

// Plain decimal notation only: "1,5", "0x1A", "Infinity" and "1 000" are not numbers here,
// because Number() would accept some of them and silently change their meaning.
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The cell as a finite number, or undefined when it is not plain decimal notation. */
export function parseNumber(cell: string): number | undefined {
  const text = cell.trim();
  if (!NUMBER.test(text)) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

/** Pairs of spellings read as booleans: [true, false]. */
const BOOLEAN_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ['true', 'false'],
  ['yes', 'no'],
  ['t', 'f'],
  ['y', 'n'],
  ['1', '0'],
];

const TRUE_WORDS = new Set(BOOLEAN_PAIRS.map(([yes]) => yes));
const FALSE_WORDS = new Set(BOOLEAN_PAIRS.map(([, no]) => no));

/** 1 for a true spelling, 0 for a false one, undefined otherwise. */
export function parseBoolean(cell: string): 0 | 1 | undefined {
  const text = cell.trim().toLowerCase();
  if (TRUE_WORDS.has(text)) return 1;
  if (FALSE_WORDS.has(text)) return 0;
  return undefined;
}

/**
 * Whether a set of distinct levels reads as a boolean column: all of them spell one true/false
 * pair. A lone word ("yes") counts; a lone "1" or "0" is just a constant number.
 */
export function looksBoolean(levels: Iterable<string>): boolean {
  const lowered = new Set([...levels].map((level) => level.trim().toLowerCase()));
  if (lowered.size === 0 || lowered.size > 2) return false;
  return BOOLEAN_PAIRS.some(([yes, no]) => {
    for (const level of lowered) if (level !== yes && level !== no) return false;
    return lowered.size === 2 || yes !== '1';
  });
}

/**
 * A deterministic order for levels and labels that does not depend on the machine's locale:
 * numerically when both look like numbers, else by UTF-16 code units.
 */
export function compareLevels(a: string, b: string): number {
  const x = parseNumber(a);
  const y = parseNumber(b);
  if (x !== undefined && y !== undefined && x !== y) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortLevels(levels: Iterable<string>): string[] {
  return [...levels].sort(compareLevels);
}
