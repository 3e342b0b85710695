// What a finished run left: how it ended, who dropped out, the final metrics of the global
// model at each participant and pooled, the aggregate confusion matrix, and how the updates
// were protected (with the differential privacy spent).
import { Alert, Box, Code, Group, Paper, SimpleGrid, Stack, Table, Text, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconCircleCheck, IconPlayerStop, IconShieldCheck } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { Project } from '../../../../src-main/contract/records';
import type { PrivacyReport, RunResult } from '../../../../src-main/contract/results';
import { CapsLabel } from '../../components/caps-label';
import { CopyIcon } from '../../components/copy';
import { formatCount, formatDate, formatDuration, formatEpsilon, formatNumber } from '../../components/format';
import { ConfusionMatrix, MetricsTable } from '../../components/metrics';
import { DP_LABELS } from '../../components/privacy';
import { Section } from '../../components/section';
import { PartyLabel, type PartyName } from './run-live';
import { durationSeconds } from './run-state';

function Stat({ label, hint, children }: { label: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <Paper p="sm" bg="var(--mantine-color-gray-0)" withBorder={false}>
      <CapsLabel>{label}</CapsLabel>
      <Box fz="sm" fw={600} mt={4}>
        {children}
      </Box>
      {hint && (
        <Text size="xs" c="dimmed" mt={2}>
          {hint}
        </Text>
      )}
    </Paper>
  );
}

function Fingerprint({ value }: { value: string | null }) {
  if (!value) return <>—</>;
  return (
    <Group gap={4} wrap="nowrap">
      <Tooltip label={value} withArrow maw={420} multiline>
        <Code fz="xs" style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', maxWidth: 150 }}>
          {value}
        </Code>
      </Tooltip>
      <CopyIcon value={value} label="Copy the alignment fingerprint" size="sm" />
    </Group>
  );
}

export function OutcomeSection({ result, plannedRounds, names }: { result: RunResult; plannedRounds: number; names: Map<string, PartyName> }) {
  const seconds = durationSeconds(result.startedAt, result.finishedAt);
  const rounds = result.rounds.length;
  return (
    <Section title="Outcome" description={`Finished ${formatDate(result.finishedAt)}.`}>
      {result.status === 'completed' ? (
        <Alert color="green" variant="light" icon={<IconCircleCheck size={18} />} title="Completed">
          {rounds} {rounds === 1 ? 'round' : 'rounds'} trained with {result.parties.length} {result.parties.length === 1 ? 'participant' : 'participants'}
          {seconds === null ? '' : ` in ${formatDuration(seconds)}`}.
        </Alert>
      ) : (
        <Alert
          color={result.status === 'cancelled' ? 'orange' : result.status === 'interrupted' ? 'grape' : 'red'}
          variant="light"
          icon={result.status === 'cancelled' || result.status === 'interrupted' ? <IconPlayerStop size={18} /> : <IconAlertTriangle size={18} />}
          title={result.status === 'cancelled' ? 'The run was cancelled' : result.status === 'interrupted' ? 'The run was paused (it can be resumed)' : 'The run failed'}
          role="alert"
        >
          <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
            {result.error ?? 'No reason was recorded.'}
          </Text>
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm">
        <Stat label="Duration">{seconds === null ? '—' : formatDuration(seconds)}</Stat>
        <Stat label="Rounds">
          {rounds} of {plannedRounds}
        </Stat>
        <Stat label="Stopped early">
          {result.stoppedEarly
            ? `At round ${result.stoppedEarly.round}; kept round ${result.stoppedEarly.bestRound}`
            : result.privacy.stoppedByBudget
              ? `Privacy budget reached after round ${rounds}`
              : 'No'}
        </Stat>
        <Stat label="Participants">{result.parties.length}</Stat>
        <Stat label="Features">{result.features.length > 0 ? formatCount(result.features.length) : '—'}</Stat>
        <Stat label="Parameters">{result.parameterCount > 0 ? formatCount(result.parameterCount) : '—'}</Stat>
        <Stat label="Backend">{result.backend || '—'}</Stat>
        <Stat label="Alignment fingerprint">
          <Fingerprint value={result.alignmentFingerprint} />
        </Stat>
      </SimpleGrid>
      <Stack gap={6}>
        <Text size="sm" fw={600}>
          Dropouts
        </Text>
        {result.dropouts.length === 0 ? (
          <Text size="sm" c="dimmed">
            No participant dropped out.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={560}>
            <Table withTableBorder aria-label="Dropouts" highlightOnHover={false}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Participant</Table.Th>
                  <Table.Th style={{ textAlign: 'right' }}>Round</Table.Th>
                  <Table.Th>Reason</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {result.dropouts.map((dropout, index) => (
                  <Table.Tr key={`${dropout.party}-${dropout.round}-${index}`}>
                    <Table.Td>
                      <PartyLabel id={dropout.party} names={names} />
                    </Table.Td>
                    <Table.Td style={{ textAlign: 'right' }}>{dropout.round === 0 ? 'Before training' : dropout.round}</Table.Td>
                    <Table.Td style={{ overflowWrap: 'anywhere' }}>{dropout.reason}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Section>
  );
}

/** The two labels of a binary target: the project's positive class and "the other one". */
export function binaryLabels(project: Project): { positive: string; negative: string } {
  return project.positiveClass ? { positive: project.positiveClass, negative: `not ${project.positiveClass}` } : { positive: 'positive', negative: 'negative' };
}

export function EvaluationSection({ result, project, names }: { result: RunResult; project: Project; names: Map<string, PartyName> }) {
  const evaluation = result.evaluation;
  if (!evaluation) {
    return (
      <Section title="Evaluation">
        <Text size="sm" c="dimmed">
          No evaluation: the run ended before its global model was evaluated.
        </Text>
      </Section>
    );
  }
  const rows = [
    ...Object.entries(evaluation.parties)
      .map(([party, metrics]) => ({ name: names.get(party)?.name ?? party, metrics }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    { name: 'All participants (aggregate)', metrics: evaluation.aggregate, strong: true },
  ];
  const aggregate = evaluation.aggregate;
  const labels = binaryLabels(project);
  return (
    <Section
      title="Evaluation"
      description={`The final global model, evaluated by each participant on its own evaluation data (${formatCount(aggregate.n)} rows in all). Only these numbers were shared.`}
    >
      <MetricsTable rows={rows} caption="Metrics of the global model" />
      {aggregate.kind !== 'regression' && (
        <Stack gap={6}>
          <Text size="sm" fw={600} id="confusion-title">
            Confusion matrix, all participants
          </Text>
          <Text size="xs" c="dimmed">
            Rows are the true {aggregate.kind === 'binary' ? `values of “${project.targetColumn}”` : 'classes'}, columns the model’s predictions; the
            diagonal is right.
            {aggregate.tableRows !== undefined &&
              ` It counts ${formatCount(aggregate.tableRows)} of the ${formatCount(aggregate.n)} rows: some hospitals withheld their table, because a cell would have counted fewer patients than their minimum cell count.`}
          </Text>
          <Box>
            <ConfusionMatrix metrics={aggregate} positiveLabel={labels.positive} negativeLabel={labels.negative} />
          </Box>
        </Stack>
      )}
    </Section>
  );
}

/** Where the noise went, for a run with differential privacy. */
function noiseText(privacy: PrivacyReport): string {
  const deviation = privacy.clip !== null && privacy.noiseMultiplier !== null ? ` of standard deviation σ × C = ${formatNumber(privacy.clip * privacy.noiseMultiplier)}` : '';
  const clipped = `Each update was clipped to C = ${formatNumber(privacy.clip)}`;
  if (privacy.dp === 'local') return `${clipped}, and each hospital added noise${deviation} to its own update.`;
  return privacy.secureAggregation
    ? `${clipped}; the hospitals added noise${deviation} to the sum, in shares.`
    : `${clipped}; the orchestrator added noise${deviation} to the sum of the updates.`;
}

/** How a finished run protected the updates: secure aggregation, and the differential privacy spent. */
export function PrivacySection({ privacy, rounds }: { privacy: PrivacyReport; rounds: number }) {
  const dp = privacy.dp !== 'off';
  const quantization = privacy.quantization;
  const target = privacy.targetEpsilon === null ? null : formatEpsilon(privacy.targetEpsilon);
  return (
    <Section title="Privacy" description="How the participants’ updates were protected, and the differential privacy this run spent.">
      {privacy.stoppedByBudget && (
        <Alert color="blue" variant="light" icon={<IconShieldCheck size={18} />} title="Training stopped at the privacy budget">
          {rounds === 0
            ? `No round was trained: even one round would have spent more than the target ${target ?? 'ε'}.`
            : `Training stopped after round ${rounds}: the next round would have spent more than the target ${target ?? 'ε'}. The model of round ${rounds} is the result.`}
        </Alert>
      )}
      <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="sm">
        <Stat
          label="Secure aggregation"
          hint={
            privacy.secureAggregation
              ? quantization
                ? `Fixed-point encoding: ${quantization.fractionalBits} fractional bits, values within ±${formatNumber(quantization.range)}`
                : 'The orchestrator saw only the sum of the updates.'
              : 'The orchestrator saw each hospital’s update.'
          }
        >
          {privacy.secureAggregation ? 'On' : 'Off'}
        </Stat>
        <Stat label="Differential privacy">{DP_LABELS[privacy.dp]}</Stat>
        {dp && (
          <>
            <Stat label="Clipping norm (C)">{formatNumber(privacy.clip)}</Stat>
            <Stat label="Noise multiplier (σ)">{formatNumber(privacy.noiseMultiplier)}</Stat>
            <Stat label="ε spent" hint="Lower is more private.">
              {privacy.epsilon === null ? '—' : formatEpsilon(privacy.epsilon, privacy.delta)}
            </Stat>
            <Stat label="Target ε" hint={privacy.targetEpsilon === null ? 'Training could spend any ε.' : 'Training stops before a round would exceed it.'}>
              {privacy.targetEpsilon === null ? 'None' : formatNumber(privacy.targetEpsilon, 3)}
            </Stat>
          </>
        )}
      </SimpleGrid>
      <Text size="sm" c="dimmed">
        {privacy.secureAggregation
          ? 'With secure aggregation each hospital masked its update, so the orchestrator learned only the sum of each round’s updates, never one hospital’s. '
          : ''}
        {dp ? noiseText(privacy) : 'No noise was added to the updates, so no ε is reported.'}
      </Text>
    </Section>
  );
}
