// The handshake's messages (see handshake.ts for the exchange), validated on arrival.
import { z } from 'zod';
import { Collaboration, Id, Project, PublicKeyText } from '../contract/records';
import { PROTOCOL_VERSION } from './frames';

export const HANDSHAKE = { hello: 'hello', auth: 'auth' } as const;
export const HANDSHAKE_TYPES = Object.values(HANDSHAKE);

const Nonce = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a 32-byte nonce, base64url');
const Signature = z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'an Ed25519 signature, base64url');

export const Hello = z.strictObject({
  protocol: z.literal(PROTOCOL_VERSION),
  party: z.strictObject({ id: Id, name: z.string().min(1).max(200), organisation: z.string().max(200).optional() }),
  software: z.strictObject({ name: z.string().max(64), version: z.string().max(64) }),
  key: PublicKeyText,
  nonce: Nonce,
  ephemeral: PublicKeyText,
  /** First contact: the single-use token of an invitation, to join its collaboration. */
  invitation: z.string().min(16).max(200).optional(),
});

export const HubIdentity = z.strictObject({ id: z.string().min(1).max(200), name: z.string().max(200), key: PublicKeyText });

/**
 * A listening party's hello: nothing about who it is, until the TTP that dialled it has proved
 * its key (a stranger that connects learns neither the party's id, nor its name, nor its key).
 */
export const AnonymousHello = z.strictObject({ protocol: z.literal(PROTOCOL_VERSION), nonce: Nonce, ephemeral: PublicKeyText });

export const Challenge = z.strictObject({ hub: HubIdentity, nonce: Nonce, ephemeral: PublicKeyText, signature: Signature });
export const Proof = z.strictObject({ signature: Signature });
/** A listening party's proof: who it is, now that the TTP has proved who it is. */
export const IdentifiedProof = z.strictObject({ party: Hello.shape.party, software: Hello.shape.software, key: PublicKeyText, signature: Signature });

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
export type AnonymousHello = z.infer<typeof AnonymousHello>;
export type Challenge = z.infer<typeof Challenge>;
export type Welcome = z.infer<typeof Welcome>;
export type CollaborationSnapshot = z.infer<typeof CollaborationSnapshot>;

export type Admission = { ok: true; welcome: Omit<z.input<typeof Welcome>, 'session'> } | { ok: false; reason: string };
