// The message seal of an authenticated session. After the handshake every message carries a
// sequence number (1, 2, 3… in each direction) and an authentication tag over its envelope text
// and tensor bytes, keyed with that direction's session key. A message from another session,
// a replay, a reordering or any change to its bytes fails the check and is refused.
import { timingSafeEqual } from 'node:crypto';
import { authenticationTag } from './crypto';

export interface SessionKeys {
  /** Names the session in logs (a hash of the handshake transcript; not secret). */
  id: string;
  send: Buffer;
  receive: Buffer;
}

/** Length of a tag in the text frame: 16 bytes, base64url. */
export const TAG_LENGTH = 22;

export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

export class MessageSeal {
  private sent = 0;
  private received = 0;

  constructor(private readonly keys: SessionKeys) {}

  get sessionId(): string {
    return this.keys.id;
  }

  /** The next outbound sequence number. */
  next(): number {
    this.sent += 1;
    return this.sent;
  }

  tag(sequence: number, text: string, tensors: readonly Uint8Array[]): string {
    return authenticationTag(this.keys.send, sequence, [Buffer.from(text), ...tensors]).toString('base64url');
  }

  /** Checks an inbound message; accepts it (advancing the expected sequence) or throws SealError. */
  check(sequence: number | undefined, tag: string | undefined, text: string, tensors: readonly Uint8Array[]): void {
    if (tag === undefined) throw new SealError('an unauthenticated message arrived inside an authenticated session');
    if (sequence === undefined) throw new SealError('a message without a sequence number arrived inside an authenticated session');
    const expected = this.received + 1;
    if (sequence < expected) throw new SealError(`a replayed message (sequence ${sequence}; the next expected is ${expected})`);
    if (sequence > expected) throw new SealError(`a message out of sequence (sequence ${sequence}; the next expected is ${expected})`);
    const computed = authenticationTag(this.keys.receive, sequence, [Buffer.from(text), ...tensors]);
    const presented = Buffer.from(tag, 'base64url');
    if (presented.length !== computed.length || !timingSafeEqual(presented, computed)) {
      throw new SealError(`a forged or altered message (sequence ${sequence}: its authentication tag does not match)`);
    }
    this.received = sequence;
  }
}
