// An exact regression's table, as a clinician or epidemiologist reads it: each term's
// coefficient in the units of its column, its 95% interval and p-value, and the odds ratio
// (binary outcome) or the relative risk ratio against the reference class.
import { Group, List, SegmentedControl, Stack, Table, Text, Tooltip } from '@mantine/core';
import { useState } from 'react';
import type { CoefficientRow, CoefficientTable } from '../../../../src-main/contract/results';
import { formatCount, formatNumber } from '../../components/format';
import { Section } from '../../components/section';

function formatP(p: number | null): string {
  if (p === null) return '—';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

function interval(low: number | null, high: number | null): string {
  return low === null || high === null ? '—' : `${formatNumber(low, 3)} to ${formatNumber(high, 3)}`;
}

const FAMILY: Record<CoefficientTable['family'], string> = {
  binomial: 'Logistic regression',
  multinomial: 'Multinomial logistic regression',
  gaussian: 'Linear regression',
};

type Units = 'unit' | 'sd';

/** A row as read per unit of its column, or per standard deviation (the intercept has no such reading). */
function reading(row: CoefficientRow, units: Units) {
  if (units === 'unit') return row;
  if (row.term === '(intercept)') return null;
  const times = (value: number | null) => (value === null ? null : value * row.scale);
  const estimate = row.estimate * row.scale;
  const low = times(row.low);
  const high = times(row.high);
  return { ...row, estimate, standardError: times(row.standardError), low, high, ratio: row.ratio && { estimate: Math.exp(estimate), low: low === null ? null : Math.exp(low), high: high === null ? null : Math.exp(high) } };
}

export function CoefficientsSection({ table }: { table: CoefficientTable }) {
  const [units, setUnits] = useState<Units>('unit');
  const ratio = table.family === 'binomial' ? 'Odds ratio' : table.family === 'multinomial' ? 'Risk ratio' : null;
  const byOutcome = table.family === 'multinomial';
  const numeric = { textAlign: 'right', fontVariantNumeric: 'tabular-nums' } as const;
  const significant = (row: CoefficientRow) => row.p !== null && row.p < 0.05 && row.term !== '(intercept)';
  return (
    <Section
      title="Coefficients"
      description={`${FAMILY[table.family]} fitted exactly: the same model as pooling every participant's ${formatCount(table.rows)} rows, reached in ${table.iterations} ${table.iterations === 1 ? 'round' : 'rounds'}. Only sums over rows were shared.`}
    >
      {table.notes.length > 0 && (
        <List size="xs" c="gray.7" spacing={2}>
          {table.notes.map((note) => (
            <List.Item key={note}>{note}</List.Item>
          ))}
        </List>
      )}
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Text size="sm" c="gray.7" id="coefficient-units">
          {units === 'unit' ? 'Per unit of each column: per year of age, per mg/dl.' : 'Per standard deviation of each numeric column: comparable across columns.'}
        </Text>
        <SegmentedControl
          size="xs"
          aria-labelledby="coefficient-units"
          value={units}
          onChange={(value) => setUnits(value as Units)}
          data={[
            { value: 'unit', label: 'Per unit' },
            { value: 'sd', label: 'Per standard deviation' },
          ]}
        />
      </Group>
      <Table.ScrollContainer minWidth={640}>
        <Table striped withTableBorder aria-label="Regression coefficients">
          <Table.Caption>
            {Math.round(table.confidence * 100)}% confidence intervals; p-values from the {table.statistic} statistic. Terms with p below 0.05 are in bold.
          </Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Term</Table.Th>
              {byOutcome && <Table.Th>Outcome (vs {table.reference})</Table.Th>}
              <Table.Th style={numeric}>Coefficient</Table.Th>
              <Table.Th style={numeric}>
                <Tooltip label="standard error" withArrow>
                  <span>SE</span>
                </Tooltip>
              </Table.Th>
              <Table.Th style={numeric}>95% CI</Table.Th>
              {ratio && <Table.Th style={numeric}>{ratio} (95% CI)</Table.Th>}
              <Table.Th style={numeric}>p</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {table.terms.map((term) => {
              const row = reading(term, units);
              return (
                <Table.Tr key={`${term.outcome ?? ''}|${term.term}`} fw={significant(term) ? 700 : undefined}>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{term.term}</Table.Td>
                  {byOutcome && <Table.Td>{term.outcome}</Table.Td>}
                  <Table.Td style={numeric}>{row ? formatNumber(row.estimate, 3) : '—'}</Table.Td>
                  <Table.Td style={numeric}>{row ? formatNumber(row.standardError, 3) : '—'}</Table.Td>
                  <Table.Td style={numeric}>{row ? interval(row.low, row.high) : '—'}</Table.Td>
                  {ratio && (
                    <Table.Td style={numeric}>
                      {!row || term.term === '(intercept)' || !row.ratio ? '—' : `${formatNumber(row.ratio.estimate, 3)} (${interval(row.ratio.low, row.ratio.high)})`}
                    </Table.Td>
                  )}
                  <Table.Td style={numeric}>{formatP(term.p)}</Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Stack gap={2}>
        <Text size="xs" c="dimmed">
          A category’s coefficient is for the level being present{table.family === 'gaussian' ? '; coefficients are in the units of the outcome' : ''}. p-values do not depend on the units. The
          table is also saved as coefficients.csv with the exported global model.
        </Text>
      </Stack>
    </Section>
  );
}
