// The run form's settings against faulty or poisoned updates: each robust algorithm's own
// setting (trimmed mean's share trimmed, Krum's number of faulty hospitals tolerated), norm
// bounding for any algorithm, and the combinations the contract refuses (a robust algorithm
// with secure aggregation, say), shown with the contract's own reason before the form is sent.
import { Alert, List, NumberInput, SimpleGrid } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { IconAlertTriangle } from '@tabler/icons-react';
import { HyperparameterFields, Hyperparameters, type Algorithm } from '../../../../src-main/contract/records';
import { checkNumber, limitsOf } from './number-limits';
import type { RunFormValues } from './run-form';

export const ROBUST_LIMITS = {
  trimBeta: limitsOf(HyperparameterFields.shape.trimBeta),
  byzantine: limitsOf(HyperparameterFields.shape.byzantine),
  normBound: limitsOf(HyperparameterFields.shape.normBound),
};

/** Which of the robust settings an algorithm uses (norm bounding applies to all). */
export function robustFieldsOf(algorithm: Algorithm): Array<'trimBeta' | 'byzantine'> {
  if (algorithm === 'trimmedmean') return ['trimBeta'];
  if (algorithm === 'krum' || algorithm === 'multikrum') return ['byzantine'];
  return [];
}

/** The form's errors for the robust settings shown. */
export function validateRobust(values: RunFormValues): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of robustFieldsOf(values.algorithm)) {
    const problem = checkNumber(values[field], ROBUST_LIMITS[field]);
    if (problem) errors[field] = problem;
  }
  if (values.normBound !== '') {
    const problem = checkNumber(values.normBound, ROBUST_LIMITS.normBound);
    if (problem) errors['normBound'] = `${problem}, or empty for no bound`;
  }
  return errors;
}

/** The robust settings to send: the algorithm's own, and the norm bound (null: none). */
export function robustFromValues(values: RunFormValues): Partial<Hyperparameters> {
  const out: Partial<Hyperparameters> = { normBound: values.normBound === '' ? null : Number(values.normBound) };
  for (const field of robustFieldsOf(values.algorithm)) out[field] = Number(values[field]);
  return out;
}

/**
 * The combinations the contract refuses for these settings, by form field, with its reasons
 * (empty when the settings go together). Only the rules between fields are read here; each
 * field's own limits are the form's to check.
 */
export function contractConflicts(hyperparameters: Partial<Hyperparameters>): Array<{ field: string; message: string }> {
  const parsed = Hyperparameters.safeParse(hyperparameters);
  if (parsed.success) return [];
  return parsed.error.issues.filter((issue) => issue.code === 'custom').map((issue) => ({ field: issue.path.join('.'), message: issue.message }));
}

export function ConflictAlert({ conflicts }: { conflicts: Array<{ message: string }> }) {
  if (conflicts.length === 0) return null;
  const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1) + '.';
  return (
    <Alert color="red" variant="light" icon={<IconAlertTriangle size={18} />} title="These settings cannot be used together" role="alert">
      {conflicts.length === 1 ? (
        sentence(conflicts[0]!.message)
      ) : (
        <List size="sm">
          {conflicts.map((conflict) => (
            <List.Item key={conflict.message}>{sentence(conflict.message)}</List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}

const NUMBER_PROPS = { allowNegative: false, clampBehavior: 'none', decimalScale: 8 } as const;

/** The selected robust algorithm's own setting (none for the others). */
export function RobustAlgorithmFields({ form }: { form: UseFormReturnType<RunFormValues> }) {
  const fields = robustFieldsOf(form.values.algorithm);
  return (
    <>
      {fields.includes('trimBeta') && (
        <NumberInput
          label="Share trimmed from each end"
          description="For each weight, this share of the highest and of the lowest updates is dropped before averaging (0.2: 20% each side)."
          min={0}
          step={0.05}
          {...NUMBER_PROPS}
          {...form.getInputProps('trimBeta')}
        />
      )}
      {fields.includes('byzantine') && (
        <NumberInput
          label="Faulty hospitals tolerated"
          description={`How many hospitals may send wrong or poisoned updates without spoiling the model. ${
            typeof form.values.byzantine === 'number' && Number.isInteger(form.values.byzantine) && form.values.byzantine >= 0
              ? `Each round then needs at least ${2 * form.values.byzantine + 3} participants.`
              : 'Each round needs at least twice this many participants, plus 3.'
          }`}
          min={0}
          step={1}
          allowDecimal={false}
          {...NUMBER_PROPS}
          decimalScale={0}
          {...form.getInputProps('byzantine')}
        />
      )}
    </>
  );
}

/** Norm bounding, for any algorithm. */
export function NormBoundField({ form }: { form: UseFormReturnType<RunFormValues> }) {
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
      <NumberInput
        label="Update size limit (norm bound)"
        description={
          form.values.privacy.secureAggregation
            ? 'Clip each hospital’s update to at most this size (L2 norm); with secure aggregation each hospital clips its own. Empty: no limit.'
            : 'Clip each hospital’s update to at most this size (L2 norm), so no single hospital can pull the model far. Empty: no limit.'
        }
        placeholder="No limit"
        step={0.5}
        {...NUMBER_PROPS}
        {...form.getInputProps('normBound')}
      />
    </SimpleGrid>
  );
}
