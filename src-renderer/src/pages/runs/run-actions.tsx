// What the orchestrator can do with a run: start it (the participants are asked first),
// cancel it while it runs, and copy its global model into a folder once it completed.
import { Alert, Button, Code, Group, List, Modal, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconCheck, IconDownload, IconFile, IconPlayerPlay, IconPlayerStop, IconShieldCheck } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import type { Run } from '../../../../src-main/contract/records';
import { useAction } from '../../api/react';
import { ALGORITHM_NAMES } from '../../components/describe';
import { PathInput } from '../../components/path-input';
import { privacyBrief } from '../../components/privacy';
import { ErrorAlert } from '../../components/states';
import { ConfirmDialog } from './confirm-dialog';

export function StartRunButton({ run, onStarted }: { run: Run; onStarted(): void }) {
  const [opened, { open, close }] = useDisclosure(false);
  const start = useAction('runs.start');
  const again = run.status !== 'defined';
  // An interrupted run is resumed, normally; starting it over is the other choice.
  const over = run.status === 'interrupted';
  const h = run.hyperparameters;
  return (
    <>
      <Button
        variant={over ? 'default' : 'filled'}
        leftSection={<IconPlayerPlay size={16} />}
        onClick={() => {
          start.clearError();
          open();
        }}
      >
        {over ? 'Start over' : again ? 'Run again' : 'Start run'}
      </Button>
      <ConfirmDialog
        opened={opened}
        title={over ? `Start “${run.name}” over?` : again ? `Run “${run.name}” again?` : `Start “${run.name}”?`}
        confirmLabel="Start run"
        icon={<IconPlayerPlay size={16} />}
        pending={start.pending}
        error={start.error}
        errorTitle="The run could not start"
        onClose={close}
        onConfirm={async () => {
          const started = await start.run({ id: run.id });
          if (!started) return;
          close();
          notifications.show({ color: 'cohort', title: 'Run started', message: 'The participants are being asked to approve it.' });
          onStarted();
        }}
      >
        <Group gap="sm" wrap="nowrap" align="flex-start">
          <IconShieldCheck size={22} style={{ flexShrink: 0, color: 'var(--mantine-color-cohort-7)' }} aria-hidden />
          <Text size="sm">
            Every participant registered for this project will be asked to approve this run in their Cohort app. Training starts only once
            they have approved it. Their data never leave their machines: only model updates and evaluation metrics are sent here.
          </Text>
        </Group>
        <Text size="sm" c="dimmed">
          {ALGORITHM_NAMES[h.algorithm]}, {h.rounds} {h.rounds === 1 ? 'round' : 'rounds'} of {h.epochs} local {h.epochs === 1 ? 'epoch' : 'epochs'}; at least{' '}
          {h.minClients} {h.minClients === 1 ? 'participant' : 'participants'} must take part.
        </Text>
        <Text size="sm" c="dimmed">
          Privacy protection: {privacyBrief(h.privacy).replace(/^None$/, 'none (no secure aggregation, no differential privacy)')}.
        </Text>
        {again && (
          <Alert color="yellow" variant="light">
            {over
              ? `Its ${run.round} completed ${run.round === 1 ? 'round is' : 'rounds are'} discarded and training starts from the beginning. To keep them, resume the run instead.`
              : 'The rounds and results of its last execution will be replaced by the new ones.'}
          </Alert>
        )}
      </ConfirmDialog>
    </>
  );
}

export function CancelRunButton({ run, onCancelled }: { run: Run; onCancelled(): void }) {
  const [opened, { open, close }] = useDisclosure(false);
  const cancel = useAction('runs.cancel');
  return (
    <>
      <Button
        color="red"
        variant="light"
        leftSection={<IconPlayerStop size={16} />}
        onClick={() => {
          cancel.clearError();
          open();
        }}
      >
        Cancel run
      </Button>
      <ConfirmDialog
        opened={opened}
        title={`Cancel “${run.name}”?`}
        confirmLabel="Cancel run"
        cancelLabel="Keep running"
        color="red"
        icon={<IconPlayerStop size={16} />}
        pending={cancel.pending}
        error={cancel.error}
        errorTitle="The run could not be cancelled"
        onClose={close}
        onConfirm={async () => {
          const result = await cancel.run({ id: run.id });
          if (!result) return;
          close();
          notifications.show({ color: 'orange', title: 'Run cancelled', message: `“${run.name}” stopped after ${result.rounds.length} ${result.rounds.length === 1 ? 'round' : 'rounds'}.` });
          onCancelled();
        }}
      >
        <Text size="sm">
          Every participant stops at once. The rounds completed so far stay in the run’s history, but no global model is saved. You can start
          the run again later.
        </Text>
      </ConfirmDialog>
    </>
  );
}

export function ExportModelButton({ run }: { run: Run }) {
  const [opened, { open, close }] = useDisclosure(false);
  const [directory, setDirectory] = useState('');
  const [missing, setMissing] = useState(false);
  const exportModel = useAction('runs.exportModel');
  const [written, setWritten] = useState<{ directory: string; files: string[] } | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!directory.trim()) {
      setMissing(true);
      return;
    }
    const result = await exportModel.run({ id: run.id, directory: directory.trim() });
    if (result) setWritten(result);
  };

  return (
    <>
      <Button
        variant="default"
        leftSection={<IconDownload size={16} />}
        onClick={() => {
          exportModel.clearError();
          setWritten(null);
          setMissing(false);
          open();
        }}
      >
        Export global model
      </Button>
      <Modal opened={opened} onClose={() => !exportModel.pending && close()} title="Export the global model" centered size="lg">
        {written ? (
          <Stack gap="md">
            <Alert color="green" variant="light" icon={<IconCheck size={18} />} title="Model exported">
              <Text size="sm">
                {written.files.length} {written.files.length === 1 ? 'file' : 'files'} written to <Code>{written.directory}</Code>
              </Text>
            </Alert>
            <List size="sm" spacing={4} icon={<IconFile size={14} />} aria-label="Files written">
              {written.files.map((file) => (
                <List.Item key={file}>
                  <Code>{file}</Code>
                </List.Item>
              ))}
            </List>
            <Text size="xs" c="dimmed">
              The model is in TensorFlow.js format: load it with tf.loadLayersModel from model.json.
            </Text>
            <Group justify="flex-end">
              <Button onClick={close} data-autofocus>
                Done
              </Button>
            </Group>
          </Stack>
        ) : (
          <form onSubmit={submit} noValidate>
            <Stack gap="md">
              <Text size="sm">The trained global model (its layers and weights, no data) is copied into a folder on this computer.</Text>
              <PathInput
                label="Folder"
                description="Created if it does not exist. Files already there with the same names are replaced."
                purpose="directory"
                value={directory}
                onChange={(value) => {
                  setDirectory(value);
                  setMissing(false);
                }}
                error={missing ? 'Choose a folder' : undefined}
                required
              />
              {exportModel.error && <ErrorAlert error={exportModel.error} title="The model could not be exported" />}
              <Group justify="flex-end" gap="sm">
                <Button variant="default" onClick={close} disabled={exportModel.pending}>
                  Back
                </Button>
                <Button type="submit" loading={exportModel.pending} leftSection={<IconDownload size={16} />}>
                  Export
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Modal>
    </>
  );
}
