// Metrics as tables: several sets side by side, and a confusion matrix.
import { Table, Text, Tooltip } from '@mantine/core';
import type { Metrics } from '../../../src-main/contract/metrics';
import { formatNumber } from './format';

const COLUMNS: Record<Metrics['kind'], Array<[key: string, label: string, hint: string]>> = {
  binary: [
    ['n', 'Rows', 'evaluation rows'],
    ['rocAuc', 'ROC AUC', 'area under the ROC curve'],
    ['prAuc', 'PR AUC', 'average precision'],
    ['accuracy', 'Accuracy', 'share of rows predicted right'],
    ['precision', 'Precision', 'of the rows predicted positive, the share that are'],
    ['recall', 'Recall', 'of the positive rows, the share found'],
    ['f1', 'F1', 'harmonic mean of precision and recall'],
    ['logLoss', 'Log loss', 'mean cross-entropy (lower is better)'],
  ],
  multiclass: [
    ['n', 'Rows', 'evaluation rows'],
    ['accuracy', 'Accuracy', 'share of rows predicted right'],
    ['macroF1', 'Macro F1', 'mean F1 over the classes'],
    ['logLoss', 'Log loss', 'mean cross-entropy (lower is better)'],
  ],
  regression: [
    ['n', 'Rows', 'evaluation rows'],
    ['rmse', 'RMSE', 'root mean squared error'],
    ['mae', 'MAE', 'mean absolute error'],
    ['r2', 'R²', 'share of variance explained'],
  ],
};

export function MetricsTable({ rows, caption }: { rows: Array<{ name: string; metrics: Metrics | null | undefined; strong?: boolean }>; caption?: string }) {
  const kind = rows.find((row) => row.metrics)?.metrics?.kind ?? 'binary';
  const columns = COLUMNS[kind];
  return (
    <Table.ScrollContainer minWidth={560}>
      <Table striped withTableBorder aria-label={caption ?? 'Metrics'}>
        {caption && <Table.Caption>{caption}</Table.Caption>}
        <Table.Thead>
          <Table.Tr>
            <Table.Th />
            {columns.map(([key, label, hint]) => (
              <Table.Th key={key} style={{ textAlign: 'right' }}>
                <Tooltip label={hint} withArrow>
                  <span>{label}</span>
                </Tooltip>
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.name}>
              <Table.Td fw={row.strong ? 700 : 500}>{row.name}</Table.Td>
              {columns.map(([key]) => {
                const value = row.metrics ? (row.metrics as unknown as Record<string, unknown>)[key] : undefined;
                return (
                  <Table.Td key={key} style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }} fw={row.strong ? 700 : 400}>
                    {typeof value === 'number' ? (
                      key === 'n' ? value.toLocaleString('en') : formatNumber(value)
                    ) : value === null ? (
                      <Tooltip label="Not available: undefined on these rows, or withheld because it would describe fewer patients than the hospital’s minimum cell count" withArrow>
                        <span>n/a</span>
                      </Tooltip>
                    ) : (
                      '—'
                    )}
                  </Table.Td>
                );
              })}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Rows are the true classes, columns the predicted ones; cells shaded by their share of the row. */
export function ConfusionMatrix({ metrics, positiveLabel = 'positive', negativeLabel = 'negative' }: { metrics: Metrics; positiveLabel?: string; negativeLabel?: string }) {
  let labels: string[];
  let cells: number[][];
  if (metrics.kind !== 'regression' && metrics.confusion === null) {
    return (
      <Text size="sm" c="dimmed">
        Withheld: some of its cells would count fewer patients than a hospital’s minimum cell count allows to share.
      </Text>
    );
  }
  if (metrics.kind === 'binary') {
    labels = [negativeLabel, positiveLabel];
    const { tp, fp, tn, fn } = metrics.confusion!;
    cells = [
      [tn, fp],
      [fn, tp],
    ];
  } else if (metrics.kind === 'multiclass') {
    labels = metrics.labels;
    cells = metrics.confusion!;
  } else {
    return (
      <Text size="sm" c="dimmed">
        A regression has no confusion matrix.
      </Text>
    );
  }
  return (
    <Table withTableBorder withColumnBorders w="auto" aria-label="Confusion matrix">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>true ↓ / predicted →</Table.Th>
          {labels.map((label) => (
            <Table.Th key={label} style={{ textAlign: 'center', minWidth: 72 }}>
              {label}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {cells.map((row, t) => {
          const total = row.reduce((sum, value) => sum + value, 0) || 1;
          return (
            <Table.Tr key={labels[t]}>
              <Table.Th>{labels[t]}</Table.Th>
              {row.map((value, p) => {
                const share = value / total;
                const right = t === p;
                return (
                  <Table.Td
                    key={labels[p]}
                    style={{
                      textAlign: 'center',
                      minWidth: 72,
                      fontVariantNumeric: 'tabular-nums',
                      fontWeight: 600,
                      background: `rgba(${right ? '33, 128, 139' : '224, 76, 76'}, ${0.08 + 0.5 * share})`,
                    }}
                  >
                    {value.toLocaleString('en')}
                  </Table.Td>
                );
              })}
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}
