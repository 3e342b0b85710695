// Where a party keeps its data by default: the same folder Electron's app.getPath('userData')
// gives the desktop app, so the app and the command line share one store.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const PRODUCT_NAME = 'Cohort';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env['COHORT_DATA_DIR']) return env['COHORT_DATA_DIR'];
  const home = homedir();
  if (platform === 'win32') return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), PRODUCT_NAME);
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', PRODUCT_NAME);
  return join(env['XDG_CONFIG_HOME'] ?? join(home, '.config'), PRODUCT_NAME);
}
