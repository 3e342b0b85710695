// A run while it executes: which phase it is in and what happens there, how far training got
// and how long it should still take, and what each participant is doing.
import { Badge, Box, Group, Loader, Paper, Progress, Stack, Table, Text, ThemeIcon, Title, VisuallyHidden } from '@mantine/core';
import { IconCheck } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { RunStatus } from '../../../../src-main/contract/records';
import type { PartyActivity, RoundRecord } from '../../../../src-main/contract/results';
import { formatCount, formatDate, formatDuration, formatNumber } from '../../components/format';
import { Section } from '../../components/section';
import { estimateSecondsLeft, lastLosses, meanRoundSeconds, type PartyState } from './run-state';

const PHASES: Array<{ status: RunStatus; label: string }> = [
  { status: 'waiting', label: 'Connect' },
  { status: 'awaiting-approval', label: 'Approve' },
  { status: 'aligning', label: 'Align' },
  { status: 'training', label: 'Train' },
  { status: 'evaluating', label: 'Evaluate' },
  { status: 'exporting', label: 'Export' },
];

export const PHASE_TEXT: Partial<Record<RunStatus, { title: string; text: string }>> = {
  waiting: {
    title: 'Waiting for participants',
    text: 'The participants registered for this project are connecting to this hub. Those that do not connect in time are left out, if enough others do.',
  },
  'awaiting-approval': {
    title: 'Awaiting approval',
    text: 'Each participant was sent a summary of this run (the model, its settings and the data it uses) and must approve it in their Cohort app before any of their data is used.',
  },
  aligning: {
    title: 'Aligning features',
    text: 'The participants declared their columns (names and types, never values). Cohort agrees one set of features for everyone, and each participant loads and encodes its own data.',
  },
  training: {
    title: 'Training',
    text: 'Each round, every participant trains the shared model on its own rows and sends back only the updated weights. They are combined here into the next global model, which the participants evaluate on their own evaluation data.',
  },
  evaluating: {
    title: 'Evaluating',
    text: 'The final global model is evaluated by each participant on its own evaluation data. Only the metrics are sent here.',
  },
  exporting: {
    title: 'Exporting',
    text: 'The global model is sent to the participants and saved here, so it can be exported and used.',
  },
};

function PhaseSteps({ status }: { status: RunStatus }) {
  const current = PHASES.findIndex((phase) => phase.status === status);
  return (
    <Box component="ol" aria-label="Phases of the run" style={{ display: 'flex', listStyle: 'none', margin: 0, padding: 0, gap: 8 }}>
      {PHASES.map((phase, index) => {
        const done = index < current;
        const active = index === current;
        return (
          <Box
            component="li"
            key={phase.status}
            aria-current={active ? 'step' : undefined}
            style={{ flex: 1, display: 'flex', alignItems: 'center', gap: 8, minWidth: 0 }}
          >
            <ThemeIcon size={26} radius="xl" variant={done || active ? 'filled' : 'light'} color={done || active ? 'cohort' : 'gray'}>
              {done ? <IconCheck size={15} aria-hidden /> : active ? <Loader size={13} color="white" aria-hidden /> : <Text size="xs">{index + 1}</Text>}
            </ThemeIcon>
            <Text size="sm" fw={active ? 700 : 500} c={done || active ? undefined : 'dimmed'} style={{ whiteSpace: 'nowrap' }}>
              {phase.label}
              {(done || active) && <VisuallyHidden>{done ? ' (done)' : ' (now)'}</VisuallyHidden>}
            </Text>
            {index < PHASES.length - 1 && (
              <Box aria-hidden style={{ flex: 1, height: 2, minWidth: 12, background: done ? 'var(--mantine-color-cohort-6)' : 'var(--mantine-color-gray-3)' }} />
            )}
          </Box>
        );
      })}
    </Box>
  );
}

function Elapsed({ since }: { since: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const seconds = Math.max(0, (now - Date.parse(since)) / 1000);
  return <>{formatDuration(Math.floor(seconds))}</>;
}

export function PhaseCard({
  status,
  message,
  rounds,
  round,
  totalRounds,
  startedAt,
  exact = false,
}: {
  status: RunStatus;
  message?: string | undefined;
  rounds: RoundRecord[];
  round: number;
  totalRounds: number;
  startedAt?: string | undefined;
  /** An exact fit: it stops when it converges, usually long before its most rounds. */
  exact?: boolean;
}) {
  const phase = PHASE_TEXT[status];
  const secondsLeft = status === 'training' && !exact ? estimateSecondsLeft(rounds, totalRounds) : null;
  const perRound = meanRoundSeconds(rounds);
  const share = totalRounds > 0 ? Math.min(100, (round / totalRounds) * 100) : 0;
  const training = status === 'training';
  const beforeTraining = status === 'waiting' || status === 'awaiting-approval' || status === 'aligning';
  /** The round in progress while training; the rounds done otherwise. */
  const current = training ? Math.min(round + 1, totalRounds) : round;
  return (
    <Paper component="section" p="lg" aria-labelledby="run-phase-title">
      <Stack gap="lg">
        <PhaseSteps status={status} />
        <Stack gap={4}>
          <Title order={3} size="h4" id="run-phase-title">
            {phase?.title ?? status}
          </Title>
          <Text size="sm" c="dimmed" maw={860}>
            {phase?.text}
          </Text>
          {message && (
            <Text size="sm" mt={4}>
              {message}
            </Text>
          )}
        </Stack>
        <Stack gap={6}>
          <Group justify="space-between" align="baseline">
            <Text fw={650} size="lg" aria-live="polite" data-testid="round-counter">
              Round {current} of {exact ? 'at most ' : ''}
              {totalRounds}
              {training && (
                <Text span size="sm" c="dimmed" fw={400}>
                  {' '}
                  · {round} {round === 1 ? 'round' : 'rounds'} done
                </Text>
              )}
            </Text>
            <Text size="sm" c="dimmed" aria-live="polite" data-testid="eta">
              {training
                ? exact
                  ? `Stops when the fit converges (usually in under 10 rounds)${perRound === null ? '' : ` · ${formatDuration(perRound)} per round`}`
                  : secondsLeft === null
                  ? 'Time left is estimated once the first round finishes'
                  : `About ${formatDuration(secondsLeft)} left${perRound === null ? '' : ` · ${formatDuration(perRound)} per round`}`
                : beforeTraining
                  ? 'Training starts once the participants are ready'
                  : 'Training is done; finishing'}
            </Text>
          </Group>
          <Progress
            value={share}
            size="lg"
            radius="xl"
            striped={training}
            animated={training}
            aria-label={`Training progress: ${round} of ${totalRounds} rounds done`}
          />
          {startedAt && (
            <Text size="xs" c="dimmed">
              Started {formatDate(startedAt)} · running for <Elapsed since={startedAt} />
            </Text>
          )}
        </Stack>
      </Stack>
    </Paper>
  );
}

const ACTIVITY: Record<PartyActivity, { label: string; color: string; hint: string }> = {
  waiting: { label: 'Waiting', color: 'gray', hint: 'Not connected to the hub yet' },
  approving: { label: 'Approving', color: 'yellow', hint: 'Asked to approve the run' },
  declined: { label: 'Declined', color: 'orange', hint: 'Its data owner declined the run; it goes ahead without them if enough others take part' },
  declaring: { label: 'Declaring', color: 'cyan', hint: 'Describing its columns (no values)' },
  preparing: { label: 'Preparing', color: 'cyan', hint: 'Loading and encoding its data' },
  training: { label: 'Training', color: 'blue', hint: 'Training on its own rows' },
  trained: { label: 'Trained', color: 'teal', hint: 'Sent its update for this round' },
  evaluating: { label: 'Evaluating', color: 'violet', hint: 'Evaluating the global model on its own data' },
  exporting: { label: 'Exporting', color: 'indigo', hint: 'Receiving the final model' },
  failed: { label: 'Failed', color: 'red', hint: 'The last request to it failed' },
  done: { label: 'Done', color: 'green', hint: 'Finished its part of the run' },
};

export function ActivityBadge({ activity }: { activity: PartyActivity }) {
  const { label, color } = ACTIVITY[activity];
  return (
    <Badge variant="dot" color={color} component="span" data-activity={activity}>
      {label}
    </Badge>
  );
}

export interface PartyName {
  name: string;
  organisation?: string | undefined;
}

export function PartyLabel({ id, names }: { id: string; names: Map<string, PartyName> }) {
  const party = names.get(id);
  return (
    <Stack gap={0}>
      <Text size="sm" fw={600}>
        {party?.name ?? id}
      </Text>
      {party?.organisation && (
        <Text size="xs" c="dimmed">
          {party.organisation}
        </Text>
      )}
    </Stack>
  );
}

export function PartiesTable({
  parties,
  activity,
  rounds,
  names,
}: {
  parties: string[];
  activity: Record<string, PartyState>;
  rounds: RoundRecord[];
  names: Map<string, PartyName>;
}) {
  const losses = lastLosses(rounds);
  return (
    <Section title="Participants" count={parties.length} description="What each participant is doing now, and its latest local training loss.">
      {parties.length === 0 ? (
        <Text size="sm" c="dimmed">
          No participant has reported yet.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={720}>
          <Table aria-label="Participants" highlightOnHover={false}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Participant</Table.Th>
                <Table.Th>Activity</Table.Th>
                <Table.Th style={{ textAlign: 'right' }}>Round</Table.Th>
                <Table.Th style={{ textAlign: 'right' }}>Local loss</Table.Th>
                <Table.Th style={{ textAlign: 'right' }}>Training rows</Table.Th>
                <Table.Th>Last message</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {parties.map((party) => {
                const state = activity[party];
                const loss = losses.get(party);
                return (
                  <Table.Tr key={party} data-party={party}>
                    <Table.Td>
                      <PartyLabel id={party} names={names} />
                    </Table.Td>
                    <Table.Td>{state ? <ActivityBadge activity={state.activity} /> : <Text size="sm" c="dimmed">No news yet</Text>}</Table.Td>
                    <Table.Td style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>{state && state.round > 0 ? state.round : '—'}</Table.Td>
                    <Table.Td style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>
                      {loss ? formatNumber(loss.loss) : '—'}
                      {loss && (
                        <Text span size="xs" c="dimmed">
                          {' '}
                          (round {loss.round})
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>{loss ? formatCount(loss.numExamples) : '—'}</Table.Td>
                    <Table.Td maw={360}>
                      {state?.message ? (
                        <Text size="sm" c={state.activity === 'failed' ? 'red' : undefined} style={{ overflowWrap: 'anywhere' }}>
                          {state.message}
                        </Text>
                      ) : (
                        <Text size="sm" c="dimmed">
                          {state ? ACTIVITY[state.activity].hint : '—'}
                        </Text>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Section>
  );
}
