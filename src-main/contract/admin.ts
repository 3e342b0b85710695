// Commands a local administrator (the `cohort` command line, later the UI bridge) sends to a
// running hub over its 127.0.0.1 admin endpoint.
import { z } from 'zod';
import { Id, Run } from './records';
import { RunResult } from './results';

export const ADMIN = {
  start: 'admin.start',
  cancel: 'admin.cancel',
  /** Stops a run so that it can be resumed from its last checkpoint. */
  stop: 'admin.stop',
  resume: 'admin.resume',
  status: 'admin.status',
  wait: 'admin.wait',
  subscribe: 'admin.subscribe',
  parties: 'admin.parties',
  /** A participant was revoked in the store: cut its connection now. */
  cutOff: 'admin.cutOff',
  event: 'run.event',
} as const;

export const RunRef = z.strictObject({ run: Id });
export const Ack = z.strictObject({ ok: z.literal(true) });
export const RunStatusReply = z.strictObject({
  run: Run,
  active: z.boolean(),
  result: RunResult.nullable(),
  connected: z.array(z.string()),
});
export const PartiesReply = z.strictObject({ connected: z.array(z.string()) });
export const SubscribeRequest = z.strictObject({ run: Id.optional() });
export const CutOffRequest = z.strictObject({ participant: Id, reason: z.string().max(500) });
export const CutOffReply = z.strictObject({ wasConnected: z.boolean() });

/** What a running hub writes into its data directory so local tools can find it. */
export const HubInfo = z.strictObject({
  pid: z.int(),
  url: z.string(),
  /** The address written into invitations. */
  publicUrl: z.string(),
  /** The TLS certificate's fingerprint and the hub's identity key, for invitations. */
  certificate: z.string(),
  key: z.string(),
  adminUrl: z.string(),
  token: z.string().min(32),
  startedAt: z.string(),
});

export type RunStatusReply = z.infer<typeof RunStatusReply>;
export type HubInfo = z.infer<typeof HubInfo>;
