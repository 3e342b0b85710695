// Values per round as a line chart, with the same numbers as a table a click (or a key) away.
// The chart is drawn only once its frame has a size: a chart in a hidden or collapsed block
// would otherwise be measured at 0 x 0 (and Recharts warns about it).
import { LineChart } from '@mantine/charts';
import { Box, Center, Group, ScrollArea, SegmentedControl, Table, Text } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import { useState, type ReactNode } from 'react';
import { formatNumber } from './format';

export interface RoundSeries {
  /** Key in the rows: letters and digits only (a "." would be read as a path). */
  key: string;
  label: string;
  color: string;
  /** Drawn thicker and solid (the aggregate); the others are thin and dashed. */
  emphasis?: boolean;
}

export type RoundRow = { round: number } & Record<string, number | null>;

/** Colours for parties or runs, in order; the aggregate uses the app's own colour. */
export const SERIES_COLORS = ['blue.6', 'orange.6', 'grape.6', 'pink.6', 'lime.7', 'indigo.4', 'yellow.7', 'red.6', 'cyan.7', 'violet.4', 'green.7', 'gray.6'];
export const AGGREGATE_COLOR = 'cohort.8';

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length]!;
}

/**
 * A y axis with round ticks (steps of 1, 2, 2.5 or 5 times a power of ten) around the values,
 * kept within `bounds` (a rate never shows above 1, a loss never below 0).
 */
export function niceScale(values: readonly number[], bounds: readonly [number, number] = [-Infinity, Infinity], tickCount = 5): { domain: [number, number]; ticks: number[] } | null {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return null;
  let min = Math.min(...finite);
  let max = Math.max(...finite);
  if (min === max) {
    const pad = Math.abs(min) * 0.05 || 0.05;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / (tickCount - 1);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((multiple) => multiple * magnitude).find((candidate) => candidate >= raw) ?? 10 * magnitude;
  const low = Math.max(bounds[0], Math.floor(min / step) * step);
  const high = Math.min(bounds[1], Math.ceil(max / step) * step);
  const ticks: number[] = [];
  for (let index = 0; ; index += 1) {
    const tick = Number((Math.ceil(low / step) * step + index * step).toPrecision(12));
    if (tick > high + step / 1e6) break;
    ticks.push(tick);
  }
  const clean = (value: number) => Number(value.toPrecision(12));
  return { domain: [clean(low), clean(high)], ticks };
}

function ChartBody({ label, rows, series, maxRound, height, digits, yLabel, bounds }: RoundChartProps & { height: number; digits: number }) {
  const { ref, width } = useElementSize();
  const byKey = new Map(series.map((entry) => [entry.key, entry]));
  const values = rows.flatMap((row) => series.map((entry) => row[entry.key]).filter((value): value is number => typeof value === 'number'));
  const scale = niceScale(values, bounds);
  return (
    <Box ref={ref} h={height} role="figure" aria-label={label}>
      {width > 0 && (
        <LineChart
          h={height}
          data={rows}
          dataKey="round"
          series={series.map((entry) => ({ name: entry.key, label: entry.label, color: entry.color }))}
          curveType="linear"
          withLegend
          legendProps={{ verticalAlign: 'bottom', height: 44 }}
          withDots={rows.length <= 40}
          dotProps={{ r: 2.5 }}
          activeDotProps={{ r: 4 }}
          connectNulls
          gridAxis="xy"
          xAxisProps={{ type: 'number', domain: [1, Math.max(maxRound ?? 1, rows.at(-1)?.round ?? 1, 2)], allowDecimals: false, tickCount: 8 }}
          yAxisProps={scale ? { domain: scale.domain, ticks: scale.ticks, width: 56, allowDataOverflow: true } : { width: 56 }}
          xAxisLabel="Round"
          {...(yLabel ? { yAxisLabel: yLabel } : {})}
          valueFormatter={(value) => formatNumber(value, digits)}
          tooltipProps={{ labelFormatter: (round) => `Round ${String(round)}` }}
          lineProps={(entry) =>
            byKey.get(entry.name)?.emphasis ? { isAnimationActive: false, strokeWidth: 3 } : { isAnimationActive: false, strokeWidth: 1.5, strokeDasharray: '6 4' }
          }
        />
      )}
    </Box>
  );
}

function ChartTable({ label, rows, series, height, digits }: RoundChartProps & { height: number; digits: number }) {
  return (
    <ScrollArea.Autosize mah={height} type="auto">
      <Table striped withTableBorder stickyHeader aria-label={label} fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Round</Table.Th>
            {series.map((entry) => (
              <Table.Th key={entry.key} style={{ textAlign: 'right' }}>
                {entry.label}
              </Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => (
            <Table.Tr key={row.round}>
              <Table.Td>{row.round}</Table.Td>
              {series.map((entry) => (
                <Table.Td key={entry.key} style={{ textAlign: 'right', fontVariantNumeric: 'tabular-nums' }} fw={entry.emphasis ? 600 : 400}>
                  {formatNumber(row[entry.key], digits)}
                </Table.Td>
              ))}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea.Autosize>
  );
}

export interface RoundChartProps {
  /** Names the chart and its table for assistive technology. */
  label: string;
  rows: RoundRow[];
  series: RoundSeries[];
  /** The last round the x axis should reach (the planned rounds), so a live line grows across. */
  maxRound?: number | undefined;
  yLabel?: string | undefined;
  /** Shown instead of the chart when there are no rows. */
  empty?: ReactNode;
  height?: number;
  digits?: number;
  /** Extra controls beside the chart / table switch. */
  controls?: ReactNode;
  /** The range the values can take, e.g. [0, 1] for a rate: the axis stays within it. */
  bounds?: readonly [number, number];
}

export function RoundChart(props: RoundChartProps) {
  const { label, rows, empty, height = 260, digits = 4, controls } = props;
  const [view, setView] = useState<'chart' | 'table'>('chart');
  return (
    <Box>
      <Group justify="space-between" mb="xs" gap="xs">
        <Box>{controls}</Box>
        <SegmentedControl
          size="xs"
          value={view}
          onChange={(value) => setView(value as 'chart' | 'table')}
          data={[
            { value: 'chart', label: 'Chart' },
            { value: 'table', label: 'Table' },
          ]}
          aria-label={`Show ${label} as`}
          disabled={rows.length === 0}
        />
      </Group>
      {rows.length === 0 ? (
        <Center h={height} bg="var(--mantine-color-gray-0)" style={{ borderRadius: 'var(--mantine-radius-md)' }}>
          <Text size="sm" c="dimmed" ta="center" px="md">
            {empty ?? 'No rounds yet.'}
          </Text>
        </Center>
      ) : view === 'chart' ? (
        <ChartBody {...props} height={height} digits={digits} />
      ) : (
        <ChartTable {...props} height={height} digits={digits} />
      )}
    </Box>
  );
}
