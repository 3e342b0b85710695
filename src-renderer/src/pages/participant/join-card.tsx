// Joining a collaboration: the invitation code is decoded here first, so the person sees what
// they are joining (and the orchestrator's identity) before anything is sent; the hospital's
// name the first time; optionally the HTTP proxy this computer reaches the internet through.
import { Alert, Button, Card, Code, Group, Paper, SimpleGrid, Stack, Text, TextInput, Textarea, ThemeIcon, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconBuildingHospital, IconClockExclamation, IconPlugConnected, IconAffiliate } from '@tabler/icons-react';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { ApiTypes } from '../../../../src-main/contract/api';
import { slugOf } from '../../../../src-main/contract/ids';
import { decodeInvitation, INVITATION_PREFIX } from '../../../../src-main/contract/invitation';
import type { ApiCallError } from '../../api/client';
import { useAction } from '../../api/react';
import { formatDate } from '../../components/format';
import { JoinProxyField, proxyOf, type ProxyInput } from './proxy-settings';

type Party = ApiTypes['AppInfo']['party'];

function untilText(iso: string, now: number): string {
  const ms = Date.parse(iso) - now;
  const hours = Math.round(ms / 3_600_000);
  if (hours < 1) return 'in less than an hour';
  if (hours < 48) return `in ${hours} hour${hours === 1 ? '' : 's'}`;
  return `in ${Math.round(hours / 24)} days`;
}

/**
 * The fingerprint people compare for an identity key, as the app prints it ("SHA256:ab12 cd34 …",
 * the first 16 bytes of the SHA-256 of the raw key, in groups of four hex digits).
 */
function useKeyFingerprint(key: string | undefined): string | undefined {
  const [result, setResult] = useState<{ key: string; fingerprint: string } | undefined>();
  useEffect(() => {
    if (!key || !globalThis.crypto?.subtle) return;
    let current = true;
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      const binary = atob(key.replace(/-/g, '+').replace(/_/g, '/'));
      bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    } catch {
      return;
    }
    globalThis.crypto.subtle.digest('SHA-256', bytes).then(
      (digest) => {
        const hex = Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
        if (current) setResult({ key, fingerprint: `SHA256:${hex.match(/.{4}/g)!.slice(0, 8).join(' ')}` });
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [key]);
  return result && result.key === key ? result.fingerprint : undefined;
}

export const sentence = (text: string) => (text ? text[0]!.toUpperCase() + text.slice(1) : text);

/** Why a join failed, in the person's terms, and what to do about it. */
function joinFailure(error: ApiCallError, hub: string | undefined): { title: string; hint: string } {
  const message = error.message.toLowerCase();
  if (message.includes('expired')) return { title: 'This invitation has expired', hint: 'Ask the orchestrator for a new invitation code.' };
  if (message.includes('already used')) return { title: 'This invitation was already used', hint: 'Each code works only once. Ask the orchestrator for a new one.' };
  if (message.includes('revoked')) return { title: 'This invitation was withdrawn', hint: 'The orchestrator revoked it. Ask them for a new invitation code.' };
  if (error.code === 'PROXY_REFUSED') {
    return { title: 'The proxy did not let Cohort through', hint: 'Check the proxy address, user name and password with your IT department, then try again.' };
  }
  if (message.includes('could not reach') || error.code === 'NOT_FOUND') {
    return {
      title: 'Could not reach the orchestrator',
      hint: `Check that the orchestrator’s Cohort app is running and that this computer can reach ${hub ?? 'its address'} (network, firewall or VPN), then try again.`,
    };
  }
  return { title: 'Could not join the collaboration', hint: 'Check the code, or ask the orchestrator for a new one.' };
}

export function JoinCard({ party, memberships, onJoined }: { party: Party | undefined; memberships: ApiTypes['MembershipView'][] | undefined; onJoined(): void }) {
  const [code, setCode] = useState('');
  const [touched, setTouched] = useState(false);
  const [name, setName] = useState('');
  const [organisation, setOrganisation] = useState('');
  const [nameError, setNameError] = useState<string | undefined>();
  const [proxyInput, setProxyInput] = useState<ProxyInput>({ enabled: false, text: '' });
  const [proxyTouched, setProxyTouched] = useState(false);
  const join = useAction('memberships.join');
  const [now, setNow] = useState(() => Date.now());

  const trimmed = code.trim();
  const decoded = useMemo(() => (trimmed ? decodeInvitation(trimmed) : undefined), [trimmed]);
  const payload = decoded?.ok ? decoded.payload : undefined;
  const expired = payload ? Date.parse(payload.expiresAt) <= now : false;
  const hubFingerprint = useKeyFingerprint(payload?.hubKey);
  const alreadyMember = payload ? memberships?.some((view) => view.collaboration.id === payload.collaboration) : false;
  const needsName = party === null;
  const codeError = touched && decoded && !decoded.ok ? sentence(decoded.reason) : touched && !trimmed ? 'Paste the invitation code you received' : undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    setProxyTouched(true);
    setNow(Date.now());
    if (!payload || Date.parse(payload.expiresAt) <= Date.now()) return;
    let joinName = party?.name ?? '';
    if (needsName) {
      if (!name.trim()) {
        setNameError('Enter your hospital’s name: the other members will see it');
        return;
      }
      if (!slugOf(name)) {
        setNameError('Use at least one letter or digit');
        return;
      }
      joinName = name.trim();
    }
    const route = proxyOf(proxyInput);
    if (route.problem) return;
    if (party === undefined) return;
    const joined = await join.run({
      ...(route.proxy ? { proxy: route.proxy } : {}),
      code: trimmed,
      name: joinName,
      ...(needsName ? (organisation.trim() ? { organisation: organisation.trim() } : {}) : party.organisation ? { organisation: party.organisation } : {}),
    });
    if (joined) {
      notifications.show({
        color: 'green',
        title: `You joined ${joined.collaboration.name}`,
        message: 'Next, register your data for its projects so this hospital can take part in training.',
      });
      setCode('');
      setTouched(false);
      setName('');
      setOrganisation('');
      setProxyTouched(false);
      onJoined();
    }
  };

  const failure = join.error ? joinFailure(join.error, payload?.hub) : undefined;

  return (
    <Card component="section" aria-labelledby="join-title">
      <form onSubmit={submit} noValidate>
        <Stack gap="md">
          <Group gap="sm" wrap="nowrap">
            <ThemeIcon variant="light" size="lg" radius="md">
              <IconAffiliate size={20} />
            </ThemeIcon>
            <div>
              <Title order={3} id="join-title" size="h4">
                Join a collaboration
              </Title>
              <Text size="sm" c="dimmed">
                The orchestrator of a collaboration sends you an invitation code. It is checked on this computer before anything is sent.
              </Text>
            </div>
          </Group>

          <Textarea
            label="Invitation code"
            placeholder={`${INVITATION_PREFIX}…`}
            autosize
            minRows={2}
            maxRows={5}
            value={code}
            onChange={(event) => {
              setCode(event.currentTarget.value);
              setNow(Date.now());
              if (join.error) join.clearError();
            }}
            onBlur={() => trimmed && setTouched(true)}
            error={codeError}
            spellCheck={false}
            autoComplete="off"
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 'var(--mantine-font-size-xs)', wordBreak: 'break-all' } }}
            required
          />

          {payload && (
            <Paper p="md" bg={expired ? 'var(--mantine-color-red-light)' : 'var(--mantine-color-cohort-light)'} withBorder={false} aria-live="polite">
              <Stack gap={6}>
                <Text size="sm">
                  You are joining{' '}
                  <Text span fw={700}>
                    {payload.name || payload.collaboration}
                  </Text>{' '}
                  at <Code>{payload.hub}</Code>
                </Text>
                {hubFingerprint && (
                  <Text size="sm" c="gray.8">
                    Orchestrator’s identity <Code>{hubFingerprint}</Code>. Cohort will only connect to the orchestrator holding this key; if you did not expect
                    this invitation, compare it with them (by phone, for instance) before joining.
                  </Text>
                )}
                {expired ? (
                  <Group gap={6} c="red.8">
                    <IconClockExclamation size={16} />
                    <Text size="sm" fw={600}>
                      This invitation expired on {formatDate(payload.expiresAt)}. Ask the orchestrator for a new one.
                    </Text>
                  </Group>
                ) : (
                  <Text size="sm" c="gray.8">
                    Valid until {formatDate(payload.expiresAt)} ({untilText(payload.expiresAt, now)}). The code works once.
                  </Text>
                )}
                {alreadyMember && !expired && (
                  <Text size="sm" c="orange.8">
                    This hospital is already a member of this collaboration.
                  </Text>
                )}
              </Stack>
            </Paper>
          )}

          {needsName ? (
            <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
              <TextInput
                label="Your hospital’s name"
                description={
                  name.trim() && slugOf(name)
                    ? `Shown to the orchestrator and other members. Participant id: ${slugOf(name)}`
                    : 'Shown to the orchestrator and other members; asked once.'
                }
                placeholder="St Olaf Hospital"
                value={name}
                onChange={(event) => {
                  setName(event.currentTarget.value);
                  setNameError(undefined);
                }}
                error={nameError}
                maxLength={200}
                required
              />
              <TextInput
                label="Organisation"
                description="Optional: the trust, group or network it belongs to."
                placeholder="North Health Trust"
                value={organisation}
                onChange={(event) => setOrganisation(event.currentTarget.value)}
                maxLength={200}
              />
            </SimpleGrid>
          ) : party ? (
            <Group gap={6}>
              <IconBuildingHospital size={16} color="var(--mantine-color-dimmed)" />
              <Text size="sm" c="dimmed">
                Joining as{' '}
                <Text span fw={600} c="var(--mantine-color-text)">
                  {party.name}
                </Text>
                {party.organisation ? ` · ${party.organisation}` : ''}
                {party.id !== party.name && (
                  <>
                    {' '}
                    (participant id <Code>{party.id}</Code>)
                  </>
                )}
              </Text>
            </Group>
          ) : null}

          <JoinProxyField
            value={proxyInput}
            onChange={(value) => {
              setProxyInput(value);
              if (join.error) join.clearError();
            }}
            error={proxyTouched ? proxyOf(proxyInput).problem : undefined}
          />

          {failure && join.error && (
            <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title={failure.title} role="alert">
              <Stack gap={4}>
                <Text size="sm">{sentence(join.error.message)}.</Text>
                <Text size="sm">{failure.hint}</Text>
              </Stack>
            </Alert>
          )}

          <Group justify="space-between" align="center">
            <Text size="xs" c="dimmed" maw={560}>
              Joining shares your hospital’s name and organisation with the orchestrator. Your data files stay on this computer.
            </Text>
            <Button type="submit" loading={join.pending} disabled={party === undefined || expired} leftSection={<IconPlugConnected size={16} />}>
              {join.pending ? 'Connecting…' : 'Join'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
