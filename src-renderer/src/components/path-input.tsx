// A file or folder path: a native dialog in the desktop app, a path field in browser mode
// (the browser cannot reveal local paths, and the files never leave this machine anyway).
import { Button, Group, TextInput } from '@mantine/core';
import { IconFolderOpen } from '@tabler/icons-react';
import type { DialogFileFilter, PathPurpose } from '../../../src-main/contract/bridge';
import { electronPreload } from '../api/electron-transport';

export function PathInput({
  label,
  description,
  value,
  onChange,
  purpose,
  filters,
  error,
  placeholder,
  required,
}: {
  label: string;
  description?: string;
  value: string;
  onChange(value: string): void;
  purpose: PathPurpose;
  /** The file types the dialog offers, first shown first (instead of the purpose's default). */
  filters?: DialogFileFilter[];
  error?: string | undefined;
  placeholder?: string;
  required?: boolean;
}) {
  const preload = electronPreload();
  return (
    <Group align="flex-end" gap="xs" wrap="nowrap">
      <TextInput
        style={{ flex: 1 }}
        label={label}
        description={description}
        value={value}
        onChange={(event) => onChange(event.currentTarget.value)}
        error={error}
        placeholder={placeholder ?? (purpose === 'directory' ? '/path/to/folder' : purpose === 'save-file' ? '/path/to/file' : '/path/to/file.csv')}
        required={required}
        spellCheck={false}
        autoComplete="off"
      />
      {preload && (
        <Button
          variant="default"
          leftSection={<IconFolderOpen size={16} />}
          onClick={async () => {
            const chosen = await preload.choosePath({ purpose, ...(filters && purpose !== 'directory' ? { filters } : {}) });
            if (chosen) onChange(chosen);
          }}
        >
          Browse…
        </Button>
      )}
    </Group>
  );
}
