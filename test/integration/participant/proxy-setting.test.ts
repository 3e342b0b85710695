// The app's proxy setting, end to end: a participant app that joined its orchestrator's hub is
// switched to a real tinyproxy asking for Basic credentials; it reconnects through it, says
// plainly when the password is wrong, and never shows the password to the UI.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { populate, startAppFederation, type AppFederation } from '../../support/app-federation';
import { hasTinyproxy, startTinyproxy, type Tinyproxy } from '../../support/tinyproxy';

const available = hasTinyproxy();
if (!available) console.warn('\n*** tinyproxy is not installed (apt-get install tinyproxy): the app proxy setting test is SKIPPED ***\n');

describe.skipIf(!available)("a participant app's proxy setting", () => {
  let federation: AppFederation;
  let proxy: Tinyproxy;
  let noPages: string;
  beforeAll(async () => {
    proxy = await startTinyproxy({ auth: { user: 'nurse', password: 'hunter2' } });
    // Driven by API only: the UI servers serve an empty folder.
    noPages = await mkdtemp(join(tmpdir(), 'cohort-no-pages-'));
    federation = await startAppFederation(['hospital-a'], { rendererRoot: noPages });
  }, 60_000);
  afterAll(async () => {
    await federation?.close();
    await proxy?.stop();
    await rm(noPages, { recursive: true, force: true });
  });

  it('reconnects through the proxy, explains a wrong password, and keeps the password on the main side', async () => {
    const { collaborationId } = await populate(federation);
    const app = federation.participants[0]!;
    const [joined] = await app.client.call('memberships.list', {});
    expect(joined).toMatchObject({ connected: true, proxy: null });
    const hubUrl = joined!.membership.hubUrl;
    const stored = async () => (JSON.parse(await readFile(join(app.dataDir, 'cohort.json'), 'utf8')) as { memberships: Array<{ proxy?: string }> }).memberships[0]!.proxy;

    // A wrong password: stored as given, and the connection says why it cannot get through.
    const wrong = `http://nurse:wrong@127.0.0.1:${proxy.port}`;
    const view = await app.client.call('memberships.proxy', { collaborationId, proxy: wrong });
    expect(view.proxy).toEqual({ url: `http://nurse:***@127.0.0.1:${proxy.port}`, from: 'setting' });
    expect(await stored()).toBe(wrong);
    await expect
      .poll(async () => (await app.client.call('memberships.list', {}))[0]!.problem, { timeout: 20_000 })
      .toMatch(new RegExp(`^the proxy at http://nurse:\\*\\*\\*@127\\.0\\.0\\.1:${proxy.port} refused the credentials`));
    const shown = JSON.stringify(await app.client.call('memberships.list', {}));
    expect(shown).not.toContain('wrong');

    // The right one: connected again, through the proxy.
    await app.client.call('memberships.proxy', { collaborationId, proxy: `nurse:hunter2@127.0.0.1:${proxy.port}` });
    expect(await stored()).toBe(`http://nurse:hunter2@127.0.0.1:${proxy.port}`);
    await expect.poll(async () => (await app.client.call('memberships.list', {}))[0]!.connected, { timeout: 30_000 }).toBe(true);
    expect(await proxy.log()).toContain(`CONNECT ${new URL(hubUrl).host}`);
    expect(JSON.stringify(await app.client.call('memberships.list', {}))).not.toContain('hunter2');

    // Removed: direct again, and nothing stored.
    const direct = await app.client.call('memberships.proxy', { collaborationId, proxy: null });
    expect(direct.proxy).toBeNull();
    expect(await stored()).toBeUndefined();
    await expect.poll(async () => (await app.client.call('memberships.list', {}))[0]!.connected, { timeout: 30_000 }).toBe(true);

    // A proxy URL the app cannot use is refused before anything is stored.
    await expect(app.client.call('memberships.proxy', { collaborationId, proxy: 'socks5://proxy:1080' })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('a proxy URL starts with http://, not socks5://') });
    expect(await stored()).toBeUndefined();
  }, 120_000);
});
