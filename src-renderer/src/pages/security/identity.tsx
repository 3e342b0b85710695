// Who this installation is, as the other parties can check it: its identity key's fingerprint
// (and the full key), and for the orchestrator the hub's TLS certificate and public address.
import { Code, Group, SimpleGrid, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { ApiTypes } from '../../../../src-main/contract/api';
import { CapsLabel } from '../../components/caps-label';
import { CopyIcon } from '../../components/copy';
import { Section } from '../../components/section';

function Fact({ label, value, copyLabel, hint, children }: { label: string; value: string; copyLabel: string; hint?: ReactNode; children?: ReactNode }) {
  return (
    <Stack gap={4}>
      <CapsLabel>{label}</CapsLabel>
      <Group gap={4} wrap="nowrap" align="flex-start">
        <Code fz="sm" style={{ overflowWrap: 'anywhere', whiteSpace: 'normal' }}>
          {value}
        </Code>
        <CopyIcon value={value} label={copyLabel} size="sm" />
      </Group>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
      {children}
    </Stack>
  );
}

export function IdentitySection({ info }: { info: ApiTypes['AppInfo'] }) {
  const { identity, hub } = info;
  const orchestrator = info.role === 'orchestrator';
  return (
    <Section
      title="This installation"
      description={
        orchestrator
          ? 'Hospitals see this key fingerprint when they paste one of your invitation codes: if one reads it back to you (by phone, say) and it matches, it is talking to this hub. Each hospital’s own fingerprint is on your Participants page, to compare with the one its Security page shows.'
          : 'The orchestrator sees this fingerprint beside your hospital on its Participants page: read it out to them (by phone, say) so they know it really is you who joined. The orchestrator’s own fingerprint is on your Collaborations page.'
      }
    >
      <SimpleGrid cols={{ base: 1, lg: hub ? 2 : 1 }} spacing="lg" verticalSpacing="md">
        <Fact label="Identity key fingerprint" value={identity.fingerprint} copyLabel="Copy the identity fingerprint">
          <Group gap={4} wrap="nowrap" align="flex-start">
            <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
              Full key
            </Text>
            <Text size="xs" c="dimmed" ff="monospace" style={{ overflowWrap: 'anywhere' }}>
              {identity.key}
            </Text>
            <CopyIcon value={identity.key} label="Copy the full identity key" size="xs" />
          </Group>
        </Fact>
        {hub && (
          <Stack gap="md">
            <Fact
              label="Hub certificate (SHA-256)"
              value={hub.certificate}
              copyLabel="Copy the certificate fingerprint"
              hint="Every invitation code carries it; hospitals’ apps refuse a hub that presents any other certificate."
            />
            <Fact
              label="Address for participants"
              value={hub.publicUrl}
              copyLabel="Copy the hub address"
              hint={hub.url !== hub.publicUrl ? `Listening on ${hub.url}.` : undefined}
            />
          </Stack>
        )}
      </SimpleGrid>
    </Section>
  );
}
