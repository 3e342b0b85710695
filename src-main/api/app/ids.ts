import { CohortError } from '../../contract/errors';

/** An id from a display name: "St Olaf Hospital" -> "st-olaf-hospital". */
export function slugId(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  if (!slug) throw new CohortError('VALIDATION', `name: "${name}" has no letters or digits to make an id from`);
  return slug;
}
