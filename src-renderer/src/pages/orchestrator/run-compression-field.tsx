// The run form's choice of how each hospital's update is compressed before it is sent, each
// method with one plain line saying what it costs; top-k's share shown only when chosen.
import { NumberInput, Select, SimpleGrid } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { HyperparameterFields, type Compression, type Hyperparameters } from '../../../../src-main/contract/records';
import { checkNumber, limitsOf } from './number-limits';
import type { RunFormValues } from './run-form';

const TOPK_LIMITS = limitsOf(HyperparameterFields.shape.topkFraction);

export const COMPRESSIONS: Array<{ value: Compression; label: string; description: string }> = [
  { value: 'none', label: 'None', description: 'Each update is sent in full (4 bytes per weight).' },
  { value: 'float16', label: 'Half precision', description: 'Half the size; each value rounded very slightly.' },
  { value: 'int8', label: '8 bits', description: 'A quarter of the size; values rounded, with errors that average out.' },
  { value: 'topk', label: 'Largest changes only', description: 'Only the largest changes are sent; the rest follow in later rounds.' },
];

export function validateCompression(values: RunFormValues): Record<string, string> {
  if (values.compression !== 'topk') return {};
  const problem = checkNumber(values.topkFraction, TOPK_LIMITS);
  return problem ? { topkFraction: problem } : {};
}

export function compressionFromValues(values: RunFormValues): Partial<Hyperparameters> {
  return values.compression === 'topk' ? { compression: 'topk', topkFraction: Number(values.topkFraction) } : { compression: values.compression };
}

export function CompressionField({ form }: { form: UseFormReturnType<RunFormValues> }) {
  const chosen = COMPRESSIONS.find((option) => option.value === form.values.compression) ?? COMPRESSIONS[0]!;
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
      <Select
        label="Compress updates"
        description={`${chosen.description} Not with secure aggregation.`}
        data={COMPRESSIONS.map(({ value, label }) => ({ value, label }))}
        allowDeselect={false}
        {...form.getInputProps('compression')}
      />
      {form.values.compression === 'topk' && (
        <NumberInput
          label="Share of changes sent each round"
          description="0.01: the largest 1% of the changes."
          min={0}
          max={1}
          step={0.01}
          allowNegative={false}
          clampBehavior="none"
          decimalScale={8}
          {...form.getInputProps('topkFraction')}
        />
      )}
    </SimpleGrid>
  );
}
