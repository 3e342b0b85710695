// How the app makes an id from a display name. Shared with the UI, which shows the id a name will
// get ("St Olaf Hospital" -> "st-olaf-hospital") before the app makes it.

/** The id a name gives: lower-case ASCII letters and digits joined by dashes; '' if it has none. */
export function slugOf(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}
