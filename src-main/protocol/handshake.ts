// Mutual authentication, inside TLS, in two round trips:
//
//   party -> hub   hello      who I am, my identity key, a nonce, an ephemeral X25519 key
//                             (and, the first time, the invitation token)
//   hub -> party   challenge  the hub's identity key, nonce and ephemeral key, and its
//                             signature over the transcript
//   party -> hub   auth       the party's signature over the same transcript
//   hub -> party   welcome    the session id and the party's collaborations
//
// A party that listens (the TTP dials it) says nothing about itself until the TTP has proved
// its key: its hello carries only the nonce and ephemeral key, the TTP signs what it has seen,
// and the party names itself (id, name, key) in its auth, signed over everything. A stranger
// that connects to a listening party learns nothing about who it is.
//
// The transcript holds both nonces and ephemeral keys and the TLS certificate's fingerprint, so
// a signature cannot be replayed into another connection or relayed through another server.
// Each side checks the other's key against the one it trusts (the hub: the key the participant
// joined with; the participant: the hub key its invitation carried). Both then derive one
// session key per direction from the X25519 secret (forward secrecy), and the connection is
// sealed: every later message is sequenced and authenticated (session.ts).
import { createHash } from 'node:crypto';
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
import {
  AnonymousHello,
  Challenge,
  HANDSHAKE,
  Hello,
  IdentifiedProof,
  Proof,
  Welcome,
  type Admission,
} from './handshake-messages';
import { RemoteError, type Peer } from './peer';
import type { SessionKeys } from './session';

export {
  AnonymousHello,
  Challenge,
  CollaborationSnapshot,
  CollaborationsNotice,
  HANDSHAKE,
  HANDSHAKE_TYPES,
  Hello,
  HUB_NOTICES,
  HubIdentity,
  IdentifiedProof,
  Proof,
  Welcome,
  type Admission,
} from './handshake-messages';


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

type Unsigned = Omit<Challenge, 'signature'>;

function transcriptOf(certificate: string, hello: Hello, challenge: Unsigned): Buffer {
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

/**
 * A listening party's transcript: what the TTP signs (before it knows who the party is), and,
 * with the party's identity appended, what the party signs and the session keys come from.
 */
function listenTranscriptOf(certificate: string, hello: AnonymousHello, challenge: Unsigned, party?: { party: Hello['party']; key: string }): Buffer {
  return transcriptBytes(
    'cohort-handshake-2-listen',
    certificate.replace(/:/g, '').toUpperCase(),
    hello.nonce,
    hello.ephemeral,
    challenge.hub.id,
    challenge.hub.key,
    challenge.nonce,
    challenge.ephemeral,
    ...(party ? [party.party.id, party.party.name, party.party.organisation ?? '', party.key] : []),
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
  /** A listening party: say nothing about itself until the hub has proved its key. */
  hubProvesFirst?: boolean;
  timeoutMs?: number;
}

/** The party's side. Resolves once authenticated both ways and sealed; rejects with HandshakeError. */
export async function authenticateToHub(peer: Peer, credentials: PartyCredentials): Promise<{ welcome: Welcome; hubKey: string }> {
  const ephemeral = ephemeralKeyPair();
  const anonymous = credentials.hubProvesFirst === true;
  if (anonymous && credentials.invitation !== undefined) throw new Error('a listening party joins with its key registered, not with an invitation');
  const opening: AnonymousHello = { protocol: PROTOCOL_VERSION, nonce: nonce(), ephemeral: ephemeral.publicKeyText };
  const hello: Hello = {
    ...opening,
    party: credentials.party,
    software: credentials.software,
    key: credentials.identity.publicKeyText,
    ...(credentials.invitation === undefined ? {} : { invitation: credentials.invitation }),
  };
  const timeoutMs = credentials.timeoutMs ?? 10_000;
  const asHandshakeError = (error: Error) => {
    throw error instanceof RemoteError ? new HandshakeError(error.message) : error;
  };
  const challenge = await peer.request(HANDSHAKE.hello, anonymous ? opening : hello, { schema: Challenge, timeoutMs }).then(({ body }) => body, asHandshakeError);
  const distrust = credentials.trustHub(challenge.hub.key);
  if (distrust !== undefined) {
    peer.close('untrusted hub');
    throw new HandshakeError(distrust, true);
  }
  const { signature, ...unsigned } = challenge;
  const hubTranscript = anonymous ? listenTranscriptOf(credentials.certificate, opening, unsigned) : transcriptOf(credentials.certificate, hello, unsigned);
  if (!verifySignature(challenge.hub.key, signed('hub', hubTranscript), signature)) {
    peer.close('the hub failed to prove its identity');
    throw new HandshakeError(`${peer.label} did not prove it holds its identity key (its signature does not verify)`, true);
  }
  // The hub is who it must be: its welcome (the collaborations' definitions) may be large.
  peer.otherSideAuthenticated();
  const identity = { party: credentials.party, key: credentials.identity.publicKeyText };
  const transcript = anonymous ? listenTranscriptOf(credentials.certificate, opening, unsigned, identity) : hubTranscript;
  const keys = sessionKeys(sharedSecret(ephemeral.privateKey, challenge.ephemeral), transcript, 'party');
  const partySignature = signBytes(credentials.identity, signed('party', transcript));
  const proof = anonymous ? { party: credentials.party, software: credentials.software, key: identity.key, signature: partySignature } : { signature: partySignature };
  const { body: welcome } = await peer
    .request(HANDSHAKE.auth, proof, {
      schema: Welcome,
      timeoutMs,
      // The hub seals its side as soon as the welcome is sent; so do we when it arrives.
      onReply: () => peer.sealWith(keys),
    })
    .catch(asHandshakeError);
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
  /** The hub dialled a listening party: it proves its key first, and the party names itself after. */
  hubProvesFirst?: boolean;
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
    const anonymous = credentials.hubProvesFirst === true;
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
    let state: { opening: AnonymousHello; hello: Hello | undefined; unsigned: Unsigned; secret: Buffer } | undefined;
    let greeted = false;

    /** Answers a hello: screens it (when it names the party), then signs the transcript so far. */
    const challenge = async (opening: AnonymousHello, hello: Hello | undefined) => {
      if (settled || greeted) return refuse('hello was already said');
      greeted = true;
      if (hello) {
        const problem = await credentials.screen(hello);
        if (problem !== undefined) return refuse(problem);
      }
      const ephemeral = ephemeralKeyPair();
      const unsigned = { hub: { ...credentials.hub, key: credentials.identity.publicKeyText }, nonce: nonce(), ephemeral: ephemeral.publicKeyText };
      let secret: Buffer;
      try {
        secret = sharedSecret(ephemeral.privateKey, opening.ephemeral);
      } catch {
        return refuse('the ephemeral key is not a valid X25519 key');
      }
      state = { opening, hello, unsigned, secret };
      const transcript = hello ? transcriptOf(credentials.certificate, hello, unsigned) : listenTranscriptOf(credentials.certificate, opening, unsigned);
      return { body: { ...unsigned, signature: signBytes(credentials.identity, signed('hub', transcript)) } };
    };

    /** Checks the party's proof over `transcript`, admits it and seals the session. */
    const welcome = async (hello: Hello, transcript: Buffer, signature: string, secret: Buffer) => {
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
    };

    if (anonymous) {
      peer.handle(HANDSHAKE.hello, AnonymousHello, (opening) => challenge(opening, undefined));
      peer.handle(HANDSHAKE.auth, IdentifiedProof, async ({ signature, ...identity }) => {
        if (settled || !state) return refuse('auth before hello');
        const { opening, unsigned, secret } = state;
        const hello: Hello = { ...opening, party: identity.party, software: identity.software, key: identity.key };
        // Only now does the party say who it is: screened before its proof is even checked.
        const problem = await credentials.screen(hello);
        if (problem !== undefined) return refuse(problem);
        return welcome(hello, listenTranscriptOf(credentials.certificate, opening, unsigned, identity), signature, secret);
      });
    } else {
      peer.handle(HANDSHAKE.hello, Hello, (hello) => challenge(hello, hello));
      peer.handle(HANDSHAKE.auth, Proof, async ({ signature }) => {
        if (settled || !state?.hello) return refuse('auth before hello');
        const { hello, unsigned, secret } = state;
        return welcome(hello, transcriptOf(credentials.certificate, hello, unsigned), signature, secret);
      });
    }

    void peer.closed.then(() => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new HandshakeError(`${peer.label} closed the connection before authenticating`));
    });
  });
}
