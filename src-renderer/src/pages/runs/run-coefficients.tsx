// An exact regression's table, as a clinician or epidemiologist reads it: each term's
// coefficient in the units of its column, its 95% interval and p-value, and the odds ratio
// (binary outcome) or the relative risk ratio against the reference class.
import { List, Stack, Table, Text, Tooltip } from '@mantine/core';
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

export function CoefficientsSection({ table }: { table: CoefficientTable }) {
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
            {table.terms.map((row) => (
              <Table.Tr key={`${row.outcome ?? ''}|${row.term}`} fw={significant(row) ? 700 : undefined}>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>{row.term}</Table.Td>
                {byOutcome && <Table.Td>{row.outcome}</Table.Td>}
                <Table.Td style={numeric}>{formatNumber(row.estimate, 3)}</Table.Td>
                <Table.Td style={numeric}>{formatNumber(row.standardError, 3)}</Table.Td>
                <Table.Td style={numeric}>{interval(row.low, row.high)}</Table.Td>
                {ratio && (
                  <Table.Td style={numeric}>
                    {row.term === '(intercept)' || !row.ratio ? '—' : `${formatNumber(row.ratio.estimate, 3)} (${interval(row.ratio.low, row.ratio.high)})`}
                  </Table.Td>
                )}
                <Table.Td style={numeric}>{formatP(row.p)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Stack gap={2}>
        <Text size="xs" c="dimmed">
          Coefficients are per unit of each column (per level present for a category){table.family === 'gaussian' ? ', in the units of the outcome' : ''}. The table is also saved as coefficients.csv
          with the exported global model.
        </Text>
      </Stack>
    </Section>
  );
}
