// The shell: header (who and where this app is), the role's navigation, and its screens.
import { Alert, AppShell, Badge, Burger, Center, Code, CopyButton, Group, Loader, NavLink, ScrollArea, Stack, Text, Title, Tooltip, UnstyledButton } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import {
  IconActivity,
  IconAffiliate,
  IconChartLine,
  IconCopy,
  IconDatabase,
  IconKey,
  IconLink,
  IconPlugConnectedX,
  IconShieldCheck,
  IconShare,
  IconShieldLock,
  IconUsersGroup,
} from '@tabler/icons-react';
import { notifications } from '@mantine/notifications';
import { useEffect, type ReactNode } from 'react';
import { Link, Navigate, NavLink as RouterNavLink, Route, Routes, useLocation } from 'react-router';
import type { ApiTypes } from '../../../src-main/contract/api';
import { useApi, useConnected, useQuery } from '../api/react';
import { ErrorAlert } from '../components/states';
import { CollaborationPage } from '../pages/orchestrator/CollaborationPage';
import { CollaborationsPage } from '../pages/orchestrator/CollaborationsPage';
import { ExperimentPage } from '../pages/orchestrator/ExperimentPage';
import { ParticipantsPage } from '../pages/orchestrator/ParticipantsPage';
import { ProjectPage } from '../pages/orchestrator/ProjectPage';
import { ActivityPage } from '../pages/participant/ActivityPage';
import { DataPage } from '../pages/participant/DataPage';
import { LocalModelsPage } from '../pages/participant/LocalModelsPage';
import { MembershipsPage } from '../pages/participant/MembershipsPage';
import { RequestsPage } from '../pages/participant/RequestsPage';
import { SharedPage } from '../pages/participant/SharedPage';
import { ComparePage } from '../pages/runs/ComparePage';
import { RunPage } from '../pages/runs/RunPage';
import { SecurityPage } from '../pages/security/SecurityPage';

interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
  description: string;
}

const SECURITY_NAV: NavItem = { to: '/security', label: 'Security', icon: <IconShieldLock size={18} />, description: 'identity, and what left this computer' };

const ORCHESTRATOR_NAV: NavItem[] = [
  { to: '/collaborations', label: 'Collaborations', icon: <IconAffiliate size={18} />, description: 'projects, experiments and runs' },
  { to: '/participants', label: 'Participants', icon: <IconUsersGroup size={18} />, description: 'invitations, who is online, their data' },
  { to: '/compare', label: 'Compare runs', icon: <IconChartLine size={18} />, description: 'metrics side by side' },
  SECURITY_NAV,
];

const PARTICIPANT_NAV: NavItem[] = [
  { to: '/memberships', label: 'Collaborations', icon: <IconAffiliate size={18} />, description: 'join with an invitation' },
  { to: '/data', label: 'My data', icon: <IconDatabase size={18} />, description: 'files registered for training' },
  { to: '/requests', label: 'Training requests', icon: <IconShieldCheck size={18} />, description: 'approve or decline runs' },
  { to: '/activity', label: 'Activity', icon: <IconActivity size={18} />, description: 'runs using my data' },
  { to: '/models', label: 'Evaluate & predict', icon: <IconChartLine size={18} />, description: 'models on my own files' },
  { to: '/shared', label: 'What was shared', icon: <IconShare size={18} />, description: 'what left, per project' },
  SECURITY_NAV,
];

function Logo() {
  return (
    <svg width="28" height="28" viewBox="0 0 64 64" aria-hidden="true">
      <rect width="64" height="64" rx="14" fill="#0f4c5c" />
      <g stroke="#9ad1d4" strokeWidth="3">
        <line x1="32" y1="32" x2="14" y2="18" />
        <line x1="32" y1="32" x2="50" y2="18" />
        <line x1="32" y1="32" x2="14" y2="46" />
        <line x1="32" y1="32" x2="50" y2="46" />
      </g>
      <circle cx="32" cy="32" r="8" fill="#ffffff" />
      <g fill="#9ad1d4">
        <circle cx="14" cy="18" r="5" />
        <circle cx="50" cy="18" r="5" />
        <circle cx="14" cy="46" r="5" />
        <circle cx="50" cy="46" r="5" />
      </g>
    </svg>
  );
}

function Identity({ info }: { info: ApiTypes['AppInfo'] }) {
  if (info.role === 'orchestrator' && info.hub) {
    return (
      <CopyButton value={info.hub.publicUrl}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? 'Copied' : 'The address participants connect to. Click to copy.'} withArrow>
            <UnstyledButton onClick={copy} aria-label="Copy the hub address">
              <Group gap={6}>
                <IconLink size={16} />
                <Code>{info.hub!.publicUrl}</Code>
                <IconCopy size={14} />
              </Group>
            </UnstyledButton>
          </Tooltip>
        )}
      </CopyButton>
    );
  }
  if (info.party) {
    return (
      <Text size="sm">
        <Text span fw={600}>
          {info.party.name}
        </Text>
        {info.party.organisation && <Text span c="dimmed">{` · ${info.party.organisation}`}</Text>}
      </Text>
    );
  }
  return (
    <Text size="sm" c="dimmed">
      Not part of a collaboration yet
    </Text>
  );
}

/** This installation's identity fingerprint, small, for reading out on the phone; opens Security. */
function Fingerprint({ fingerprint }: { fingerprint: string }) {
  return (
    <Tooltip
      label="This installation’s identity fingerprint. The other parties compare it with the one their app shows: read it out to them."
      withArrow
      multiline
      maw={300}
      events={{ hover: true, focus: true, touch: false }}
    >
      <UnstyledButton component={Link} to="/security" aria-label={`Identity fingerprint ${fingerprint}: open Security`} visibleFrom="md">
        <Group gap={4} wrap="nowrap">
          <IconKey size={14} aria-hidden style={{ flexShrink: 0, color: 'var(--mantine-color-dimmed)' }} />
          <Text size="xs" c="gray.7" ff="monospace" style={{ whiteSpace: 'nowrap' }}>
            {fingerprint}
          </Text>
        </Group>
      </UnstyledButton>
    </Tooltip>
  );
}

/** How many training requests wait for a decision (always 0 for the orchestrator). */
function usePendingRequests(role: ApiTypes['AppInfo']['role']): number {
  const requests = useQuery('requests.list', role === 'participant' ? {} : null, ['requests']);
  return requests.data?.filter((request) => request.state === 'pending').length ?? 0;
}

/** Errors the engines report (a run that failed, a file that could not be read) as notifications. */
function useErrorNotifications(): void {
  const client = useApi();
  useEffect(
    () =>
      client.on((event) => {
        if (event.type === 'log' && event.level === 'error') notifications.show({ color: 'red', title: 'Cohort', message: event.message, autoClose: 10_000 });
      }),
    [client],
  );
}

function Shell({ info }: { info: ApiTypes['AppInfo'] }) {
  useErrorNotifications();
  const [opened, { toggle, close }] = useDisclosure();
  const connected = useConnected();
  const location = useLocation();
  const nav = info.role === 'orchestrator' ? ORCHESTRATOR_NAV : PARTICIPANT_NAV;
  const pending = usePendingRequests(info.role);
  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 260, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="lg">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Logo />
            <Title order={3} fw={700}>
              Cohort
            </Title>
            <Badge variant="light" size="lg">
              {info.role === 'orchestrator' ? 'Orchestrator' : 'Participant'}
            </Badge>
          </Group>
          <Group gap="lg" wrap="nowrap" visibleFrom="sm">
            <Identity info={info} />
            <Fingerprint fingerprint={info.identity.fingerprint} />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm">
        <AppShell.Section grow component={ScrollArea}>
          <Stack gap={4}>
            {nav.map((item) => (
              <NavLink
                key={item.to}
                component={RouterNavLink}
                to={item.to}
                label={item.label}
                description={item.description}
                leftSection={item.icon}
                rightSection={
                  item.to === '/requests' && pending > 0 ? (
                    <Badge size="sm" color="yellow" variant="filled" autoContrast circle aria-label={`${pending} waiting`}>
                      {pending}
                    </Badge>
                  ) : undefined
                }
                active={location.pathname.startsWith(item.to) || (item.to === '/collaborations' && /^\/(projects|experiments|runs)\//.test(location.pathname))}
                onClick={close}
              />
            ))}
          </Stack>
        </AppShell.Section>
        <AppShell.Section>
          <Text size="xs" c="dimmed" px="sm" pb="xs">
            Cohort {info.version} · {info.transport === 'electron' ? 'desktop' : 'browser mode'}
            <br />
            Data: <span style={{ wordBreak: 'break-all' }}>{info.dataDir}</span>
          </Text>
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>
        {!connected && (
          <Alert color="orange" icon={<IconPlugConnectedX size={18} />} mb="md" title="Connection to the app lost">
            Trying to reconnect… If you stopped Cohort, start it again and open the link it prints.
          </Alert>
        )}
        {info.role === 'orchestrator' ? (
          <Routes>
            <Route path="/collaborations" element={<CollaborationsPage />} />
            <Route path="/collaborations/:id" element={<CollaborationPage />} />
            <Route path="/projects/:id" element={<ProjectPage />} />
            <Route path="/experiments/:id" element={<ExperimentPage />} />
            <Route path="/runs/:id" element={<RunPage />} />
            <Route path="/compare" element={<ComparePage />} />
            <Route path="/participants" element={<ParticipantsPage />} />
            <Route path="/security" element={<SecurityPage />} />
            <Route path="*" element={<Navigate to="/collaborations" replace />} />
          </Routes>
        ) : (
          <Routes>
            <Route path="/memberships" element={<MembershipsPage />} />
            <Route path="/data" element={<DataPage />} />
            <Route path="/requests" element={<RequestsPage />} />
            <Route path="/shared" element={<SharedPage />} />
            <Route path="/activity" element={<ActivityPage />} />
            <Route path="/models" element={<LocalModelsPage />} />
            <Route path="/security" element={<SecurityPage />} />
            <Route path="*" element={<Navigate to="/memberships" replace />} />
          </Routes>
        )}
      </AppShell.Main>
    </AppShell>
  );
}

export function App({ missingToken }: { missingToken: boolean }) {
  const info = useQuery('app.info', missingToken ? null : {}, ['memberships']);
  if (missingToken) {
    return (
      <Center h="100vh" p="lg">
        <Alert color="orange" title="Open Cohort with its link" maw={560}>
          This page needs the one-time key that Cohort prints when it starts (the link ending in #token=…). Open that link, or
          start Cohort again with <Code>npm start</Code>.
        </Alert>
      </Center>
    );
  }
  if (info.error) {
    return (
      <Center h="100vh" p="lg">
        <ErrorAlert error={info.error} title="Cannot reach the Cohort app" onRetry={info.reload} />
      </Center>
    );
  }
  if (!info.data) {
    return (
      <Center h="100vh">
        <Loader aria-label="Starting" />
      </Center>
    );
  }
  return <Shell info={info.data} />;
}
