// A small button that copies a value (a path, a key, a fingerprint) and says so.
import { ActionIcon, CopyButton, Tooltip, type ActionIconProps } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';

export function CopyIcon({ value, label, size = 'md' }: { value: string; /** What the button does, for screen readers: "Copy the path". */ label: string; size?: ActionIconProps['size'] }) {
  const icon = size === 'sm' || size === 'xs' ? 14 : 16;
  return (
    <CopyButton value={value}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? 'Copied' : label} withArrow>
          <ActionIcon variant="subtle" color={copied ? 'green' : 'gray'} size={size} onClick={copy} aria-label={label}>
            {copied ? <IconCheck size={icon} /> : <IconCopy size={icon} />}
          </ActionIcon>
        </Tooltip>
      )}
    </CopyButton>
  );
}
