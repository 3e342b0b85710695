// The owner's explicit choice to use a column that looks like it identifies patients: what it
// means, in plain words, before it is made.
import { Text } from '@mantine/core';
import { ConfirmModal } from '../../components/confirm-modal';

export function UseAnywayModal({
  column,
  reason,
  minCellCount,
  onConfirm,
  onClose,
}: {
  /** The column asked about (undefined: the question is closed). */
  column: string | undefined;
  reason: string | undefined;
  minCellCount: number | undefined;
  onConfirm(column: string): void;
  onClose(): void;
}) {
  const k = minCellCount === undefined ? 'k' : String(minCellCount);
  return (
    <ConfirmModal
      opened={column !== undefined}
      title={`Use “${column ?? ''}” anyway?`}
      confirmLabel="Use anyway"
      // A dark orange: white on it reads at WCAG AA contrast.
      color="#b23b0c"
      onClose={onClose}
      onConfirm={() => column !== undefined && onConfirm(column)}
    >
      <Text size="sm" mb="xs">
        Cohort left this column out because {reason ?? 'it may identify patients'}.
      </Text>
      <Text size="sm" mb="xs">
        If you use it, the model learns from it, and the names of its categories held by at least {k} patients are shared with the orchestrator and, through the
        common list of features, with the other hospitals. Categories held by fewer than {k} patients are still merged into “other”; the rows themselves never leave
        this computer.
      </Text>
      <Text size="sm" fw={500}>
        Only do this if the study needs this column and your data protection rules allow it.
      </Text>
    </ConfirmModal>
  );
}
