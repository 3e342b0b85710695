// Pausing a run and resuming it: a paused (interrupted) run keeps a checkpoint of its last
// completed round, and resuming continues from there with the same participants, who are not
// asked to approve it again.
import { Button, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconPlayerPause, IconPlayerTrackNext } from '@tabler/icons-react';
import type { Run } from '../../../../src-main/contract/records';
import { useAction } from '../../api/react';
import { ConfirmDialog } from './confirm-dialog';

const roundsText = (count: number) => `${count} ${count === 1 ? 'round' : 'rounds'}`;

/** Stops a running run so that it can be resumed later from its last completed round. */
export function PauseRunButton({ run, roundsDone, onPaused }: { run: Run; roundsDone: number; onPaused(): void }) {
  const [opened, { open, close }] = useDisclosure(false);
  const stop = useAction('runs.stop');
  return (
    <>
      <Button
        variant="default"
        leftSection={<IconPlayerPause size={16} />}
        onClick={() => {
          stop.clearError();
          open();
        }}
      >
        Pause
      </Button>
      <ConfirmDialog
        opened={opened}
        title={`Pause “${run.name}”?`}
        confirmLabel="Pause run"
        cancelLabel="Keep running"
        icon={<IconPlayerPause size={16} />}
        pending={stop.pending}
        error={stop.error}
        errorTitle="The run could not be paused"
        onClose={close}
        onConfirm={async () => {
          const result = await stop.run({ id: run.id });
          if (!result) return;
          close();
          notifications.show({
            color: 'grape',
            title: 'Run paused',
            message: `“${run.name}” stopped after ${roundsText(result.rounds.length)}. Resume it from this page when you are ready.`,
          });
          onPaused();
        }}
      >
        <Text size="sm">
          Training stops now and the participants are told to wait. Everything up to the last completed round is kept
          {roundsDone > 0 ? ` (round ${roundsDone} so far)` : ''}, so you can resume the run later and it continues from there. A round that is
          half done is trained again when it resumes.
        </Text>
        {roundsDone === 0 && (
          <Text size="sm" c="orange.8">
            No round has finished yet: a run paused now cannot be resumed, only started again from the beginning.
          </Text>
        )}
      </ConfirmDialog>
    </>
  );
}

/** Continues an interrupted run from its last completed round. */
export function ResumeRunButton({ run, onResumed }: { run: Run; onResumed(): void }) {
  const [opened, { open, close }] = useDisclosure(false);
  const resume = useAction('runs.resume');
  const planned = run.hyperparameters.rounds;
  return (
    <>
      <Button
        leftSection={<IconPlayerTrackNext size={16} />}
        onClick={() => {
          resume.clearError();
          open();
        }}
      >
        Resume
      </Button>
      <ConfirmDialog
        opened={opened}
        title={`Resume “${run.name}”?`}
        confirmLabel="Resume run"
        icon={<IconPlayerTrackNext size={16} />}
        pending={resume.pending}
        error={resume.error}
        errorTitle="The run could not be resumed"
        onClose={close}
        onConfirm={async () => {
          const resumed = await resume.run({ id: run.id });
          if (!resumed) return;
          close();
          notifications.show({ color: 'cohort', title: 'Run resumed', message: `“${run.name}” continues after round ${run.round}.` });
          onResumed();
        }}
      >
        <Text size="sm">
          Training continues after round {run.round} of {planned}, with the model and settings saved at that round. The participants reconnect
          and carry on: they already approved this run, so they are not asked again.
        </Text>
      </ConfirmDialog>
    </>
  );
}
