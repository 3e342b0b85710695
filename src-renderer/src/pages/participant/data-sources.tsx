// Where a hospital's rows come from besides files: its database connections (PostgreSQL, the
// password sealed on this computer), a read-only SQL query, and the progress of a long query,
// which can be cancelled. Nothing here leaves the computer.
import { Alert, Badge, Button, Card, Group, NumberInput, PasswordInput, Select, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconDatabase, IconPlugConnected, IconPlus, IconTrash } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import type { ApiTypes } from '../../../../src-main/contract/api';
import type { DataTag, TagSource } from '../../../../src-main/contract/records';
import { useAction, useApi, useQuery } from '../../api/react';
import { formatCount } from '../../components/format';
import { fileName } from '../../components/paths';
import { ErrorAlert } from '../../components/states';

export type ConnectionView = ApiTypes['ConnectionView'];

/** How a registered tag's source reads in a table: a file's name and path, or a query and its connection. */
export function sourceLabel(source: TagSource, connections: readonly ConnectionView[] = []): { title: string; detail: string } {
  if (source.type === 'file') return { title: fileName(source.path), detail: source.path };
  const connection = connections.find((candidate) => candidate.id === source.connectionId);
  const firstLine = source.query.trim().split('\n')[0] ?? '';
  return { title: `SQL query on ${connection?.name ?? source.connectionId}`, detail: firstLine.length > 90 ? `${firstLine.slice(0, 90)}…` : firstLine };
}

export function tagLabel(tag: DataTag, connections: readonly ConnectionView[] = []): string {
  return sourceLabel(tag.source, connections).title;
}

/** A fresh id for a long request, so its progress events can be told apart and it can be cancelled. */
export function newRequestId(): string {
  return `r${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** Rows read so far by the request, from the app's progress events. */
export function useProgress(requestId: string | undefined): number | undefined {
  const client = useApi();
  const [rows, setRows] = useState<number | undefined>();
  useEffect(() => {
    setRows(undefined);
    if (!requestId) return;
    return client.on((event) => {
      if (event.type === 'progress' && event.requestId === requestId) setRows(event.rows);
    });
  }, [client, requestId]);
  return rows;
}

/** While a query runs: rows read so far, and a button that asks the server to stop it. */
export function QueryProgress({ requestId, running }: { requestId: string | undefined; running: boolean }) {
  const rows = useProgress(requestId);
  const cancel = useAction('data.cancel');
  if (!running || !requestId) return null;
  return (
    <Group gap="sm" role="status" aria-live="polite">
      <Text size="sm">{rows === undefined ? 'The query is running on the database server…' : `${formatCount(rows)} rows read so far…`}</Text>
      <Button size="xs" variant="default" color="red" loading={cancel.pending} onClick={() => void cancel.run({ requestId })}>
        Cancel query
      </Button>
    </Group>
  );
}

/** A connection and a read-only query on it. */
export function QueryInput({
  connections,
  connectionId,
  query,
  onChange,
}: {
  connections: readonly ConnectionView[];
  connectionId: string | null;
  query: string;
  onChange(next: { connectionId: string | null; query: string }): void;
}) {
  return (
    <Stack gap="sm">
      <Select
        label="Database connection"
        placeholder={connections.length === 0 ? 'Add a connection first (below)' : 'Choose a connection'}
        data={connections.map((connection) => ({ value: connection.id, label: `${connection.name} (${connection.database} on ${connection.host})` }))}
        value={connectionId}
        onChange={(value) => onChange({ connectionId: value, query })}
        w={{ base: '100%', sm: 420 }}
        allowDeselect={false}
      />
      <Textarea
        label="SQL query"
        description="A SELECT whose rows are the data, one row per patient. It runs read-only on the server, on this computer's connection; the query never leaves this computer."
        placeholder="SELECT * FROM research.breast_cancer_train"
        autosize
        minRows={3}
        maxRows={12}
        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
        value={query}
        onChange={(event) => onChange({ connectionId, query: event.currentTarget.value })}
      />
    </Stack>
  );
}

// ---------------------------------------------------------------------------------------------
// Connections

const EMPTY_FORM = { name: '', host: 'localhost', port: 5432, database: '', user: '', password: '', ssl: 'disable' as 'disable' | 'require' | 'verify-full' };

export function ConnectionsCard() {
  const connections = useQuery('connections.list', {}, ['connections']);
  const save = useAction('connections.save');
  const remove = useAction('connections.delete');
  const test = useAction('connections.test');
  const [form, setForm] = useState(EMPTY_FORM);
  const [adding, setAdding] = useState(false);
  const [tested, setTested] = useState<Record<string, string>>({});
  const firstField = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (adding) firstField.current?.focus();
  }, [adding]);

  const submit = async () => {
    const saved = await save.run({ ...form, ...(form.password === '' ? {} : { password: form.password }) });
    if (saved) {
      notifications.show({ color: 'green', title: 'Connection saved', message: `${saved.name}: ${saved.hasPassword ? 'its password is sealed on this computer' : 'no password'}.` });
      setForm(EMPTY_FORM);
      setAdding(false);
    }
  };

  return (
    <Card component="section" aria-labelledby="connections-title">
      <Stack gap="md">
        <Group justify="space-between" align="flex-start">
          <div>
            <Title order={3} size="h4" id="connections-title">
              Database connections
            </Title>
            <Text size="sm" c="dimmed">
              PostgreSQL databases this computer reads data from (a clinical data warehouse, an OMOP CDM). Passwords are sealed on this computer and never shared; use a read-only
              database user.
            </Text>
          </div>
          {!adding && (
            <Button variant="light" leftSection={<IconPlus size={16} />} onClick={() => setAdding(true)}>
              Add a connection
            </Button>
          )}
        </Group>
        {connections.error && <ErrorAlert error={connections.error} onRetry={connections.reload} title="Could not list the connections" />}
        {connections.data && connections.data.length > 0 && (
          <Table withTableBorder aria-label="Database connections">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Server</Table.Th>
                <Table.Th>Database</Table.Th>
                <Table.Th>User</Table.Th>
                <Table.Th>Password</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {connections.data.map((connection) => (
                <Table.Tr key={connection.id}>
                  <Table.Td>
                    <Text size="sm" fw={600}>
                      {connection.name}
                    </Text>
                    {tested[connection.id] && (
                      <Text size="xs" c="green.8">
                        {tested[connection.id]}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {connection.host}:{connection.port}
                    </Text>
                  </Table.Td>
                  <Table.Td>{connection.database}</Table.Td>
                  <Table.Td>{connection.user}</Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={connection.hasPassword ? 'cohort' : 'gray'} style={{ textTransform: 'none' }}>
                      {connection.hasPassword ? 'sealed' : 'none'}
                    </Badge>
                  </Table.Td>
                  <Table.Td style={{ textAlign: 'right', whiteSpace: 'nowrap' }}>
                    <Button
                      size="xs"
                      variant="subtle"
                      leftSection={<IconPlugConnected size={14} />}
                      loading={test.pending}
                      onClick={async () => {
                        const result = await test.run({ id: connection.id });
                        if (result) setTested((previous) => ({ ...previous, [connection.id]: `Connected: ${result.server.split(' on ')[0]}` }));
                      }}
                    >
                      Test
                    </Button>
                    <Button size="xs" variant="subtle" color="red" leftSection={<IconTrash size={14} />} loading={remove.pending} onClick={() => void remove.run({ id: connection.id })}>
                      Remove
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {test.error && <ErrorAlert error={test.error} title="The connection does not work" />}
        {remove.error && <ErrorAlert error={remove.error} title="Could not remove the connection" />}
        {adding && (
          <Stack gap="sm" component="form" onSubmit={(event) => { event.preventDefault(); void submit(); }}>
            <Group grow align="flex-start">
              <TextInput ref={firstField} label="Name" required value={form.name} onChange={(event) => setForm({ ...form, name: event.currentTarget.value })} placeholder="Clinical warehouse" />
              <TextInput label="Host" required value={form.host} onChange={(event) => setForm({ ...form, host: event.currentTarget.value })} />
              <NumberInput label="Port" required min={1} max={65535} value={form.port} onChange={(value) => setForm({ ...form, port: Number(value) || 5432 })} />
            </Group>
            <Group grow align="flex-start">
              <TextInput label="Database" required value={form.database} onChange={(event) => setForm({ ...form, database: event.currentTarget.value })} />
              <TextInput label="User" required value={form.user} onChange={(event) => setForm({ ...form, user: event.currentTarget.value })} />
              <PasswordInput label="Password" description="Sealed before it is stored" value={form.password} onChange={(event) => setForm({ ...form, password: event.currentTarget.value })} />
              <Select
                label="TLS"
                data={[
                  { value: 'disable', label: 'Off' },
                  { value: 'require', label: 'Required' },
                  { value: 'verify-full', label: 'Required, certificate verified' },
                ]}
                value={form.ssl}
                allowDeselect={false}
                onChange={(value) => setForm({ ...form, ssl: (value ?? 'disable') as typeof form.ssl })}
              />
            </Group>
            {save.error && <ErrorAlert error={save.error} title="The connection was not saved" />}
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setAdding(false)}>
                Cancel
              </Button>
              <Button type="submit" leftSection={<IconDatabase size={16} />} loading={save.pending} disabled={!form.name || !form.host || !form.database || !form.user}>
                Save connection
              </Button>
            </Group>
          </Stack>
        )}
        {connections.data?.length === 0 && !adding && (
          <Alert variant="light" color="gray">
            No database connection yet: data can also come from CSV and Parquet files.
          </Alert>
        )}
      </Stack>
    </Card>
  );
}
