// The privacy settings in the run form: secure aggregation, and differential privacy with its
// clipping norm, noise multiplier, target epsilon and delta. Limits come from the contract's
// Privacy schema; the rules between fields (noise with DP, two participants with secure
// aggregation) are checked here too, so the form refuses what the app would.
import { NumberInput, Radio, SimpleGrid, Stack, Switch, Text, TextInput } from '@mantine/core';
import type { UseFormReturnType } from '@mantine/form';
import { Privacy } from '../../../../src-main/contract/records';
import { formatDelta, formatNumber } from '../../components/format';
import { checkNumber, describeLimits, limitsOf, type Limits } from './number-limits';
import type { RunFormValues } from './run-form';

export interface PrivacyFormValues {
  secureAggregation: boolean;
  dp: Privacy['dp'];
  clip: number | string;
  noiseMultiplier: number | string;
  /** Empty: no target. */
  targetEpsilon: number | string;
  /** Typed as text, so that "1e-5" is accepted as well as "0.00001". */
  delta: string;
}

type DpField = 'clip' | 'noiseMultiplier' | 'targetEpsilon' | 'delta';

export const PRIVACY_LIMITS: Record<DpField, Limits> = {
  clip: limitsOf(Privacy.shape.clip),
  noiseMultiplier: limitsOf(Privacy.shape.noiseMultiplier),
  targetEpsilon: limitsOf(Privacy.shape.targetEpsilon),
  delta: limitsOf(Privacy.shape.delta),
};

export const NOISE_NEEDED = 'Must be more than 0 with differential privacy: without noise, no ε is finite';
export const SECURE_AGGREGATION_NEEDS_TWO =
  'Secure aggregation needs at least 2 participants per round: set Minimum participants (under Advanced) to 2 or more';

const DP_OPTIONS: Array<{ value: Privacy['dp']; label: string; description: string }> = [
  { value: 'off', label: 'Off', description: 'No noise: the updates are used as trained.' },
  { value: 'central', label: 'Central', description: 'Noise is added once per round, to the sum of the updates.' },
  { value: 'local', label: 'Local', description: 'Each hospital adds noise to its own update. Stronger, costs more accuracy.' },
];

export function initialPrivacyValues(privacy: Privacy): PrivacyFormValues {
  return {
    secureAggregation: privacy.secureAggregation,
    dp: privacy.dp,
    clip: privacy.clip,
    noiseMultiplier: privacy.noiseMultiplier,
    targetEpsilon: privacy.targetEpsilon ?? '',
    delta: formatDelta(privacy.delta),
  };
}

function parseDelta(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text.trim());
}

/** What is wrong with each differential privacy field (as if DP were on). */
function dpErrors(privacy: PrivacyFormValues): Partial<Record<DpField, string>> {
  const errors: Partial<Record<DpField, string>> = {};
  const clip = checkNumber(privacy.clip, PRIVACY_LIMITS.clip);
  if (clip) errors.clip = clip;
  const sigma = checkNumber(privacy.noiseMultiplier, PRIVACY_LIMITS.noiseMultiplier) ?? (Number(privacy.noiseMultiplier) > 0 ? null : NOISE_NEEDED);
  if (sigma) errors.noiseMultiplier = sigma;
  if (privacy.targetEpsilon !== '') {
    const target = checkNumber(privacy.targetEpsilon, PRIVACY_LIMITS.targetEpsilon);
    if (target) errors.targetEpsilon = `${target}, or empty for no target`;
  }
  const delta = parseDelta(privacy.delta);
  if (!Number.isFinite(delta)) errors.delta = `Enter ${describeLimits(PRIVACY_LIMITS.delta).toLowerCase()}, such as 1e-5 or 0.00001`;
  else {
    const problem = checkNumber(delta, PRIVACY_LIMITS.delta);
    if (problem) errors.delta = problem;
  }
  return errors;
}

/** The form's errors for the privacy settings, by field path (a rule on minClients included). */
export function validatePrivacy(privacy: PrivacyFormValues, minClients: number | string): Record<string, string> {
  const errors: Record<string, string> = {};
  if (privacy.secureAggregation && typeof minClients === 'number' && minClients < 2) {
    errors['privacy.secureAggregation'] = SECURE_AGGREGATION_NEEDS_TWO;
    errors['minClients'] = 'Must be at least 2 with secure aggregation';
  }
  if (privacy.dp === 'off') return errors;
  for (const [field, message] of Object.entries(dpErrors(privacy))) errors[`privacy.${field}`] = message;
  return errors;
}

/**
 * The privacy settings to send. Without differential privacy its fields are hidden: they keep
 * what the form holds when that is valid, else `fallback`'s (the run's own, or the defaults).
 */
export function privacyFromValues(privacy: PrivacyFormValues, fallback: Privacy): Privacy {
  const invalid = privacy.dp === 'off' ? dpErrors(privacy) : {};
  return {
    secureAggregation: privacy.secureAggregation,
    dp: privacy.dp,
    clip: invalid.clip ? fallback.clip : Number(privacy.clip),
    noiseMultiplier: invalid.noiseMultiplier ? fallback.noiseMultiplier : Number(privacy.noiseMultiplier),
    targetEpsilon: invalid.targetEpsilon ? fallback.targetEpsilon : privacy.targetEpsilon === '' ? null : Number(privacy.targetEpsilon),
    delta: invalid.delta ? fallback.delta : parseDelta(privacy.delta),
  };
}

/** Where the noise goes, in a sentence, for the current settings. */
function noiseSentence(privacy: PrivacyFormValues): string {
  const clip = privacy.clip === '' ? Number.NaN : Number(privacy.clip);
  const sigma = privacy.noiseMultiplier === '' ? Number.NaN : Number(privacy.noiseMultiplier);
  const deviation = Number.isFinite(clip * sigma) ? `σ × C = ${formatNumber(clip * sigma)}` : 'σ × C';
  if (privacy.dp === 'local') return `Each hospital clips its update to C and adds noise of standard deviation ${deviation} to it before sending it.`;
  return privacy.secureAggregation
    ? `Each update is clipped to C; the hospitals add noise of standard deviation ${deviation} in shares, so the orchestrator only ever sees the noisy sum.`
    : `Each update is clipped to C; the orchestrator adds noise of standard deviation ${deviation} to the sum of the updates.`;
}

const NUMBER_PROPS = { allowNegative: false, clampBehavior: 'none', decimalScale: 8 } as const;

export function PrivacyFields({ form }: { form: UseFormReturnType<RunFormValues> }) {
  const privacy = form.values.privacy;
  return (
    <Stack gap="md">
      <Switch
        label="Secure aggregation"
        // The label element holds the description too: the name is the label alone.
        aria-label="Secure aggregation"
        description="Each hospital masks its update, so the orchestrator learns only the sum of all updates, never one hospital’s. Needs at least 2 participants per round; a round still completes if more than half of its participants reply."
        {...form.getInputProps('privacy.secureAggregation', { type: 'checkbox' })}
      />
      <Radio.Group
        label="Differential privacy"
        description="Clips each hospital’s update and adds noise, so the model reveals little about any one hospital’s data. The privacy spent is measured by ε: lower is more private."
        {...form.getInputProps('privacy.dp')}
      >
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm" mt="xs">
          {DP_OPTIONS.map((option) => (
            <Radio key={option.value} value={option.value} label={option.label} description={option.description} />
          ))}
        </SimpleGrid>
      </Radio.Group>
      {privacy.dp !== 'off' && (
        <Stack gap="xs">
          <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} spacing="md">
            <NumberInput
              label="Clipping norm (C)"
              description="Each update is scaled down to at most this size (L2 norm)."
              step={0.1}
              {...NUMBER_PROPS}
              {...form.getInputProps('privacy.clip')}
            />
            <NumberInput
              label="Noise multiplier (σ)"
              description="More noise: more private, less accurate."
              min={0}
              step={0.1}
              {...NUMBER_PROPS}
              {...form.getInputProps('privacy.noiseMultiplier')}
            />
            <NumberInput
              label="Target epsilon (ε)"
              description="Training stops before a round would spend more. Empty: no target."
              placeholder="No target"
              step={0.5}
              {...NUMBER_PROPS}
              {...form.getInputProps('privacy.targetEpsilon')}
            />
            <TextInput
              label="Delta (δ)"
              description="The small chance the ε guarantee does not hold; 1e-5 is usual."
              inputMode="decimal"
              autoComplete="off"
              spellCheck={false}
              {...form.getInputProps('privacy.delta')}
            />
          </SimpleGrid>
          <Text size="xs" c="dimmed">
            {noiseSentence(privacy)}
          </Text>
        </Stack>
      )}
    </Stack>
  );
}
