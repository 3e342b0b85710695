// Exports the whole security log to a file of the person's choosing: CSV for a spreadsheet, or
// JSON lines exactly as the app keeps it. The log itself is never changed.
import { Alert, Button, Code, Group, Modal, Radio, SimpleGrid, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconCheck, IconFileExport } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import type { CommandOutput } from '../../../../src-main/contract/api';
import type { DialogFileFilter } from '../../../../src-main/contract/bridge';
import { useAction } from '../../api/react';
import { CopyIcon } from '../../components/copy';
import { formatCount } from '../../components/format';
import { OptionCard } from '../../components/option-card';
import { PathInput } from '../../components/path-input';
import { ErrorAlert } from '../../components/states';

type Format = 'csv' | 'jsonl';

const FORMATS: Array<{ value: Format; label: string; description: string; filter: DialogFileFilter }> = [
  { value: 'csv', label: 'CSV', description: 'One row per event, for a spreadsheet.', filter: { name: 'CSV files', extensions: ['csv'] } },
  { value: 'jsonl', label: 'JSON lines', description: 'One JSON object per line, exactly as the log is kept.', filter: { name: 'JSON lines', extensions: ['jsonl'] } },
];

/** What the save dialog offers: files of the chosen format. */
const filtersFor = (format: Format): DialogFileFilter[] => FORMATS.filter((option) => option.value === format).map((option) => option.filter);

/** "/tmp/log.csv" becomes "/tmp/log.jsonl" when the format changes (other names are left alone). */
function withExtension(path: string, format: Format): string {
  return path.replace(/\.(csv|jsonl)$/i, `.${format}`);
}

const samePath = (a: string, b: string) => a.trim().replace(/\\/g, '/') === b.replace(/\\/g, '/');

function ExportForm({ logPath, onClose }: { logPath: string; onClose(): void }) {
  const [format, setFormat] = useState<Format>('csv');
  const [path, setPath] = useState('');
  const [touched, setTouched] = useState(false);
  const [result, setResult] = useState<CommandOutput<'security.export'> | undefined>();
  const exportLog = useAction('security.export');

  const pathError = !touched ? undefined : !path.trim() ? 'Choose the file to write' : samePath(path, logPath) ? 'This is the log itself: choose another file' : undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!path.trim() || samePath(path, logPath)) return;
    setResult(undefined);
    const written = await exportLog.run({ path: path.trim(), format });
    if (written) setResult(written);
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="md">
        <Text size="sm">Writes every recorded event to a file, whatever the filters on this page show. The log itself is not changed.</Text>
        <Radio.Group
          label="Format"
          value={format}
          onChange={(value) => {
            setFormat(value as Format);
            setPath((current) => withExtension(current, value as Format));
          }}
        >
          <SimpleGrid cols={2} spacing="sm" mt="xs">
            {FORMATS.map((option) => (
              <OptionCard key={option.value} value={option.value} label={option.label} description={option.description} />
            ))}
          </SimpleGrid>
        </Radio.Group>
        <PathInput
          label="Save as"
          description="The full path of the file to write on this computer. A file already there is replaced."
          purpose="save-file"
          filters={filtersFor(format)}
          value={path}
          onChange={(value) => {
            setPath(value);
            setResult(undefined);
          }}
          placeholder={`/path/to/security-log.${format}`}
          error={pathError}
          required
        />
        {exportLog.error && <ErrorAlert error={exportLog.error} title="The log could not be exported" />}
        {result && (
          <Alert color="green" variant="light" icon={<IconCheck size={18} />} title="Export done" aria-live="polite">
            <Group gap="xs" wrap="nowrap">
              <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                {formatCount(result.events)} {result.events === 1 ? 'event' : 'events'} written to <Code>{result.path}</Code>
              </Text>
              <CopyIcon value={result.path} label="Copy the path of the exported file" />
            </Group>
          </Alert>
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onClose} disabled={exportLog.pending}>
            {result ? 'Done' : 'Cancel'}
          </Button>
          <Button type="submit" leftSection={<IconFileExport size={16} />} loading={exportLog.pending}>
            Export
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** A button that opens the export dialog. */
export function ExportLogButton({ logPath }: { logPath: string }) {
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <>
      <Button variant="default" leftSection={<IconFileExport size={16} />} onClick={open}>
        Export…
      </Button>
      <Modal opened={opened} onClose={close} title="Export the security log" size="lg">
        {opened && <ExportForm logPath={logPath} onClose={close} />}
      </Modal>
    </>
  );
}
