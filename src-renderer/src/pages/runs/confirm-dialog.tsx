// A question before an action that matters (start a run, cancel it), with the action's own
// progress and error: the dialog stays open, showing the error, if the action fails.
import { Button, Group, Modal, Stack } from '@mantine/core';
import type { ReactNode } from 'react';
import type { ApiCallError } from '../../api/client';
import { ErrorAlert } from '../../components/states';

export function ConfirmDialog({
  opened,
  title,
  children,
  confirmLabel,
  cancelLabel = 'Back',
  color,
  icon,
  pending,
  error,
  errorTitle,
  onConfirm,
  onClose,
}: {
  opened: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  color?: string;
  icon?: ReactNode;
  pending?: boolean;
  error?: ApiCallError | Error | undefined;
  errorTitle?: string;
  onConfirm(): void;
  onClose(): void;
}) {
  return (
    <Modal opened={opened} onClose={() => !pending && onClose()} title={title} centered size="lg">
      <Stack gap="md">
        {children}
        {error && <ErrorAlert error={error} {...(errorTitle ? { title: errorTitle } : {})} />}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} disabled={pending}>
            {cancelLabel}
          </Button>
          <Button color={color} onClick={onConfirm} loading={pending} leftSection={icon} data-autofocus>
            {confirmLabel}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
