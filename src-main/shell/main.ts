// The Electron main process: windows, the app:// protocol, and a relay between the window and
// the engines (which run in a utility process). Kept thin and locked down, following Electron's
// security checklist: context isolation, sandbox, no Node in the renderer, a strict CSP, no
// permissions, no new windows, no navigation away, a custom protocol instead of file://, and
// IPC accepted only from our own page.
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, type IpcMainInvokeEvent } from 'electron';
import { dialogFor } from './dialogs';
import { HostProcess } from './host-relay';
import { devRendererUrl } from './renderer-url';
import { parseShellOptions, toArgs } from './options';

const SCHEME = 'app';
const ORIGIN = `${SCHEME}://cohort`;
const RENDERER_DIR = join(__dirname, '..', 'renderer');
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

let window: BrowserWindow | undefined;
let host: HostProcess | undefined;

/** Serves the built renderer from app://cohort/..., never a file outside it. */
async function serveRenderer(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  const file = normalize(join(RENDERER_DIR, decodeURIComponent(pathname === '/' ? '/index.html' : pathname)));
  if (!file.startsWith(RENDERER_DIR + sep)) return new Response('Not found', { status: 404 });
  const response = await net.fetch(pathToFileURL(file).toString());
  const headers = new Headers(response.headers);
  headers.set('Content-Security-Policy', CSP);
  headers.set('X-Content-Type-Options', 'nosniff');
  return new Response(response.body, { status: response.status, headers });
}

/** The dev server's origin while developing; never in a packaged build (renderer-url.ts). */
const devUrl = devRendererUrl(app.isPackaged, process.env);

/** IPC is answered only for our own page in our own window. */
function fromOurPage(event: IpcMainInvokeEvent): boolean {
  const url = event.senderFrame?.url ?? '';
  return event.sender === window?.webContents && (url.startsWith(`${ORIGIN}/`) || (devUrl !== undefined && url.startsWith(`${devUrl}/`)));
}

function createWindow(): void {
  window = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 960,
    minHeight: 640,
    show: false,
    title: 'Cohort',
    webPreferences: {
      preload: join(__dirname, '..', 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window?.show());
  window.on('closed', () => (window = undefined));
  void window.loadURL(devUrl ? `${devUrl}/` : `${ORIGIN}/index.html`);
}

function lockDown(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event, url) => {
      if (!url.startsWith(`${ORIGIN}/`)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
}

async function start(): Promise<void> {
  const options = parseShellOptions(process.argv);
  const dataDir = options.dataDir ?? app.getPath('userData');
  lockDown();
  protocol.handle(SCHEME, serveRenderer);
  host = await HostProcess.start(join(__dirname, 'app-host.js'), toArgs({ ...options, dataDir }));
  host.onEvent((event) => window?.webContents.send('cohort:event', event));
  ipcMain.handle('cohort:invoke', (event, command: unknown, input: unknown) => {
    if (!fromOurPage(event)) return { ok: false, error: { code: 'BAD_INPUT', message: 'refused: not the Cohort window' } };
    if (typeof command !== 'string') return { ok: false, error: { code: 'BAD_INPUT', message: 'a command name is required' } };
    return host!.request(command, input);
  });
  ipcMain.handle('cohort:choose-path', async (event, request: unknown) => {
    if (!fromOurPage(event) || !window) return null;
    const plan = dialogFor(request);
    if (!plan) return null;
    if (plan.kind === 'open') {
      const chosen = await dialog.showOpenDialog(window, plan.options);
      return chosen.canceled ? null : (chosen.filePaths[0] ?? null);
    }
    const chosen = await dialog.showSaveDialog(window, plan.options);
    return chosen.canceled ? null : (chosen.filePath || null);
  });
  createWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (window?.isMinimized()) window.restore();
    window?.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', () => host?.stop());
  void app.whenReady().then(start);
}
