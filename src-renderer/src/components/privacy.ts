// A run's privacy settings in a few words, for settings lists, table cells and one-line
// summaries (describe.ts explains them at more length to data owners).
import type { Privacy } from '../../../src-main/contract/records';
import { formatDelta, formatEpsilon, formatNumber } from './format';

export const DP_LABELS: Record<Privacy['dp'], string> = { off: 'Off', central: 'Central', local: 'Local' };

/** The differential privacy settings, as stored on a run or reported in its result. */
export interface DpSettings {
  dp: Privacy['dp'];
  clip: number | null;
  noiseMultiplier: number | null;
}

/** "Central, C = 1, σ = 1.1", or "Off". */
export function dpSettingsText(settings: DpSettings): string {
  if (settings.dp === 'off') return 'Off';
  return `${DP_LABELS[settings.dp]}, C = ${formatNumber(settings.clip)}, σ = ${formatNumber(settings.noiseMultiplier)}`;
}

/** "Stops at ε = 3 (δ = 1e-5)", or "No target (δ = 1e-5)". */
export function budgetText(targetEpsilon: number | null, delta: number | null): string {
  if (targetEpsilon !== null) return `Stops at ${formatEpsilon(targetEpsilon, delta)}`;
  return delta === null ? 'No target' : `No target (δ = ${formatDelta(delta)})`;
}

/** [label, value] rows for a run's settings list. */
export function privacyEntries(privacy: Privacy): Array<[string, string]> {
  const entries: Array<[string, string]> = [
    ['Secure aggregation', privacy.secureAggregation ? 'On: the orchestrator sees only the sum of the updates' : 'Off'],
    ['Differential privacy', dpSettingsText(privacy)],
  ];
  if (privacy.dp !== 'off') entries.push(['Privacy budget', budgetText(privacy.targetEpsilon, privacy.delta)]);
  return entries;
}

/** The protections a run uses, in lower case: ["secure aggregation", "central differential privacy, ε ≤ 3"]; none: []. */
export function privacyParts(privacy: Pick<Privacy, 'secureAggregation' | 'dp' | 'targetEpsilon'>): string[] {
  const parts: string[] = [];
  if (privacy.secureAggregation) parts.push('secure aggregation');
  if (privacy.dp !== 'off') parts.push(`${privacy.dp} differential privacy${privacy.targetEpsilon === null ? '' : `, ε ≤ ${formatNumber(privacy.targetEpsilon, 3)}`}`);
  return parts;
}

/** "Secure aggregation; central differential privacy, ε ≤ 3", or "None". */
export function privacyBrief(privacy: Pick<Privacy, 'secureAggregation' | 'dp' | 'targetEpsilon'>): string {
  const text = privacyParts(privacy).join('; ');
  return text ? text[0]!.toUpperCase() + text.slice(1) : 'None';
}
