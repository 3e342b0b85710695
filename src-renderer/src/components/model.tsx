// A model as people read it: its kind in words, and the layer table with its parameter count
// that models.describe answers.
import { Badge, Group, LoadingOverlay, Stack, Table, Text } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import type { ApiTypes } from '../../../src-main/contract/api';
import type { ModelSpec } from '../../../src-main/contract/records';
import type { QueryState } from '../api/react';
import { formatCount } from './format';
import { ErrorAlert, LoadingBlock } from './states';

export const MODEL_KIND_LABELS: Record<ModelSpec['kind'], string> = {
  logreg: 'Logistic regression',
  mlp: 'Neural network (MLP)',
  keras: 'Keras JSON',
};

/** One line saying what the model is: "2 hidden layers (64, 32), relu, dropout 0.2". */
export function describeModelSpec(model: ModelSpec): string {
  switch (model.kind) {
    case 'logreg':
      return 'One dense layer on all features';
    case 'mlp': {
      const layers = `${model.hidden.length} hidden ${model.hidden.length === 1 ? 'layer' : 'layers'} (${model.hidden.join(', ')})`;
      return `${layers}, ${model.activation}${model.dropout > 0 ? `, dropout ${model.dropout}` : ''}`;
    }
    case 'keras': {
      const count = kerasLayerCount(model.topology);
      return count === undefined ? 'Sequential layers from JSON' : `${count} ${count === 1 ? 'layer' : 'layers'} from JSON`;
    }
  }
}

function kerasLayerCount(topology: Record<string, unknown>): number | undefined {
  let model: unknown = topology;
  const object = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
  if (object(model) && object(model['modelTopology'])) model = model['modelTopology'];
  if (object(model) && object(model['model_config'])) model = model['model_config'];
  if (object(model) && object(model['modelConfig'])) model = model['modelConfig'];
  if (!object(model)) return undefined;
  const config = model['config'];
  const layers = Array.isArray(config) ? config : object(config) ? config['layers'] : undefined;
  return Array.isArray(layers) ? layers.length : undefined;
}

export function ModelKindBadge({ model }: { model: ModelSpec }) {
  return (
    <Badge variant="light" color={model.kind === 'logreg' ? 'gray' : model.kind === 'mlp' ? 'cohort' : 'violet'}>
      {MODEL_KIND_LABELS[model.kind]}
    </Badge>
  );
}

/** The layers of a described model, with the total parameter count and how the sizes were chosen. */
export function LayerTable({ description }: { description: ApiTypes['ModelDescription'] }) {
  return (
    <Stack gap="xs">
      <Table.ScrollContainer minWidth={480}>
        <Table withTableBorder aria-label="Model layers" highlightOnHover={false}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Layer</Table.Th>
              <Table.Th>Class</Table.Th>
              <Table.Th>Output shape</Table.Th>
              <Table.Th style={{ textAlign: 'right' }}>Parameters</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {description.layers.map((layer) => (
              <Table.Tr key={layer.name}>
                <Table.Td ff="monospace" fz="sm">
                  {layer.name}
                </Table.Td>
                <Table.Td>{layer.className}</Table.Td>
                <Table.Td ff="monospace" fz="sm">
                  {layer.outputShape}
                </Table.Td>
                <Table.Td style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>{formatCount(layer.params)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
          <Table.Tfoot>
            <Table.Tr>
              <Table.Th colSpan={3}>Total</Table.Th>
              <Table.Th style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }}>{formatCount(description.parameterCount)}</Table.Th>
            </Table.Tr>
          </Table.Tfoot>
        </Table>
      </Table.ScrollContainer>
      <Group gap={6} wrap="nowrap" align="flex-start">
        <IconInfoCircle size={16} style={{ flexShrink: 0, marginTop: 2, color: 'var(--mantine-color-dimmed)' }} aria-hidden />
        <Text size="xs" c="dimmed">
          {sentence(description.note)}
        </Text>
      </Group>
    </Stack>
  );
}

function sentence(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return '';
  const capital = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** The answer of a models.describe query: the layer table, or why the model cannot be built. */
export function ModelDescriptionView({ state, errorTitle = 'This model cannot be built' }: { state: QueryState<ApiTypes['ModelDescription']>; errorTitle?: string }) {
  if (state.error) return <ErrorAlert error={new Error(sentence(state.error.message))} title={errorTitle} />;
  if (!state.data) return <LoadingBlock rows={4} />;
  return (
    <div style={{ position: 'relative' }}>
      <LoadingOverlay visible={state.loading} zIndex={1} overlayProps={{ blur: 1, backgroundOpacity: 0.4 }} loaderProps={{ size: 'sm' }} />
      <LayerTable description={state.data} />
    </div>
  );
}
