// @vitest-environment jsdom
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { binaryMetrics } from '../../src-main/core/metrics/binary';
import { ConfusionMatrix, MetricsTable } from '../../src-renderer/src/components/metrics';
import { FakeApi, renderScreen } from './render';

describe('metrics components', () => {
  const metrics = binaryMetrics(Float32Array.of(1, 1, 0, 0, 1), Float32Array.of(0.9, 0.4, 0.2, 0.7, 0.8));

  it('show each set of metrics as a row with its values', () => {
    renderScreen(<MetricsTable rows={[{ name: 'hospital-a', metrics }, { name: 'aggregate', metrics, strong: true }]} />, { api: new FakeApi({}) });
    const table = screen.getByRole('table', { name: 'Metrics' });
    const row = within(table).getByRole('row', { name: /hospital-a/ });
    expect(within(row).getAllByRole('cell').map((cell) => cell.textContent)).toEqual(['hospital-a', '5', '0.8333', '0.9167', '0.6', '0.6667', '0.6667', '0.6667', expect.any(String)]);
  });

  it('lay out a binary confusion matrix with true classes as rows', () => {
    renderScreen(<ConfusionMatrix metrics={metrics} positiveLabel="M" negativeLabel="B" />, { api: new FakeApi({}) });
    const table = screen.getByRole('table', { name: 'Confusion matrix' });
    const rows = within(table).getAllByRole('row').map((row) => row.textContent);
    // tp 2 (0.9, 0.8), fn 1 (0.4), tn 1 (0.2), fp 1 (0.7)
    expect(rows).toEqual(['true ↓ / predicted →BM', 'B11', 'M12']);
  });
});
