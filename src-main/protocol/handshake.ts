// Mutual authentication, inside TLS, in two round trips:
//
//   party -> hub   hello      who I am, my identity key, a nonce, an ephemeral X25519 key
//                             (and, the first time, the invitation token)
//   hub -> party   challenge  the hub's identity key, nonce and ephemeral key, and its
//                             signature over the transcript
//   party -> hub   auth       the party's signature over the same transcript
//   hub -> party   welcome    the session id and the party's collaborations
//
// The transcript holds both nonces and ephemeral keys and the TLS certificate's fingerprint, so
// a signature cannot be replayed into another connection or relayed through another server.
// Each side checks the other's key against the one it trusts (the hub: the key the participant
// joined with; the participant: the hub key its invitation carried). Both then derive one
// session key per direction from the X25519 secret (forward secrecy), and the connection is
// sealed: every later message is sequenced and authenticated (session.ts).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Collaboration, Id, Project, PublicKeyText } from '../contract/records';
import {
  deriveKeys,
  ephemeralKeyPair,
  nonce,
  sharedSecret,
  signBytes,
  transcriptBytes,
  verifySignature,
  type SigningIdentity,
} from './crypto';
import { PROTOCOL_VERSION } from './frames';
import { RemoteError, type Peer } from './peer';
import type { SessionKeys } from './session';

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

export const Challenge = z.strictObject({ hub: HubIdentity, nonce: Nonce, ephemeral: PublicKeyText, signature: Signature });
export const Proof = z.strictObject({ signature: Signature });

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
export type Challenge = z.infer<typeof Challenge>;
export type Welcome = z.infer<typeof Welcome>;
export type CollaborationSnapshot = z.infer<typeof CollaborationSnapshot>;

export type Admission = { ok: true; welcome: Omit<z.input<typeof Welcome>, 'session'> } | { ok: false; reason: string };

/** The handshake failed: the other side refused us, or we refused it. */
export class HandshakeError extends Error {
  constructor(
    message: string,
    /** True when the other side is not who it must be (wrong key, bad signature): never retry blindly. */
    readonly untrusted = false,
  ) {
    super(message);
    this.name = 'HandshakeError';
  }
}

function transcriptOf(certificate: string, hello: Hello, challenge: Omit<Challenge, 'signature'>): Buffer {
  return transcriptBytes(
    'cohort-handshake-2',
    certificate.replace(/:/g, '').toUpperCase(),
    hello.party.id,
    hello.party.name,
    hello.key,
    hello.nonce,
    hello.ephemeral,
    hello.invitation === undefined ? '' : createHash('sha256').update(hello.invitation).digest('hex'),
    challenge.hub.id,
    challenge.hub.key,
    challenge.nonce,
    challenge.ephemeral,
  );
}

function sessionKeys(secret: Buffer, transcript: Buffer, side: 'party' | 'hub'): SessionKeys {
  const [partyToHub, hubToParty] = deriveKeys(secret, transcript, ['cohort party to hub', 'cohort hub to party']);
  const id = createHash('sha256').update(transcript).digest('hex').slice(0, 16);
  return side === 'party' ? { id, send: partyToHub, receive: hubToParty } : { id, send: hubToParty, receive: partyToHub };
}

const signed = (role: 'hub' | 'party', transcript: Buffer) => Buffer.concat([Buffer.from(`cohort ${role} signature\u0000`), transcript]);

export interface PartyCredentials {
  identity: SigningIdentity;
  party: Hello['party'];
  software: Hello['software'];
  invitation?: string;
  /** The fingerprint of the TLS certificate this connection was made with. */
  certificate: string;
  /** Whether this hub key is the one to trust: undefined if so, else why not. */
  trustHub: (key: string) => string | undefined;
  timeoutMs?: number;
}

/** The party's side. Resolves once authenticated both ways and sealed; rejects with HandshakeError. */
export async function authenticateToHub(peer: Peer, credentials: PartyCredentials): Promise<{ welcome: Welcome; hubKey: string }> {
  const ephemeral = ephemeralKeyPair();
  const hello: Hello = {
    protocol: PROTOCOL_VERSION,
    party: credentials.party,
    software: credentials.software,
    key: credentials.identity.publicKeyText,
    nonce: nonce(),
    ephemeral: ephemeral.publicKeyText,
    ...(credentials.invitation === undefined ? {} : { invitation: credentials.invitation }),
  };
  const timeoutMs = credentials.timeoutMs ?? 10_000;
  const challenge = await peer.request(HANDSHAKE.hello, hello, { schema: Challenge, timeoutMs }).then(
    ({ body }) => body,
    (error: Error) => {
      throw error instanceof RemoteError ? new HandshakeError(error.message) : error;
    },
  );
  const distrust = credentials.trustHub(challenge.hub.key);
  if (distrust !== undefined) {
    peer.close('untrusted hub');
    throw new HandshakeError(distrust, true);
  }
  const { signature, ...unsigned } = challenge;
  const transcript = transcriptOf(credentials.certificate, hello, unsigned);
  if (!verifySignature(challenge.hub.key, signed('hub', transcript), signature)) {
    peer.close('the hub failed to prove its identity');
    throw new HandshakeError(`${peer.label} did not prove it holds its identity key (its signature does not verify)`, true);
  }
  const keys = sessionKeys(sharedSecret(ephemeral.privateKey, challenge.ephemeral), transcript, 'party');
  const proof = { signature: signBytes(credentials.identity, signed('party', transcript)) };
  const { body: welcome } = await peer
    .request(HANDSHAKE.auth, proof, {
      schema: Welcome,
      timeoutMs,
      // The hub seals its side as soon as the welcome is sent; so do we when it arrives.
      onReply: () => peer.sealWith(keys),
    })
    .catch((error: Error) => {
      throw error instanceof RemoteError ? new HandshakeError(error.message) : error;
    });
  return { welcome, hubKey: challenge.hub.key };
}

export interface HubCredentials {
  identity: SigningIdentity;
  hub: { id: string; name: string };
  /** The fingerprint of the TLS certificate this connection was made with. */
  certificate: string;
  /** Before the proof: whether this party may try at all (undefined), or why not. */
  screen: (hello: Hello) => Promise<string | undefined>;
  /** After the party proved its key: admit it (this is where an invitation is used up). */
  admit: (hello: Hello) => Promise<Admission>;
  timeoutMs?: number;
}

/**
 * The hub's side: answers hello and auth once each. Resolves with the authenticated hello once
 * the welcome is on its way (and the connection sealed); rejects with HandshakeError (and
 * closes the connection) on refusal, bad proof or silence.
 */
export function awaitAuthentication(peer: Peer, credentials: HubCredentials): Promise<Hello> {
  return new Promise((resolve, reject) => {
    const timeoutMs = credentials.timeoutMs ?? 10_000;
    let settled = false;
    const refuse = (reason: string): never => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        setTimeout(() => peer.close(reason), 50).unref();
        reject(new HandshakeError(reason));
      }
      throw new RemoteError('REFUSED', reason);
    };
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      peer.close('no authentication in time');
      reject(new HandshakeError(`${peer.label} did not authenticate within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    let state: { hello: Hello; transcript: Buffer; secret: Buffer } | undefined;
    let greeted = false;

    peer.handle(HANDSHAKE.hello, Hello, async (hello) => {
      if (settled || greeted) return refuse('hello was already said');
      greeted = true;
      const problem = await credentials.screen(hello);
      if (problem !== undefined) return refuse(problem);
      const ephemeral = ephemeralKeyPair();
      const unsigned = { hub: { ...credentials.hub, key: credentials.identity.publicKeyText }, nonce: nonce(), ephemeral: ephemeral.publicKeyText };
      const transcript = transcriptOf(credentials.certificate, hello, unsigned);
      let secret: Buffer;
      try {
        secret = sharedSecret(ephemeral.privateKey, hello.ephemeral);
      } catch {
        return refuse('the ephemeral key is not a valid X25519 key');
      }
      state = { hello, transcript, secret };
      return { body: { ...unsigned, signature: signBytes(credentials.identity, signed('hub', transcript)) } };
    });

    peer.handle(HANDSHAKE.auth, Proof, async ({ signature }) => {
      if (settled || !state) return refuse('auth before hello');
      const { hello, transcript, secret } = state;
      if (!verifySignature(hello.key, signed('party', transcript), signature)) {
        return refuse(`"${hello.party.id}" did not prove it holds the key it presented (wrong key)`);
      }
      const admission = await credentials.admit(hello);
      if (!admission.ok) return refuse(admission.reason);
      const keys = sessionKeys(secret, transcript, 'hub');
      settled = true;
      clearTimeout(timer);
      return {
        body: { ...admission.welcome, session: keys.id },
        afterReply: () => {
          peer.sealWith(keys);
          resolve(hello);
        },
      };
    });

    void peer.closed.then(() => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new HandshakeError(`${peer.label} closed the connection before authenticating`));
    });
  });
}
