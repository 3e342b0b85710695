// The handshake, kept in its own module so the trust layer (identities, TLS pinning, mutual
// challenge-response) can replace it without touching anything else. Today: the party says who
// it is and which protocol it speaks; the hub accepts or refuses with a reason.
import { z } from 'zod';
import { Collaboration, Id, Project } from '../contract/records';
import { PROTOCOL_VERSION } from './frames';
import { RemoteError, type Peer } from './peer';

export const Hello = z.strictObject({
  protocol: z.literal(PROTOCOL_VERSION),
  party: z.strictObject({ id: Id, name: z.string().min(1).max(200), organisation: z.string().max(200).optional() }),
  software: z.strictObject({ name: z.string().max(64), version: z.string().max(64) }),
  /** First contact: the single-use token of an invitation, to join its collaboration. */
  invitation: z.string().min(16).max(200).optional(),
});

/** A collaboration as the hub tells its participants about it: the definitions, no data. */
export const CollaborationSnapshot = z.strictObject({ collaboration: Collaboration, projects: z.array(Project) });

export const Welcome = z.strictObject({
  hub: z.strictObject({ id: z.string().min(1).max(200), name: z.string().max(200) }),
  session: z.string().min(1).max(128),
  /** The collaborations this party takes part in at this hub. */
  collaborations: z.array(CollaborationSnapshot).default([]),
});

/** What the hub tells its connected participants when definitions change. */
export const HUB_NOTICES = { collaborations: 'hub.collaborations' } as const;
export const CollaborationsNotice = z.strictObject({ collaborations: z.array(CollaborationSnapshot) });

export type Hello = z.infer<typeof Hello>;
export type Welcome = z.infer<typeof Welcome>;
export type CollaborationSnapshot = z.infer<typeof CollaborationSnapshot>;

export type Admission = { ok: true; welcome: z.input<typeof Welcome> } | { ok: false; reason: string };

/** The party's side: introduce itself and wait to be welcomed (or refused). */
export async function greet(peer: Peer, hello: Hello, timeoutMs = 10_000): Promise<Welcome> {
  const { body } = await peer.request('hello', hello, { schema: Welcome, timeoutMs });
  return body;
}

/**
 * The hub's side: wait for the party's hello, let `admit` decide, and answer. Resolves with the
 * hello once the party is admitted; rejects (and closes the connection) on refusal or silence.
 */
export function awaitHello(peer: Peer, admit: (hello: Hello) => Promise<Admission> | Admission, timeoutMs = 10_000): Promise<Hello> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      peer.close('no hello in time');
      reject(new Error(`${peer.label} did not introduce itself within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    peer.handle('hello', Hello, async (hello) => {
      clearTimeout(timer);
      const admission = await admit(hello);
      if (!admission.ok) {
        setTimeout(() => peer.close(admission.reason), 50).unref();
        reject(new Error(`refused ${hello.party.id}: ${admission.reason}`));
        throw new RemoteError('REFUSED', admission.reason);
      }
      setImmediate(() => resolve(hello));
      return { body: admission.welcome };
    });
    void peer.closed.then(() => {
      clearTimeout(timer);
      reject(new Error(`${peer.label} closed before introducing itself`));
    });
  });
}
