// Creating a collaboration, or changing its name and description, in a modal.
import { Button, Group, Modal, Stack, TextInput, Textarea } from '@mantine/core';
import { useForm } from '@mantine/form';
import type { Collaboration } from '../../../../src-main/contract/records';
import { useApi } from '../../api/react';
import { FormError, useSubmit } from './shared';

const NAME_MAX = 200;
const DESCRIPTION_MAX = 10_000;

interface Values {
  name: string;
  description: string;
}

export function validateName(value: string, what: string): string | null {
  if (!value.trim()) return `Give the ${what} a name`;
  if (value.trim().length > NAME_MAX) return `A name has at most ${NAME_MAX} characters`;
  if (!/[A-Za-z0-9]/.test(value.normalize('NFKD'))) return 'A name needs at least one letter or digit';
  return null;
}

function CollaborationForm({ collaboration, onCancel, onSaved }: { collaboration?: Collaboration | undefined; onCancel(): void; onSaved(collaboration: Collaboration): void }) {
  const client = useApi();
  const { submit, pending, error } = useSubmit();
  const form = useForm<Values>({
    mode: 'controlled',
    initialValues: { name: collaboration?.name ?? '', description: collaboration?.description ?? '' },
    validate: {
      name: (value) => validateName(value, 'collaboration'),
      description: (value) => (value.length > DESCRIPTION_MAX ? `A description has at most ${DESCRIPTION_MAX.toLocaleString('en')} characters` : null),
    },
  });

  const save = form.onSubmit(async (values) => {
    const name = values.name.trim();
    const description = values.description.trim();
    const saved = await submit(async () => {
      if (collaboration) return client.call('collaborations.update', { id: collaboration.id, name, description });
      try {
        return await client.call('collaborations.create', { name, ...(description ? { description } : {}) });
      } catch (caught) {
        if ((caught as { code?: string }).code === 'ALREADY_EXISTS') {
          form.setFieldError('name', 'A collaboration with this name already exists: choose another name');
          return undefined;
        }
        throw caught;
      }
    });
    if (saved) onSaved(saved);
  });

  return (
    <form onSubmit={save} noValidate>
      <Stack gap="md">
        <TextInput label="Name" placeholder="e.g. Breast cancer network" required data-autofocus maxLength={NAME_MAX} {...form.getInputProps('name')} />
        <Textarea
          label="Description"
          description="What the hospitals work on together. Participants see it when they join."
          placeholder="e.g. Three hospitals predicting malignancy from biopsy measurements."
          autosize
          minRows={3}
          maxRows={8}
          {...form.getInputProps('description')}
        />
        <FormError error={error} />
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" loading={pending}>
            {collaboration ? 'Save changes' : 'Create collaboration'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function CollaborationFormModal({
  opened,
  onClose,
  collaboration,
  onSaved,
}: {
  opened: boolean;
  onClose(): void;
  collaboration?: Collaboration | undefined;
  onSaved(collaboration: Collaboration): void;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={collaboration ? 'Edit collaboration' : 'New collaboration'} size="lg">
      <CollaborationForm collaboration={collaboration} onCancel={onClose} onSaved={onSaved} />
    </Modal>
  );
}
