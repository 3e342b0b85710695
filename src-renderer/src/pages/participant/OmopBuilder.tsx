// The OMOP CDM helper: pick a connection and a CDM schema, give the concept sets (pasted ids, or
// found by a small search over the concept table), and build a person-level table whose columns
// are named by concept ids, so every hospital's table lines up. The built query is then
// previewed like any other source, and registered as a query.
import { ActionIcon, Button, Code, Group, NumberInput, Select, SimpleGrid, Stack, Table, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { IconPlus, IconSearch } from '@tabler/icons-react';
import { useState } from 'react';
import type { ApiTypes } from '../../../../src-main/contract/api';
import type { OmopConcept, OmopDefinitionInput } from '../../../../src-main/contract/omop';
import type { Project } from '../../../../src-main/contract/records';
import { useAction, useQuery } from '../../api/react';
import { ErrorAlert } from '../../components/states';
import { newRequestId, QueryProgress, type ConnectionView } from './data-sources';

type SetName = 'cohort' | 'measurements' | 'conditions' | 'drugs' | 'outcome';

const SETS: Array<{ key: SetName; label: string; description: string; domain: string }> = [
  { key: 'cohort', label: 'Cohort: condition of interest', description: 'Persons with one of these conditions; the index date is its first occurrence.', domain: 'Condition' },
  { key: 'measurements', label: 'Lab values', description: 'One column each: the latest value in the look-back window.', domain: 'Measurement' },
  { key: 'conditions', label: 'Conditions', description: 'One column each: 1 if present in the window.', domain: 'Condition' },
  { key: 'drugs', label: 'Drugs', description: 'One column each: 1 if started in the window.', domain: 'Drug' },
  { key: 'outcome', label: 'Outcome', description: 'The target: 1 if one of these conditions occurs within the outcome window after the index date.', domain: 'Condition' },
];

/** "201826, 4329847" -> [201826, 4329847]; undefined while something is not a concept id. */
export function parseIds(text: string): number[] | undefined {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  const ids = parts.map(Number);
  return ids.every((id) => Number.isInteger(id) && id > 0) ? ids : undefined;
}

export function OmopBuilder({
  connections,
  project,
  onBuilt,
  onReset,
}: {
  connections: readonly ConnectionView[];
  project: Project;
  onBuilt(query: string, connectionId: string, preview: ApiTypes['DataPreview']): void;
  onReset(): void;
}) {
  const [connectionId, setConnectionId] = useState<string | null>(connections[0]?.id ?? null);
  const schemas = useQuery('omop.schemas', connectionId ? { connectionId } : null);
  const [schema, setSchema] = useState<string | null>(null);
  const [sets, setSets] = useState<Record<SetName, string>>({ cohort: '', measurements: '', conditions: '', drugs: '', outcome: '' });
  const [lookbackDays, setLookbackDays] = useState(365);
  const [windowDays, setWindowDays] = useState(365);
  const [search, setSearch] = useState('');
  const [searchDomain, setSearchDomain] = useState<string | null>(null);
  const concepts = useAction('omop.concepts');
  const [found, setFound] = useState<OmopConcept[] | undefined>();
  const build = useAction('omop.build');
  const [requestId, setRequestId] = useState<string | undefined>();
  const chosenSchema = schema ?? schemas.data?.[0] ?? null;

  const parsed = Object.fromEntries(SETS.map(({ key }) => [key, parseIds(sets[key])])) as Record<SetName, number[] | undefined>;
  const ready = connectionId && chosenSchema && parsed.cohort?.length && parsed.outcome?.length && SETS.every(({ key }) => parsed[key] !== undefined);

  const change = (key: SetName, value: string) => {
    setSets((previous) => ({ ...previous, [key]: value }));
    onReset();
  };
  const add = (key: SetName, id: number) => change(key, [...(parseIds(sets[key]) ?? []), id].filter((value, index, all) => all.indexOf(value) === index).join(', '));

  const runSearch = async () => {
    if (!connectionId || !chosenSchema) return;
    const result = await concepts.run({ connectionId, schema: chosenSchema, search: search.trim(), ...(searchDomain ? { domain: searchDomain } : {}) });
    setFound(result);
  };

  const runBuild = async () => {
    if (!ready || !connectionId || !chosenSchema) return;
    const definition: OmopDefinitionInput = {
      schema: chosenSchema,
      cohort: { conceptIds: parsed.cohort! },
      lookbackDays,
      features: {
        measurements: parsed.measurements!.map((id) => ({ conceptIds: [id] })),
        conditions: parsed.conditions!.map((id) => ({ conceptIds: [id] })),
        drugs: parsed.drugs!.map((id) => ({ conceptIds: [id] })),
      },
      outcome: { name: project.targetColumn, conceptIds: parsed.outcome!, windowDays },
    };
    const id = newRequestId();
    setRequestId(id);
    const result = await build.run({ connectionId, definition, projectId: project.id, requestId: id });
    if (result) onBuilt(result.query, connectionId, result.preview);
  };

  return (
    <Stack gap="md">
      <Group align="flex-end" gap="sm">
        <Select
          label="Connection"
          data={connections.map((connection) => ({ value: connection.id, label: connection.name }))}
          value={connectionId}
          onChange={(value) => {
            setConnectionId(value);
            setSchema(null);
            onReset();
          }}
          w={260}
          allowDeselect={false}
          placeholder={connections.length === 0 ? 'Add a connection first' : undefined}
        />
        <Select
          label="OMOP CDM schema"
          data={schemas.data ?? []}
          value={chosenSchema}
          onChange={(value) => {
            setSchema(value);
            onReset();
          }}
          w={220}
          allowDeselect={false}
          placeholder={schemas.loading ? 'Looking…' : schemas.data?.length === 0 ? 'No OMOP schema found' : undefined}
        />
        <NumberInput label="Look-back (days)" min={0} max={36500} value={lookbackDays} onChange={(value) => setLookbackDays(Number(value) || 0)} w={150} />
        <NumberInput label="Outcome within (days)" min={1} max={36500} value={windowDays} onChange={(value) => setWindowDays(Number(value) || 1)} w={170} />
      </Group>
      {schemas.error && <ErrorAlert error={schemas.error} title="Could not list the schemas" />}
      <Text size="sm">
        Age and sex at the index date are always included. The target column is named after the project’s target, <Code>{project.targetColumn}</Code>; other columns are
        named by their concept id (for example <Code>measurement_3004410</Code>), the same at every hospital.
      </Text>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm">
        {SETS.map(({ key, label, description }) => (
          <TextInput
            key={key}
            label={label}
            description={description}
            placeholder="Concept ids, e.g. 201826, 443238"
            value={sets[key]}
            required={key === 'cohort' || key === 'outcome'}
            error={parsed[key] === undefined ? 'Concept ids are whole numbers, separated by commas' : undefined}
            onChange={(event) => change(key, event.currentTarget.value)}
          />
        ))}
      </SimpleGrid>

      <Stack gap="xs">
        <Title order={4} size="h5">
          Find concepts
        </Title>
        <Group align="flex-end" gap="sm">
          <TextInput label="Name, code or id" value={search} onChange={(event) => setSearch(event.currentTarget.value)} w={280} placeholder="hemoglobin a1c" />
          <Select label="Domain" data={['Condition', 'Measurement', 'Drug']} value={searchDomain} onChange={setSearchDomain} clearable w={160} placeholder="Any" />
          <Button variant="light" leftSection={<IconSearch size={16} />} onClick={runSearch} loading={concepts.pending} disabled={search.trim().length < 2 || !chosenSchema}>
            Search
          </Button>
        </Group>
        {concepts.error && <ErrorAlert error={concepts.error} title="The search failed" />}
        {found && (
          <Table withTableBorder aria-label="Concepts found">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Concept id</Table.Th>
                <Table.Th>Name</Table.Th>
                <Table.Th>Domain</Table.Th>
                <Table.Th>Vocabulary</Table.Th>
                <Table.Th>Add to</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {found.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={5}>
                    <Text size="sm" c="dimmed">
                      No concept matches.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {found.map((concept) => (
                <Table.Tr key={concept.conceptId}>
                  <Table.Td style={{ fontVariantNumeric: 'tabular-nums' }}>{concept.conceptId}</Table.Td>
                  <Table.Td>{concept.name}</Table.Td>
                  <Table.Td>{concept.domain}</Table.Td>
                  <Table.Td>
                    {concept.vocabulary} {concept.code}
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4} wrap="nowrap">
                      {SETS.filter((set) => set.domain === concept.domain).map((set) => (
                        <Tooltip key={set.key} label={`Add to ${set.label.toLowerCase()}`} withArrow>
                          <ActionIcon size="sm" variant="light" aria-label={`Add ${concept.conceptId} to ${set.label}`} onClick={() => add(set.key, concept.conceptId)}>
                            <IconPlus size={12} />
                          </ActionIcon>
                        </Tooltip>
                      ))}
                      <Text size="xs" c="dimmed">
                        {SETS.filter((set) => set.domain === concept.domain).map((set) => set.key).join(' · ')}
                      </Text>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Stack>

      <Group gap="sm">
        <Button onClick={runBuild} loading={build.pending} disabled={!ready}>
          Build the table and preview it
        </Button>
        <QueryProgress requestId={requestId} running={build.pending} />
      </Group>
      {build.error && <ErrorAlert error={build.error} title="The table could not be built" />}
    </Stack>
  );
}
