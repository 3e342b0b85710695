// Deleting a record of the hierarchy: confirm first, try without cascade, and if the app says
// other records depend on it, list them and offer to delete everything.
import { Alert, Button, Group, List, Modal, Stack, Text } from '@mantine/core';
import { IconAlertTriangle, IconTrash } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import type { CommandOutput } from '../../../src-main/contract/api';
import { ApiCallError } from '../api/client';
import { useApi } from '../api/react';
import { ErrorAlert } from './states';

export type DeleteCommand = 'collaborations.delete' | 'projects.delete' | 'experiments.delete';

type Removed = CommandOutput<DeleteCommand>['removed'];

const COLLECTION_NAMES: Record<string, [one: string, many: string]> = {
  collaborations: ['collaboration', 'collaborations'],
  projects: ['project', 'projects'],
  experiments: ['experiment', 'experiments'],
  runs: ['run (with its history and results)', 'runs (with their history and results)'],
  participants: ['participant', 'participants'],
  registrations: ['participant registration', 'participant registrations'],
  dataTags: ['data tag', 'data tags'],
  invitations: ['invitation', 'invitations'],
  memberships: ['membership', 'memberships'],
  consents: ['consent', 'consents'],
};

/** "3 experiments", one line per kind of record, in the order the app listed them. */
export function describeDependents(dependents: unknown): string[] {
  if (!Array.isArray(dependents)) return [];
  const counts = new Map<string, number>();
  for (const dependent of dependents) {
    const collection = (dependent as { collection?: unknown } | null)?.collection;
    if (typeof collection === 'string') counts.set(collection, (counts.get(collection) ?? 0) + 1);
  }
  return [...counts].map(([collection, count]) => {
    const [one, many] = COLLECTION_NAMES[collection] ?? [collection, collection];
    return `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
  });
}

export function DeleteDialog({
  opened,
  onClose,
  command,
  id,
  title,
  children,
  onDeleted,
}: {
  opened: boolean;
  onClose(): void;
  command: DeleteCommand;
  id: string;
  /** "Delete collaboration" */
  title: string;
  /** What deleting means, shown before anything is done. */
  children: ReactNode;
  onDeleted(removed: Removed): void;
}) {
  const client = useApi();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiCallError | null>(null);
  const [dependents, setDependents] = useState<{ message: string; lines: string[] } | null>(null);

  const close = () => {
    if (pending) return;
    setDependents(null);
    setError(null);
    onClose();
  };

  const remove = async (cascade: boolean) => {
    setPending(true);
    setError(null);
    try {
      const result = await client.call(command, cascade ? { id, cascade: true } : { id });
      setDependents(null);
      onDeleted(result.removed);
    } catch (caught) {
      const failure = caught instanceof ApiCallError ? caught : new ApiCallError('INTERNAL', String(caught));
      // HAS_DEPENDENTS is an answer, not a failure: it turns the dialog into its second step.
      if (failure.code === 'HAS_DEPENDENTS' && !cascade) setDependents({ message: failure.message, lines: describeDependents(failure.details?.['dependents']) });
      else setError(failure);
    } finally {
      setPending(false);
    }
  };

  return (
    <Modal opened={opened} onClose={close} title={title} centered size="lg">
      <Stack gap="md">
        {dependents ? (
          <>
            <Alert color="orange" variant="light" icon={<IconAlertTriangle size={18} />} title="Other records depend on it" role="alert">
              {dependents.lines.length > 0 ? (
                <Stack gap="xs">
                  <Text size="sm">Deleting everything also removes:</Text>
                  <List size="sm" withPadding>
                    {dependents.lines.map((line) => (
                      <List.Item key={line}>{line}</List.Item>
                    ))}
                  </List>
                  <Text size="xs" c="dimmed">
                    {dependents.message}
                  </Text>
                </Stack>
              ) : (
                <Text size="sm">{dependents.message}</Text>
              )}
            </Alert>
            <Text size="sm" c="dimmed">
              This cannot be undone. Participants keep their data files; only the records at this orchestrator are removed.
            </Text>
          </>
        ) : (
          <Text size="sm" component="div">
            {children}
          </Text>
        )}
        {error && <ErrorAlert error={error} title="Could not delete" />}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={close} disabled={pending}>
            Cancel
          </Button>
          {dependents ? (
            <Button color="red" leftSection={<IconTrash size={16} />} loading={pending} onClick={() => void remove(true)}>
              Delete everything
            </Button>
          ) : (
            <Button color="red" leftSection={<IconTrash size={16} />} loading={pending} onClick={() => void remove(false)}>
              Delete
            </Button>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}
