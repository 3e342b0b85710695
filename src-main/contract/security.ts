// What each party's security log records: everything that left its machine (what, to whom,
// how many bytes, when) and every inbound request or connection (accepted or refused, and why).
// An inbound request is recorded when it arrives, its reply when that is sent: a request that
// waits for a person (consent) is on record from the start.
import { z } from 'zod';

export const SecurityDirection = z.enum(['outbound', 'inbound']);
export const SecurityOutcome = z.enum(['sent', 'accepted', 'refused']);

/** One column as a participant described it to a hub: what of it left, in words a data manager reads. */
export const DisclosedColumn = z.strictObject({
  name: z.string().max(500),
  kind: z.string().max(40),
  /** feature: its aggregates left; left out: only its name and kind; no values: too few values to describe. */
  use: z.enum(['feature', 'target', 'left out', 'no values']),
  /** Category names or target labels sent (never their counts, but for target labels of k rows or more). */
  levels: z.array(z.string().max(500)).max(2_000).optional(),
  labelCounts: z.record(z.string(), z.int().min(0)).optional(),
  /** Count, sum and sum of squares of the values left (for the pooled mean and spread). */
  sums: z.boolean().optional(),
  count: z.int().min(0),
  missing: z.int().min(0),
});

/**
 * What a participant's reply to a hub contained, recorded beside the message itself so its
 * owner can read, per project, exactly what was shared.
 */
export const Disclosed = z.discriminatedUnion('what', [
  z.strictObject({ what: z.literal('declaration'), rows: z.int().min(0), columns: z.array(DisclosedColumn).max(10_000) }),
  z.strictObject({ what: z.literal('data tags'), tags: z.array(z.strictObject({ kind: z.string().max(20), rows: z.int().min(0), columns: z.int().min(0) })).max(10) }),
  z.strictObject({
    what: z.literal('preparation'),
    trainRows: z.int().min(0),
    evaluateRows: z.int().min(0),
    predictRows: z.int().min(0),
    unseenRows: z.int().min(0),
  }),
  z.strictObject({
    what: z.literal('model update'),
    round: z.int().min(0),
    examples: z.int().min(0),
    protection: z.string().max(200),
    /** Early stopping: the received global model's loss on this many validation rows was sent too. */
    validationRows: z.int().min(1).optional(),
  }),
  z.strictObject({
    what: z.literal('metrics'),
    round: z.int().min(0),
    rows: z.int().min(0),
    withheld: z.array(z.string().max(40)).max(50),
    /** The tables (confusion matrix, score histograms) left only inside a secure sum with the other parties'. */
    tablesSummed: z.boolean().optional(),
  }),
  z.strictObject({ what: z.literal('predictions kept'), rows: z.int().min(0).nullable() }),
]);
export type Disclosed = z.infer<typeof Disclosed>;

export const SecurityEvent = z.strictObject({
  at: z.iso.datetime(),
  direction: SecurityDirection,
  /**
   * message: one protocol message; connection: a connection or handshake; file: a file written
   * for someone else; disclosure: what a reply of this participant contained (beside its message).
   */
  kind: z.enum(['message', 'connection', 'file', 'disclosure']),
  /** Who it went to or came from: a party's id once known, else its address. */
  peer: z.string().max(300),
  /** The message type (run.fit, reply to run.fit, hello...) or what happened (handshake, export...). */
  what: z.string().max(200),
  bytes: z.int().min(0),
  outcome: SecurityOutcome,
  /** Why it was refused, or a short note (an error reply: the error it carried). */
  reason: z.string().max(1_000).optional(),
  /** The run it belongs to, when there is one (a reply: the run its request named). */
  run: z.string().max(64).optional(),
  /** This participant's own project (disclosures). */
  project: z.string().max(64).optional(),
  disclosed: Disclosed.optional(),
});
export type SecurityEvent = z.infer<typeof SecurityEvent>;

export const SecurityLogQuery = z.strictObject({
  /** Newest first; skip this many. */
  offset: z.int().min(0).default(0),
  limit: z.int().min(1).max(5_000).default(200),
  direction: SecurityDirection.optional(),
  outcome: SecurityOutcome.optional(),
  /** Case-insensitive substring of peer, what or reason. */
  search: z.string().max(200).optional(),
  kind: z.enum(['message', 'connection', 'file', 'disclosure']).optional(),
  /** Only events of this participant's project (disclosures), or of this run. */
  project: z.string().max(64).optional(),
  run: z.string().max(64).optional(),
});
export type SecurityLogQuery = z.input<typeof SecurityLogQuery>;

export const SecurityLogPage = z.strictObject({
  events: z.array(SecurityEvent),
  /** How many events match the query in all. */
  total: z.int().min(0),
  /** Bytes sent to others, in all (not just this page). */
  bytesSent: z.int().min(0),
  refused: z.int().min(0),
});
export type SecurityLogPage = z.infer<typeof SecurityLogPage>;

// ---------------------------------------------------------------------------------------------
// What was shared: one project's disclosures and traffic, read from the security log for its owner.

/** One run's traffic: every message this participant sent to the hub for it. */
export const SharedRun = z.strictObject({
  run: z.string().max(64),
  firstAt: z.iso.datetime(),
  lastAt: z.iso.datetime(),
  messages: z.int().min(0),
  bytes: z.int().min(0),
  /** Model updates sent, and how they were protected (the last one's). */
  updates: z.int().min(0),
  protection: z.string().max(200).nullable(),
  /** Early stopping: updates that also carried the received model's loss on this party's validation rows. */
  validationLosses: z.int().min(1).optional(),
  /** Evaluation results sent, and the figures held back because they described too few rows. */
  evaluations: z.int().min(0),
  withheld: z.array(z.string().max(40)).max(50),
  /** Rows used, as told to the hub when the run was prepared. */
  preparation: z.strictObject({ trainRows: z.int().min(0), evaluateRows: z.int().min(0), predictRows: z.int().min(0), unseenRows: z.int().min(0) }).nullable(),
});

export const SharedSummary = z.strictObject({
  projectId: z.string().max(64),
  /** The last description of the data sent for alignment (schema, level lists, counts), and how many were sent. */
  declaration: z.strictObject({ at: z.iso.datetime(), rows: z.int().min(0), columns: z.array(DisclosedColumn).max(10_000) }).nullable(),
  declarations: z.int().min(0),
  /** The last notice of the registered data (kinds, rows, columns). */
  tags: z.strictObject({ at: z.iso.datetime(), tags: z.array(z.strictObject({ kind: z.string().max(20), rows: z.int().min(0), columns: z.int().min(0) })).max(10) }).nullable(),
  runs: z.array(SharedRun).max(10_000),
  messages: z.int().min(0),
  bytes: z.int().min(0),
});
export type SharedRun = z.infer<typeof SharedRun>;
export type SharedSummary = z.infer<typeof SharedSummary>;
