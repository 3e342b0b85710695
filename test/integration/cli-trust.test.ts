// The trust commands as a person uses them: `cohort identity`, `cohort hub` printing its address
// and fingerprints, invitations from the command line, and the security log.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeInvitation } from '../../src-main/contract/invitation';
import { PROJECT_ROOT, runCli } from '../support/cli';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'cohort-cli-trust-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('cohort identity', () => {
  it('creates the key on first use, then prints the same fingerprint every time', async () => {
    const dir = ['--data-dir', join(root, 'north')];
    const first = await runCli(['identity', '--json', ...dir]);
    expect(first.code, first.stderr).toBe(0);
    const identity = JSON.parse(first.stdout) as { key: string; fingerprint: string; certificate: string | null };
    expect(identity.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(identity.fingerprint).toMatch(/^SHA256:([0-9a-f]{4} ){7}[0-9a-f]{4}$/);
    expect(identity.certificate).toBeNull();
    const again = await runCli(['identity', ...dir]);
    expect(again.stdout).toContain(identity.fingerprint);
    expect(again.stdout).toContain('none yet');
  });
});

describe('cohort hub', () => {
  it('prints its URL, certificate fingerprint and identity on start; invitations carry them', async () => {
    const hubDir = join(root, 'hub');
    await runCli(['collab', 'create', '--name', 'Stroke', '--data-dir', hubDir]);
    const hub = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'cohort.js'), 'hub', '--port', '0', '--data-dir', hubDir], { env: { ...process.env, NO_COLOR: '1' } });
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        let out = '';
        hub.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('Press Ctrl+C')) resolve(out);
        });
        hub.once('exit', (code) => reject(new Error(`hub exited ${code}: ${out}`)));
      });
      const url = /listening on (wss:\/\/127\.0\.0\.1:\d+)/.exec(banner)?.[1];
      const certificate = /certificate SHA-256\s+(([0-9A-F]{2}:){31}[0-9A-F]{2})/.exec(banner)?.[1];
      const key = /identity key\s+(SHA256:[0-9a-f ]+)/.exec(banner)?.[1]?.trim();
      expect(url).toBeDefined();
      expect(certificate).toBeDefined();
      const identity = JSON.parse((await runCli(['identity', '--json', '--data-dir', hubDir])).stdout) as { fingerprint: string; certificate: string; key: string };
      expect(identity).toMatchObject({ fingerprint: key, certificate });

      const created = await runCli(['invitation', 'create', '--collaboration', 'stroke', '--note', 'for north', '--data-dir', hubDir]);
      expect(created.code, created.stderr).toBe(0);
      const code = created.stdout.trim().split('\n').at(-1)!;
      const decoded = decodeInvitation(code);
      expect(decoded).toMatchObject({ ok: true, payload: { hub: url, certificate, hubKey: identity.key, collaboration: 'stroke' } });
      const listed = JSON.parse((await runCli(['invitation', 'list', '--json', '--data-dir', hubDir])).stdout) as Array<{ id: string; state: string; note: string }>;
      expect(listed).toEqual([expect.objectContaining({ state: 'open', note: 'for north' })]);
      await runCli(['invitation', 'revoke', listed[0]!.id, '--data-dir', hubDir]);
      expect((JSON.parse((await runCli(['invitation', 'list', '--json', '--data-dir', hubDir])).stdout) as Array<{ state: string }>)[0]!.state).toBe('revoked');
    } finally {
      hub.kill('SIGTERM');
      await new Promise((resolve) => hub.once('exit', resolve));
    }
  }, 60_000);

  it('without a running hub, an invitation needs the address participants will use', async () => {
    const hubDir = join(root, 'idle-hub');
    await runCli(['collab', 'create', '--name', 'Stroke', '--data-dir', hubDir]);
    const missing = await runCli(['invitation', 'create', '--collaboration', 'stroke', '--data-dir', hubDir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no hub is running with this data directory: give --hub-url wss://HOST:PORT');
    const plain = await runCli(['invitation', 'create', '--collaboration', 'stroke', '--hub-url', 'ws://hub.example.org:7800', '--data-dir', hubDir]);
    expect(plain.stderr).toContain('the hub address must be wss://HOST:PORT');
    const given = await runCli(['invitation', 'create', '--collaboration', 'stroke', '--hub-url', 'wss://hub.example.org:7800', '--json', '--data-dir', hubDir]);
    expect(given.code, given.stderr).toBe(0);
    const { code } = JSON.parse(given.stdout) as { code: string };
    expect(decodeInvitation(code)).toMatchObject({ ok: true, payload: { hub: 'wss://hub.example.org:7800' } });
  });

  it('a worker that has joined nothing says how to join', async () => {
    const result = await runCli(['worker', '--data-dir', join(root, 'lonely'), '--id', 'lonely']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('has not joined a collaboration yet: start with --join CODE');
    const old = await runCli(['worker', '--join', 'cohort-invite-1.eyJ9', '--data-dir', join(root, 'lonely')]);
    expect(old.stderr).toContain('made by an older Cohort');
  });
});
