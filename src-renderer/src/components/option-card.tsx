// One choice of a Radio.Group shown as a card: its name, and a line on what it means.
import { Group, Radio, Text } from '@mantine/core';

export function OptionCard({ value, label, description }: { value: string; label: string; description: string }) {
  return (
    <Radio.Card value={value} p="sm" radius="md" style={{ display: 'flex', alignItems: 'flex-start' }}>
      <Group wrap="nowrap" align="flex-start" gap="sm">
        <Radio.Indicator mt={2} />
        <div>
          <Text fw={600} size="sm">
            {label}
          </Text>
          <Text size="xs" c="dimmed">
            {description}
          </Text>
        </div>
      </Group>
    </Radio.Card>
  );
}
