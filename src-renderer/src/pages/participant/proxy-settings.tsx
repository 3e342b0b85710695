// The HTTP proxy a hospital reaches its orchestrators through: a field when joining, and for each
// collaboration joined, how its hub is reached (directly, through its own proxy setting, or
// through the computer's HTTPS_PROXY) with a form to change it. Checked here as the app checks
// it; a stored password never comes back to this page (it is shown as ***).
import { Alert, Anchor, Button, Checkbox, Code, Group, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconWorldShare } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import type { ApiTypes } from '../../../../src-main/contract/api';
import { PROXY_EXAMPLE, proxyUrlProblem } from '../../../../src-main/contract/proxy';
import { useAction } from '../../api/react';

const sentence = (text: string) => (text ? text[0]!.toUpperCase() + text.slice(1) : text);

const HELP = `The address your IT department gives for web access, e.g. ${PROXY_EXAMPLE}. If it asks for a user name and password: http://user:password@host:port.`;

/** State of an optional proxy field: the text typed, and whether it is in use. */
export interface ProxyInput {
  enabled: boolean;
  text: string;
}

/** The proxy to send (undefined: none), or the problem to show. */
export function proxyOf(input: ProxyInput): { proxy?: string; problem?: string } {
  if (!input.enabled) return {};
  const problem = proxyUrlProblem(input.text);
  return problem ? { problem: sentence(problem) } : { proxy: input.text.trim() };
}

/** For the join form: "This computer reaches the internet through a proxy", then its address. */
export function JoinProxyField({ value, onChange, error }: { value: ProxyInput; onChange(value: ProxyInput): void; error: string | undefined }) {
  return (
    <Stack gap="xs">
      <Checkbox
        label="This computer reaches the internet through a proxy"
        description="Only if your network requires it: Cohort otherwise connects directly (or as the HTTPS_PROXY setting of this computer says)."
        checked={value.enabled}
        onChange={(event) => onChange({ ...value, enabled: event.currentTarget.checked })}
      />
      {value.enabled && (
        <TextInput
          label="Proxy address"
          description={HELP}
          placeholder={PROXY_EXAMPLE}
          value={value.text}
          onChange={(event) => onChange({ ...value, text: event.currentTarget.value })}
          error={error}
          spellCheck={false}
          autoComplete="off"
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        />
      )}
    </Stack>
  );
}

/** How a joined collaboration's hub is reached, and the form that changes it. */
export function ConnectionRoute({ view, onChanged }: { view: ApiTypes['MembershipView']; onChanged(): void }) {
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState('');
  const [touched, setTouched] = useState(false);
  const save = useAction('memberships.proxy');
  const { proxy } = view;
  const problem = touched ? proxyUrlProblem(text) : null;

  const apply = async (next: string | null) => {
    const changed = await save.run({ collaborationId: view.collaboration.id, proxy: next });
    if (!changed) return;
    notifications.show({
      color: 'green',
      title: next ? 'Proxy saved' : 'Proxy removed',
      message: next ? 'Cohort reconnects to the orchestrator through it now.' : 'Cohort reconnects to the orchestrator without it now.',
    });
    setEditing(false);
    setText('');
    setTouched(false);
    onChanged();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (proxyUrlProblem(text)) return;
    await apply(text.trim());
  };

  return (
    <Stack gap={6}>
      <Group gap={6} wrap="wrap">
        <IconWorldShare size={16} color="var(--mantine-color-dimmed)" />
        <Text size="sm" span>
          <Text span c="dimmed">
            Connection{' '}
          </Text>
          {proxy ? (
            <>
              through the proxy <Code>{proxy.url}</Code>
              {proxy.from === 'environment' && (
                <Text span size="xs" c="dimmed">
                  {' '}
                  (this computer’s setting)
                </Text>
              )}
            </>
          ) : (
            'direct'
          )}
        </Text>
        {!editing && (
          <Anchor component="button" type="button" size="sm" onClick={() => setEditing(true)} aria-label={`Proxy settings for ${view.collaboration.name}`}>
            {proxy?.from === 'setting' ? 'Change' : 'Use a proxy'}
          </Anchor>
        )}
      </Group>
      {editing && (
        <form onSubmit={submit} noValidate aria-label={`Proxy for ${view.collaboration.name}`}>
          <Stack gap="xs">
            <TextInput
              label="Proxy address"
              description={`${HELP}${proxy?.from === 'setting' ? ' Type it again in full to change it (the saved password is not shown).' : ''}`}
              placeholder={PROXY_EXAMPLE}
              value={text}
              onChange={(event) => {
                setText(event.currentTarget.value);
                if (save.error) save.clearError();
              }}
              onBlur={() => text.trim() && setTouched(true)}
              error={problem ? sentence(problem) : undefined}
              spellCheck={false}
              autoComplete="off"
              data-autofocus
              styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            />
            {save.error && (
              <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="The proxy setting was not saved" role="alert">
                {sentence(save.error.message)}.
              </Alert>
            )}
            <Group gap="xs">
              <Button type="submit" size="xs" loading={save.pending}>
                Save and reconnect
              </Button>
              {proxy?.from === 'setting' && (
                <Button type="button" size="xs" variant="light" color="red" onClick={() => void apply(null)} disabled={save.pending}>
                  Remove the proxy
                </Button>
              )}
              <Button
                type="button"
                size="xs"
                variant="subtle"
                onClick={() => {
                  setEditing(false);
                  setText('');
                  setTouched(false);
                  save.clearError();
                }}
              >
                Cancel
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Stack>
  );
}
