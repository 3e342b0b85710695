// The cryptography of party-to-party trust, all from node:crypto (nothing home-made):
// Ed25519 identities and signatures, X25519 key agreement (core/crypto/keys), HKDF, fingerprints.
import { createCipheriv, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { rawPublicKey, verifyEd25519 } from '../core/crypto/keys';

export { ephemeralKeyPair, sharedSecret } from '../core/crypto/keys';

export interface SigningIdentity {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The raw public key, base64url: how it travels. */
  publicKeyText: string;
  /** sha256 of the raw public key, for people to compare. */
  fingerprint: string;
}

export function newSigningKeyPair(): { privateKeyPem: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  return { privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

export function signingIdentity(privateKeyPem: string): SigningIdentity {
  const privateKey = createPrivateKey(privateKeyPem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('the identity key must be an Ed25519 key');
  const publicKey = createPublicKey(privateKey);
  const raw = rawPublicKey(publicKey);
  return { privateKey, publicKey, publicKeyText: raw.toString('base64url'), fingerprint: keyFingerprint(raw) };
}

/** "SHA256:ab12 cd34 …": a public key's fingerprint, in groups people can read aloud. */
export function keyFingerprint(raw: Buffer | string): string {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'base64url') : raw;
  const hex = createHash('sha256').update(bytes).digest('hex');
  return `SHA256:${hex.match(/.{4}/g)!.slice(0, 8).join(' ')}`;
}

export function signBytes(identity: SigningIdentity, data: Buffer): string {
  return sign(null, data, identity.privateKey).toString('base64url');
}

export function verifySignature(publicKeyText: string, data: Buffer, signature: string): boolean {
  return verifyEd25519(publicKeyText, data, signature);
}

/** Two 32-byte keys from a shared secret, bound to the handshake transcript. */
export function deriveKeys(secret: Buffer, transcript: Buffer, labels: readonly [string, string]): [Buffer, Buffer] {
  const salt = createHash('sha256').update(transcript).digest();
  return [
    Buffer.from(hkdfSync('sha256', secret, salt, labels[0], 32)),
    Buffer.from(hkdfSync('sha256', secret, salt, labels[1], 32)),
  ];
}

export function nonce(): string {
  return randomBytes(32).toString('base64url');
}

/** The canonical bytes of a transcript: its fields, in order, unambiguously joined. */
export function transcriptBytes(...fields: readonly string[]): Buffer {
  return Buffer.from(fields.map((field) => `${field.length}:${field}`).join('|'));
}

/**
 * A 16-byte authentication tag over `parts` with ChaCha20-Poly1305 used as a MAC (the AEAD over
 * an empty plaintext, the parts as associated data). The nonce must never repeat under one key:
 * callers pass a message sequence number. Poly1305 runs at memory speed, so tagging a 4 MB
 * tensor costs a fraction of a millisecond (HMAC-SHA256 would cost several).
 */
export function authenticationTag(key: Buffer, sequence: number, parts: ReadonlyArray<Uint8Array>): Buffer {
  const iv = Buffer.alloc(12);
  iv.writeBigUInt64BE(BigInt(sequence), 4);
  const cipher = createCipheriv('chacha20-poly1305', key, iv, { authTagLength: 16 });
  // Each part's length goes in first, so the boundaries between parts are authenticated too.
  const lengths = Buffer.alloc(8 * parts.length);
  parts.forEach((part, index) => lengths.writeBigUInt64BE(BigInt(part.byteLength), index * 8));
  cipher.setAAD(lengths, { plaintextLength: 0 });
  for (const part of parts) cipher.setAAD(part, { plaintextLength: 0 });
  cipher.final();
  return cipher.getAuthTag();
}
