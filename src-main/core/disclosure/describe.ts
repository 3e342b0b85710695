// What a reply disclosed, described for the data owner's own record ("what left"): the same
// facts the reply carried, never more (no value that was not sent), in plain terms.
import type { PartyDeclaration } from '../../contract/data';
import type { Metrics } from '../../contract/metrics';
import type { Privacy } from '../../contract/records';
import type { Disclosed } from '../../contract/security';

export function describeDeclaration(declaration: PartyDeclaration, target: string): Disclosed {
  return {
    what: 'declaration',
    rows: declaration.rows,
    columns: declaration.columns.map((column) => ({
      name: column.name,
      kind: column.kind,
      use: column.name === target ? 'target' : column.excluded || column.kind === 'identifier' ? 'left out' : column.kind === 'empty' ? 'no values' : 'feature',
      ...(column.levels ? { levels: column.levels } : {}),
      ...(column.labelCounts ? { labelCounts: column.labelCounts } : {}),
      ...(column.sum !== undefined ? { sums: true } : {}),
      count: column.count,
      missing: column.missing,
    })),
  };
}

export function describeProtection(privacy: Privacy): string {
  const parts: string[] = [];
  if (privacy.dp !== 'off') parts.push(`clipped to norm ${privacy.clip} and noised (${privacy.dp} differential privacy, sigma ${privacy.noiseMultiplier})`);
  parts.push(privacy.secureAggregation ? 'masked: the hub sees only the sum over hospitals' : 'sent as it is to the hub');
  return parts.join('; ');
}

/**
 * The metrics, and which of them were withheld under the disclosure rules (or, `tablesSummed`,
 * sent only inside the secure sum of every party's tables).
 */
export function describeMetrics(round: number, metrics: Metrics, tablesSummed = false): Disclosed {
  const withheld: string[] = [];
  for (const [key, value] of Object.entries(metrics)) if (value === null && !(tablesSummed && key === 'confusion')) withheld.push(key === 'confusion' ? 'confusion matrix' : key);
  if (metrics.kind === 'binary' && !metrics.scoreHistogram && !tablesSummed) withheld.push('score histogram');
  return { what: 'metrics', round, rows: metrics.n, withheld, ...(tablesSummed ? { tablesSummed: true } : {}) };
}
