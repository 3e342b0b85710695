// The run form's choice of how a logistic or linear regression is fitted: exactly (the model
// pooling every hospital's rows would give, from sums) or by gradient steps, and the exact
// fit's penalty. Shown only for the logreg preset.
import { NumberInput, Radio, SimpleGrid, Stack } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { HyperparameterFields, type Hyperparameters } from '../../../../src-main/contract/records';
import { OptionCard } from '../../components/option-card';
import { checkNumber, limitsOf } from './number-limits';
import type { RunFormValues } from './run-form';

type Solver = Hyperparameters['solver'];

const PENALTY_LIMITS = limitsOf(HyperparameterFields.shape.penalty);

export const SOLVERS: Array<{ value: Solver; label: string; description: string }> = [
  { value: 'auto', label: 'Automatic (recommended)', description: 'Exact whenever the other settings allow it; gradient steps otherwise.' },
  {
    value: 'exact',
    label: 'Exact',
    description: 'The model that pooling every hospital’s rows would give, in a few rounds, with standard errors and odds ratios. FedAvg only, without differential privacy or compression.',
  },
  { value: 'sgd', label: 'Gradient steps', description: 'Each hospital trains locally and the algorithm combines the updates: for very large data, differential privacy or the other algorithms.' },
];

export function validateSolver(values: RunFormValues): Record<string, string> {
  if (values.solver === 'sgd') return {};
  const problem = checkNumber(values.penalty, PENALTY_LIMITS);
  return problem ? { penalty: problem } : {};
}

export function solverFromValues(values: RunFormValues): Partial<Hyperparameters> {
  return values.solver === 'sgd' ? { solver: 'sgd' } : { solver: values.solver, penalty: Number(values.penalty) };
}

export function SolverFields({ form }: { form: UseFormReturnType<RunFormValues> }) {
  return (
    <Stack gap="sm">
      <Radio.Group label="Fitting" description="How the regression’s coefficients are found." {...form.getInputProps('solver')}>
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm" mt="xs">
          {SOLVERS.map((option) => (
            <OptionCard key={option.value} value={option.value} label={option.label} description={option.description} />
          ))}
        </SimpleGrid>
      </Radio.Group>
      {form.values.solver !== 'sgd' && (
        <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="md">
          <NumberInput
            label="Penalty"
            description="Shrinks the coefficients towards zero: 1 is scikit-learn’s default (C = 1); 0 gives unpenalised estimates, as R’s glm."
            min={0}
            max={PENALTY_LIMITS.max}
            step={0.1}
            allowNegative={false}
            clampBehavior="none"
            decimalScale={8}
            {...form.getInputProps('penalty')}
          />
        </SimpleGrid>
      )}
    </Stack>
  );
}
