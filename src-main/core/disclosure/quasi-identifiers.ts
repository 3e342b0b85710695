// Columns that can single out a patient without being an id: names, contact details, dates,
// postcodes, free text, and categories so many that most of them describe one or two rows.
// They are left out of the features by default, with the reason shown to the data owner, who
// alone may include one explicitly. Inspired by DataSHIELD's nfilter.levels.max (at most a
// third as many levels as rows) and the usual lists of direct and indirect identifiers.
import type { ColumnProfile } from '../../contract/data';

// Person names, contact details, addresses and national numbers, by column name. Anchored so
// that "drug_name" or "ward" are not caught: only a person's name parts count as names.
const IDENTIFYING_NAMES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(patient|person|first|last|given|family|middle|maiden|full|mother'?s?|father'?s?|sur|fore|pre|nick)?[\s._-]?(name|names)$/i, 'a person’s name'],
  [/(^|[\s._-])(e[\s._-]?mail|email[\s._-]?address)$/i, 'an e-mail address'],
  [/(^|[\s._-])(phone|telephone|tel|mobile|fax)([\s._-]?(number|no|nr))?$/i, 'a telephone number'],
  [/(^|[\s._-])(address|street|house[\s._-]?number)([\s._-]?(line)?[\s._-]?\d*)$/i, 'an address'],
  [/(^|[\s._-])(post[\s._-]?code|postal[\s._-]?code|zip|zip[\s._-]?code)$/i, 'a postcode'],
  [/^(dob|d\.o\.b\.?|birth[\s._-]?date|date[\s._-]?of[\s._-]?birth|birth[\s._-]?day|birthday)$/i, 'a date of birth'],
  [/(^|[\s._-])(ssn|nhs[\s._-]?(number|no)?|social[\s._-]?security([\s._-]?number)?|national[\s._-]?id|passport([\s._-]?number)?|insurance[\s._-]?number|bsn|nir|chi[\s._-]?number)$/i, 'a national or insurance number'],
  [/(^|[\s._-])(ip|ip[\s._-]?address|mac[\s._-]?address|device[\s._-]?id|url|licen[cs]e[\s._-]?plate)$/i, 'a device or network identifier'],
];

// Dates with or without a time: 2024-03-01, 01/03/2024, 1.3.2024, 2024-03-01T10:00.
const DATE = /^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
// UK postcodes (SW1A 1AA), US ZIP+4 (12345-6789), Dutch (1234 AB), Canadian (K1A 0B1).
const POSTCODE = /^([A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|\d{5}-\d{4}|\d{4} ?[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d)$/i;

/** Beyond a third as many distinct values as rows, a column is not a set of categories. */
export const MAX_LEVEL_DENSITY = 1 / 3;
/** Columns with at most this many levels are categories whatever the file's size. */
const FEW_LEVELS = 10;
/** Most values different: half or more of the values are distinct. */
const MOSTLY_UNIQUE = 0.5;
/** Text this long on average, or of this many words, is free text. */
const FREE_TEXT_LENGTH = 30;
const FREE_TEXT_WORDS = 4;
/** Share of the distinct values that must look like dates or postcodes. */
const PATTERN_SHARE = 0.8;

/**
 * Why a column looks like a quasi-identifier, in plain words, or undefined. Identifier and
 * empty columns are left out already. For a target (`target`), only what its values are
 * (names, dates, postcodes, free text) counts, not how many classes it has.
 */
export function quasiIdentifierReason(column: ColumnProfile, options: { target?: boolean } = {}): string | undefined {
  if (column.kind === 'identifier' || column.kind === 'empty' || column.kind === 'boolean') return undefined;
  const byName = IDENTIFYING_NAMES.find(([pattern]) => pattern.test(column.name.trim()));
  if (byName) return `its name says it holds ${byName[1]}`;
  if (column.kind !== 'categorical') return undefined;

  const levels = Object.keys(column.levels ?? {});
  if (levels.length > 0) {
    if (share(levels, (level) => DATE.test(level)) >= PATTERN_SHARE) return 'it holds dates, which can identify patients (birth, admission, death)';
    if (share(levels, (level) => POSTCODE.test(level)) >= PATTERN_SHARE) return 'it holds postcodes, which locate patients';
    const meanLength = levels.reduce((total, level) => total + level.length, 0) / levels.length;
    const wordy = share(levels, (level) => level.split(/\s+/).filter(Boolean).length >= FREE_TEXT_WORDS);
    if (meanLength >= FREE_TEXT_LENGTH || wordy >= 0.5) return 'it holds free text, which can name or describe a patient';
  }
  // A target's many classes are the study's design, not a sign of identifying values.
  if (options.target) return undefined;
  const distinct = column.levelsTruncated ? Math.max(column.distinct, column.count) : column.distinct;
  if (column.count >= 20 && distinct >= MOSTLY_UNIQUE * column.count) {
    return `most of its values are different (${column.levelsTruncated ? 'over ' : ''}${column.distinct} distinct in ${column.count} rows): they single patients out`;
  }
  if (distinct > FEW_LEVELS && distinct > MAX_LEVEL_DENSITY * column.count) {
    return `it has ${column.distinct} distinct values for ${column.count} rows (more than a third): too many to be categories`;
  }
  return undefined;
}

function share(values: readonly string[], test: (value: string) => boolean): number {
  let hits = 0;
  for (const value of values) if (test(value.trim())) hits += 1;
  return hits / values.length;
}
