// Creating a project (what the collaboration predicts), or changing it, in a modal.
import { Autocomplete, Button, Fieldset, Group, Input, Modal, SegmentedControl, Select, Stack, Switch, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { Project, Task } from '../../../../src-main/contract/records';
import { useApi } from '../../api/react';
import { validateName } from './collaboration-form';
import { createWithFreeId, FormError, useSubmit } from './shared';

export interface ProjectFormValues {
  name: string;
  targetColumn: string;
  task: Task;
  positiveClass: string;
  description: string;
  columns: 'union' | 'intersection';
  missingIndicators: boolean;
}

const TASKS: Array<{ value: Task; label: string }> = [
  { value: 'classify', label: 'Classification' },
  { value: 'regress', label: 'Regression' },
];

function ProjectForm({
  collaborationId,
  project,
  columnSuggestions,
  onCancel,
  onSaved,
}: {
  collaborationId: string;
  project?: Project | undefined;
  columnSuggestions: string[];
  onCancel(): void;
  onSaved(project: Project): void;
}) {
  const client = useApi();
  const { submit, pending, error } = useSubmit();
  const form = useForm<ProjectFormValues>({
    mode: 'controlled',
    initialValues: {
      name: project?.name ?? '',
      targetColumn: project?.targetColumn ?? '',
      task: project?.task ?? 'classify',
      positiveClass: project?.positiveClass ?? '',
      description: project?.description ?? '',
      columns: project?.alignment.columns ?? 'union',
      missingIndicators: project?.alignment.missingIndicators ?? false,
    },
    validate: {
      name: (value) => validateName(value, 'project'),
      targetColumn: (value) => (value.trim() ? null : 'Enter the column to predict, named as in the hospitals’ files'),
      positiveClass: (value, values) => (values.task === 'classify' && value.length > 0 && !value.trim() ? 'A class label cannot be only spaces' : null),
    },
  });

  const save = form.onSubmit(async (values) => {
    const name = values.name.trim();
    const targetColumn = values.targetColumn.trim();
    const positiveClass = values.task === 'classify' ? values.positiveClass.trim() : '';
    const description = values.description.trim();
    const saved = await submit(() => {
      if (project) {
        return client.call('projects.update', { id: project.id, name, targetColumn, task: values.task, positiveClass: positiveClass || null, description });
      }
      return createWithFreeId(name, (id) =>
        client.call('projects.create', {
          collaborationId,
          name,
          targetColumn,
          task: values.task,
          ...(positiveClass ? { positiveClass } : {}),
          ...(description ? { description } : {}),
          alignment: { columns: values.columns, missingIndicators: values.missingIndicators },
          ...(id ? { id } : {}),
        }),
      );
    });
    if (saved) onSaved(saved);
  });

  const classify = form.values.task === 'classify';
  return (
    <form onSubmit={save} noValidate>
      <Stack gap="md">
        <TextInput label="Name" placeholder="e.g. Diagnosis" required data-autofocus {...form.getInputProps('name')} />
        <Autocomplete
          label="Target column"
          description="The column the model learns to predict, named exactly as in the hospitals’ files."
          placeholder="e.g. diagnosis"
          required
          data={columnSuggestions}
          spellCheck={false}
          autoComplete="off"
          {...form.getInputProps('targetColumn')}
        />
        <Input.Wrapper label="Task" description={classify ? 'Predict a category (e.g. malignant or benign).' : 'Predict a number (e.g. length of stay).'}>
          <SegmentedControl data={TASKS} fullWidth mt={6} aria-label="Task" {...form.getInputProps('task')} />
        </Input.Wrapper>
        {classify && (
          <TextInput
            label="Positive class"
            description="For a two-label outcome, the label that counts as positive (recall and precision are about it). If empty: true, yes or 1, else the rarer label."
            placeholder="e.g. M"
            spellCheck={false}
            {...form.getInputProps('positiveClass')}
          />
        )}
        <Textarea label="Description" placeholder="e.g. Malignant (M) or benign (B), from biopsy measurements." autosize minRows={2} maxRows={6} {...form.getInputProps('description')} />
        {!project && (
          <Fieldset legend="Feature alignment" variant="filled">
            <Stack gap="sm">
              <Select
                label="Columns used as features"
                data={[
                  { value: 'union', label: 'Every column any hospital has (missing ones imputed)' },
                  { value: 'intersection', label: 'Only the columns every hospital has' },
                ]}
                allowDeselect={false}
                {...form.getInputProps('columns')}
              />
              <Switch
                label="Add missing-value indicators"
                description="A 0/1 feature beside each numeric column that has missing values."
                {...form.getInputProps('missingIndicators', { type: 'checkbox' })}
              />
            </Stack>
          </Fieldset>
        )}
        <FormError error={error} />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" loading={pending}>
            {project ? 'Save changes' : 'Create project'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function ProjectFormModal({
  opened,
  onClose,
  collaborationId,
  project,
  columnSuggestions = [],
  onSaved,
}: {
  opened: boolean;
  onClose(): void;
  collaborationId: string;
  project?: Project | undefined;
  columnSuggestions?: string[];
  onSaved(project: Project): void;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={project ? 'Edit project' : 'New project'} size="lg">
      <ProjectForm collaborationId={collaborationId} project={project} columnSuggestions={columnSuggestions} onCancel={onClose} onSaved={onSaved} />
    </Modal>
  );
}
