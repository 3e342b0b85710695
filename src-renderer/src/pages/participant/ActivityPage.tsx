// Activity: what each run did with this hospital's data, as it happens. Rows used, the local
// training loss per round, the last evaluation on the hospital's own evaluate data, and the
// predictions it wrote here; past runs below.
import { Accordion, Alert, Anchor, Badge, Button, Card, Code, Group, Loader, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconActivity, IconAlertTriangle, IconShieldCheck } from '@tabler/icons-react';
import { useState } from 'react';
import { Link } from 'react-router';
import type { ApiTypes } from '../../../../src-main/contract/api';
import type { Consent } from '../../../../src-main/contract/records';
import { useQuery } from '../../api/react';
import { RoundChart } from '../../components/charts';
import { CopyIcon } from '../../components/copy';
import { describeModel } from '../../components/describe';
import { formatCount, formatDate, formatNumber } from '../../components/format';
import { MetricsTable } from '../../components/metrics';
import { PageHeader } from '../../components/page';
import { Stat } from '../../components/stat';
import { EmptyState, QueryView } from '../../components/states';

type Entry = ApiTypes['ActivityEntry'];

const sentence = (text: string) => (text ? text[0]!.toUpperCase() + text.slice(1) : text);

function StateBadge({ entry }: { entry: Entry }) {
  if (entry.state === 'running') {
    return (
      <Badge color="blue" variant="light" leftSection={<Loader size={10} color="blue" />}>
        Training
      </Badge>
    );
  }
  if (entry.state === 'finished') {
    return (
      <Badge color="green" variant="light">
        Finished
      </Badge>
    );
  }
  return (
    <Badge color="orange" variant="light">
      Ended early
    </Badge>
  );
}

function runName(entry: Entry, consent: Consent | undefined) {
  return consent?.summary.run ?? entry.run;
}

function ActivityDetails({ entry, consent }: { entry: Entry; consent: Consent | undefined }) {
  const planned = consent?.summary.hyperparameters.rounds;
  const done = entry.rounds.length;
  const last = entry.rounds.at(-1);
  const path = entry.predictedRows !== null ? entry.predictionsPath : null;
  return (
    <Stack gap="lg">
      {entry.state === 'ended' && (
        <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} title="The run ended before finishing">
          {sentence(entry.endReason ?? 'no reason was given')}.
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
        <Stat label="Training rows used" value={formatCount(entry.trainRows)} hint="from your training file" />
        <Stat label="Evaluation rows used" value={formatCount(entry.evaluateRows)} hint={entry.evaluateRows === 0 ? 'no evaluation file' : 'from your evaluation file'} />
        <Stat
          label="Rounds trained here"
          value={planned ? `${done} of ${planned}` : String(done)}
          hint={last ? `last: ${formatNumber(last.seconds, 2)} s on ${formatCount(last.numExamples)} rows` : 'none yet'}
        />
        <Stat
          label="Predictions written"
          value={entry.predictedRows === null ? '—' : `${formatCount(entry.predictedRows)} rows`}
          hint={entry.predictedRows === null ? (entry.state === 'running' ? 'written when the run finishes' : 'no prediction file registered') : 'on this computer only'}
        />
      </SimpleGrid>
      {entry.state === 'running' && planned !== undefined && (
        <Progress value={(done / planned) * 100} size="sm" animated aria-label={`${done} of ${planned} rounds`} />
      )}
      {path && (
        <Group gap="xs" wrap="nowrap">
          <Text size="sm">
            <Text span c="dimmed">
              Predictions file{' '}
            </Text>
            <Code style={{ wordBreak: 'break-all' }}>{path}</Code>
          </Text>
          <CopyIcon value={path} label="Copy the path of the predictions file" />
        </Group>
      )}

      <Stack gap="xl">
        <Stack gap="xs">
          <Title order={4} size="h5">
            My training loss per round
          </Title>
          <Text size="xs" c="dimmed">
            How far the model was from your training data’s answers after training on it here (lower is better).
          </Text>
          <RoundChart
            label={`My local training loss, ${runName(entry, consent)}`}
            rows={entry.rounds.map((round) => ({ round: round.round, loss: round.loss }))}
            series={[{ key: 'loss', label: 'My training loss', color: 'cohort.7', emphasis: true }]}
            maxRound={entry.state === 'running' ? planned : undefined}
            yLabel="Loss"
            height={240}
            empty={entry.state === 'running' ? 'Waiting for the first round…' : 'No round was trained on your data.'}
          />
        </Stack>
        <Stack gap="xs">
          <Title order={4} size="h5">
            Last evaluation on my data
          </Title>
          <Text size="xs" c="dimmed">
            The shared model, tested on your evaluation rows here. Only these figures were sent to the orchestrator.
          </Text>
          {entry.lastMetrics ? (
            <MetricsTable rows={[{ name: 'on my evaluate data', metrics: entry.lastMetrics }]} caption={undefined} />
          ) : (
            <Text size="sm" c="dimmed">
              {entry.evaluateRows === 0
                ? (
                    <>
                      No evaluation file was used.{' '}
                      <Anchor component={Link} to="/data" size="sm">
                        Register one
                      </Anchor>{' '}
                      to see how models do on your patients.
                    </>
                  )
                : entry.state === 'running'
                  ? 'No evaluation yet: it comes after a round.'
                  : 'No evaluation was made.'}
            </Text>
          )}
        </Stack>
      </Stack>
    </Stack>
  );
}

function EntryHeading({ entry, consent }: { entry: Entry; consent: Consent | undefined }) {
  return (
    <Group justify="space-between" align="flex-start" wrap="nowrap" w="100%">
      <Stack gap={2}>
        {consent && (
          <Text size="xs" c="dimmed">
            {consent.summary.collaboration} › {consent.summary.project} · {describeModel(consent.summary.model).name}
          </Text>
        )}
        <Group gap="sm">
          <Text fw={650} size="lg">
            {runName(entry, consent)}
          </Text>
          <StateBadge entry={entry} />
        </Group>
      </Stack>
      <Text size="xs" c="dimmed" ta="right">
        Started {formatDate(entry.startedAt)}
        <br />
        {entry.state === 'running' ? 'Last update' : 'Ended'} {formatDate(entry.updatedAt)}
      </Text>
    </Group>
  );
}

function History({ entries, consents, openFirst }: { entries: Entry[]; consents: Map<string, Consent>; openFirst: boolean }) {
  const [open, setOpen] = useState<string[]>(openFirst && entries[0] ? [entries[0].run] : []);
  return (
    <Accordion multiple value={open} onChange={setOpen} variant="separated" radius="md" chevronPosition="left">
      {entries.map((entry) => {
        const consent = consents.get(entry.run);
        return (
          <Accordion.Item key={entry.run} value={entry.run}>
            <Accordion.Control>
              <EntryHeading entry={entry} consent={consent} />
            </Accordion.Control>
            <Accordion.Panel>{open.includes(entry.run) && <ActivityDetails entry={entry} consent={consent} />}</Accordion.Panel>
          </Accordion.Item>
        );
      })}
    </Accordion>
  );
}

export function ActivityPage() {
  const activity = useQuery('activity.list', {}, ['activity']);
  const requests = useQuery('requests.list', {}, ['requests']);
  const consents = new Map((requests.data ?? []).map((consent) => [consent.runId, consent]));
  const pending = (requests.data ?? []).filter((consent) => consent.state === 'pending').length;

  return (
    <>
      <PageHeader title="Activity" description="What training runs did with this hospital’s data, on this computer. Updated live while a run trains." />
      {pending > 0 && (
        <Alert color="yellow" variant="light" icon={<IconShieldCheck size={18} />} mb="lg" title={`${pending} training request${pending === 1 ? ' is' : 's are'} waiting for your decision`}>
          <Group justify="space-between">
            <Text size="sm">A run does not start on your data until you approve it.</Text>
            <Button component={Link} to="/requests" size="xs" variant="outline" color="yellow.9">
              Review requests
            </Button>
          </Group>
        </Alert>
      )}
      <QueryView
        state={activity}
        isEmpty={(list) => list.length === 0}
        empty={
          <Card>
            <EmptyState
              title="No run has used your data yet"
              description={
                <>
                  Runs you approve appear here as they train, with your training loss round by round.{' '}
                  <Anchor component={Link} to="/requests" size="sm">
                    See training requests
                  </Anchor>
                </>
              }
              icon={<IconActivity size={26} />}
            />
          </Card>
        }
      >
        {(list) => {
          const running = list.filter((entry) => entry.state === 'running');
          const past = list.filter((entry) => entry.state !== 'running');
          return (
            <Stack gap="xl">
              {running.length > 0 && (
                <Stack gap="md" component="section" aria-labelledby="running-title">
                  <Title order={3} size="h4" id="running-title">
                    Training now
                  </Title>
                  {running.map((entry) => (
                    <Card key={entry.run} component="article" aria-label={runName(entry, consents.get(entry.run))}>
                      <Stack gap="lg">
                        <EntryHeading entry={entry} consent={consents.get(entry.run)} />
                        <ActivityDetails entry={entry} consent={consents.get(entry.run)} />
                      </Stack>
                    </Card>
                  ))}
                </Stack>
              )}
              {past.length > 0 && (
                <Stack gap="md" component="section" aria-labelledby="history-title">
                  <Title order={3} size="h4" id="history-title">
                    Past runs
                  </Title>
                  <History entries={past} consents={consents} openFirst={running.length === 0} />
                </Stack>
              )}
            </Stack>
          );
        }}
      </QueryView>
    </>
  );
}
