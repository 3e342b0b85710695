// The engines of the desktop app, in an Electron utility process: the main process only relays
// between the window and this process, so training, sockets and files never block the UI.
/// <reference types="electron" />
import { startAppHost } from '../api/app/app-host';
import { createLog } from '../api/log';
import { BridgeRequest } from '../contract/bridge';
import { parseShellOptions } from './options';
import { KeychainSecretBox } from './secret-box';

const options = parseShellOptions(process.argv);
// Electron gives a utility process a port to its parent.
const port = process.parentPort;

// Database passwords are sealed by the OS keychain, through the main process.
const secrets = new KeychainSecretBox((message) => port.postMessage(message));
port.on('message', (message) => secrets.receive(message.data));

const host = await startAppHost({
  secrets,
  dataDir: options.dataDir!,
  role: options.role,
  transport: 'electron',
  hub: { host: options.hubHost, port: options.hubPort, ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}) },
  log: createLog(`app-${options.role}`, { pretty: false }),
});

host.onEvent((event) => port.postMessage({ event }));
port.on('message', (message) => {
  const request = BridgeRequest.safeParse(message.data);
  if (!request.success) return;
  void host.dispatch(request.data.command, request.data.input).then((result) => port.postMessage({ id: request.data.id, result }));
});
port.postMessage({ ready: true });
