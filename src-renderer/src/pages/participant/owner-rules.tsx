// "Your rules": what the data owner decides at this participant, whatever any orchestrator asks.
// The minimum cell count k for the whole installation (on the Security page) and, per project,
// its own k and its privacy budget (on the Collaborations page), each with the value in force.
import { Alert, Badge, Button, Card, Group, Modal, NumberInput, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconAdjustments, IconShieldCheck } from '@tabler/icons-react';
import { useState } from 'react';
import type { ApiTypes } from '../../../../src-main/contract/api';
import type { Project } from '../../../../src-main/contract/records';
import { useAction, useQuery } from '../../api/react';
import { formatNumber } from '../../components/format';
import { ErrorAlert, LoadingBlock } from '../../components/states';

type Rules = ApiTypes['OwnerRules'];

const FROM: Record<Rules['minCellCountFrom'], string> = {
  default: 'the default',
  installation: 'set for this computer',
  project: 'set for this project',
};

/** The rule in one plain sentence. */
export function kSentence(k: number): string {
  return `A count smaller than ${k} is never sent on its own: categories held by fewer than ${k} patients leave merged into “other”, and a file with fewer than ${k} rows is not used.`;
}

/** A whole number from a NumberInput, or null when left empty. */
function numberOrNull(value: string | number): number | null {
  return value === '' ? null : Number(value);
}

/** The installation's k, with its explanation and a way to change it (Security page). */
export function InstallationRules() {
  const rules = useQuery('settings.get', {}, ['settings']);
  const save = useAction('settings.update');
  const [draft, setDraft] = useState<string | number | undefined>();
  const current = rules.data;
  const value = draft ?? current?.installationMinCellCount ?? '';

  const submit = async (minCellCount: number | null) => {
    const saved = await save.run({ minCellCount });
    if (saved) {
      setDraft(undefined);
      rules.reload();
      notifications.show({ color: 'green', title: 'Your rule is saved', message: `The minimum cell count is now ${saved.minCellCount} for every project without its own.` });
    }
  };

  return (
    <Card component="section" aria-labelledby="your-rules-title">
      <Stack gap="sm">
        <Group gap="xs">
          <IconShieldCheck size={20} aria-hidden />
          <Title order={3} size="h4" id="your-rules-title">
            Your rules
          </Title>
        </Group>
        <Text size="sm" c="dimmed">
          This computer enforces these rules itself, whatever an orchestrator asks. Each project can have its own, on the Collaborations page.
        </Text>
        {rules.error && <ErrorAlert error={rules.error} onRetry={rules.reload} title="Could not read your rules" />}
        {!current && !rules.error && <LoadingBlock rows={2} />}
        {current && (
          <>
            <Group gap="xs" align="baseline">
              <Text size="sm">
                Minimum cell count: <b data-testid="installation-k">{current.minCellCount}</b>
              </Text>
              <Badge variant="light" color={current.minCellCountFrom === 'default' ? 'gray' : 'cohort'} style={{ textTransform: 'none' }}>
                {FROM[current.minCellCountFrom]}
              </Badge>
            </Group>
            <Text size="sm">{kSentence(current.minCellCount)}</Text>
            <Group align="flex-end" gap="sm">
              <NumberInput
                label="Minimum cell count for this computer"
                description={`From 2 to 1000. Empty: the default, ${current.defaultMinCellCount}.`}
                min={2}
                max={1000}
                allowDecimal={false}
                allowNegative={false}
                value={value}
                onChange={setDraft}
                w={280}
              />
              <Button onClick={() => submit(numberOrNull(value))} loading={save.pending} disabled={draft === undefined}>
                Save
              </Button>
            </Group>
            {save.error && (
              <Alert color="red" variant="light" title="Not saved">
                {save.error.message}
              </Alert>
            )}
          </>
        )}
      </Stack>
    </Card>
  );
}

/** A project's rules in a line: k in force and the privacy budget, and a button to change them. */
export function ProjectRulesCell({ project }: { project: Project }) {
  const rules = useQuery('settings.get', { projectId: project.id }, ['settings']);
  const [editing, setEditing] = useState(false);
  if (rules.error) return <Text size="xs" c="red.8">Could not read the rules</Text>;
  if (!rules.data) return <Text size="sm" c="dimmed">…</Text>;
  const { minCellCount, minCellCountFrom, epsilonBudget } = rules.data;
  return (
    <Group gap={6} wrap="nowrap">
      <Stack gap={0}>
        <Text size="sm">
          k = {minCellCount} <Text span size="xs" c="dimmed">({FROM[minCellCountFrom]})</Text>
        </Text>
        <Text size="xs" c="dimmed">
          {epsilonBudget === null ? 'No privacy budget' : `Privacy budget ε ${formatNumber(epsilonBudget, 3)}`}
        </Text>
      </Stack>
      <Button size="compact-xs" variant="subtle" leftSection={<IconAdjustments size={14} />} onClick={() => setEditing(true)} aria-label={`Change your rules for ${project.name}`}>
        Change
      </Button>
      {editing && <ProjectRulesModal project={project} rules={rules.data} onClose={() => setEditing(false)} onSaved={rules.reload} />}
    </Group>
  );
}

function ProjectRulesModal({ project, rules, onClose, onSaved }: { project: Project; rules: Rules; onClose(): void; onSaved(): void }) {
  const save = useAction('settings.update');
  const [k, setK] = useState<string | number>(rules.projectMinCellCount ?? '');
  const [budget, setBudget] = useState<string | number>(rules.epsilonBudget ?? '');
  const fallback = rules.installationMinCellCount ?? rules.defaultMinCellCount;
  const effectiveK = numberOrNull(k) ?? fallback;

  const submit = async () => {
    const saved = await save.run({ projectId: project.id, minCellCount: numberOrNull(k), epsilonBudget: numberOrNull(budget) });
    if (saved) {
      onSaved();
      onClose();
      notifications.show({ color: 'green', title: 'Your rules are saved', message: `${project.name}: minimum cell count ${saved.minCellCount}.` });
    }
  };

  return (
    <Modal opened onClose={onClose} title={<Text fw={650}>Your rules for {project.name}</Text>} centered size="lg">
      <Stack gap="md">
        <NumberInput
          label="Minimum cell count for this project"
          description={`Empty: the one for this computer (${fallback}).`}
          min={2}
          max={1000}
          allowDecimal={false}
          allowNegative={false}
          value={k}
          onChange={setK}
        />
        <Text size="sm">{kSentence(effectiveK)}</Text>
        <NumberInput
          label="Privacy budget (epsilon) for this project"
          description="The most privacy loss all of this project’s runs with differential privacy may spend here together. Empty: no overall budget (each run keeps to its own)."
          min={0.01}
          max={1000}
          decimalScale={3}
          allowNegative={false}
          value={budget}
          onChange={setBudget}
        />
        <Text size="sm" c="dimmed">
          Spent so far by this project’s runs: ε {formatNumber(rules.epsilonSpent ?? 0, 3)}. When the next update would go over the budget, this computer stops sending updates.
        </Text>
        {save.error && (
          <Alert color="red" variant="light" title="Not saved">
            {save.error.message}
          </Alert>
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} disabled={save.pending}>
            Cancel
          </Button>
          <Button onClick={submit} loading={save.pending}>
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
