// `cohort app` (what `npm start` runs): the desktop app when the Electron runtime is installed,
// otherwise the same UI served to a browser on 127.0.0.1, with the engines in this process.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Command, Option } from 'commander';
import { CohortError } from '../../contract/errors';
import { defaultDataDir } from '../../api/app-paths';
import { startAppHost } from '../../api/app/app-host';
import { startBrowserHost } from '../../api/browser-host';
import { createLog } from '../../api/log';
import { projectRoot } from '../../api/project-root';
import { integer } from '../flags';
import { parsePort } from '../options';
import { style } from '../output';

const PROJECT_ROOT = projectRoot();

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

interface AppFlags {
  browser?: boolean;
  port?: number;
  dataDir: string;
  role: 'participant' | 'orchestrator';
  hubPort: number;
  hubHost: string;
  publicUrl?: string;
  dev?: boolean;
}

export function appCommand(): Command {
  return new Command('app')
    .description('start the Cohort app: the desktop window, or browser mode where Electron is not installed')
    .option('--browser', 'serve the UI to a browser even if Electron is available')
    .addOption(new Option('--role <role>', 'how this installation is used').choices(['participant', 'orchestrator']).default('participant'))
    .option('--data-dir <dir>', 'where this party keeps its data', defaultDataDir())
    .option('--port <port>', 'browser mode: the UI port on 127.0.0.1 (default: any free port)', parsePort)
    .option('--hub-port <port>', 'orchestrator: the port participants connect to', integer(), 7800)
    .option('--hub-host <host>', 'orchestrator: the address participants connect to (0.0.0.0 for other machines)', '127.0.0.1')
    .option('--public-url <url>', 'orchestrator: the hub address written into invitations (default: where it listens)')
    .option('--dev', 'development: the renderer from a Vite dev server with hot reload')
    .action(async (flags: AppFlags) => {
      const electron = flags.browser ? undefined : electronBinary();
      const hasDisplay = process.platform !== 'linux' || Boolean(process.env['DISPLAY'] ?? process.env['WAYLAND_DISPLAY']);
      if (flags.dev && electron && hasDisplay) {
        // electron-vite runs the renderer's dev server and restarts main on changes.
        const child = spawn(process.execPath, [join(PROJECT_ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'dev', '--', `--role=${flags.role}`, `--data-dir=${flags.dataDir}`], {
          stdio: 'inherit',
          cwd: PROJECT_ROOT,
        });
        process.exitCode = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
        return;
      }
      if (electron && hasDisplay) {
        const args = [PROJECT_ROOT, `--role=${flags.role}`, `--data-dir=${flags.dataDir}`, `--hub-port=${flags.hubPort}`, `--hub-host=${flags.hubHost}`];
        if (flags.publicUrl) args.push(`--public-url=${flags.publicUrl}`);
        const child = spawn(electron, args, { stdio: 'inherit' });
        process.exitCode = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
        return;
      }
      const root = join(PROJECT_ROOT, 'out', 'renderer');
      if (!flags.dev && !existsSync(join(root, 'index.html'))) {
        throw new CohortError('FILE_NOT_FOUND', `the UI is not built (${root} is missing); run "npm run build" or "npm start"`);
      }
      const log = createLog(`app-${flags.role}`);
      const app = await startAppHost({
        dataDir: flags.dataDir,
        role: flags.role,
        transport: 'browser',
        hub: { host: flags.hubHost, port: flags.hubPort, ...(flags.publicUrl ? { publicUrl: flags.publicUrl } : {}) },
        log,
      });
      const token = randomBytes(24).toString('base64url');
      const devServer = flags.dev ? await startRendererDevServer() : undefined;
      const host = await startBrowserHost({
        root,
        ...(flags.port === undefined ? {} : { port: flags.port }),
        api: {
          endpoint: app,
          token,
          ...(devServer ? { extraOrigins: [devServer.origin] } : {}),
          onRefused: (reason) => log.warn(reason),
        },
      });
      const why = electron ? 'no display found' : 'the Electron runtime is not installed';
      const apiUrl = `${host.url.replace(/^http/, 'ws')}api`;
      const url = devServer ? `${devServer.origin}/#token=${token}&api=${encodeURIComponent(apiUrl)}` : `${host.url}#token=${token}`;
      console.log(`${style.heading(`Cohort (${flags.role}) is running in browser mode`)} (${why}).`);
      if (app.hub) console.log(`Participants connect to ${style.ok(app.hub.publicUrl)}.`);
      console.log(`Open ${style.ok(url)} in a browser. Data directory: ${flags.dataDir}. Press Ctrl+C to stop.`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await host.close();
      await devServer?.close();
      await app.close();
    });
}

/** The renderer from Vite's dev server (hot reload), for `npm run dev` in browser mode. */
async function startRendererDevServer(): Promise<{ origin: string; close(): Promise<void> }> {
  const [{ createServer }, { default: react }] = await Promise.all([import('vite'), import('@vitejs/plugin-react')]);
  const server = await createServer({
    configFile: false,
    root: join(PROJECT_ROOT, 'src-renderer'),
    // React's hot-reload preamble is an inline script, which the page's CSP (kept strict for the
    // built app) would refuse: drop the meta CSP from the dev server's page only.
    plugins: [react(), { name: 'cohort-dev-csp', transformIndexHtml: (html: string) => html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\s*/, '') }],
    server: { host: '127.0.0.1', port: 5173, strictPort: false },
    logLevel: 'warn',
  });
  await server.listen();
  const address = server.resolvedUrls?.local[0] ?? 'http://127.0.0.1:5173/';
  return { origin: new URL(address).origin, close: () => server.close() };
}
