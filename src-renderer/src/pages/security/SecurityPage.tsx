// Security, for both roles: who this installation is (the fingerprints other parties compare),
// and its security log: everything that left this computer and everything that came in.
import { Code, Group, Paper, Stack, Text, ThemeIcon } from '@mantine/core';
import { IconArrowDownLeft, IconArrowUpRight, IconLock } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useQuery } from '../../api/react';
import { PageHeader } from '../../components/page';
import { joinPath } from '../../components/paths';
import { QueryView } from '../../components/states';
import { InstallationRules } from '../participant/owner-rules';
import { IdentitySection } from './identity';
import { ExportLogButton } from './security-export';
import { SecurityLogView } from './security-log';

/** Where the app keeps the log, in its data directory. */
const SECURITY_LOG_FILE = 'security-log.jsonl';

function Point({ icon, children }: { icon: ReactNode; children: ReactNode }) {
  return (
    <Group gap="sm" wrap="nowrap" align="flex-start">
      <ThemeIcon size={24} radius="xl" variant="light" style={{ flexShrink: 0 }}>
        {icon}
      </ThemeIcon>
      <Text size="sm">{children}</Text>
    </Group>
  );
}

function WhatIsRecorded({ logPath, participant }: { logPath: string; participant: boolean }) {
  return (
    <Paper p="md" bg="var(--mantine-color-cohort-light)" withBorder={false} component="section" aria-label="What the security log records">
      <Stack gap="sm">
        <Point icon={<IconArrowUpRight size={14} />}>
          <b>Everything that left this computer</b>: what it was, to whom, how many bytes, and when.
          {participant && ' Rows of your data are never sent, so none appear here: what leaves are model updates, evaluation figures, the column names and row counts you declared, and the messages that keep the connection going.'}
        </Point>
        <Point icon={<IconArrowDownLeft size={14} />}>
          <b>Every request or connection from outside</b>, as soon as it arrives: whether it was accepted or refused, and why it was refused. Its answer is
          recorded when it is sent, with the error when a request could not be carried out.
        </Point>
        <Point icon={<IconLock size={14} />}>
          The log is only ever added to: nothing in it is changed or removed. It is kept on this computer in <Code style={{ overflowWrap: 'anywhere' }}>{logPath}</Code>.
        </Point>
      </Stack>
    </Paper>
  );
}

export function SecurityPage() {
  const info = useQuery('app.info', {});
  return (
    <>
      <PageHeader title="Security" description="Who this installation is, as the other parties can check it, and a record of everything it exchanged with them." />
      <QueryView state={info}>
        {(app) => {
          const logPath = joinPath(app.dataDir, SECURITY_LOG_FILE);
          return (
            <Stack gap="lg">
              <WhatIsRecorded logPath={logPath} participant={app.role === 'participant'} />
              {app.role === 'participant' && <InstallationRules />}
              <IdentitySection info={app} />
              <SecurityLogView role={app.role} exportAction={<ExportLogButton logPath={logPath} />} />
            </Stack>
          );
        }}
      </QueryView>
    </>
  );
}
