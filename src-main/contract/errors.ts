// Error codes shared by every boundary (CLI, IPC, WebSocket). A code says what kind of
// failure it is; the message says, for a person, exactly what went wrong and where.

export const ERROR_CODES = [
  // data files
  'FILE_NOT_FOUND',
  'FILE_EMPTY',
  'FILE_TOO_LARGE',
  'NO_HEADER',
  'EMPTY_COLUMN_NAME',
  'DUPLICATE_COLUMN',
  'RAGGED_ROW',
  'CSV_SYNTAX',
  'INVALID_UTF8',
  'NOT_NUMERIC',
  'NOT_BOOLEAN',
  'TARGET_MISSING',
  'NO_ROWS',
  // databases
  'QUERY_FAILED',
  'CANCELLED',
  'SECRET_LOCKED',
  // alignment
  'ALIGNMENT_FAILED',
  'FEATURE_DRIFT',
  // metadata store
  'VALIDATION',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'REFERENCE',
  'HAS_DEPENDENTS',
  'STORE_CORRUPT',
  'STORE_TOO_NEW',
  'STORE_LOCKED',
  // joining and consent
  'INVITATION_INVALID',
  'CONSENT_REQUIRED',
  // the data owner's rules, enforced by its worker
  'TOO_FEW_ROWS',
  'PLAN_MISMATCH',
  'INSTRUCTION_REFUSED',
  'BUDGET_SPENT',
  // a model or data set over what this party builds or trains on (its memory, its limits)
  'OVER_LIMIT',
  // network: an HTTP proxy between a participant and its hub said no, or could not be reached
  'PROXY_REFUSED',
  // generic
  'BAD_INPUT',
  'RUN_FAILED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** An expected failure with a stable code and a message meant for the person reading it. */
export class CohortError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'CohortError';
    this.code = code;
    this.details = details;
  }
}

/** Where in a data file a problem sits. Lines and columns are 1-based, as editors show them. */
export interface FileLocation {
  file: string;
  line?: number;
  /** 1-based row of a table (Parquet, a query's result), where there are no lines to count. */
  row?: number;
  column?: number;
  columnName?: string;
}

/** A problem in a data file, located as precisely as the reader can. */
export class DataFileError extends CohortError {
  readonly location: FileLocation;

  constructor(code: ErrorCode, location: FileLocation, problem: string) {
    super(code, `${describeLocation(location)}: ${problem}`, { ...location });
    this.name = 'DataFileError';
    this.location = location;
  }
}

export function describeLocation(location: FileLocation): string {
  const parts = [location.file];
  if (location.line !== undefined) parts.push(`line ${location.line}`);
  if (location.row !== undefined) parts.push(`row ${location.row}`);
  if (location.column !== undefined) {
    const name = location.columnName === undefined ? '' : ` ("${location.columnName}")`;
    parts.push(`column ${location.column}${name}`);
  }
  return parts.join(', ');
}
