// What each party's security log records: everything that left its machine (what, to whom,
// how many bytes, when) and every inbound request or connection (accepted or refused, and why).
// An inbound request is recorded when it arrives, its reply when that is sent: a request that
// waits for a person (consent) is on record from the start.
import { z } from 'zod';

export const SecurityDirection = z.enum(['outbound', 'inbound']);
export const SecurityOutcome = z.enum(['sent', 'accepted', 'refused']);

export const SecurityEvent = z.strictObject({
  at: z.iso.datetime(),
  direction: SecurityDirection,
  /** message: one protocol message; connection: a connection or handshake; file: a file written for someone else. */
  kind: z.enum(['message', 'connection', 'file']),
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
