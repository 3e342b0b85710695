// The bounds of a numeric setting, read from the contract's zod schema, and the message shown
// when a value falls outside them. Shared by the run form's fields.

export interface Limits {
  min: number;
  max: number;
  minExclusive: boolean;
  maxExclusive: boolean;
  integer: boolean;
}

interface NumberSchema {
  minValue: number | null;
  maxValue: number | null;
  isInt: boolean;
  safeParse(value: unknown): { success: boolean };
}

/** The schema inside defaults, prefaults, optionals and nullables. */
export function unwrap(schema: unknown): NumberSchema {
  let current = schema as { unwrap?: () => unknown };
  while (typeof current.unwrap === 'function') current = current.unwrap() as { unwrap?: () => unknown };
  return current as unknown as NumberSchema;
}

export function limitsOf(schema: unknown): Limits {
  const number = unwrap(schema);
  const min = number.minValue ?? Number.MIN_SAFE_INTEGER;
  const max = number.maxValue ?? Number.MAX_SAFE_INTEGER;
  return { min, max, minExclusive: !number.safeParse(min).success, maxExclusive: !number.safeParse(max).success, integer: number.isInt };
}

function show(value: number): string {
  return value.toLocaleString('en', { maximumFractionDigits: 10 });
}

/** "A whole number from 1 to 100,000", "More than 0, at most 100". */
export function describeLimits(limits: Limits): string {
  const { min, max, minExclusive, maxExclusive, integer } = limits;
  const lower = minExclusive ? `more than ${show(min)}` : `at least ${show(min)}`;
  const upper = maxExclusive ? `less than ${show(max)}` : `at most ${show(max)}`;
  if (integer && !minExclusive && !maxExclusive) return `A whole number from ${show(min)} to ${show(max)}`;
  if (!minExclusive && !maxExclusive) return `A number from ${show(min)} to ${show(max)}`;
  const text = `${integer ? 'A whole number' : 'A number'} ${lower} and ${upper}`;
  return text;
}

export function checkNumber(value: number | string, limits: Limits): string | null {
  if (value === '' || typeof value !== 'number' || !Number.isFinite(value)) return `Enter a value: ${describeLimits(limits).toLowerCase()}`;
  const { min, max, minExclusive, maxExclusive, integer } = limits;
  const tooLow = minExclusive ? value <= min : value < min;
  const tooHigh = maxExclusive ? value >= max : value > max;
  if (tooLow || tooHigh || (integer && !Number.isInteger(value))) return `Must be ${describeLimits(limits).replace(/^A /, 'a ')}`;
  return null;
}
