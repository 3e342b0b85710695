// A run as the screens show it: the stored detail (runs.get) brought up to date by the run's
// live events, and the numbers derived from its rounds (progress, time left, chart rows).
import type { Metrics } from '../../../../src-main/contract/metrics';
import type { RunStatus } from '../../../../src-main/contract/records';
import type { PartyActivity, RoundRecord, RunEvent, RunResult } from '../../../../src-main/contract/results';

/** The phases of a run that is executing, in order. */
export const ACTIVE_STATUSES: readonly RunStatus[] = ['waiting', 'awaiting-approval', 'aligning', 'training', 'evaluating', 'exporting'];
/** The statuses from which the app accepts runs.start. */
export const STARTABLE_STATUSES: readonly RunStatus[] = ['defined', 'failed', 'cancelled', 'completed', 'interrupted'];

export function isActiveStatus(status: RunStatus): boolean {
  return ACTIVE_STATUSES.includes(status);
}

export interface PartyState {
  activity: PartyActivity;
  round: number;
  message?: string | undefined;
}

export interface LiveState {
  /** The last status event since the detail was last fetched (null: the detail is current). */
  status: { status: RunStatus; round: number; rounds: number; message?: string | undefined } | null;
  /** Round records that arrived as events, by round. */
  rounds: RoundRecord[];
  /** The planned number of rounds, as the events tell it. */
  totalRounds: number | null;
  /** What each party is doing, from its latest event. */
  parties: Record<string, PartyState>;
  /** The result, when a finished event arrived before the detail was fetched again. */
  result: RunResult | null;
}

export const INITIAL_LIVE: LiveState = { status: null, rounds: [], totalRounds: null, parties: {}, result: null };

export type LiveAction = { type: 'event'; event: RunEvent } | { type: 'synced' };

function withRound(rounds: RoundRecord[], record: RoundRecord): RoundRecord[] {
  return [...rounds.filter((existing) => existing.round !== record.round), record].sort((a, b) => a.round - b.round);
}

export function liveReducer(state: LiveState, action: LiveAction): LiveState {
  if (action.type === 'synced') return state.status === null && state.result === null ? state : { ...state, status: null, result: null };
  const { event } = action;
  switch (event.kind) {
    case 'status': {
      const status = { status: event.status, round: event.round, rounds: event.rounds, message: event.message };
      // 'waiting' opens a new execution: what the page gathered of an earlier one no longer applies.
      if (event.status === 'waiting') return { ...INITIAL_LIVE, status, totalRounds: event.rounds };
      return { ...state, status, totalRounds: event.rounds };
    }
    case 'party':
      return { ...state, parties: { ...state.parties, [event.party]: { activity: event.activity, round: event.round, message: event.message } } };
    case 'round':
      return { ...state, rounds: withRound(state.rounds, event.record), totalRounds: event.rounds };
    case 'finished':
      return { ...state, result: event.result, status: { status: event.result.status, round: event.result.rounds.length, rounds: state.totalRounds ?? event.result.rounds.length } };
  }
}

/**
 * The rounds to show: the stored history brought up to date with the rounds that arrived as
 * events. While a run executes, stored rounds beyond its stored round counter belong to an
 * earlier execution (the history file is replaced only once the new one has rounds).
 */
export function mergeRounds(history: readonly RoundRecord[], live: readonly RoundRecord[], storedRound: number | null): RoundRecord[] {
  let rounds = storedRound === null ? [...history] : history.filter((record) => record.round <= storedRound);
  for (const record of live) rounds = withRound(rounds, record);
  return rounds.sort((a, b) => a.round - b.round);
}

/** Seconds left, from the mean duration of the last few rounds; null until a round is done. */
export function estimateSecondsLeft(rounds: readonly RoundRecord[], total: number, recent = 5): number | null {
  if (rounds.length === 0) return null;
  const done = rounds.at(-1)!.round;
  if (done >= total) return 0;
  const sample = rounds.slice(-recent);
  const mean = sample.reduce((sum, record) => sum + record.seconds, 0) / sample.length;
  return mean * (total - done);
}

export function meanRoundSeconds(rounds: readonly RoundRecord[], recent = 5): number | null {
  if (rounds.length === 0) return null;
  const sample = rounds.slice(-recent);
  return sample.reduce((sum, record) => sum + record.seconds, 0) / sample.length;
}

/** Each party's last local training loss (and the round it is from). */
export function lastLosses(rounds: readonly RoundRecord[]): Map<string, { loss: number; round: number; numExamples: number }> {
  const out = new Map<string, { loss: number; round: number; numExamples: number }>();
  for (const record of rounds) {
    for (const [party, entry] of Object.entries(record.parties)) {
      if (entry.ok) out.set(party, { loss: entry.loss, round: record.round, numExamples: entry.numExamples });
    }
  }
  return out;
}

/** Every party named by the rounds. */
export function partiesOfRounds(rounds: readonly RoundRecord[]): string[] {
  const parties = new Set<string>();
  for (const record of rounds) {
    for (const party of Object.keys(record.parties)) parties.add(party);
    for (const party of Object.keys(record.evaluate?.parties ?? {})) parties.add(party);
  }
  return [...parties];
}

// ---------------------------------------------------------------------------------------------
// The metric followed round by round

export interface RoundMetric {
  key: 'rocAuc' | 'accuracy' | 'rmse';
  label: string;
  higherIsBetter: boolean;
}

const ROUND_METRICS: Record<Metrics['kind'], RoundMetric> = {
  binary: { key: 'rocAuc', label: 'ROC AUC', higherIsBetter: true },
  multiclass: { key: 'accuracy', label: 'Accuracy', higherIsBetter: true },
  regression: { key: 'rmse', label: 'RMSE', higherIsBetter: false },
};

export function roundMetricOf(kind: Metrics['kind']): RoundMetric {
  return ROUND_METRICS[kind];
}

/** The kind of metrics the rounds were evaluated with, if any round was. */
export function metricsKindOf(rounds: readonly RoundRecord[], result?: RunResult | null): Metrics['kind'] | null {
  const evaluated = rounds.find((record) => record.evaluate)?.evaluate ?? result?.evaluation;
  return evaluated?.aggregate.kind ?? null;
}

export function metricValue(metrics: Metrics | undefined, key: string): number | null {
  if (!metrics) return null;
  const value = (metrics as unknown as Record<string, unknown>)[key];
  return typeof value === 'number' ? value : null;
}

// ---------------------------------------------------------------------------------------------
// Chart rows

export type ChartRow = { round: number } & Record<string, number | null>;

/** Stable chart keys for parties (ids may hold "." which charts read as a path). */
export function partyKeys(parties: readonly string[]): Map<string, string> {
  return new Map(parties.map((party, index) => [party, `party${index}`]));
}

export function lossRows(rounds: readonly RoundRecord[], keys: Map<string, string>): ChartRow[] {
  return rounds.map((record) => {
    const row: ChartRow = { round: record.round, aggregate: record.trainLoss };
    for (const [party, key] of keys) {
      const entry = record.parties[party];
      row[key] = entry?.ok ? entry.loss : null;
    }
    return row;
  });
}

export function metricRows(rounds: readonly RoundRecord[], keys: Map<string, string>, metric: RoundMetric): ChartRow[] {
  return rounds
    .filter((record) => record.evaluate)
    .map((record) => {
      const row: ChartRow = { round: record.round, aggregate: metricValue(record.evaluate!.aggregate, metric.key) };
      for (const [party, key] of keys) row[key] = metricValue(record.evaluate!.parties[party], metric.key);
      return row;
    });
}

/** The cumulative ε spent after each round that reports it, with the target as a flat line when there is one. */
export function epsilonRows(rounds: readonly RoundRecord[], target: number | null): ChartRow[] {
  return rounds
    .filter((record) => record.privacy)
    .map((record) => ({ round: record.round, epsilon: record.privacy!.epsilon, ...(target === null ? {} : { target }) }));
}

export function durationSeconds(startedAt: string | undefined | null, finishedAt: string | undefined | null): number | null {
  if (!startedAt || !finishedAt) return null;
  const seconds = (Date.parse(finishedAt) - Date.parse(startedAt)) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}
