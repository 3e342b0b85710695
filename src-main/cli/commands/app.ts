// `cohort app` (what `npm start` runs): the desktop app when the Electron runtime is installed,
// otherwise the same UI served to a browser on 127.0.0.1.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { CohortError } from '../../contract/errors';
import { defaultDataDir } from '../../api/app-paths';
import { startBrowserHost } from '../../api/browser-host';
import { parsePort } from '../options';
import { style } from '../output';

const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The Electron binary when the `electron` package finished installing it, else undefined. */
export function electronBinary(): string | undefined {
  try {
    const packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = join(packageDir, 'path.txt');
    if (!existsSync(pathFile)) return undefined;
    const binary = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

export function appCommand(): Command {
  return new Command('app')
    .description('start the Cohort app: the desktop window, or browser mode where Electron is not installed')
    .option('--browser', 'serve the UI to a browser even if Electron is available')
    .option('--port <port>', 'browser mode: port on 127.0.0.1 (default: any free port)', parsePort)
    .option('--data-dir <dir>', 'where this party keeps its data', defaultDataDir())
    .addOption(new Option('--role <role>', 'how this installation is used').choices(['participant', 'orchestrator']).default('participant'))
    .action(async (flags: { browser?: boolean; port?: number; dataDir: string; role: string }) => {
      const electron = flags.browser ? undefined : electronBinary();
      const hasDisplay = process.platform !== 'linux' || Boolean(process.env['DISPLAY'] ?? process.env['WAYLAND_DISPLAY']);
      if (electron && hasDisplay) {
        const child = spawn(electron, [PROJECT_ROOT, `--data-dir=${flags.dataDir}`, `--role=${flags.role}`], { stdio: 'inherit' });
        process.exitCode = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
        return;
      }
      const root = join(PROJECT_ROOT, 'out', 'renderer');
      if (!existsSync(join(root, 'index.html'))) {
        throw new CohortError('FILE_NOT_FOUND', `the UI is not built (${root} is missing); run "npm run build" or "npm start"`);
      }
      const host = await startBrowserHost({ root, ...(flags.port === undefined ? {} : { port: flags.port }) });
      const why = electron ? 'no display found' : 'the Electron runtime is not installed';
      console.log(`${style.heading('Cohort is running in browser mode')} (${why}).`);
      console.log(`Open ${style.ok(host.url)} in a browser. Data directory: ${flags.dataDir}. Press Ctrl+C to stop.`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await host.close();
    });
}
