// My data: the files and database queries this hospital registers for a project. Each is previewed and checked on
// this computer first (first rows, a summary of every column); the person can correct a
// column's kind or leave a column out, then registers it. Only the column names, their kinds
// and the row count are ever shared.
import {
  ActionIcon,
  Alert,
  Badge,
  Box,
  Button,
  Card,
  Checkbox,
  Code,
  Group,
  Menu,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  ThemeIcon,
  Title,
  Tooltip,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAlertTriangle, IconDatabase, IconEye, IconLock, IconPencil, IconTrash, IconDatabasePlus } from '@tabler/icons-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { ApiTypes } from '../../../../src-main/contract/api';
import type { ColumnProfile } from '../../../../src-main/contract/data';
import type { ColumnKind, DataTag, Project, TagKind, TagSource } from '../../../../src-main/contract/records';
import type { ApiCallError } from '../../api/client';
import { useAction, useQuery, type QueryState } from '../../api/react';
import { ConfirmModal } from '../../components/confirm-modal';
import { COLUMN_KIND_LABELS, ColumnKindBadge, CsvPreviewTable } from '../../components/data-preview';
import { TAG_KIND_LABELS } from '../../components/describe';
import { formatCount, formatDate, formatNumber } from '../../components/format';
import { PageHeader } from '../../components/page';
import { PathInput } from '../../components/path-input';
import { fileName } from '../../components/paths';
import { EmptyState, ErrorAlert, LoadingBlock } from '../../components/states';
import { ConnectionsCard, newRequestId, QueryInput, QueryProgress, sourceLabel, tagLabel, type ConnectionView } from './data-sources';
import { OmopBuilder } from './OmopBuilder';

/** A path that may wrap after each separator (long folder names stay whole). */
function breakablePath(path: string) {
  const parts = path.split(/(?<=[/\\])/);
  return parts.map((part, index) => (
    <span key={index}>
      {part}
      <wbr />
    </span>
  ));
}

const KIND_SHORT: Record<TagKind, string> = { train: 'Train', evaluate: 'Evaluate', predict: 'Predict' };
const KIND_ARTICLE: Record<TagKind, string> = { train: 'A training', evaluate: 'An evaluation', predict: 'A prediction' };
const KIND_COLORS: Record<TagKind, string> = { train: 'cohort', evaluate: 'indigo', predict: 'orange' };

function kindSentence(kind: TagKind, target: string) {
  switch (kind) {
    case 'train':
      return (
        <>
          The model learns from these rows, on this computer. The file must include the target column <Code>{target}</Code>.
        </>
      );
    case 'evaluate':
      return (
        <>
          Rows kept aside to measure how well a model works on your patients; they are never trained on. The file must include <Code>{target}</Code>.
        </>
      );
    case 'predict':
      return (
        <>
          Rows whose outcome is not known yet: when a run finishes, the model writes its predictions for them into a file on this computer. <Code>{target}</Code> is not
          needed.
        </>
      );
  }
}

/** What to do about a file problem the app reported. */
function fileHint(error: ApiCallError, kind: TagKind, query: boolean): string | undefined {
  if (query && error.code === 'TARGET_MISSING' && kind !== 'predict') {
    return `${TAG_KIND_LABELS[kind]} must include the project’s target column: select it in the query (… AS the target’s name), or choose “Predict” if there are no outcomes.`;
  }
  switch (error.code) {
    case 'FILE_NOT_FOUND':
      return 'Check the path: it must point to a CSV or Parquet file on this computer.';
    case 'QUERY_FAILED':
      return 'Check the query and the connection (Test it below), then preview again.';
    case 'SECRET_LOCKED':
      return 'The stored password cannot be opened here: save the connection again with its password.';
    case 'TARGET_MISSING':
      return kind === 'predict' ? undefined : `${TAG_KIND_LABELS[kind]} must include the project’s target column. Add it to the file, or choose “Predict” if this file has no outcomes.`;
    case 'NOT_NUMERIC':
    case 'NOT_BOOLEAN':
      return 'Fix the value in the file, or give the column a different kind, then try again.';
    case 'RAGGED_ROW':
    case 'CSV_SYNTAX':
    case 'DUPLICATE_COLUMN':
    case 'EMPTY_COLUMN_NAME':
    case 'NO_HEADER':
    case 'INVALID_UTF8':
      return 'Fix the file (for example in a spreadsheet, saved as CSV UTF-8), then preview it again.';
    default:
      return undefined;
  }
}

function FileProblem({ error, kind, title, query = false }: { error: ApiCallError; kind: TagKind; title: string; query?: boolean }) {
  const hint = fileHint(error, kind, query);
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title={title} role="alert" tabIndex={-1} data-file-problem>
      <Stack gap={4}>
        <Text size="sm" fw={500} style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
          {error.message}
        </Text>
        {hint && <Text size="sm">{hint}</Text>}
      </Stack>
    </Alert>
  );
}

// ---------------------------------------------------------------------------------------------
// Registered files

function RegisteredData({ project, tags, connections }: { project: Project; tags: QueryState<DataTag[]>; connections: readonly ConnectionView[] }) {
  const remove = useAction('tags.delete');
  const [removing, setRemoving] = useState<DataTag | undefined>();

  return (
    <Card component="section" aria-labelledby="registered-title">
      <Stack gap="md">
        <div>
          <Title order={3} size="h4" id="registered-title">
            Registered for {project.name}
          </Title>
          <Text size="sm" c="dimmed">
            One source per kind: a file or a database query. The orchestrator sees its column names, kinds and number of rows, never its path, its query or its values.
          </Text>
        </div>
        {tags.error ? (
          <ErrorAlert error={tags.error} onRetry={tags.reload} title="Could not list your registered files" />
        ) : tags.data === undefined ? (
          <LoadingBlock rows={2} />
        ) : tags.data.length === 0 ? (
          <EmptyState
            title="No data registered for this project yet"
            description="Register a training file below so this hospital can take part in training runs. An evaluation file lets you see how well models work on your patients."
            icon={<IconDatabase size={26} />}
          />
        ) : (
          <Table.ScrollContainer minWidth={760}>
            <Table withTableBorder aria-label={`Files registered for ${project.name}`}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Kind</Table.Th>
                  <Table.Th>Source</Table.Th>
                  <Table.Th style={{ textAlign: 'right' }}>Rows</Table.Th>
                  <Table.Th style={{ textAlign: 'right' }}>Columns</Table.Th>
                  <Table.Th>Registered</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {[...tags.data]
                  .sort((a, b) => ['train', 'evaluate', 'predict'].indexOf(a.kind) - ['train', 'evaluate', 'predict'].indexOf(b.kind))
                  .map((tag) => {
                    const excluded = tag.columns.filter((column) => column.excluded).length;
                    return (
                      <Table.Tr key={tag.id}>
                        <Table.Td>
                          <Badge color={KIND_COLORS[tag.kind]} variant="light" style={{ textTransform: 'none' }}>
                            {TAG_KIND_LABELS[tag.kind]}
                          </Badge>
                        </Table.Td>
                        <Table.Td maw={420}>
                          <Text size="sm" fw={600}>
                            {sourceLabel(tag.source, connections).title}
                          </Text>
                          <Text size="xs" c="dimmed" title={sourceLabel(tag.source, connections).detail}>
                            {breakablePath(sourceLabel(tag.source, connections).detail)}
                          </Text>
                        </Table.Td>
                        <Table.Td style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>{formatCount(tag.rows)}</Table.Td>
                        <Table.Td style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>
                          {tag.columns.length}
                          {excluded > 0 && (
                            <Text span size="xs" c="dimmed">
                              {' '}
                              ({excluded} left out)
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>
                          <Text size="sm">{formatDate(tag.updatedAt)}</Text>
                        </Table.Td>
                        <Table.Td style={{ textAlign: 'right' }}>
                          <Tooltip label="Remove this registration" withArrow>
                            <ActionIcon variant="subtle" color="red" aria-label={`Remove the ${TAG_KIND_LABELS[tag.kind].toLowerCase()} registration`} onClick={() => setRemoving(tag)}>
                              <IconTrash size={16} />
                            </ActionIcon>
                          </Tooltip>
                        </Table.Td>
                      </Table.Tr>
                    );
                  })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {remove.error && <ErrorAlert error={remove.error} title="Could not remove the registration" />}
      </Stack>
      <ConfirmModal
        opened={removing !== undefined}
        title={`Remove the ${removing ? TAG_KIND_LABELS[removing.kind].toLowerCase() : 'data'}?`}
        confirmLabel="Remove"
        loading={remove.pending}
        onClose={() => setRemoving(undefined)}
        onConfirm={async () => {
          if (!removing) return;
          const done = await remove.run({ id: removing.id });
          setRemoving(undefined);
          if (done) {
            notifications.show({ color: 'green', title: 'Registration removed', message: `${tagLabel(removing, connections)} is no longer offered to ${project.name}.` });
            tags.reload();
          }
        }}
      >
        Runs that start from now on will not use <b>{removing ? tagLabel(removing, connections) : ''}</b>, and the orchestrator is told this hospital no longer offers it. The
        data itself stays where it is, untouched.
      </ConfirmModal>
    </Card>
  );
}

// ---------------------------------------------------------------------------------------------
// Preview and register

const CHOOSABLE_KINDS: ColumnKind[] = ['numeric', 'categorical', 'boolean', 'identifier'];

interface Choices {
  kinds: Record<string, ColumnKind>;
  excluded: string[];
}

interface EffectiveColumn {
  profile: ColumnProfile;
  kind: ColumnKind;
  changedKind: boolean;
  isTarget: boolean;
  excluded: boolean;
  reason: string | undefined;
}

function effectiveColumns(columns: ColumnProfile[], target: string | undefined, choices: Choices): EffectiveColumn[] {
  return columns.map((profile) => {
    const isTarget = profile.name === target;
    const chosen = choices.kinds[profile.name];
    const kind = chosen ?? profile.kind;
    const byUser = choices.excluded.includes(profile.name);
    const excluded = !isTarget && (byUser || kind === 'identifier' || kind === 'empty');
    let reason: string | undefined;
    if (isTarget) reason = 'The target: what the model learns to predict';
    else if (byUser) reason = 'Left out by you';
    else if (kind === 'identifier') reason = chosen ? 'Left out: you marked it as an identifier' : `Left out: looks like an identifier${profile.note ? ` (${profile.note})` : ''}`;
    else if (kind === 'empty') reason = 'Left out: every value is missing';
    else if (chosen && chosen !== profile.kind) reason = `You set it to ${COLUMN_KIND_LABELS[chosen].toLowerCase()}; the values look ${COLUMN_KIND_LABELS[profile.kind].toLowerCase()}. Checked when you register.`;
    else reason = profile.note;
    return { profile, kind, changedKind: chosen !== undefined && chosen !== profile.kind, isTarget, excluded, reason };
  });
}

function topLevels(levels: Record<string, number>, shown = 3): string {
  const sorted = Object.entries(levels).sort((a, b) => b[1] - a[1]);
  const text = sorted
    .slice(0, shown)
    .map(([level, count]) => `${level} (${formatCount(count)})`)
    .join(', ');
  return sorted.length > shown ? `${text}, +${sorted.length - shown} more` : text;
}

function ColumnSummaryText({ column }: { column: EffectiveColumn }) {
  const { profile, kind } = column;
  if (kind === 'empty') return <Text size="xs" c="dimmed">No values</Text>;
  if (kind === 'identifier') return <Text size="xs" c="dimmed">{formatCount(profile.distinct)}{profile.levelsTruncated ? '+' : ''} distinct values</Text>;
  if (kind === 'numeric' && profile.numeric) {
    const { min, max, mean, std } = profile.numeric;
    return (
      <Text size="xs" style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
        {formatNumber(min)} to {formatNumber(max)} · mean {formatNumber(mean)} ± {formatNumber(std)}
      </Text>
    );
  }
  if (profile.levels && (kind === 'categorical' || kind === 'boolean' || column.isTarget)) {
    return (
      <Text size="xs">
        {topLevels(profile.levels)}
        {profile.levelsTruncated ? ' …' : ''}
      </Text>
    );
  }
  return (
    <Text size="xs" c="dimmed">
      {formatCount(profile.distinct)} distinct values · summary after registering
    </Text>
  );
}

function ColumnTable({
  columns,
  rows,
  onKind,
  onUse,
}: {
  columns: EffectiveColumn[];
  rows: number;
  onKind(name: string, kind: ColumnKind | undefined): void;
  onUse(name: string, use: boolean): void;
}) {
  return (
    <Table.ScrollContainer minWidth={900}>
      <Table withTableBorder aria-label="Column summary" verticalSpacing={6}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th style={{ width: 1 }}>Use</Table.Th>
            <Table.Th>Column</Table.Th>
            <Table.Th style={{ width: 150 }}>Kind</Table.Th>
            <Table.Th style={{ textAlign: 'right', whiteSpace: 'nowrap' }}>Missing</Table.Th>
            <Table.Th>Values</Table.Th>
            <Table.Th>Notes</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {columns.map((column) => {
            const { profile, kind, isTarget, excluded } = column;
            const forced = isTarget || kind === 'identifier' || kind === 'empty';
            const missingShare = rows > 0 ? profile.missing / rows : 0;
            return (
              <Table.Tr key={profile.name} style={{ opacity: excluded ? 0.6 : 1 }} data-excluded={excluded || undefined}>
                <Table.Td>
                  <Tooltip
                    label={isTarget ? 'The target is always used: it is what the model learns to predict' : 'Identifiers and empty columns are never used for training'}
                    disabled={!forced}
                    withArrow
                  >
                    <span>
                      <Checkbox
                        aria-label={`Use ${profile.name} for training`}
                        checked={!excluded}
                        disabled={forced}
                        onChange={(event) => onUse(profile.name, event.currentTarget.checked)}
                      />
                    </span>
                  </Tooltip>
                </Table.Td>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <Text size="sm" fw={isTarget ? 700 : 500} td={excluded ? 'line-through' : undefined}>
                      {profile.name}
                    </Text>
                    {isTarget && (
                      <Badge size="xs" variant="filled" style={{ textTransform: 'none' }}>
                        target
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Group gap={4} wrap="nowrap">
                    <Box style={{ flexShrink: 0 }}>
                      <ColumnKindBadge kind={kind} />
                    </Box>
                    {!isTarget && profile.kind !== 'empty' && (
                      <Menu position="bottom-start" withinPortal>
                        <Menu.Target>
                          <ActionIcon variant="subtle" size="sm" color="gray" aria-label={`Change the kind of ${profile.name}`}>
                            <IconPencil size={14} />
                          </ActionIcon>
                        </Menu.Target>
                        <Menu.Dropdown>
                          <Menu.Label>Treat “{profile.name}” as</Menu.Label>
                          {CHOOSABLE_KINDS.map((choice) => (
                            <Menu.Item
                              key={choice}
                              onClick={() => onKind(profile.name, choice === profile.kind ? undefined : choice)}
                              rightSection={choice === profile.kind ? <Text size="xs" c="dimmed">detected</Text> : undefined}
                              fw={choice === kind ? 700 : undefined}
                            >
                              {COLUMN_KIND_LABELS[choice]}
                            </Menu.Item>
                          ))}
                        </Menu.Dropdown>
                      </Menu>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
                  {profile.missing === 0 ? (
                    <Text size="xs" c="dimmed">
                      none
                    </Text>
                  ) : (
                    <Text size="xs" c={missingShare > 0.2 ? 'orange.8' : undefined}>
                      {formatCount(profile.missing)} ({formatNumber(missingShare * 100, 2)}%)
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <ColumnSummaryText column={column} />
                </Table.Td>
                <Table.Td maw={320}>
                  {column.reason && (
                    <Text size="xs" c={column.changedKind || (profile.note && !excluded && !isTarget) ? 'orange.8' : 'dimmed'}>
                      {column.reason}
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

type SourceMode = 'file' | 'query' | 'omop';

function RegisterFile({
  project,
  existing,
  connections,
  onRegistered,
}: {
  project: Project;
  existing: DataTag[] | undefined;
  connections: readonly ConnectionView[];
  onRegistered(): void;
}) {
  const [kind, setKind] = useState<TagKind>('train');
  const [mode, setMode] = useState<SourceMode>('file');
  const [path, setPath] = useState('');
  const [query, setQuery] = useState<{ connectionId: string | null; query: string }>({ connectionId: null, query: '' });
  const [built, setBuilt] = useState<{ connectionId: string; query: string } | undefined>();
  const [requestId, setRequestId] = useState<string | undefined>();
  const [preview, setPreview] = useState<ApiTypes['DataPreview'] | undefined>();
  const [choices, setChoices] = useState<Choices>({ kinds: {}, excluded: [] });
  const previewAction = useAction('data.preview');
  const register = useAction('tags.register');
  const problemRef = useRef<HTMLDivElement>(null);

  const reset = () => {
    setPreview(undefined);
    setChoices({ kinds: {}, excluded: [] });
    previewAction.clearError();
    register.clearError();
  };

  const target = kind === 'predict' ? undefined : (preview?.profile.target ?? project.targetColumn);
  const columns = useMemo(() => (preview ? effectiveColumns(preview.profile.columns, target, choices) : []), [preview, target, choices]);
  const replaced = existing?.find((tag) => tag.kind === kind);
  const changedKinds = Object.entries(choices.kinds).filter(([name, chosen]) => preview?.profile.columns.find((column) => column.name === name)?.kind !== chosen);
  const leftOut = columns.filter((column) => column.excluded).length;

  useEffect(() => {
    if (register.error) problemRef.current?.querySelector<HTMLElement>('[data-file-problem]')?.focus();
  }, [register.error]);

  const connectionId = query.connectionId ?? connections[0]?.id ?? null;
  /** The source being previewed and registered. */
  const source: TagSource | undefined =
    mode === 'file'
      ? path.trim()
        ? { type: 'file', path: path.trim() }
        : undefined
      : mode === 'query'
        ? connectionId && query.query.trim()
          ? { type: 'query', connectionId, query: query.query }
          : undefined
        : built
          ? { type: 'query', connectionId: built.connectionId, query: built.query }
          : undefined;
  const sourceName = source ? (source.type === 'file' ? fileName(source.path) : sourceLabel(source, connections).title) : '';

  const runPreview = async () => {
    reset();
    if (!source) return;
    const id = newRequestId();
    setRequestId(id);
    const result = await previewAction.run(
      source.type === 'file' ? { path: source.path, projectId: project.id, kind } : { source, projectId: project.id, kind, requestId: id },
    );
    if (result) setPreview(result);
  };

  const submit = async () => {
    if (!preview || !source) return;
    const tag = await register.run({
      projectId: project.id,
      kind,
      ...(source.type === 'file' ? { path: source.path } : { source }),
      ...(changedKinds.length > 0 ? { columnKinds: changedKinds.map(([column, columnKind]) => ({ column, kind: columnKind })) } : {}),
      ...(choices.excluded.length > 0 ? { exclude: choices.excluded } : {}),
    });
    if (tag) {
      notifications.show({
        color: 'green',
        title: `${TAG_KIND_LABELS[kind]} registered`,
        message: `${sourceName} (${formatCount(tag.rows)} rows) is offered to ${project.name}. Training runs still ask for your approval first.`,
      });
      setPath('');
      setBuilt(undefined);
      reset();
      onRegistered();
    }
  };

  return (
    <Card component="section" aria-labelledby="register-title">
      <Stack gap="lg">
        <div>
          <Title order={3} size="h4" id="register-title">
            Register data
          </Title>
          <Text size="sm" c="dimmed">
            Choose what the data is for and where it comes from (a file, a SQL query, or an OMOP CDM cohort), preview it, then register it. Only the column names, their kinds
            and the number of rows are shared with the orchestrator.
          </Text>
        </div>

        <Stack gap={6}>
          <Text size="sm" fw={500} id="register-kind-label">
            What is this file for?
          </Text>
          <SegmentedControl
            role="radiogroup"
            aria-labelledby="register-kind-label"
            value={kind}
            onChange={(value) => {
              setKind(value as TagKind);
              reset();
            }}
            data={(['train', 'evaluate', 'predict'] as const).map((value) => ({ value, label: KIND_SHORT[value] }))}
            w={{ base: '100%', sm: 420 }}
          />
          <Text size="sm">{kindSentence(kind, project.targetColumn)}</Text>
          {replaced && (
            <Text size="xs" c="orange.8">
              {KIND_ARTICLE[kind]} source is already registered ({tagLabel(replaced, connections)}, {formatDate(replaced.updatedAt)}): registering
              another one replaces it.
            </Text>
          )}
        </Stack>

        <Stack gap={6}>
          <Text size="sm" fw={500} id="register-source-label">
            Where are the rows?
          </Text>
          <SegmentedControl
            role="radiogroup"
            aria-labelledby="register-source-label"
            value={mode}
            onChange={(value) => {
              setMode(value as SourceMode);
              setBuilt(undefined);
              reset();
            }}
            data={[
              { value: 'file', label: 'File (CSV, Parquet)' },
              { value: 'query', label: 'SQL query' },
              { value: 'omop', label: 'OMOP CDM cohort' },
            ]}
            w={{ base: '100%', sm: 520 }}
          />
        </Stack>

        {mode === 'file' && (
          <Group align="flex-end" gap="sm" wrap="nowrap">
            <div style={{ flex: 1 }}>
              <PathInput
                label="CSV or Parquet file"
                description="A comma-separated file with a header row, or a Parquet file, on this computer."
                value={path}
                onChange={(value) => {
                  setPath(value);
                  if (preview || previewAction.error || register.error) reset();
                }}
                purpose="open-csv"
                required
              />
            </div>
            <Button variant="light" leftSection={<IconEye size={16} />} onClick={runPreview} loading={previewAction.pending} disabled={!source}>
              Preview
            </Button>
          </Group>
        )}
        {mode === 'query' && (
          <Stack gap="sm">
            <QueryInput
              connections={connections}
              connectionId={connectionId}
              query={query.query}
              onChange={(next) => {
                setQuery(next);
                if (preview || previewAction.error || register.error) reset();
              }}
            />
            <Group gap="sm">
              <Button variant="light" leftSection={<IconEye size={16} />} onClick={runPreview} loading={previewAction.pending} disabled={!source}>
                Run and preview
              </Button>
              <QueryProgress requestId={requestId} running={previewAction.pending} />
            </Group>
          </Stack>
        )}
        {mode === 'omop' && (
          <OmopBuilder
            connections={connections}
            project={project}
            onReset={() => {
              setBuilt(undefined);
              reset();
            }}
            onBuilt={(builtQuery, builtConnection, result) => {
              reset();
              setBuilt({ connectionId: builtConnection, query: builtQuery });
              setPreview(result);
            }}
          />
        )}

        <div ref={problemRef}>
          {previewAction.error && (
            <FileProblem error={previewAction.error} kind={kind} query={mode !== 'file'} title={mode === 'file' ? 'This file cannot be used as it is' : 'This query cannot be used as it is'} />
          )}
          {register.error && <FileProblem error={register.error} kind={kind} query={mode !== 'file'} title={mode === 'file' ? 'The file was not registered' : 'The query was not registered'} />}
        </div>

        {preview && (
          <Stack gap="lg">
            <Alert color="cohort" variant="light" icon={<IconLock size={18} />} title="This preview stays on this computer">
              It is read by this app and is not sent anywhere. If you register it, the orchestrator receives only the {preview.profile.columns.length}{' '}
              column names, their kinds and the number of rows ({formatCount(preview.profile.rows)}).
            </Alert>

            <Group gap="xl">
              <Text size="sm">
                <Text span c="dimmed">
                  Source{' '}
                </Text>
                <Text span fw={600}>
                  {sourceName}
                </Text>
              </Text>
              <Text size="sm">
                <Text span c="dimmed">
                  Rows{' '}
                </Text>
                <Text span fw={600}>
                  {formatCount(preview.profile.rows)}
                </Text>
              </Text>
              <Text size="sm">
                <Text span c="dimmed">
                  Columns{' '}
                </Text>
                <Text span fw={600}>
                  {preview.profile.columns.length}
                </Text>
                {leftOut > 0 && (
                  <Text span c="dimmed">
                    {' '}
                    ({leftOut} left out)
                  </Text>
                )}
              </Text>
              {target && (
                <Text size="sm">
                  <Text span c="dimmed">
                    Target{' '}
                  </Text>
                  <Code>{target}</Code>
                </Text>
              )}
            </Group>

            <Stack gap="xs">
              <Title order={4} size="h5">
                First {preview.rows.length} rows
              </Title>
              <CsvPreviewTable
                header={preview.header}
                rows={preview.rows}
                label={`First rows of ${sourceName}`}
                mutedColumns={new Set(columns.filter((column) => column.excluded).map((column) => column.profile.name))}
                emphasisedColumn={target}
              />
            </Stack>

            <Stack gap="xs">
              <Group justify="space-between" align="flex-end">
                <div>
                  <Title order={4} size="h5">
                    Columns
                  </Title>
                  <Text size="xs" c="dimmed">
                    Untick a column to leave it out of training, or use the pencil to correct its kind. Greyed columns are not used.
                  </Text>
                </div>
              </Group>
              <ColumnTable
                columns={columns}
                rows={preview.profile.rows}
                onKind={(name, chosen) =>
                  setChoices((previous) => {
                    const kinds = { ...previous.kinds };
                    if (chosen === undefined) delete kinds[name];
                    else kinds[name] = chosen;
                    return { ...previous, kinds };
                  })
                }
                onUse={(name, use) =>
                  setChoices((previous) => ({
                    ...previous,
                    excluded: use ? previous.excluded.filter((column) => column !== name) : [...previous.excluded.filter((column) => column !== name), name],
                  }))
                }
              />
            </Stack>

            <Group justify="space-between" align="center" wrap="nowrap" gap="lg">
              <Stack gap={2}>
                <Text size="sm">
                  Registering shares with the orchestrator: {preview.profile.columns.length} column names and kinds, and the row count. No values leave this computer.
                </Text>
                {(changedKinds.length > 0 || choices.excluded.length > 0) && (
                  <Text size="xs" c="dimmed">
                    Your changes: {changedKinds.length} kind{changedKinds.length === 1 ? '' : 's'} corrected, {choices.excluded.length} column
                    {choices.excluded.length === 1 ? '' : 's'} left out.
                  </Text>
                )}
                {register.error && (
                  <Text size="xs" c="red.8">
                    Not registered: see the message above.
                  </Text>
                )}
              </Stack>
              <Button leftSection={<IconDatabasePlus size={16} />} onClick={submit} loading={register.pending} disabled={!source} style={{ flexShrink: 0 }}>
                Register {TAG_KIND_LABELS[kind].toLowerCase()}
              </Button>
            </Group>
          </Stack>
        )}
      </Stack>
    </Card>
  );
}

// ---------------------------------------------------------------------------------------------
// The page

function ProjectData({ project }: { project: Project }) {
  const tags = useQuery('tags.list', { projectId: project.id }, ['tags']);
  const connections = useQuery('connections.list', {}, ['connections']);
  return (
    <>
      <RegisteredData project={project} tags={tags} connections={connections.data ?? []} />
      <RegisterFile project={project} existing={tags.data} connections={connections.data ?? []} onRegistered={tags.reload} />
      <ConnectionsCard />
    </>
  );
}

export function DataPage() {
  const [params, setParams] = useSearchParams();
  const memberships = useQuery('memberships.list', {}, ['memberships']);
  const options = useMemo(
    () => (memberships.data ?? []).flatMap((view) => view.projects.map((project) => ({ project, collaboration: view.collaboration }))),
    [memberships.data],
  );
  const wanted = params.get('project');
  const selectedId = wanted ?? (options.length === 1 ? options[0]!.project.id : null);
  const selected = options.find((option) => option.project.id === selectedId);

  let body;
  if (memberships.error) body = <ErrorAlert error={memberships.error} onRetry={memberships.reload} title="Could not list your collaborations" />;
  else if (memberships.data === undefined) body = <LoadingBlock />;
  else if (options.length === 0) {
    body = (
      <Card>
        <EmptyState
          title={memberships.data.length === 0 ? 'Join a collaboration first' : 'No project to register data for yet'}
          description={
            memberships.data.length === 0
              ? 'Data is registered for a project of a collaboration. Join one with the invitation code you received.'
              : 'The orchestrator has not set up a project yet. Projects appear here as soon as it does.'
          }
          icon={<IconDatabase size={26} />}
          action={
            memberships.data.length === 0 ? (
              <Button component={Link} to="/memberships">
                Join a collaboration
              </Button>
            ) : undefined
          }
        />
      </Card>
    );
  } else {
    body = (
      <Stack gap="xl">
        <Card>
          <Stack gap="sm">
            <Select
              label="Project"
              placeholder="Choose a project"
              w={{ base: '100%', sm: 380 }}
              allowDeselect={false}
              value={selected ? selected.project.id : null}
              onChange={(value) => value && setParams({ project: value })}
              data={(memberships.data ?? [])
                .filter((view) => view.projects.length > 0)
                .map((view) => ({ group: view.collaboration.name, items: view.projects.map((project) => ({ value: project.id, label: project.name })) }))}
            />
            {selected && (
              <Group gap="xl">
                <Text size="sm">
                  <Text span c="dimmed">
                    Collaboration{' '}
                  </Text>
                  {selected.collaboration.name}
                </Text>
                <Text size="sm">
                  <Text span c="dimmed">
                    Predicts{' '}
                  </Text>
                  <Code>{selected.project.targetColumn}</Code>
                </Text>
                <Text size="sm">
                  <Text span c="dimmed">
                    Task{' '}
                  </Text>
                  {selected.project.task === 'classify' ? 'Classification' : 'Regression'}
                  {selected.project.positiveClass ? ` (positive class “${selected.project.positiveClass}”)` : ''}
                </Text>
              </Group>
            )}
          </Stack>
        </Card>
        {wanted && !selected && (
          <Alert color="orange" variant="light" title="Project not found">
            “{wanted}” is not a project of a collaboration you joined. Choose one above.
          </Alert>
        )}
        {selected ? (
          <ProjectData key={selected.project.id} project={selected.project} />
        ) : (
          !wanted && (
            <Group gap="sm" c="dimmed">
              <ThemeIcon variant="light" radius="xl">
                <IconDatabase size={16} />
              </ThemeIcon>
              <Text size="sm">Choose a project to see and register its data.</Text>
            </Group>
          )
        )}
      </Stack>
    );
  }

  return (
    <>
      <PageHeader
        title="My data"
        description="The data this hospital contributes to each project: files, or queries on its own databases. The data stays here: the orchestrator only learns column names, column kinds and numbers of rows."
      />
      {body}
    </>
  );
}
