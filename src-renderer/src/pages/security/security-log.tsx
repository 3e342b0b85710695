// The security log: the figures over everything recorded, then the events, newest first,
// filtered by direction, outcome and text, a page at a time. It follows new events as they are
// recorded (unless paused) without losing the filters or the rows already loaded.
import { Anchor, Badge, Button, CloseButton, Group, SegmentedControl, SimpleGrid, Stack, Switch, Table, Text, TextInput, Tooltip } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconArrowDownLeft, IconArrowUpRight, IconSearch, IconShieldLock } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { ApiTypes } from '../../../../src-main/contract/api';
import type { SecurityEvent, SecurityLogQuery } from '../../../../src-main/contract/security';
import { useQuery } from '../../api/react';
import { formatBytes, formatCount, formatDate } from '../../components/format';
import { Section } from '../../components/section';
import { Stat } from '../../components/stat';
import { EmptyState, QueryView } from '../../components/states';

type Role = ApiTypes['AppInfo']['role'];
type Direction = SecurityEvent['direction'];
type Outcome = SecurityEvent['outcome'];

/** Rows fetched at a time, and the most one request returns. */
export const PAGE_SIZE = 100;
const MAX_ROWS = 5_000;

const DIRECTION_LABELS: Record<Direction, string> = { outbound: 'Outbound', inbound: 'Inbound' };
const OUTCOME_LABELS: Record<Outcome, string> = { sent: 'Sent', accepted: 'Accepted', refused: 'Refused' };
const OUTCOME_COLORS: Record<Outcome, string> = { sent: 'blue', accepted: 'green', refused: 'red' };

const plural = (count: number, one: string, many = `${one}s`) => `${formatCount(count)} ${count === 1 ? one : many}`;

function DirectionLabel({ direction }: { direction: Direction }) {
  const Icon = direction === 'outbound' ? IconArrowUpRight : IconArrowDownLeft;
  return (
    <Group gap={4} wrap="nowrap">
      <Icon size={14} aria-hidden style={{ flexShrink: 0, color: 'var(--mantine-color-dimmed)' }} />
      <Text size="sm">{DIRECTION_LABELS[direction]}</Text>
    </Group>
  );
}

function EventRow({ event, role }: { event: SecurityEvent; role: Role }) {
  const measured = event.bytes > 0 || event.kind === 'message';
  return (
    <Table.Tr style={{ verticalAlign: 'top' }}>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <Text size="sm" component="time" dateTime={event.at} title={event.at}>
          {formatDate(event.at, true)}
        </Text>
      </Table.Td>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>
        <DirectionLabel direction={event.direction} />
      </Table.Td>
      <Table.Td>
        <Text size="sm" style={{ overflowWrap: 'break-word' }}>
          {event.peer}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" ff="monospace" style={{ overflowWrap: 'break-word' }}>
          {event.what}
        </Text>
        {event.kind !== 'message' && (
          <Text size="xs" c="dimmed">
            {event.kind}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        {event.run === undefined ? (
          <Text size="sm" c="dimmed">
            —
          </Text>
        ) : role === 'orchestrator' ? (
          // Long run ids stay on one line (the whole id on hover): a row is one event, not four lines.
          <Anchor component={Link} to={`/runs/${encodeURIComponent(event.run)}`} size="sm" ff="monospace" title={event.run} display="block" maw={180} style={{ overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
            {event.run}
          </Anchor>
        ) : (
          <Text size="sm" ff="monospace" title={event.run} truncate="end" maw={180}>
            {event.run}
          </Text>
        )}
      </Table.Td>
      <Table.Td style={{ textAlign: 'right', whiteSpace: 'nowrap', fontVariantNumeric: 'tabular-nums' }}>
        {measured ? (
          <Text size="sm" span title={`${formatCount(event.bytes)} bytes`}>
            {formatBytes(event.bytes)}
          </Text>
        ) : (
          <Text size="sm" c="dimmed" span>
            —
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <Badge color={OUTCOME_COLORS[event.outcome]} variant="light" data-outcome={event.outcome}>
          {OUTCOME_LABELS[event.outcome]}
        </Badge>
      </Table.Td>
      <Table.Td>
        <Text size="sm" c={event.outcome === 'refused' ? undefined : 'dimmed'} style={{ overflowWrap: 'break-word' }}>
          {event.reason}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}

function EventsTable({ events, role }: { events: SecurityEvent[]; role: Role }) {
  return (
    <Table.ScrollContainer minWidth={980}>
      <Table aria-label="Security log" verticalSpacing="xs">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>When</Table.Th>
            <Table.Th>Direction</Table.Th>
            <Table.Th>Peer</Table.Th>
            <Table.Th>What</Table.Th>
            <Table.Th>Run</Table.Th>
            <Table.Th style={{ textAlign: 'right' }}>Bytes</Table.Th>
            <Table.Th style={{ minWidth: 110 }}>Outcome</Table.Th>
            <Table.Th style={{ minWidth: 180 }}>Reason</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {events.map((event, index) => (
            <EventRow key={`${event.at}-${index}`} event={event} role={role} />
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Summary({ page }: { page: ApiTypes['SecurityLogPage'] | undefined }) {
  const newest = page?.events[0];
  return (
    <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm" aria-label="Summary" role="group">
      <Stat label="Events recorded" value={page ? formatCount(page.total) : '…'} hint="In the whole log" />
      <Stat
        label="Sent to others"
        value={page ? <span title={`${formatCount(page.bytesSent)} bytes`}>{formatBytes(page.bytesSent)}</span> : '…'}
        hint="Everything that left this computer"
      />
      <Stat
        label="Refused"
        value={page ? <Text span inherit c={page.refused > 0 ? 'red.8' : undefined}>{formatCount(page.refused)}</Text> : '…'}
        hint="Requests and connections turned away"
      />
      <Stat label="Last event" value={page ? (newest ? formatDate(newest.at) : 'None yet') : '…'} hint={newest ? `${DIRECTION_LABELS[newest.direction]} · ${newest.what}` : undefined} />
    </SimpleGrid>
  );
}

/** The figures over everything recorded, and the log itself. `exportAction` sits in the log's header. */
export function SecurityLogView({ role, exportAction }: { role: Role; exportAction?: ReactNode }) {
  const [direction, setDirection] = useState<Direction | 'all'>('all');
  const [outcome, setOutcome] = useState<Outcome | 'all'>('all');
  const [searchText, setSearchText] = useState('');
  const [search] = useDebouncedValue(searchText.trim(), 300);
  const [live, setLive] = useState(true);

  // The rows loaded so far belong to one set of filters: new filters start again at one page.
  const filterKey = `${direction}|${outcome}|${search}`;
  const [paging, setPaging] = useState({ key: filterKey, limit: PAGE_SIZE });
  const limit = paging.key === filterKey ? paging.limit : PAGE_SIZE;

  const filtered = direction !== 'all' || outcome !== 'all' || search !== '';
  const query: SecurityLogQuery = {
    offset: 0,
    limit,
    ...(direction === 'all' ? {} : { direction }),
    ...(outcome === 'all' ? {} : { outcome }),
    ...(search ? { search } : {}),
  };
  const refreshOn = live ? (['security'] as const) : [];
  const log = useQuery('security.list', query, refreshOn);
  // The figures are over the whole log; with filters on, the log's own answer counts only matches.
  const overall = useQuery('security.list', filtered ? { offset: 0, limit: 1 } : null, refreshOn);
  const summary = filtered ? overall.data : log.data;

  const clear = () => {
    setDirection('all');
    setOutcome('all');
    setSearchText('');
  };

  const filters = (
    <Group gap="sm" align="center" wrap="wrap">
      <TextInput
        aria-label="Search the log"
        placeholder="Search peer, message, run or reason"
        leftSection={<IconSearch size={16} />}
        rightSection={searchText ? <CloseButton size="sm" aria-label="Clear the search" onClick={() => setSearchText('')} /> : null}
        value={searchText}
        onChange={(event) => setSearchText(event.currentTarget.value)}
        w={260}
      />
      <SegmentedControl
        aria-label="Direction"
        value={direction}
        onChange={(value) => setDirection(value as Direction | 'all')}
        data={[
          { value: 'all', label: 'In and out' },
          { value: 'outbound', label: 'Outbound' },
          { value: 'inbound', label: 'Inbound' },
        ]}
      />
      <SegmentedControl
        aria-label="Outcome"
        value={outcome}
        onChange={(value) => setOutcome(value as Outcome | 'all')}
        data={[
          { value: 'all', label: 'Any outcome' },
          { value: 'sent', label: 'Sent' },
          { value: 'accepted', label: 'Accepted' },
          { value: 'refused', label: 'Refused' },
        ]}
      />
    </Group>
  );

  return (
    <Stack gap="lg">
      <Summary page={summary} />
      <Section
        title="Log"
        count={log.data?.total}
        description={live ? 'Newest first. New events appear as they are recorded.' : 'Newest first. Paused: new events are recorded but not shown until you resume.'}
        actions={
          <>
            <Tooltip label="Pause to read without rows moving; nothing stops being recorded." withArrow multiline maw={260} events={{ hover: true, focus: true, touch: false }}>
              <Switch
                label="Live"
                checked={live}
                onChange={(event) => {
                  const on = event.currentTarget.checked;
                  setLive(on);
                  if (on) {
                    log.reload();
                    overall.reload();
                  }
                }}
              />
            </Tooltip>
            {exportAction}
          </>
        }
      >
        <QueryView
          state={log}
          isEmpty={(page) => page.total === 0 && !filtered}
          empty={
            <EmptyState
              icon={<IconShieldLock size={26} />}
              title="Nothing recorded yet"
              description={
                role === 'orchestrator'
                  ? 'Events appear here as soon as a hospital connects to this hub: every message it sends or receives, and every connection accepted or refused.'
                  : 'Events appear here as soon as this app connects to an orchestrator (after you join a collaboration): every message it sends or receives, and every connection accepted or refused.'
              }
            />
          }
        >
          {(page) => (
            <Stack gap="md">
              {filters}
              {page.events.length === 0 ? (
                <Stack align="center" gap="xs" py="md">
                  <Text size="sm" c="dimmed">
                    No event matches these filters.
                  </Text>
                  <Button variant="default" size="xs" onClick={clear}>
                    Clear the filters
                  </Button>
                </Stack>
              ) : (
                <EventsTable events={page.events} role={role} />
              )}
              {page.events.length > 0 && (
                <Group justify="space-between" gap="sm">
                  <Text size="sm" c="dimmed" aria-live="polite">
                    Showing the newest {formatCount(page.events.length)} of {plural(page.total, filtered ? 'matching event' : 'event')}.
                  </Text>
                  {page.events.length < page.total &&
                    (limit < MAX_ROWS ? (
                      <Button
                        variant="default"
                        loading={log.loading && limit > page.events.length}
                        onClick={() => setPaging({ key: filterKey, limit: Math.min(MAX_ROWS, limit + PAGE_SIZE) })}
                      >
                        Load {formatCount(Math.min(PAGE_SIZE, page.total - page.events.length))} more
                      </Button>
                    ) : (
                      <Text size="sm" c="dimmed">
                        To read further back, export the log.
                      </Text>
                    ))}
                </Group>
              )}
            </Stack>
          )}
        </QueryView>
      </Section>
    </Stack>
  );
}
