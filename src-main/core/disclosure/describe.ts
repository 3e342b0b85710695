// What a reply disclosed, described for the data owner's own record ("what left"): the same
// facts the reply carried, never more (no value that was not sent), in plain terms.
import type { PartyDeclaration } from '../../contract/data';
import type { Metrics } from '../../contract/metrics';
import type { Hyperparameters, Privacy } from '../../contract/records';
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

export function describeProtection(privacy: Privacy, compression?: Pick<Hyperparameters, 'compression' | 'topkFraction'>): string {
  const parts: string[] = [];
  if (privacy.dp !== 'off') parts.push(`clipped to norm ${privacy.clip} and noised (${privacy.dp} differential privacy, sigma ${privacy.noiseMultiplier})`);
  // Compression comes after clipping and noise, and is never combined with secure aggregation.
  const compressed = compression ? describeCompression(compression) : null;
  if (compressed) parts.push(compressed);
  parts.push(privacy.secureAggregation ? 'masked: the hub sees only the sum over hospitals' : compressed ? 'sent to the hub' : 'sent as it is to the hub');
  return parts.join('; ');
}

/** How the update is compressed, in words (null: not compressed). */
export function describeCompression({ compression, topkFraction }: Pick<Hyperparameters, 'compression' | 'topkFraction'>): string | null {
  switch (compression) {
    case 'none':
      return null;
    case 'float16':
      return 'the change to the model rounded to half precision';
    case 'int8':
      return 'the change to the model rounded to 8 bits';
    case 'topk':
      return `only the largest ${+(topkFraction * 100).toPrecision(3)} % of the changes to the model (the rest in later rounds)`;
  }
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
