// What a workflow's task over the participants needs of its run: who is prepared, how long to
// wait, cancellation, and where activity, dropouts and warnings go. One builder, so every
// workflow hands its tasks the same host.
import type { PartyActivity } from '../../contract/results';
import type { Log } from '../ports';
import type { Cancellation } from './cancellation';
import type { ParticipantPool } from './participants';
import type { RunSession } from './run-session';

export interface TaskHost {
  run: string;
  pool: ParticipantPool;
  cancellation: Cancellation;
  timeoutMs(): number;
  activity(party: string, activity: PartyActivity, round: number, message?: string): void;
  dropout(party: string, round: number, reason: string): void;
  log: Log;
}

export function taskHostOf(session: RunSession): TaskHost {
  return {
    run: session.runId,
    pool: session.pool,
    cancellation: session.cancellation,
    timeoutMs: () => session.timeoutMs(),
    activity: (party, activity, round, message) => session.party(party, activity, round, message),
    dropout: (party, round, reason) => session.pool.dropout(party, round, reason),
    log: session.deps.log,
  };
}
