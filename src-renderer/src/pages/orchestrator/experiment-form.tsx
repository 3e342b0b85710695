// Creating an experiment: a name and a model (a preset, or Keras / TF.js layers JSON), with a
// live preview of the layers as the app would build them for the project's declared data.
import { Button, Grid, Group, Input, JsonInput, Modal, NumberInput, Paper, SegmentedControl, Select, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useForm, type UseFormReturnType } from '@mantine/form';
import { useDebouncedValue } from '@mantine/hooks';
import { IconWand } from '@tabler/icons-react';
import { useMemo } from 'react';
import type { Experiment, ModelSpec } from '../../../../src-main/contract/records';

type Activation = Extract<ModelSpec, { kind: 'mlp' }>['activation'];
import { useApi, useQuery } from '../../api/react';
import { MODEL_KIND_LABELS, ModelDescriptionView } from '../../components/model';
import { validateName } from './collaboration-form';
import { createWithFreeId, FormError, useSubmit } from './shared';

/** The limits of ModelSpec's mlp preset (records.ts). */
const HIDDEN_UNITS_MAX = 4096;
const HIDDEN_LAYERS_MAX = 16;
const DROPOUT_MAX = 0.9;

export interface ExperimentFormValues {
  name: string;
  description: string;
  kind: ModelSpec['kind'];
  hidden: string;
  activation: Activation;
  dropout: number | string;
  topology: string;
}

export const KERAS_EXAMPLE = JSON.stringify(
  {
    class_name: 'Sequential',
    config: {
      name: 'sequential',
      layers: [
        { class_name: 'Dense', config: { name: 'hidden', units: 32, activation: 'relu' } },
        { class_name: 'Dropout', config: { name: 'dropout', rate: 0.2 } },
        { class_name: 'Dense', config: { name: 'output', units: 1, activation: 'sigmoid' } },
      ],
    },
  },
  null,
  2,
);

const ACTIVATIONS: Array<{ value: Activation; label: string }> = [
  { value: 'relu', label: 'ReLU' },
  { value: 'tanh', label: 'tanh' },
  { value: 'sigmoid', label: 'Sigmoid' },
  { value: 'elu', label: 'ELU' },
  { value: 'selu', label: 'SELU' },
  { value: 'linear', label: 'Linear' },
];

/** "64, 32" as layer sizes, or what is wrong with it. */
export function parseHidden(text: string): { sizes: number[] } | { error: string } {
  const parts = text
    .split(/[\s,;]+/)
    .map((part) => part.trim())
    .filter(Boolean);
  if (parts.length === 0) return { error: 'Give at least one hidden layer size, e.g. 64, 32' };
  if (parts.length > HIDDEN_LAYERS_MAX) return { error: `At most ${HIDDEN_LAYERS_MAX} hidden layers` };
  const sizes: number[] = [];
  for (const part of parts) {
    if (!/^\d+$/.test(part)) return { error: `“${part}” is not a whole number: write the sizes like 64, 32` };
    const size = Number(part);
    if (size < 1 || size > HIDDEN_UNITS_MAX) return { error: `Each layer has 1 to ${HIDDEN_UNITS_MAX.toLocaleString('en')} units (not ${part})` };
    sizes.push(size);
  }
  return { sizes };
}

/** Pasted JSON as a topology object, or what is wrong with it. */
export function parseTopology(text: string): { topology: Record<string, unknown> } | { error: string } {
  if (!text.trim()) return { error: 'Paste the model’s JSON: what model.to_json() (Keras) or model.toJSON() (TF.js) writes' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `This is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'The model must be a JSON object ({ "class_name": "Sequential", … })' };
  return { topology: value as Record<string, unknown> };
}

function topologyProblem(text: string): string | undefined {
  const parsed = parseTopology(text);
  return 'error' in parsed ? parsed.error : undefined;
}

function dropoutError(value: number | string): string | null {
  if (value === '' || typeof value !== 'number' || Number.isNaN(value)) return 'Enter a dropout rate (0 for none)';
  if (value < 0 || value > DROPOUT_MAX) return `Between 0 and ${DROPOUT_MAX}`;
  return null;
}

/** The model the fields describe, or null while they are not valid. */
export function modelFromValues(values: ExperimentFormValues): ModelSpec | null {
  switch (values.kind) {
    case 'logreg':
      return { kind: 'logreg' };
    case 'mlp': {
      const hidden = parseHidden(values.hidden);
      if ('error' in hidden || dropoutError(values.dropout)) return null;
      return { kind: 'mlp', hidden: hidden.sizes, activation: values.activation, dropout: Number(values.dropout) };
    }
    case 'keras': {
      const parsed = parseTopology(values.topology);
      return 'error' in parsed ? null : { kind: 'keras', topology: parsed.topology };
    }
  }
}

export const INITIAL_MODEL_VALUES: Pick<ExperimentFormValues, 'kind' | 'hidden' | 'activation' | 'dropout' | 'topology'> = {
  kind: 'logreg',
  hidden: '64, 32',
  activation: 'relu',
  dropout: 0,
  topology: '',
};

function ModelPreview({ model, kind, projectId }: { model: ModelSpec | null; kind: ModelSpec['kind']; projectId: string }) {
  const key = model ? JSON.stringify(model) : null;
  const [debounced] = useDebouncedValue(key, 350);
  const input = useMemo(() => (debounced ? { model: JSON.parse(debounced) as ModelSpec, projectId } : null), [debounced, projectId]);
  const description = useQuery('models.describe', input);
  return (
    <Paper p="md" bg="var(--mantine-color-gray-0)" h="100%" aria-live="polite" aria-label="Model preview" component="section">
      <Stack gap="sm">
        <Group justify="space-between">
          <Title order={4} size="h5">
            Preview
          </Title>
          {description.data && !description.error && key && (
            <Text size="sm" fw={600} style={{ fontVariantNumeric: 'tabular-nums' }}>
              {description.data.parameterCount.toLocaleString('en')} parameters
            </Text>
          )}
        </Group>
        {!key ? (
          <Text size="sm" c="dimmed">
            {kind === 'keras' ? 'Paste the model’s JSON to see its layers.' : 'Fix the model’s fields to see its layers.'}
          </Text>
        ) : (
          <ModelDescriptionView state={description} />
        )}
      </Stack>
    </Paper>
  );
}

/** The model fields of an experiment form, shared by create and edit. */
function ModelFields({ form }: { form: UseFormReturnType<ExperimentFormValues> }) {
  const kind = form.values.kind;
  return (
    <Stack gap="md">
      <Input.Wrapper label="Model" description="Start simple: logistic regression is a strong, explainable baseline.">
        <SegmentedControl
          mt={6}
          fullWidth
          aria-label="Model"
          data={(Object.keys(MODEL_KIND_LABELS) as Array<ModelSpec['kind']>).map((value) => ({ value, label: MODEL_KIND_LABELS[value] }))}
          {...form.getInputProps('kind')}
        />
      </Input.Wrapper>
      {kind === 'logreg' && (
        <Text size="sm" c="dimmed">
          One dense layer from the features to the output, with the activation the task needs (sigmoid for two classes, softmax for more, linear for a
          number).
        </Text>
      )}
      {kind === 'mlp' && (
        <>
          <TextInput
            label="Hidden layer sizes"
            description={`Units per hidden layer, first to last, separated by commas (at most ${HIDDEN_LAYERS_MAX} layers).`}
            placeholder="64, 32"
            required
            spellCheck={false}
            autoComplete="off"
            {...form.getInputProps('hidden')}
          />
          <Group grow align="flex-start">
            <Select label="Activation" data={ACTIVATIONS} allowDeselect={false} {...form.getInputProps('activation')} />
            <NumberInput
              label="Dropout"
              description={`Share of units dropped while training (0 to ${DROPOUT_MAX}).`}
              min={0}
              max={DROPOUT_MAX}
              step={0.05}
              decimalScale={3}
              clampBehavior="none"
              allowNegative={false}
              {...form.getInputProps('dropout')}
            />
          </Group>
        </>
      )}
      {kind === 'keras' && (
        <Stack gap={6}>
          <JsonInput
            label="Model JSON"
            description="A Sequential model of Dense, Dropout, Activation, BatchNormalization, LayerNormalization, InputLayer or Flatten layers, as model.to_json() (Keras) or model.toJSON() (TF.js) writes it. The input and output sizes are set from the data."
            placeholder='{ "class_name": "Sequential", "config": { "layers": [ … ] } }'
            required
            autosize
            minRows={8}
            maxRows={16}
            formatOnBlur
            validationError={topologyProblem(form.values.topology)}
            spellCheck={false}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 'var(--mantine-font-size-xs)' } }}
            {...form.getInputProps('topology')}
          />
          <Group>
            <Button variant="subtle" size="compact-sm" leftSection={<IconWand size={14} />} onClick={() => form.setFieldValue('topology', KERAS_EXAMPLE)}>
              Insert an example
            </Button>
          </Group>
        </Stack>
      )}
    </Stack>
  );
}

function ExperimentForm({ projectId, onCancel, onSaved }: { projectId: string; onCancel(): void; onSaved(experiment: Experiment): void }) {
  const client = useApi();
  const { submit, pending, error } = useSubmit();
  const form = useForm<ExperimentFormValues>({
    mode: 'controlled',
    initialValues: { name: '', description: '', ...INITIAL_MODEL_VALUES },
    validateInputOnBlur: ['hidden', 'topology', 'dropout'],
    validate: {
      name: (value) => validateName(value, 'experiment'),
      hidden: (value, values) => {
        if (values.kind !== 'mlp') return null;
        const parsed = parseHidden(value);
        return 'error' in parsed ? parsed.error : null;
      },
      dropout: (value, values) => (values.kind === 'mlp' ? dropoutError(value) : null),
      topology: (value, values) => {
        if (values.kind !== 'keras') return null;
        const parsed = parseTopology(value);
        return 'error' in parsed ? parsed.error : null;
      },
    },
  });
  const model = modelFromValues(form.values);

  const save = form.onSubmit(async (values) => {
    const spec = modelFromValues(values);
    if (!spec) return;
    const name = values.name.trim();
    const description = values.description.trim();
    const saved = await submit(async () => {
      // The app accepts any JSON object as a topology; building it is what checks its layers, so
      // a model that cannot be built is refused here rather than when a run starts.
      try {
        await client.call('models.describe', { model: spec, projectId });
      } catch (caught) {
        if (spec.kind === 'keras') {
          form.setFieldError('topology', (caught as Error).message);
          return undefined;
        }
        throw caught;
      }
      return createWithFreeId(name, (id) => client.call('experiments.create', { projectId, name, model: spec, ...(description ? { description } : {}), ...(id ? { id } : {}) }));
    });
    if (saved) onSaved(saved);
  });

  return (
    <form onSubmit={save} noValidate>
      <Grid gap="lg">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Stack gap="md">
            <TextInput label="Name" placeholder="e.g. Small MLP" required data-autofocus {...form.getInputProps('name')} />
            <Textarea label="Description" placeholder="What this experiment tries" autosize minRows={1} maxRows={4} {...form.getInputProps('description')} />
            <ModelFields form={form} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <ModelPreview model={model} kind={form.values.kind} projectId={projectId} />
        </Grid.Col>
      </Grid>
      <Stack gap="md" mt="md">
        <FormError error={error} title="Could not create the experiment" />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" loading={pending}>
            Create experiment
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function ExperimentFormModal({ opened, onClose, projectId, onSaved }: { opened: boolean; onClose(): void; projectId: string; onSaved(experiment: Experiment): void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="New experiment" size="70rem">
      <ExperimentForm projectId={projectId} onCancel={onClose} onSaved={onSaved} />
    </Modal>
  );
}
