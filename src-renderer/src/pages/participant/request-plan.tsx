// What an approval covers and how much of it a run has used, as the participant itself keeps
// them: its own names for the collaboration and project, the parties of the run, the plan its
// approval is bound to (model, rounds, evaluation schedule, privacy settings), and the fit and
// evaluation counts the worker holds the orchestrator to.
import { Code, Group, List, Stack, Text } from '@mantine/core';
import type { ApiTypes } from '../../../../src-main/contract/api';
import { usesExactSolver } from '../../../../src-main/contract/records';
import { describeModel } from '../../components/describe';
import { privacyBrief } from '../../components/privacy';

type Request = ApiTypes['ConsentView'];

/** "Your collaboration › your project", with the orchestrator's words when they differ. */
export function LocalNames({ request }: { request: Request }) {
  const { summary, local } = request;
  const renamed = local && (local.collaboration !== summary.collaboration || local.project !== summary.project);
  return (
    <Text size="xs" c="gray.7">
      {local ? `${local.collaboration} › ${local.project}` : `${summary.collaboration} › ${summary.project}`} › {summary.experiment}
      {renamed && ` (the orchestrator calls it ${summary.collaboration} › ${summary.project})`}
    </Text>
  );
}

/** The parties of the run, as the orchestrator listed them (secure aggregation accepts only their keys). */
export function Roster({ request }: { request: Request }) {
  const { roster } = request.summary;
  if (roster.length === 0) return <Text size="sm" c="gray.7">The orchestrator did not list the parties.</Text>;
  return (
    <Stack gap={4}>
      <Text size="sm">
        {roster.length} {roster.length === 1 ? 'party' : 'parties'} take part:
      </Text>
      <List size="sm" spacing={2}>
        {roster.map((party) => (
          <List.Item key={party.id}>
            {party.name} <Text span size="xs" c="gray.7">({party.id}{party.key ? ', identity key on record' : ', no identity key'})</Text>
          </List.Item>
        ))}
      </List>
    </Stack>
  );
}

/** The plan the approval is bound to, in words. */
export function PlanCoverage({ request }: { request: Request }) {
  const { summary, allowed, planHash } = request;
  const rounds = allowed?.rounds ?? summary.hyperparameters.rounds;
  return (
    <Stack gap={4}>
      <List size="sm" spacing={2}>
        {usesExactSolver(summary.model, summary.hyperparameters) ? (
          <List.Item>
            {describeModel(summary.model).name}, fitted exactly in at most {rounds} round{rounds === 1 ? '' : 's'}: each round sends sums over your rows (of the model’s error, its gradient and
            its curvature) instead of a trained model. Your computer refuses if you have too few rows for them to describe single patients.
          </List.Item>
        ) : (
          <List.Item>
            {describeModel(summary.model).name}, trained for at most {rounds} round{rounds === 1 ? '' : 's'}
          </List.Item>
        )}
        {allowed && (
          <List.Item>
            The shared model is evaluated on your data at most {allowed.evaluations} time{allowed.evaluations === 1 ? '' : 's'} (before training and after the scheduled rounds)
          </List.Item>
        )}
        <List.Item>Protection: {privacyBrief(summary.privacy)}</List.Item>
        {summary.hyperparameters.compression !== 'none' && <List.Item>Updates sent compressed: {compressionBrief(summary.hyperparameters)}</List.Item>}
        <List.Item>Your data: {summary.tags.join(', ') || 'none'}, for the target {summary.targetColumn}</List.Item>
      </List>
      <Text size="xs" c="gray.7">
        This computer refuses anything the orchestrator asks beyond this plan; a changed plan asks you again.
        {planHash && (
          <>
            {' '}
            Plan fingerprint <Code>{planHash.slice(0, 12)}</Code>
          </>
        )}
      </Text>
    </Stack>
  );
}

/** How the run's updates are compressed, in plain words (after any noise: it spends no privacy). */
export function compressionBrief({ compression, topkFraction }: Pick<Request['summary']['hyperparameters'], 'compression' | 'topkFraction'>): string {
  if (compression === 'float16') return 'half precision (each change rounded very slightly)';
  if (compression === 'int8') return '8 bits (each change rounded, errors averaging out)';
  return `only the largest ${+(topkFraction * 100).toPrecision(3)}% of the changes each round (the rest in later rounds)`;
}

/** How much of an approved plan a run has used. */
export function UsageText({ request }: { request: Request }) {
  const { usage, allowed, summary } = request;
  const rounds = allowed?.rounds ?? summary.hyperparameters.rounds;
  return (
    <Group gap={4} wrap="wrap">
      <Text size="xs">
        Rounds {usage.lastRound} of {rounds}
      </Text>
      <Text size="xs" c="gray.7">
        ·
      </Text>
      <Text size="xs">
        Evaluations {usage.evaluations}
        {allowed ? ` of ${allowed.evaluations}` : ''}
      </Text>
      {request.state === 'completed' && (
        <Text size="xs" c="gray.7">
          · run finished (a new run asks again)
        </Text>
      )}
    </Group>
  );
}
