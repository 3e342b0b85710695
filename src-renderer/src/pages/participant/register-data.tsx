// Registering data for a project: choose what it is for and where it comes from (a file, a SQL
// query, an OMOP CDM cohort), preview it on this computer, correct or leave out columns, register.
import { Alert, Button, Card, Group, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconEye, IconLock, IconDatabasePlus } from '@tabler/icons-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ApiTypes } from '../../../../src-main/contract/api';
import type { DataTag, Project, TagKind, TagSource } from '../../../../src-main/contract/records';
import { useAction, useQuery } from '../../api/react';
import { CsvPreviewTable } from '../../components/data-preview';
import { TAG_KIND_LABELS } from '../../components/describe';
import { formatCount, formatDate } from '../../components/format';
import { PathInput } from '../../components/path-input';
import { fileName } from '../../components/paths';
import { newRequestId, QueryInput, QueryProgress, sourceLabel, tagLabel, type ConnectionView } from './data-sources';
import { OmopBuilder } from './OmopBuilder';
import { FileProblem, KIND_ARTICLE, KIND_SHORT, kindSentence } from './data-problems';
import { ColumnTable, DisclosureSummary, effectiveColumns, NO_CHOICES, type Choices } from './data-columns';
import { PreviewFacts } from './preview-facts';
import { UseAnywayModal } from './use-anyway';

type SourceMode = 'file' | 'query' | 'omop';

export function RegisterFile({
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
  const [choices, setChoices] = useState<Choices>(NO_CHOICES);
  const [askingToUse, setAskingToUse] = useState<string | undefined>();
  // The project's minimum cell count, for saying which categories leave merged (the preview applies it).
  const minCellCount = useQuery('settings.get', { projectId: project.id }, ['settings']).data?.minCellCount;
  const previewAction = useAction('data.preview');
  const register = useAction('tags.register');
  const problemRef = useRef<HTMLDivElement>(null);

  const reset = () => {
    setPreview(undefined);
    setChoices(NO_CHOICES);
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

  /** Previews the source as it would be registered, with the columns the owner uses anyway. */
  const fetchPreview = async (include: string[]) => {
    if (!source) return;
    const id = newRequestId();
    setRequestId(id);
    const included = include.length > 0 ? { include } : {};
    const result = await previewAction.run(
      source.type === 'file' ? { path: source.path, projectId: project.id, kind, ...included } : { source, projectId: project.id, kind, requestId: id, ...included },
    );
    if (result) setPreview(result);
  };

  const runPreview = async () => {
    reset();
    await fetchPreview([]);
  };

  /** Uses a likely identifier anyway (after the owner confirmed), or leaves it out again; the preview is read again with the choice. */
  const useAnyway = async (name: string, use: boolean) => {
    const included = use ? [...choices.included.filter((column) => column !== name), name] : choices.included.filter((column) => column !== name);
    setChoices((previous) => ({ ...previous, included }));
    await fetchPreview(included);
  };

  const submit = async () => {
    if (!preview || !source) return;
    const tag = await register.run({
      projectId: project.id,
      kind,
      ...(source.type === 'file' ? { path: source.path } : { source }),
      ...(changedKinds.length > 0 ? { columnKinds: changedKinds.map(([column, columnKind]) => ({ column, kind: columnKind })) } : {}),
      ...(choices.excluded.length > 0 ? { exclude: choices.excluded } : {}),
      ...(choices.included.length > 0 ? { include: choices.included } : {}),
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
            Choose what the data is for and where it comes from (a file, a SQL query, or an OMOP CDM cohort), preview it, then register it. The rows never leave this computer:
            only column names and kinds, category names, and counts and averages over at least as many patients as your rules say are shared.
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

            <PreviewFacts sourceName={sourceName} rows={preview.profile.rows} columns={preview.profile.columns.length} leftOut={leftOut} target={target} />

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
                    Untick a column to leave it out of training, or use the pencil to correct its kind. Shaded columns are not used.
                  </Text>
                </div>
              </Group>
              <DisclosureSummary columns={columns} minCellCount={minCellCount} />
              <ColumnTable
                columns={columns}
                rows={preview.profile.rows}
                minCellCount={minCellCount}
                onUseAnyway={(name, use) => (use ? setAskingToUse(name) : void useAnyway(name, false))}
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
              <UseAnywayModal
                column={askingToUse}
                reason={columns.find((column) => column.profile.name === askingToUse)?.likelyIdentifier}
                minCellCount={minCellCount}
                onClose={() => setAskingToUse(undefined)}
                onConfirm={(name) => {
                  setAskingToUse(undefined);
                  void useAnyway(name, true);
                }}
              />
            </Stack>

            <Group justify="space-between" align="center" wrap="nowrap" gap="lg">
              <Stack gap={2}>
                <Text size="sm">
                  Registering shares with the orchestrator: {preview.profile.columns.length} column names and kinds, and the row count. No values leave this computer.
                </Text>
                {(changedKinds.length > 0 || choices.excluded.length > 0 || choices.included.length > 0) && (
                  <Text size="xs" c="dimmed">
                    Your changes: {changedKinds.length} kind{changedKinds.length === 1 ? '' : 's'} corrected, {choices.excluded.length} column
                    {choices.excluded.length === 1 ? '' : 's'} left out
                    {choices.included.length > 0 ? `, ${choices.included.length} used anyway although ${choices.included.length === 1 ? 'it' : 'they'} may identify patients` : ''}.
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
