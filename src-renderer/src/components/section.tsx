// A titled block of a screen (a table with its actions, say), framed like the others.
import { Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

export function Section({
  title,
  count,
  description,
  actions,
  children,
}: {
  title: string;
  /** Shown beside the title (how many rows the section lists). */
  count?: number | undefined;
  description?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}) {
  const id = `section-${title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return (
    <Paper component="section" p="lg" aria-labelledby={id}>
      <Stack gap="md">
        <Group justify="space-between" align="flex-start" wrap="nowrap">
          <Stack gap={2}>
            <Group gap="xs">
              <Title order={3} size="h4" id={id}>
                {title}
              </Title>
              {count !== undefined && (
                <Badge variant="light" color="gray" radius="sm" aria-label={`${count} in total`}>
                  {count}
                </Badge>
              )}
            </Group>
            {description && (
              <Text size="sm" c="dimmed">
                {description}
              </Text>
            )}
          </Stack>
          {actions && (
            <Group gap="sm" wrap="nowrap">
              {actions}
            </Group>
          )}
        </Group>
        {children}
      </Stack>
    </Paper>
  );
}
