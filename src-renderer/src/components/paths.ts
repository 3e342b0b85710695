// Local paths as the app prints them. The renderer has no path module, and the app may run on
// Windows or elsewhere: these follow the separator the path already uses.

/** The last part of a path: "/data/hospital/train.csv" -> "train.csv". */
export const fileName = (path: string): string => path.split(/[/\\]/).at(-1) ?? path;

/** A path inside a folder, with the folder's own separator ("\\" for "C:\\cohort", "/" otherwise). */
export function joinPath(folder: string, ...parts: string[]): string {
  const separator = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  return [folder.replace(/[/\\]+$/, ''), ...parts].join(separator);
}
