// @vitest-environment jsdom
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { MembershipsPage } from '../../src-renderer/src/pages/participant/MembershipsPage';
import { appInfo, invitationCode, membershipView } from './participant-fixtures';
import { apiError, FakeApi, renderScreen } from './render';

function setup(options: { named?: boolean; joined?: boolean; join?: (input: never) => unknown } = {}) {
  const api = new FakeApi({
    'app.info': () => appInfo(options.named ? { id: 'st-olaf', name: 'St Olaf', organisation: 'North Trust' } : null),
    'memberships.list': () => (options.joined ? [membershipView()] : []),
    'tags.list': () => [],
    'memberships.join': options.join ?? (() => membershipView()),
  });
  renderScreen(<MembershipsPage />, { api });
  return { api, user: userEvent.setup() };
}

async function pasteCode(user: ReturnType<typeof userEvent.setup>, code: string) {
  await user.click(screen.getByRole('textbox', { name: /Invitation code/ }));
  await user.paste(code);
}

describe('joining a collaboration', () => {
  it('shows why a code is not valid, without calling the app', async () => {
    const { api, user } = setup();
    await screen.findByText('You have not joined a collaboration yet');
    await pasteCode(user, 'hello there');
    await user.click(screen.getByRole('button', { name: 'Join' }));
    expect(await screen.findByText(/An invitation code starts with "cohort-invite-2\."/)).toBeTruthy();
    expect(api.callsOf('memberships.join')).toEqual([]);
  });

  it('shows what the code joins before anything is sent', async () => {
    const { api, user } = setup({ named: true });
    await screen.findByText(/Joining as/);
    await pasteCode(user, invitationCode());
    const summary = await screen.findByText(/You are joining/);
    expect(summary.textContent).toBe('You are joining Breast cancer network at wss://hub.example.org:7443');
    expect(screen.getByText(/Valid until/).textContent).toMatch(/in (3 days|7\d hours)/);
    expect(api.callsOf('memberships.join')).toEqual([]);
  });

  it('refuses an expired code before calling the app', async () => {
    const { api, user } = setup({ named: true });
    await screen.findByText(/Joining as/);
    await pasteCode(user, invitationCode({ expiresAt: new Date(Date.now() - 60_000).toISOString() }));
    expect(await screen.findByText(/This invitation expired on/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Join' }).hasAttribute('disabled')).toBe(true);
    expect(api.callsOf('memberships.join')).toEqual([]);
  });

  it('asks the hospital’s name the first time, and sends it with the organisation', async () => {
    const { api, user } = setup();
    await screen.findByText('You have not joined a collaboration yet');
    const code = invitationCode();
    await pasteCode(user, code);
    await user.click(screen.getByRole('button', { name: 'Join' }));
    expect(await screen.findByText(/Enter your hospital’s name/)).toBeTruthy();
    expect(api.callsOf('memberships.join')).toEqual([]);

    await user.type(screen.getByRole('textbox', { name: /Your hospital’s name/ }), 'St Olaf Hospital');
    expect(screen.getByText(/Participant id: st-olaf-hospital/)).toBeTruthy();
    await user.type(screen.getByRole('textbox', { name: /Organisation/ }), 'North Health Trust');
    await user.click(screen.getByRole('button', { name: 'Join' }));
    await waitFor(() => expect(api.callsOf('memberships.join')).toEqual([{ code, name: 'St Olaf Hospital', organisation: 'North Health Trust' }]));
    expect(await screen.findByText('You joined Breast cancer network')).toBeTruthy();
  });

  it('does not ask the name again once the hospital has one', async () => {
    const { api, user } = setup({ named: true, joined: true });
    await screen.findByText(/Joining as/);
    expect(screen.queryByRole('textbox', { name: /Your hospital’s name/ })).toBeNull();
    const code = invitationCode();
    await pasteCode(user, code);
    await user.click(screen.getByRole('button', { name: 'Join' }));
    await waitFor(() => expect(api.callsOf('memberships.join')).toEqual([{ code, name: 'St Olaf', organisation: 'North Trust' }]));
  });

  it('shows the orchestrator’s refusal in plain words', async () => {
    const { user } = setup({
      named: true,
      join: () => {
        throw apiError('INVITATION_INVALID', 'the orchestrator refused: this invitation was already used');
      },
    });
    await screen.findByText(/Joining as/);
    await pasteCode(user, invitationCode());
    await user.click(screen.getByRole('button', { name: 'Join' }));
    const alert = (await screen.findByText('This invitation was already used')).closest<HTMLElement>('[role="alert"]')!;
    expect(within(alert).getByText('The orchestrator refused: this invitation was already used.')).toBeTruthy();
    expect(within(alert).getByText(/Ask the orchestrator for a new one/)).toBeTruthy();
  });

  it('says when the orchestrator cannot be reached', async () => {
    const { user } = setup({
      named: true,
      join: () => {
        throw apiError('NOT_FOUND', "could not reach the orchestrator's hub at wss://hub.example.org:7443 (is it running and reachable from here?)");
      },
    });
    await screen.findByText(/Joining as/);
    await pasteCode(user, invitationCode());
    await user.click(screen.getByRole('button', { name: 'Join' }));
    const alert = (await screen.findByText('Could not reach the orchestrator')).closest<HTMLElement>('[role="alert"]')!;
    expect(within(alert).getByText(/this computer can reach wss:\/\/hub\.example\.org:7443/)).toBeTruthy();
  });
});

describe('the collaborations joined', () => {
  it('list each with its orchestrator, connection and projects, linking to their data', async () => {
    setup({ named: true, joined: true });
    const card = await screen.findByRole('article', { name: 'Breast cancer network' });
    expect(within(card).getByText('wss://hub.example.org:7443')).toBeTruthy();
    expect(within(card).getByText('Connected')).toBeTruthy();
    const table = within(card).getByRole('table', { name: 'Projects of Breast cancer network' });
    const row = within(table).getByRole('row', { name: /Diagnosis/ });
    expect(within(row).getByText('Classification · positive class “M”')).toBeTruthy();
    expect(within(row).getByRole('link', { name: 'Register data for Diagnosis' }).getAttribute('href')).toBe('/data?project=diagnosis');
  });

  it('say why a collaboration is offline', async () => {
    const api = new FakeApi({
      'app.info': () => appInfo({ id: 'st-olaf', name: 'St Olaf', organisation: '' }),
      'memberships.list': () => [membershipView({ connected: false, problem: 'the hub at wss://hub.example.org:7443 refused the connection' })],
      'tags.list': () => [],
    });
    renderScreen(<MembershipsPage />, { api });
    const card = await screen.findByRole('article', { name: 'Breast cancer network' });
    expect(within(card).getByText('Offline')).toBeTruthy();
    expect(within(card).getByText('The hub at wss://hub.example.org:7443 refused the connection.')).toBeTruthy();
  });
});

describe('reaching the orchestrator through a proxy', () => {
  it('sends the proxy given when joining, after checking it here', async () => {
    const { api, user } = setup({ named: true });
    await screen.findByText(/Joining as/);
    const code = invitationCode();
    await pasteCode(user, code);
    await user.click(screen.getByRole('checkbox', { name: /through a proxy/ }));
    await user.type(screen.getByRole('textbox', { name: /Proxy address/ }), 'socks5://proxy:1080');
    await user.click(screen.getByRole('button', { name: 'Join' }));
    expect(await screen.findByText('A proxy URL starts with http://, not socks5://')).toBeTruthy();
    expect(api.callsOf('memberships.join')).toEqual([]);

    await user.clear(screen.getByRole('textbox', { name: /Proxy address/ }));
    await user.type(screen.getByRole('textbox', { name: /Proxy address/ }), 'http://nurse:pw@proxy.hospital.org:3128');
    await user.click(screen.getByRole('button', { name: 'Join' }));
    await waitFor(() => expect(api.callsOf('memberships.join')).toEqual([{ code, name: 'St Olaf', organisation: 'North Trust', proxy: 'http://nurse:pw@proxy.hospital.org:3128' }]));
  });

  it('explains a proxy that refused the credentials', async () => {
    const { user } = setup({
      named: true,
      join: () => {
        throw apiError('PROXY_REFUSED', 'the proxy at http://nurse:***@proxy:3128 refused the credentials (407 Proxy Authentication Required): check the user name and password in the proxy setting');
      },
    });
    await screen.findByText(/Joining as/);
    await pasteCode(user, invitationCode());
    await user.click(screen.getByRole('button', { name: 'Join' }));
    const alert = (await screen.findByText('The proxy did not let Cohort through')).closest<HTMLElement>('[role="alert"]')!;
    expect(within(alert).getByText(/^The proxy at http:\/\/nurse:\*\*\*@proxy:3128 refused the credentials/)).toBeTruthy();
  });

  it('shows how each hub is reached, and changes or removes its proxy', async () => {
    let current: ReturnType<typeof membershipView> = membershipView({ proxy: { url: 'http://proxy.env:8080 (from HTTPS_PROXY)', from: 'environment' } });
    const api = new FakeApi({
      'app.info': () => appInfo({ id: 'st-olaf', name: 'St Olaf', organisation: '' }),
      'memberships.list': () => [current],
      'tags.list': () => [],
      'memberships.proxy': (input: { proxy: string | null }) => {
        current = membershipView({ proxy: input.proxy ? { url: input.proxy.replace(/:[^:@/]+@/, ':***@'), from: 'setting' } : null });
        return current;
      },
    });
    renderScreen(<MembershipsPage />, { api });
    const user = userEvent.setup();
    const card = await screen.findByRole('article', { name: 'Breast cancer network' });
    expect(within(card).getByText('http://proxy.env:8080 (from HTTPS_PROXY)')).toBeTruthy();
    expect(within(card).getByText(/this computer’s setting/)).toBeTruthy();

    await user.click(within(card).getByRole('button', { name: 'Proxy settings for Breast cancer network' }));
    const form = within(card).getByRole('form', { name: 'Proxy for Breast cancer network' });
    await user.type(within(form).getByRole('textbox', { name: /Proxy address/ }), 'http://nurse:pw@proxy.hospital.org:3128');
    await user.click(within(form).getByRole('button', { name: 'Save and reconnect' }));
    await waitFor(() => expect(api.callsOf('memberships.proxy')).toEqual([{ collaborationId: 'network', proxy: 'http://nurse:pw@proxy.hospital.org:3128' }]));
    expect(await within(card).findByText('http://nurse:***@proxy.hospital.org:3128')).toBeTruthy();
    expect(within(card).queryByText(/pw@/)).toBeNull();

    await user.click(within(card).getByRole('button', { name: 'Proxy settings for Breast cancer network' }));
    await user.click(within(card).getByRole('button', { name: 'Remove the proxy' }));
    await waitFor(() => expect(api.callsOf('memberships.proxy')).toHaveLength(2));
    expect(api.callsOf('memberships.proxy')[1]).toEqual({ collaborationId: 'network', proxy: null });
    expect(await within(card).findByText(/direct/)).toBeTruthy();
  });
});
