// What a participant tells a hub when it cannot do something: a code and words that name at
// most columns, rounds and counts, never a cell value, a file path or a stack. The full error
// stays in the participant's own log and app.
import { CohortError, type ErrorCode } from '../contract/errors';

/** Errors this engine words itself for the hub: their messages carry no value and no path. */
const WORDED_FOR_THE_HUB: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'CONSENT_REQUIRED',
  'INSTRUCTION_REFUSED',
  'PLAN_MISMATCH',
  'BUDGET_SPENT',
  'TOO_FEW_ROWS',
  // Sizes and limits only: parameters, layers, rows x columns, megabytes.
  'OVER_LIMIT',
]);

const PLAIN: Partial<Record<ErrorCode, string>> = {
  FILE_NOT_FOUND: 'a data file registered for this project is missing',
  FILE_TOO_LARGE: 'a data file is larger than this participant allows',
  FEATURE_DRIFT: 'a data file no longer has the columns it was registered with',
  NOT_FOUND: 'this participant has no such data or run',
  BAD_INPUT: 'the request does not fit this participant’s records',
};

/** Marks an error as already worded for the hub (thrown by the engine itself). */
export function forTheHub(error: CohortError): CohortError {
  return Object.assign(error, { forTheHub: true });
}

export function remoteError(error: unknown): CohortError {
  if (error instanceof CohortError && (WORDED_FOR_THE_HUB.has(error.code) || (error as { forTheHub?: boolean }).forTheHub)) return error;
  if (error instanceof CohortError) {
    const drift = error.code === 'FEATURE_DRIFT' ? columnsOf(error) : '';
    const words = PLAIN[error.code] ?? 'this participant could not read its data';
    return new CohortError(error.code, `${words}${drift} (${error.code}); its data owner sees the details in their own app`);
  }
  return new CohortError('INTERNAL', 'this participant could not do this; its data owner sees the details in their own app');
}

/** Feature drift names columns (never values): those may be told. */
function columnsOf(error: CohortError): string {
  const problems = error.details['problems'];
  if (!Array.isArray(problems)) return '';
  return `: ${problems.filter((problem): problem is string => typeof problem === 'string').join('; ')}`;
}
