// Dialling a TLS endpoint through a real HTTP CONNECT proxy (Debian's tinyproxy, started here on
// a private port), and every way a proxy can say no, each with its own message.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { createSelfSignedCertificate, type TlsMaterial } from '../../../src-main/protocol/certificates';
import { ProxyError, type ProxyChoice } from '../../../src-main/protocol/proxy';
import { CertificateMismatchError, dial, listen, type Listener } from '../../../src-main/protocol/transport';
import { freePort, hasTinyproxy, startTinyproxy, type Tinyproxy } from '../../support/tinyproxy';

const available = hasTinyproxy();
if (!available) console.warn('\n*** tinyproxy is not installed (apt-get install tinyproxy): the proxy tests are SKIPPED ***\n');

const setting = (url: string): ProxyChoice => ({ url, from: 'setting' });

let tls: TlsMaterial;
let endpoint: Listener;
const sockets: WebSocket[] = [];

beforeAll(async () => {
  tls = await createSelfSignedCertificate({ commonName: 'proxy test hub', hosts: ['127.0.0.1'] });
  endpoint = await listen({ host: '127.0.0.1', port: 0, tls: { cert: tls.cert, key: tls.key } }, (socket) => socket.on('message', (data) => socket.send(data)));
});
afterAll(async () => {
  await endpoint?.close();
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.terminate();
});

async function echoThrough(proxy: ProxyChoice): Promise<string> {
  const socket = await dial(endpoint.url, { certificate: tls.fingerprint, proxy, timeoutMs: 5_000 });
  sockets.push(socket);
  const reply = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
  socket.resume();
  socket.send('hello through the tunnel');
  return reply;
}

async function dialError(proxy: ProxyChoice, options: { timeoutMs?: number; certificate?: string } = {}): Promise<Error> {
  const error = await dial(endpoint.url, { certificate: options.certificate ?? tls.fingerprint, proxy, timeoutMs: options.timeoutMs ?? 5_000 }).then(
    (socket) => {
      sockets.push(socket);
      throw new Error('the dial should have failed');
    },
    (reason: Error) => reason,
  );
  return error;
}

describe.skipIf(!available)('through tinyproxy', () => {
  let open: Tinyproxy;
  let guarded: Tinyproxy;
  let portLimited: Tinyproxy;
  beforeAll(async () => {
    [open, guarded, portLimited] = await Promise.all([startTinyproxy(), startTinyproxy({ auth: { user: 'cohort', password: 's3cret' } }), startTinyproxy({ connectPorts: [443] })]);
  });
  afterAll(async () => {
    await Promise.all([open?.stop(), guarded?.stop(), portLimited?.stop()]);
  });

  it('opens a CONNECT tunnel and runs TLS to the pinned endpoint inside it', async () => {
    expect(await echoThrough(setting(open.url))).toBe('hello through the tunnel');
    // The proxy saw a tunnel to the endpoint, and nothing else.
    expect(await open.log()).toMatch(new RegExp(`CONNECT 127\\.0\\.0\\.1:${endpoint.port}`));
  });

  it('checks the pin inside the tunnel exactly as on a direct connection', async () => {
    const wrong = tls.fingerprint.replace(/^../, tls.fingerprint.startsWith('00') ? '11' : '00');
    const error = await dialError(setting(open.url), { certificate: wrong });
    expect(error).toBeInstanceOf(CertificateMismatchError);
  });

  it('sends Basic credentials from the URL', async () => {
    expect(await echoThrough(setting(`http://cohort:s3cret@127.0.0.1:${guarded.port}`))).toBe('hello through the tunnel');
  });

  it('says the proxy asks for credentials when none are given', async () => {
    const error = await dialError(setting(guarded.url));
    expect(error).toBeInstanceOf(ProxyError);
    expect(error.message).toBe(
      `the proxy at http://127.0.0.1:${guarded.port} asks for credentials (407 Proxy Authentication Required): give them in the proxy setting, as http://user:password@host:port`,
    );
    expect((error as ProxyError).permanent).toBe(true);
  });

  it('says the proxy refused the credentials, without showing the password', async () => {
    const error = await dialError(setting(`http://cohort:wrong@127.0.0.1:${guarded.port}`));
    // tinyproxy answers wrong credentials with 401 rather than 407; both mean the same here.
    expect(error.message).toMatch(
      new RegExp(`^the proxy at http://cohort:\\*\\*\\*@127\\.0\\.0\\.1:${guarded.port} refused the credentials \\(40[17] [A-Za-z ]+\\): check the user name and password in the proxy setting$`),
    );
    expect((error as ProxyError).permanent).toBe(true);
    expect(error.message).not.toContain('wrong');
  });

  it('says the proxy does not allow the destination (403)', async () => {
    const error = await dialError(setting(portLimited.url));
    expect(error.message).toMatch(new RegExp(`^the proxy at http://127\\.0\\.0\\.1:${portLimited.port} refused to open a tunnel to 127\\.0\\.0\\.1:${endpoint.port} \\(403 [^)]*\\): its rules do not allow this address or port`));
    expect((error as ProxyError).permanent).toBe(true);
  });
});

describe('proxies that cannot help', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  /** A fake proxy on 127.0.0.1 that answers every CONNECT with `answer` (or never, if null). */
  async function fakeProxy(answer: string | null): Promise<string> {
    const held: Socket[] = [];
    const server = createServer((socket) => {
      held.push(socket);
      socket.once('data', () => {
        if (answer !== null) socket.end(answer);
      });
    });
    server.on('close', () => held.forEach((socket) => socket.destroy()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    const closeAll = server.close.bind(server);
    server.close = ((callback?: (error?: Error) => void) => {
      held.forEach((socket) => socket.destroy());
      return closeAll(callback);
    }) as typeof server.close;
    return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  }

  it('says so when nothing listens where the proxy should be', async () => {
    const port = await freePort();
    const error = await dialError(setting(`http://127.0.0.1:${port}`));
    expect(error).toBeInstanceOf(ProxyError);
    expect(error.message).toBe(`could not reach the proxy at http://127.0.0.1:${port}: nothing accepts connections there`);
  });

  it('says the proxy could not reach the hub (502), and that retrying may help', async () => {
    const proxy = await fakeProxy('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    const error = await dialError(setting(proxy));
    expect(error.message).toBe(`the proxy at ${proxy} could not reach the hub at 127.0.0.1:${endpoint.port} (502 Bad Gateway)`);
    expect((error as ProxyError).permanent).toBe(false);
  });

  it('names an authentication scheme it cannot speak', async () => {
    const proxy = await fakeProxy('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Negotiate\r\nProxy-Authenticate: NTLM\r\nContent-Length: 0\r\n\r\n');
    const error = await dialError(setting(proxy));
    expect(error.message).toMatch(/^the proxy at http:\/\/127\.0\.0\.1:\d+ asks for Negotiate or NTLM authentication \(407 Proxy Authentication Required\); Cohort can give it a user name and password \(Basic\) only/);
  });

  it('gives up on a proxy that never answers CONNECT', async () => {
    const proxy = await fakeProxy(null);
    const error = await dialError(setting(proxy), { timeoutMs: 500 });
    expect(error.message).toBe(`the proxy at ${proxy} did not open the tunnel within 1 s`);
  });
});
