// The disclosure rules applied to each column of a profile, on the owner's machine, before
// anything is declared: quasi-identifiers are left out unless the owner includes them by name,
// and categories held by fewer than k rows are counted for the preview (they leave merged).
import type { ColumnProfile } from '../../contract/data';
import { quasiIdentifierReason } from './quasi-identifiers';
import { DEFAULT_MIN_CELL_COUNT } from './threshold';

export interface DisclosureChoices {
  /** Columns the owner includes although they look like quasi-identifiers. */
  include?: readonly string[];
  /** The minimum cell count k of this project (or installation). */
  minCellCount?: number;
}

/** The column with the disclosure rules applied (a new object; the input is not changed). */
export function applyColumnRules(column: ColumnProfile, isTarget: boolean, choices: DisclosureChoices = {}): ColumnProfile {
  const out: ColumnProfile = { ...column };
  const k = choices.minCellCount ?? DEFAULT_MIN_CELL_COUNT;
  if (!isTarget && !out.excluded) {
    const reason = quasiIdentifierReason(out);
    if (reason !== undefined) {
      out.quasiIdentifier = reason;
      // A note on the column's kind (e.g. "mostly numbers, but...") stays first: fixing it may settle both.
      const noted = (note: string) => (column.note === undefined ? note : `${column.note}; ${note}`);
      if (choices.include?.includes(out.name)) out.note = noted(`included by the data owner, although ${reason}`);
      else {
        out.excluded = true;
        out.note = noted(`left out because ${reason}; include it by name if the study needs it`);
      }
    }
  }
  if (!isTarget && !out.excluded && out.kind === 'categorical' && out.levels) {
    let levels = 0;
    let rows = 0;
    for (const count of Object.values(out.levels)) {
      if (count > 0 && count < k) {
        levels += 1;
        rows += count;
      }
    }
    if (levels > 0) out.rareLevels = { levels, rows };
  }
  return out;
}
