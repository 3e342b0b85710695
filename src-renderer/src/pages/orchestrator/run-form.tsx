// Defining a run: its name and hyperparameters. Defaults and limits come from the contract's
// Hyperparameters schema itself, so the form accepts exactly what the app does.
import { Box, Button, Collapse, Group, Modal, NumberInput, Paper, Radio, Select, SimpleGrid, Stack, Switch, Text, TextInput, Title, UnstyledButton } from '@mantine/core';
import { useForm, type UseFormReturnType } from '@mantine/form';
import { IconChevronDown, IconChevronRight, IconDeviceFloppy, IconPlus } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import type { Algorithm, Compression, Privacy, Run } from '../../../../src-main/contract/records';
import { EXACT_ROUNDS, HyperparameterFields, Hyperparameters, modelDefaults, usesExactSolver, type ModelSpec } from '../../../../src-main/contract/records';
import { useApi } from '../../api/react';
import { OptionCard } from '../../components/option-card';
import { validateName } from './collaboration-form';
import { checkNumber, limitsOf, unwrap, type Limits } from './number-limits';
import { initialPrivacyValues, PrivacyFields, privacyFromValues, validatePrivacy, type PrivacyFormValues } from './run-privacy-fields';
import { CompressionField, compressionFromValues, validateCompression } from './run-compression-field';
import { ConflictAlert, contractConflicts, NormBoundField, RobustAlgorithmFields, robustFieldsOf, robustFromValues, validateRobust } from './run-robust-fields';
import { SolverFields, solverFromValues, validateSolver } from './run-solver-field';
import { WarmStartSelect } from './run-warm-start';
import { createWithFreeId, FormError, useSubmit } from './shared';

export { checkNumber, describeLimits, type Limits } from './number-limits';

type HyperparameterValues = Hyperparameters;
type Optimizer = HyperparameterValues['optimizer'];
type Loss = HyperparameterValues['loss'];

/** The numeric hyperparameters the form edits directly. */
export type NumericField =
  | 'rounds'
  | 'epochs'
  | 'batchSize'
  | 'learningRate'
  | 'momentum'
  | 'l2'
  | 'mu'
  | 'serverLearningRate'
  | 'serverMomentum'
  | 'beta2'
  | 'tau'
  | 'fractionFit'
  | 'minClients'
  | 'roundTimeoutSeconds'
  | 'evaluateEvery'
  | 'seed';

const SHAPE = HyperparameterFields.shape;
const EARLY_STOPPING = unwrap(SHAPE.earlyStopping) as unknown as { shape: { patience: unknown; minDelta: unknown } };

/** Defaults and limits, read from the contract. */
export const DEFAULTS: HyperparameterValues = Hyperparameters.parse({});
export const LIMITS: Record<NumericField | 'patience' | 'minDelta', Limits> = {
  rounds: limitsOf(SHAPE.rounds),
  epochs: limitsOf(SHAPE.epochs),
  batchSize: limitsOf(SHAPE.batchSize),
  learningRate: limitsOf(SHAPE.learningRate),
  momentum: limitsOf(SHAPE.momentum),
  l2: limitsOf(SHAPE.l2),
  mu: limitsOf(SHAPE.mu),
  serverLearningRate: limitsOf(SHAPE.serverLearningRate),
  serverMomentum: limitsOf(SHAPE.serverMomentum),
  beta2: limitsOf(SHAPE.beta2),
  tau: limitsOf(SHAPE.tau),
  fractionFit: limitsOf(SHAPE.fractionFit),
  minClients: limitsOf(SHAPE.minClients),
  roundTimeoutSeconds: limitsOf(SHAPE.roundTimeoutSeconds),
  evaluateEvery: limitsOf(SHAPE.evaluateEvery),
  seed: limitsOf(SHAPE.seed),
  patience: limitsOf(EARLY_STOPPING.shape.patience),
  minDelta: limitsOf(EARLY_STOPPING.shape.minDelta),
};
const PATIENCE_DEFAULT = 5;

export const ALGORITHMS: Array<{ value: Algorithm; label: string; description: string }> = [
  { value: 'fedavg', label: 'FedAvg', description: 'Averages the hospitals’ models, weighted by their rows. The standard baseline.' },
  { value: 'fedprox', label: 'FedProx', description: 'FedAvg that keeps local models near the global one; steadier when hospitals’ data differ.' },
  { value: 'fedavgm', label: 'FedAvgM', description: 'FedAvg with server momentum, smoothing the update from round to round.' },
  { value: 'fedadam', label: 'FedAdam', description: 'The server applies Adam to the averaged update: a step size per weight.' },
  { value: 'fedyogi', label: 'FedYogi', description: 'Like FedAdam with a more cautious second moment; robust when data differ.' },
  { value: 'fedadagrad', label: 'FedAdagrad', description: 'The server applies Adagrad: steps shrink as a weight’s updates add up.' },
  { value: 'scaffold', label: 'SCAFFOLD', description: 'Each hospital corrects its local steps for how its data differ from the rest: best when data differ a lot. Needs SGD.' },
  { value: 'fedmedian', label: 'FedMedian', description: 'The middle value of the updates, weight by weight: one faulty or poisoned hospital cannot pull the model. Not with secure aggregation.' },
  { value: 'trimmedmean', label: 'Trimmed mean', description: 'Drops the most extreme updates, weight by weight, and averages the rest. Not with secure aggregation.' },
  { value: 'krum', label: 'Krum', description: 'Keeps the single update most like the others, ignoring outliers. Not with secure aggregation.' },
  { value: 'multikrum', label: 'Multi-Krum', description: 'Averages the updates most like the others, ignoring outliers. Not with secure aggregation.' },
];

/** Which server-side settings each algorithm uses. */
const SERVER_FIELDS: Record<Algorithm, Array<'serverLearningRate' | 'serverMomentum' | 'beta2' | 'tau'>> = {
  fedavg: [],
  fedprox: [],
  fedavgm: ['serverLearningRate', 'serverMomentum'],
  fedadam: ['serverLearningRate', 'serverMomentum', 'beta2', 'tau'],
  fedyogi: ['serverLearningRate', 'serverMomentum', 'beta2', 'tau'],
  fedadagrad: ['serverLearningRate', 'serverMomentum', 'tau'],
  scaffold: ['serverLearningRate'],
  fedmedian: [],
  trimmedmean: [],
  krum: [],
  multikrum: [],
};

const OPTIMIZERS: Array<{ value: Optimizer; label: string }> = [
  { value: 'sgd', label: 'SGD' },
  { value: 'adam', label: 'Adam' },
  { value: 'rmsprop', label: 'RMSprop' },
];

const LOSSES: Array<{ value: Loss; label: string }> = [
  { value: 'auto', label: 'Automatic (from the task)' },
  { value: 'binaryCrossentropy', label: 'Binary cross-entropy' },
  { value: 'categoricalCrossentropy', label: 'Categorical cross-entropy' },
  { value: 'mse', label: 'Mean squared error' },
  { value: 'mae', label: 'Mean absolute error' },
];

export type RunFormValues = {
  name: string;
  algorithm: Algorithm;
  optimizer: Optimizer;
  loss: Loss;
  earlyStopping: boolean;
  patience: number | string;
  minDelta: number | string;
  privacy: PrivacyFormValues;
  /** Trimmed mean and Krum's own settings. */
  trimBeta: number | string;
  byzantine: number | string;
  /** Empty: no bound. */
  normBound: number | string;
  compression: Compression;
  topkFraction: number | string;
  /** The run whose final weights this one starts from; empty: fresh weights. */
  initialRunId: string;
  solver: HyperparameterValues['solver'];
  penalty: number | string;
} & Record<NumericField, number | string>;

const ADVANCED_FIELDS = ['minClients', 'fractionFit', 'roundTimeoutSeconds', 'evaluateEvery', 'seed', 'l2', 'loss', 'patience', 'minDelta'];

/**
 * The form's values for a new run (the defaults; an mlp's own, given its `model`), or for
 * editing `run` (its own settings).
 */
export function initialRunValues(run?: Pick<Run, 'name' | 'hyperparameters' | 'initialRunId'>, model?: ModelSpec): RunFormValues {
  const defaults = model ? Hyperparameters.parse(modelDefaults(model)) : DEFAULTS;
  const { earlyStopping, algorithm, optimizer, loss, privacy, normBound, compression, topkFraction, solver, penalty, ...numbers } = run?.hyperparameters ?? defaults;
  return {
    name: run?.name ?? '',
    solver,
    penalty,
    normBound: normBound ?? '',
    compression,
    topkFraction,
    initialRunId: run?.initialRunId ?? '',
    privacy: initialPrivacyValues(privacy),
    algorithm,
    optimizer,
    loss,
    ...numbers,
    earlyStopping: earlyStopping !== null,
    patience: earlyStopping?.patience ?? PATIENCE_DEFAULT,
    minDelta: earlyStopping?.minDelta ?? 0,
  };
}

/** Whether a field is shown (and so checked and sent) for the current values. */
function fieldShown(field: NumericField | 'patience' | 'minDelta', values: RunFormValues): boolean {
  if (field === 'mu') return values.algorithm === 'fedprox';
  if (field === 'serverLearningRate' || field === 'serverMomentum' || field === 'beta2' || field === 'tau') return SERVER_FIELDS[values.algorithm].includes(field);
  if (field === 'patience' || field === 'minDelta') return values.earlyStopping;
  return true;
}

/**
 * The hyperparameters the form shows, as runs.create and runs.update take them (hidden settings
 * keep the app's defaults, or the run's own values). `privacy` fills the hidden privacy fields.
 */
export function hyperparametersFromValues(values: RunFormValues, privacy: Privacy = DEFAULTS.privacy): Partial<HyperparameterValues> {
  const numeric = (field: NumericField) => Number(values[field]);
  const result: Partial<HyperparameterValues> = {
    algorithm: values.algorithm,
    rounds: numeric('rounds'),
    epochs: numeric('epochs'),
    batchSize: numeric('batchSize'),
    learningRate: numeric('learningRate'),
    optimizer: values.optimizer,
    momentum: numeric('momentum'),
    loss: values.loss,
    l2: numeric('l2'),
    fractionFit: numeric('fractionFit'),
    minClients: numeric('minClients'),
    roundTimeoutSeconds: numeric('roundTimeoutSeconds'),
    evaluateEvery: numeric('evaluateEvery'),
    seed: numeric('seed'),
    earlyStopping: values.earlyStopping ? { patience: Number(values.patience), minDelta: Number(values.minDelta) } : null,
    privacy: privacyFromValues(values.privacy, privacy),
  };
  if (values.algorithm === 'fedprox') result.mu = numeric('mu');
  for (const field of SERVER_FIELDS[values.algorithm]) result[field] = numeric(field);
  return { ...result, ...robustFromValues(values), ...compressionFromValues(values), ...solverFromValues(values) };
}

function validateValues(values: RunFormValues): Record<string, string> {
  const errors: Record<string, string> = {};
  const name = validateName(values.name, 'run');
  if (name) errors['name'] = name;
  for (const field of Object.keys(LIMITS) as Array<keyof typeof LIMITS>) {
    if (!fieldShown(field, values)) continue;
    const problem = checkNumber(values[field], LIMITS[field]);
    if (problem) errors[field] = problem;
  }
  for (const [field, problem] of Object.entries(validatePrivacy(values.privacy, values.minClients))) errors[field] ??= problem;
  for (const [field, problem] of Object.entries(validateRobust(values))) errors[field] ??= problem;
  for (const [field, problem] of Object.entries(validateCompression(values))) errors[field] ??= problem;
  for (const [field, problem] of Object.entries(validateSolver(values))) errors[field] ??= problem;
  // The combinations the contract refuses, with its reasons (once every field is valid).
  if (Object.keys(errors).length === 0) {
    for (const { field, message } of contractConflicts(hyperparametersFromValues(values))) errors[field] ??= message;
  }
  return errors;
}

const FIELD_TEXT: Record<NumericField | 'patience' | 'minDelta', { label: string; description: string; step: number }> = {
  rounds: { label: 'Rounds', description: 'Each round trains at every hospital, then averages.', step: 1 },
  epochs: { label: 'Local epochs', description: 'Passes over its own data per round.', step: 1 },
  batchSize: { label: 'Batch size', description: 'Rows per local training step.', step: 8 },
  learningRate: { label: 'Learning rate', description: 'Step size of the local optimiser.', step: 0.01 },
  momentum: { label: 'Momentum', description: 'For SGD and RMSprop.', step: 0.1 },
  l2: { label: 'L2 regularisation', description: 'Weight penalty; 0 for none.', step: 0.001 },
  mu: { label: 'Proximal term (mu)', description: 'How strongly local models are pulled to the global one.', step: 0.01 },
  serverLearningRate: { label: 'Server learning rate', description: 'Step the server takes along the averaged update.', step: 0.1 },
  serverMomentum: { label: 'Server momentum', description: 'Share of the previous update carried over.', step: 0.1 },
  beta2: { label: 'Server beta2', description: 'Decay of the squared-update average.', step: 0.01 },
  tau: { label: 'Adaptivity (tau)', description: 'Added to the step’s denominator; larger is less adaptive.', step: 0.001 },
  fractionFit: { label: 'Fraction sampled', description: 'Share of the available hospitals asked each round.', step: 0.1 },
  minClients: { label: 'Minimum participants', description: 'Fewest hospitals that must take part each round.', step: 1 },
  roundTimeoutSeconds: { label: 'Round timeout (seconds)', description: 'How long a round waits for replies.', step: 60 },
  evaluateEvery: { label: 'Evaluate every (rounds)', description: '0: only after the last round.', step: 1 },
  seed: { label: 'Seed', description: 'Same seed: same initial weights and sampling.', step: 1 },
  patience: { label: 'Patience (evaluations)', description: 'Evaluations without improvement before stopping.', step: 1 },
  minDelta: { label: 'Minimum improvement', description: 'Smaller changes do not count as better.', step: 0.001 },
};

function NumberField({ form, field, label, description, disabled }: { form: UseFormReturnType<RunFormValues>; field: NumericField | 'patience' | 'minDelta'; label?: string; description?: string; disabled?: boolean }) {
  const text = FIELD_TEXT[field];
  const limits = LIMITS[field];
  return (
    <NumberInput
      label={label ?? text.label}
      description={description ?? text.description}
      min={limits.minExclusive ? undefined : limits.min}
      max={limits.maxExclusive ? undefined : limits.max}
      step={text.step}
      allowDecimal={!limits.integer}
      allowNegative={false}
      decimalScale={limits.integer ? 0 : 8}
      clampBehavior="none"
      disabled={disabled}
      {...form.getInputProps(field)}
    />
  );
}

function Subsection({ title, children, description }: { title: string; description?: string; children: React.ReactNode }) {
  return (
    <Stack gap="xs">
      <div>
        <Title order={4} size="h5">
          {title}
        </Title>
        {description && (
          <Text size="xs" c="dimmed">
            {description}
          </Text>
        )}
      </div>
      {children}
    </Stack>
  );
}

/** The settings an exact fit and gradient steps default to differently. */
const FITTING_DEFAULTS = {
  exact: { rounds: EXACT_ROUNDS, evaluateEvery: 0 },
  steps: { rounds: DEFAULTS.rounds, evaluateEvery: DEFAULTS.evaluateEvery },
} as const;

/**
 * A new regression run's rounds and evaluation follow the fitting chosen: switching between an
 * exact fit and gradient steps moves each of them to the other's default, unless it was changed.
 * `exact` null: not a new regression run.
 */
function useFittingDefaults(form: UseFormReturnType<RunFormValues>, exact: boolean | null): void {
  const previous = useRef(exact);
  useEffect(() => {
    const before = previous.current;
    previous.current = exact;
    if (exact === null || before === null || before === exact) return;
    const from = before ? FITTING_DEFAULTS.exact : FITTING_DEFAULTS.steps;
    const to = exact ? FITTING_DEFAULTS.exact : FITTING_DEFAULTS.steps;
    for (const field of ['rounds', 'evaluateEvery'] as const) {
      if (Number(form.getValues()[field]) === from[field]) form.setFieldValue(field, to[field]);
    }
  }, [exact, form]);
}

function RunForm({
  experimentId,
  model,
  run: editing,
  participantsWithData,
  onCancel,
  onSaved,
}: {
  experimentId: string;
  /** The experiment's model: a new run starts from its own defaults; a regression preset offers the exact solver. */
  model?: ModelSpec | undefined;
  /** The run to edit; none: a new run. */
  run?: Run | undefined;
  participantsWithData?: number | undefined;
  onCancel(): void;
  onSaved(run: Run): void;
}) {
  const client = useApi();
  const { submit, pending, error } = useSubmit();
  const [advanced, setAdvanced] = useState(false);
  const form = useForm<RunFormValues>({ mode: 'controlled', initialValues: initialRunValues(editing, model), validate: validateValues });
  const values = form.values;
  const serverFields = SERVER_FIELDS[values.algorithm];
  const fedOpt = values.algorithm === 'fedadam' || values.algorithm === 'fedyogi' || values.algorithm === 'fedadagrad';

  const save = form.onSubmit(
    async (submitted) => {
      const hyperparameters = hyperparametersFromValues(submitted, editing?.hyperparameters.privacy);
      const name = submitted.name.trim();
      const from = submitted.initialRunId;
      const run = await submit(() =>
        editing
          ? client.call('runs.update', { id: editing.id, name, hyperparameters, ...(from === (editing.initialRunId ?? '') ? {} : { initialRunId: from || null }) })
          : createWithFreeId(name, (id) => client.call('runs.create', { experimentId, name, hyperparameters, ...(id ? { id } : {}), ...(from ? { initialRunId: from } : {}) })),
      );
      if (run) onSaved(run);
    },
    (errors) => {
      if (Object.keys(errors).some((field) => ADVANCED_FIELDS.includes(field))) setAdvanced(true);
    },
  );

  const algorithm = ALGORITHMS.find((candidate) => candidate.value === values.algorithm)!;
  const robustFields = robustFieldsOf(values.algorithm);
  // Shown as the settings change, before the form is sent.
  const conflicts = Object.keys(validateRobust(values)).length === 0 ? contractConflicts(hyperparametersFromValues(values)) : [];
  const regression = model?.kind === 'logreg';
  const parsed = conflicts.length === 0 ? Hyperparameters.safeParse(hyperparametersFromValues(values)) : null;
  const exact = regression && parsed?.success === true && usesExactSolver(model, parsed.data);
  // From the choices alone (not the numbers, which may be half typed).
  const exactChosen = regression && usesExactSolver(model, { ...DEFAULTS, solver: values.solver, algorithm: values.algorithm, compression: values.compression, privacy: { ...DEFAULTS.privacy, dp: values.privacy.dp } });
  useFittingDefaults(form, regression && !editing ? exactChosen : null);
  return (
    <form onSubmit={save} noValidate>
      <Stack gap="lg">
        <TextInput label="Name" placeholder="e.g. FedProx, 20 rounds" required data-autofocus maw={480} {...form.getInputProps('name')} />

        <Radio.Group label="Algorithm" description="How the server combines the hospitals’ updates each round." {...form.getInputProps('algorithm')}>
          <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="sm" mt="xs">
            {ALGORITHMS.map((option) => (
              <OptionCard key={option.value} value={option.value} label={option.label} description={option.description} />
            ))}
          </SimpleGrid>
        </Radio.Group>

        {(values.algorithm === 'fedprox' || serverFields.length > 0 || robustFields.length > 0) && (
          <Paper p="md" bg="var(--mantine-color-gray-0)" withBorder={false}>
            <Subsection title={`${algorithm.label} settings`}>
              {/* A robust algorithm's one setting has a longer explanation: give it room. */}
              <SimpleGrid cols={robustFields.length > 0 ? { base: 1, sm: 2 } : { base: 1, sm: 2, md: 4 }} spacing="md">
                {values.algorithm === 'fedprox' && <NumberField form={form} field="mu" />}
                {serverFields.map((field) => (
                  <NumberField
                    key={field}
                    form={form}
                    field={field}
                    {...(field === 'serverMomentum' && fedOpt ? { label: 'Server beta1 (momentum)', description: 'Decay of the averaged-update momentum.' } : {})}
                  />
                ))}
                <RobustAlgorithmFields form={form} />
              </SimpleGrid>
            </Subsection>
          </Paper>
        )}

        {regression && (
          <Subsection title="Fitting">
            <SolverFields form={form} />
          </Subsection>
        )}

        <Subsection
          title="Training"
          {...(exact ? { description: 'The exact fit takes at most this many rounds (usually fewer than 10); the other settings here apply to gradient steps only.' } : {})}
        >
          <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="md">
            <NumberField form={form} field="rounds" />
            <NumberField form={form} field="epochs" />
            <NumberField form={form} field="batchSize" />
            <NumberField form={form} field="learningRate" />
            <Select
              label="Optimiser"
              description="Used by each hospital to train locally."
              data={OPTIMIZERS}
              allowDeselect={false}
              {...form.getInputProps('optimizer')}
            />
            <NumberField
              form={form}
              field="momentum"
              disabled={values.optimizer === 'adam'}
              description={values.optimizer === 'adam' ? 'Adam keeps its own momentum.' : FIELD_TEXT.momentum.description}
            />
          </SimpleGrid>
        </Subsection>

        <Subsection title="Privacy" description="How the hospitals’ updates are protected: from the orchestrator, and in the trained model.">
          <PrivacyFields form={form} />
          <CompressionField form={form} />
        </Subsection>

        <Subsection title="Protection against faulty updates" description="Limits how far one hospital’s wrong or poisoned update can move the model.">
          <NormBoundField form={form} />
        </Subsection>

        <ConflictAlert conflicts={conflicts} />

        <Subsection title="Starting point">
          <WarmStartSelect form={form} experimentId={experimentId} self={editing?.id} />
        </Subsection>

        <Box>
          <UnstyledButton onClick={() => setAdvanced((value) => !value)} aria-expanded={advanced} aria-controls="run-advanced" className="mantine-focus-auto" py={4}>
            <Group gap={6}>
              {advanced ? <IconChevronDown size={18} /> : <IconChevronRight size={18} />}
              <Title order={4} size="h5" component="span">
                Advanced
              </Title>
              <Text size="xs" c="dimmed" component="span">
                participants per round, timeouts, evaluation, seed, loss, early stopping
              </Text>
            </Group>
          </UnstyledButton>
          <Collapse expanded={advanced} id="run-advanced">
            <Stack gap="md" pt="sm">
              <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="md">
                <NumberField
                  form={form}
                  field="minClients"
                  description={[
                    FIELD_TEXT.minClients.description,
                    values.privacy.secureAggregation ? 'At least 2 with secure aggregation.' : '',
                    participantsWithData === undefined ? '' : `${participantsWithData} ${participantsWithData === 1 ? 'has' : 'have'} declared training data.`,
                  ]
                    .filter(Boolean)
                    .join(' ')}
                />
                <NumberField form={form} field="fractionFit" />
                <NumberField form={form} field="roundTimeoutSeconds" />
                <NumberField form={form} field="evaluateEvery" />
                <NumberField form={form} field="seed" />
                <NumberField form={form} field="l2" />
                <Select label="Loss" description="What local training minimises." data={LOSSES} allowDeselect={false} {...form.getInputProps('loss')} />
              </SimpleGrid>
              <Switch
                label="Stop early"
                description="End the run when the loss on each hospital’s validation rows (held out of its training rows, never its evaluation rows) stops improving; the best round’s model is kept."
                {...form.getInputProps('earlyStopping', { type: 'checkbox' })}
              />
              {values.earlyStopping && (
                <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }} spacing="md">
                  <NumberField form={form} field="patience" />
                  <NumberField form={form} field="minDelta" />
                </SimpleGrid>
              )}
            </Stack>
          </Collapse>
        </Box>

        <FormError error={error} title={editing ? 'Could not save the run' : 'Could not create the run'} />
        <Group justify="space-between" gap="sm">
          <Text size="xs" c="dimmed">
            {editing
              ? 'The changes apply when the run starts. Each hospital approves it, with these settings, before its data is used.'
              : 'The run is created without starting; start it from its page. Each hospital approves it before its data is used.'}
          </Text>
          <Group gap="sm">
            <Button variant="default" onClick={onCancel} disabled={pending}>
              Cancel
            </Button>
            <Button type="submit" loading={pending} leftSection={editing ? <IconDeviceFloppy size={16} /> : <IconPlus size={16} />}>
              {editing ? 'Save changes' : 'Create run'}
            </Button>
          </Group>
        </Group>
      </Stack>
    </form>
  );
}

/** A new run of the experiment, or, given `run`, that run's settings to edit. */
export function RunFormModal({
  opened,
  onClose,
  experimentId,
  experimentName,
  model,
  run,
  participantsWithData,
  onSaved,
}: {
  opened: boolean;
  onClose(): void;
  experimentId: string;
  experimentName: string;
  /** The experiment's model, when known: its own defaults, and the exact solver for a regression preset. */
  model?: ModelSpec | undefined;
  run?: Run | undefined;
  participantsWithData?: number | undefined;
  onSaved(run: Run): void;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={run ? `Edit “${run.name}”` : `New run of “${experimentName}”`} size="64rem">
      <RunForm experimentId={experimentId} model={model} run={run} participantsWithData={participantsWithData} onCancel={onClose} onSaved={onSaved} />
    </Modal>
  );
}
