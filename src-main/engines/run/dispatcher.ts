// Sends one task to a set of parties at once and returns, per party, a typed outcome, in the
// spirit of NVIDIA FLARE's task completion statuses: ok, timeout, error, declined, dropped (the
// connection is gone) or cancelled. Failure handling is written once, here; the workflow only
// reads outcomes. Results come back in party order, whoever answered first.
import type { PartyActivity } from '../../contract/results';
import type { Channel } from '../ports';
import type { Cancellation } from './cancellation';

export type OutcomeKind = 'ok' | 'timeout' | 'error' | 'declined' | 'dropped' | 'cancelled';

export type TaskOutcome<T> = { kind: 'ok'; value: T } | { kind: Exclude<OutcomeKind, 'ok'>; message: string };

export interface DispatchHost {
  channelOf(party: string): Channel | undefined;
  cancellation: Cancellation;
  /** A party's activity, for the live view. */
  activity(party: string, activity: PartyActivity, message?: string): void;
}

/** Thrown by a task to say the party declined it (a consent refused). */
export class Declined extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Declined';
  }
}

export class TaskDispatcher {
  constructor(private readonly host: DispatchHost) {}

  async dispatch<T>(
    parties: readonly string[],
    activity: PartyActivity,
    work: (party: string, channel: Channel) => Promise<T>,
  ): Promise<Map<string, TaskOutcome<T>>> {
    const outcomes = new Map<string, TaskOutcome<T>>();
    await Promise.all(
      parties.map(async (party) => {
        outcomes.set(party, await this.one(party, activity, work));
      }),
    );
    this.host.cancellation.check();
    return new Map([...outcomes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** One party's task: its outcome, never a throw (but for the run being cancelled). */
  async one<T>(party: string, activity: PartyActivity, work: (party: string, channel: Channel) => Promise<T>): Promise<TaskOutcome<T>> {
    const channel = this.host.channelOf(party);
    if (!channel?.isOpen) return { kind: 'dropped', message: 'not connected' };
    this.host.activity(party, activity);
    try {
      return { kind: 'ok', value: await this.host.cancellation.race(work(party, channel)) };
    } catch (error) {
      this.host.cancellation.check();
      const outcome = { kind: outcomeKind(error), message: (error as Error).message } as const;
      this.host.activity(party, outcome.kind === 'declined' ? 'declined' : 'failed', outcome.message);
      return outcome;
    }
  }
}

export function outcomeKind(error: unknown): Exclude<OutcomeKind, 'ok'> {
  const name = (error as Error | undefined)?.name;
  if (name === 'RequestTimeoutError') return 'timeout';
  if (name === 'PeerClosedError') return 'dropped';
  if (name === 'Declined') return 'declined';
  if (name === 'RunCancelled' || name === 'RunInterrupted') return 'cancelled';
  return 'error';
}

/** The strategies' failure reasons, from an outcome that is not ok. */
export function failureReasonOf(kind: Exclude<OutcomeKind, 'ok'>): 'timeout' | 'error' | 'disconnected' | 'cancelled' {
  if (kind === 'timeout') return 'timeout';
  if (kind === 'dropped') return 'disconnected';
  if (kind === 'cancelled') return 'cancelled';
  return 'error';
}
