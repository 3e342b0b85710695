// Evaluate & predict: the models this hospital's runs left on this computer, used on its own
// files. Evaluate one on a file with known outcomes, or write predictions for new rows.
// Everything happens here; nothing is sent to the orchestrator.
import { Alert, Box, Button, Card, Code, Group, Select, SimpleGrid, Stack, Tabs, Text, Title } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconChartBar, IconFileSpreadsheet, IconLock, IconPlayerPlay, IconWand } from '@tabler/icons-react';
import { useMemo, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { ApiTypes } from '../../../../src-main/contract/api';
import type { Consent } from '../../../../src-main/contract/records';
import { useAction, useQuery } from '../../api/react';
import { CopyIcon } from '../../components/copy';
import { CsvPreviewTable } from '../../components/data-preview';
import { formatCount, formatDate } from '../../components/format';
import { ConfusionMatrix, MetricsTable } from '../../components/metrics';
import { PageHeader } from '../../components/page';
import { PathInput } from '../../components/path-input';
import { fileName } from '../../components/paths';
import { Stat } from '../../components/stat';
import { EmptyState, ErrorAlert, QueryView } from '../../components/states';

type LocalModel = ApiTypes['LocalModel'];

function modelLabel(model: LocalModel, consents: Map<string, Consent>): string {
  const run = consents.get(model.run)?.summary.run ?? model.run;
  return `${run} · ${model.kind === 'global' ? 'global model' : 'my local model'}`;
}

function modelFacts(model: LocalModel): string {
  return `Saved ${formatDate(model.savedAt)} · ${model.features} feature${model.features === 1 ? '' : 's'} · predicts ${model.target}`;
}

/** The predictions file suggested for an input file: beside it, "-predictions" added. */
function suggestedOutput(input: string): string {
  const trimmed = input.trim();
  if (!trimmed) return '';
  const match = /^(.*?)(\.csv)?$/i.exec(trimmed);
  return `${match?.[1] ?? trimmed}-predictions.csv`;
}

function LocalOnly({ children }: { children: ReactNode }) {
  return (
    <Group gap={8} wrap="nowrap" align="flex-start">
      <IconLock size={16} style={{ flexShrink: 0, marginTop: 2, color: 'var(--mantine-color-cohort-7)' }} aria-hidden />
      <Text size="sm" c="dimmed">
        {children}
      </Text>
    </Group>
  );
}

// ---------------------------------------------------------------------------------------------
// Evaluate

function EvaluateTab({ model }: { model: LocalModel }) {
  const [path, setPath] = useState('');
  const evaluate = useAction('local.evaluate');
  const [result, setResult] = useState<{ value: ApiTypes['LocalEvaluation']; file: string } | undefined>();

  const run = async () => {
    setResult(undefined);
    const file = path.trim();
    const value = await evaluate.run({ modelDir: model.dir, path: file });
    if (value) setResult({ value, file });
  };
  // The class names for a binary confusion matrix: the model's own (negative, then positive).
  const labels = result?.value.metrics.kind === 'binary' ? result.value.labels : null;

  const unseen = result ? Object.entries(result.value.unseenLevels).filter(([, levels]) => Object.keys(levels).length > 0) : [];

  return (
    <Stack gap="lg">
      <Text size="sm">
        Measure how well the model does on patients of this hospital: choose a file whose outcomes are known. It needs the same columns as your training data, including{' '}
        <Code>{model.target}</Code>.
      </Text>
      <Group align="flex-end" gap="sm" wrap="nowrap">
        <div style={{ flex: 1 }}>
          <PathInput
            label="File with known outcomes"
            value={path}
            onChange={(value) => {
              setPath(value);
              evaluate.clearError();
            }}
            purpose="open-csv"
            required
          />
        </div>
        <Button leftSection={<IconChartBar size={16} />} onClick={run} loading={evaluate.pending} disabled={!path.trim()}>
          Evaluate
        </Button>
      </Group>
      {evaluate.error && <ErrorAlert error={evaluate.error} title="The model could not be evaluated on this file" />}
      {result && (
        <Stack gap="lg" aria-live="polite">
          <LocalOnly>
            Computed on this computer from <b>{fileName(result.file)}</b>. Neither the file nor these results were sent anywhere.
          </LocalOnly>
          <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm">
            <Stat label="Rows evaluated" value={formatCount(result.value.rows)} />
            <Stat label="Rows skipped" value={formatCount(result.value.skippedRows)} warn={result.value.skippedRows > 0} />
          </SimpleGrid>
          {result.value.skippedRows > 0 && (
            <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} title={`${formatCount(result.value.skippedRows)} row${result.value.skippedRows === 1 ? ' was' : 's were'} skipped`}>
              Their <Code>{model.target}</Code> was missing, or was a value the model was not trained to predict.
            </Alert>
          )}
          {unseen.length > 0 && (
            <Alert color="yellow" variant="light" icon={<IconAlertTriangle size={18} />} title="Values the model has never seen">
              <Stack gap={4}>
                <Text size="sm">These values did not occur in the training data, so the model treats them as unknown. Results for those rows may be less reliable.</Text>
                {unseen.map(([column, levels]) => (
                  <Text size="sm" key={column}>
                    <Code>{column}</Code>:{' '}
                    {Object.entries(levels)
                      .map(([level, count]) => `“${level}” (${formatCount(count)} row${count === 1 ? '' : 's'})`)
                      .join(', ')}
                  </Text>
                ))}
              </Stack>
            </Alert>
          )}
          <MetricsTable rows={[{ name: `on ${fileName(result.file)}`, metrics: result.value.metrics }]} />
          {result.value.metrics.kind !== 'regression' && (
            <Stack gap="xs">
              <Title order={4} size="h5">
                Confusion matrix
              </Title>
              <Text size="xs" c="dimmed">
                Rows are the true outcomes, columns what the model predicted. The diagonal holds the right predictions.
              </Text>
              <Box maw="100%" style={{ overflowX: 'auto' }}>
                <ConfusionMatrix metrics={result.value.metrics} {...(labels && labels.length === 2 ? { negativeLabel: labels[0], positiveLabel: labels[1] } : {})} />
              </Box>
            </Stack>
          )}
        </Stack>
      )}
    </Stack>
  );
}

// ---------------------------------------------------------------------------------------------
// Predict

function PredictTab({ model }: { model: LocalModel }) {
  const [input, setInput] = useState('');
  const [output, setOutput] = useState('');
  const [outputEdited, setOutputEdited] = useState(false);
  const predict = useAction('local.predict');
  const [result, setResult] = useState<ApiTypes['LocalPrediction'] | undefined>();

  const run = async () => {
    setResult(undefined);
    const value = await predict.run({ modelDir: model.dir, path: input.trim(), outputPath: output.trim() });
    if (value) setResult(value);
  };

  return (
    <Stack gap="lg">
      <Text size="sm">
        Predict <Code>{model.target}</Code> for rows whose outcome is not known yet. The input needs the same columns as your training data; <Code>{model.target}</Code>{' '}
        itself is not needed. The predictions are written to a new file on this computer.
      </Text>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <PathInput
          label="Rows to predict"
          value={input}
          onChange={(value) => {
            setInput(value);
            if (!outputEdited) setOutput(suggestedOutput(value));
            predict.clearError();
          }}
          purpose="open-csv"
          required
        />
        <PathInput
          label="Save predictions to"
          value={output}
          onChange={(value) => {
            setOutput(value);
            setOutputEdited(value !== '');
            predict.clearError();
          }}
          purpose="save-csv"
          placeholder="/path/to/predictions.csv"
          required
        />
      </SimpleGrid>
      <Group justify="space-between" wrap="nowrap" gap="lg">
        <Text size="xs" c="dimmed">
          The new file has one line per row of the input: its row number, the predicted value and, for classes, a score per class. An existing file of that name is
          replaced.
        </Text>
        <Button leftSection={<IconWand size={16} />} onClick={run} loading={predict.pending} disabled={!input.trim() || !output.trim()} style={{ flexShrink: 0 }}>
          Predict
        </Button>
      </Group>
      {predict.error && <ErrorAlert error={predict.error} title="The predictions could not be made" />}
      {result && (
        <Stack gap="md" aria-live="polite">
          <Alert color="green" variant="light" icon={<IconCheck size={18} />} title={`${formatCount(result.rows)} prediction${result.rows === 1 ? '' : 's'} written`}>
            <Group gap="xs" wrap="nowrap">
              <Code style={{ wordBreak: 'break-all' }}>{result.outputPath}</Code>
              <CopyIcon value={result.outputPath} label="Copy the path of the predictions file" />
            </Group>
          </Alert>
          <LocalOnly>Computed on this computer. The file stays here; nothing was sent to the orchestrator.</LocalOnly>
          <Stack gap="xs">
            <Title order={4} size="h5">
              First {result.preview.length} rows of {fileName(result.outputPath)}
            </Title>
            <CsvPreviewTable
              header={result.header}
              rows={result.preview}
              label={`First rows of ${fileName(result.outputPath)}`}
              emphasisedColumn={result.header.find((name) => name.startsWith('predicted_'))}
              rowNumbers={result.header[0] !== 'row'}
            />
          </Stack>
        </Stack>
      )}
    </Stack>
  );
}

// ---------------------------------------------------------------------------------------------
// The page

function Workbench({ models, consents }: { models: LocalModel[]; consents: Map<string, Consent> }) {
  const [chosen, setChosen] = useState<string | null>(null);
  const [tab, setTab] = useState<string | null>('evaluate');
  const model = models.find((candidate) => candidate.dir === chosen) ?? models.find((candidate) => candidate.kind === 'global') ?? models[0]!;
  const byDir = new Map(models.map((candidate) => [candidate.dir, candidate]));

  return (
    <Stack gap="xl">
      <Card>
        <Stack gap="sm">
          <Select
            label="Model"
            w={{ base: '100%', sm: 460 }}
            allowDeselect={false}
            value={model.dir}
            onChange={setChosen}
            data={models.map((candidate) => ({ value: candidate.dir, label: modelLabel(candidate, consents) }))}
            renderOption={({ option }) => {
              const candidate = byDir.get(option.value);
              return (
                <div>
                  <Text size="sm">{option.label}</Text>
                  {candidate && (
                    <Text size="xs" c="dimmed">
                      {modelFacts(candidate)}
                    </Text>
                  )}
                </div>
              );
            }}
          />
          <Text size="sm" c="dimmed">
            {modelFacts(model)}.{' '}
            {model.kind === 'global'
              ? 'The global model is the one all members of the collaboration trained together.'
              : 'Your local model is the shared model after its last round of training on this hospital’s data only.'}
          </Text>
        </Stack>
      </Card>
      <Card p={0}>
        <Tabs value={tab} onChange={setTab}>
          <Tabs.List px="md" pt="xs">
            <Tabs.Tab value="evaluate" leftSection={<IconChartBar size={16} />}>
              Evaluate
            </Tabs.Tab>
            <Tabs.Tab value="predict" leftSection={<IconPlayerPlay size={16} />}>
              Predict
            </Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="evaluate" p="lg">
            <EvaluateTab key={model.dir} model={model} />
          </Tabs.Panel>
          <Tabs.Panel value="predict" p="lg">
            <PredictTab key={model.dir} model={model} />
          </Tabs.Panel>
        </Tabs>
      </Card>
    </Stack>
  );
}

export function LocalModelsPage() {
  const models = useQuery('local.models', {}, ['models']);
  const requests = useQuery('requests.list', {}, ['requests']);
  const consents = useMemo(() => new Map((requests.data ?? []).map((consent) => [consent.runId, consent])), [requests.data]);

  return (
    <>
      <PageHeader
        title="Evaluate & predict"
        description="Use the models from your training runs on files on this computer: see how well a model does on your patients, or predict outcomes for new rows. Nothing is sent anywhere."
      />
      <QueryView
        state={models}
        isEmpty={(list) => list.length === 0}
        empty={
          <Card>
            <EmptyState
              title="No models yet"
              description="When a training run that used your data finishes, its shared (global) model and your local copy are saved on this computer and appear here."
              icon={<IconFileSpreadsheet size={26} />}
              action={
                <Button component={Link} to="/activity" variant="light">
                  See activity
                </Button>
              }
            />
          </Card>
        }
      >
        {(list) => <Workbench models={list} consents={consents} />}
      </QueryView>
    </>
  );
}
