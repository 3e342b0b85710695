// A real HTTP CONNECT proxy for tests: Debian's tinyproxy, started on a private port with its
// own configuration file (optionally with Basic authentication), logging every request.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TINYPROXY = '/usr/sbin/tinyproxy';

/** Whether tinyproxy is installed (`apt-get install tinyproxy`; .ci/run installs it). */
export function hasTinyproxy(): boolean {
  for (const candidate of [TINYPROXY, '/usr/bin/tinyproxy']) {
    if (spawnSync(candidate, ['-v']).status === 0) return true;
  }
  return false;
}

function binary(): string {
  return spawnSync(TINYPROXY, ['-v']).status === 0 ? TINYPROXY : '/usr/bin/tinyproxy';
}

export interface Tinyproxy {
  /** http://127.0.0.1:PORT, without credentials. */
  url: string;
  port: number;
  /** The proxy's log so far (one line per request, with the CONNECT target). */
  log(): Promise<string>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function accepting(port: number, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tinyproxy exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`tinyproxy did not listen on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Starts tinyproxy in the foreground on 127.0.0.1 and a free port. With `auth`, it asks for
 * Basic credentials (407 without or with wrong ones). `connectPorts`: the only ports it opens
 * tunnels to (403 for others); default: any.
 */
export async function startTinyproxy(options: { auth?: { user: string; password: string }; connectPorts?: number[] } = {}): Promise<Tinyproxy> {
  const dir = await mkdtemp(join(tmpdir(), 'cohort-tinyproxy-'));
  const port = await freePort();
  const logFile = join(dir, 'tinyproxy.log');
  const config = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 120',
    `LogFile "${logFile}"`,
    'LogLevel Info',
    'MaxClients 50',
    'Allow 127.0.0.1',
    'DisableViaHeader Yes',
    ...(options.auth ? [`BasicAuth ${options.auth.user} ${options.auth.password}`] : []),
    ...(options.connectPorts ?? []).map((allowed) => `ConnectPort ${allowed}`),
  ].join('\n');
  const configFile = join(dir, 'tinyproxy.conf');
  await writeFile(configFile, `${config}\n`);
  const child = spawn(binary(), ['-d', '-c', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  // A test that fails before stopping it (a timed-out hook) must not leave it running.
  const reap = () => child.kill('SIGKILL');
  process.once('exit', reap);
  child.once('exit', () => process.off('exit', reap));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await accepting(port, 10_000, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    log: () => readFile(logFile, 'utf8').catch(() => ''),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
