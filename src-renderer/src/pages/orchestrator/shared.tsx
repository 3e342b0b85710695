// Pieces the orchestrator's screens share: saving with a pending state and an error, ids made
// from names, links, and the "not found" state of a record page.
import { Anchor, Button } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconArrowLeft, IconCheck, IconPencil, IconSearch, IconTrash } from '@tabler/icons-react';
import { useCallback, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { ApiCallError } from '../../api/client';
import { slugOf } from '../../../../src-main/contract/ids';
import type { Project } from '../../../../src-main/contract/records';
import { EmptyState, ErrorAlert } from '../../components/states';

export const TASK_LABELS: Record<Project['task'], string> = { classify: 'Classification', regress: 'Regression' };

/**
 * Creates a record whose id the app makes from its name. Ids are unique across the whole app,
 * but a name need only make sense under its parent (two experiments may each have a run called
 * "Baseline"), so a taken id is retried as "baseline-2", "baseline-3", ...
 */
export async function createWithFreeId<T>(name: string, create: (id: string | undefined) => Promise<T>): Promise<T> {
  const base = slugOf(name);
  if (!base) return create(undefined); // the app explains what is wrong with the name
  for (let attempt = 1; ; attempt += 1) {
    const suffix = attempt === 1 ? '' : `-${attempt}`;
    try {
      return await create(`${base.slice(0, 64 - suffix.length)}${suffix}`);
    } catch (error) {
      if (!(error instanceof ApiCallError) || error.code !== 'ALREADY_EXISTS' || attempt >= 50) throw error;
    }
  }
}

/** A submit that shows its pending state and keeps the app's error for the form to show. */
export function useSubmit() {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<ApiCallError | null>(null);
  const submit = useCallback(async <T,>(work: () => Promise<T>): Promise<T | undefined> => {
    setPending(true);
    setError(null);
    try {
      return await work();
    } catch (caught) {
      setError(caught instanceof ApiCallError ? caught : new ApiCallError('INTERNAL', caught instanceof Error ? caught.message : String(caught)));
      return undefined;
    } finally {
      setPending(false);
    }
  }, []);
  const clear = useCallback(() => setError(null), []);
  return { submit, pending, error, setError, clear };
}

export function FormError({ error, title = 'Could not save' }: { error: ApiCallError | null; title?: string }) {
  return error ? <ErrorAlert error={error} title={title} /> : null;
}

export function notifySaved(message: string) {
  notifications.show({ color: 'green', icon: <IconCheck size={16} />, message, autoClose: 4000 });
}

export function RecordLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <Anchor component={Link} to={to} fw={600} size="sm">
      {children}
    </Anchor>
  );
}

/** A record page whose record does not exist (deleted, or an old link). */
export function NotFound({ what, back, backLabel }: { what: string; back: string; backLabel: string }) {
  return (
    <EmptyState
      icon={<IconSearch size={26} />}
      title={`This ${what} does not exist`}
      description={`It may have been deleted, or the link is out of date.`}
      action={
        <Button component={Link} to={back} variant="light" leftSection={<IconArrowLeft size={16} />}>
          {backLabel}
        </Button>
      }
    />
  );
}

/** Stops a row's click handler when the click was on a link or button inside the row. */
export function fromInteractive(event: React.MouseEvent): boolean {
  return (event.target as HTMLElement).closest('a, button, input, [role="button"]') !== null;
}

/** The header actions of a record page: edit it, or delete it (after a confirmation). */
export function EditDeleteActions({ onEdit, onDelete }: { onEdit(): void; onDelete(): void }) {
  return (
    <>
      <Button variant="default" leftSection={<IconPencil size={16} />} onClick={onEdit}>
        Edit
      </Button>
      <Button variant="outline" color="red" leftSection={<IconTrash size={16} />} onClick={onDelete}>
        Delete
      </Button>
    </>
  );
}
