import { CohortError } from '../../contract/errors';
import { slugOf } from '../../contract/ids';

/** An id from a display name: "St Olaf Hospital" -> "st-olaf-hospital". */
export function slugId(name: string): string {
  const slug = slugOf(name);
  if (!slug) throw new CohortError('VALIDATION', `name: "${name}" has no letters or digits to make an id from`);
  return slug;
}
