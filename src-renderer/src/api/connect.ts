// Finds how this page reaches the app: Electron's preload, or browser mode's WebSocket. In
// browser mode the per-launch token arrives in the URL's fragment (never sent to a server);
// it is moved to session storage and the fragment cleared, so it does not linger in the URL.
import { ApiClient } from './client';
import { createElectronTransport, electronPreload } from './electron-transport';
import { createWebSocketTransport, type SocketLike } from './ws-transport';

const TOKEN_KEY = 'cohort.token';
const API_KEY = 'cohort.api';

export interface Connection {
  client: ApiClient;
  /** Browser mode without a token: the page was opened without the printed link. */
  missingToken: boolean;
}

export function connect(): Connection {
  const preload = electronPreload();
  if (preload) return { client: new ApiClient(createElectronTransport(preload)), missingToken: false };

  // The printed link ends in #token=...[&api=ws://... in development]; routes use #/...
  const fragment = window.location.hash.slice(1);
  if (fragment.startsWith('token=')) {
    const params = new URLSearchParams(fragment);
    sessionStorage.setItem(TOKEN_KEY, params.get('token') ?? '');
    const api = params.get('api');
    if (api) sessionStorage.setItem(API_KEY, api);
    window.history.replaceState(null, '', `${window.location.pathname}#/`);
  }
  const token = sessionStorage.getItem(TOKEN_KEY) ?? '';
  const wsOrigin = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}`;
  const api = sessionStorage.getItem(API_KEY) ?? `${wsOrigin}/api`;
  const transport = createWebSocketTransport(`${api}?token=${encodeURIComponent(token)}`, (url) => new WebSocket(url) as unknown as SocketLike);
  return { client: new ApiClient(transport), missingToken: token === '' };
}
