// Secret shares and how they travel. Each party splits its two secrets (its mask key's private
// half and its self-mask seed) with Shamir's scheme (the audited shamir-secret-sharing library,
// GF(2^8)), and sends each other party its shares encrypted with ChaCha20-Poly1305 under a key
// agreed by X25519: the TTP routes the ciphertexts but cannot read them.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { combine, split } from 'shamir-secret-sharing';
import { sharedSecret } from '../../crypto/keys';
import type { MaskContext } from './masks';

/** What party `from` gives party `to`: one share of each of its secrets. */
export interface SharePair {
  from: string;
  to: string;
  maskKeyShare: Uint8Array;
  selfMaskShare: Uint8Array;
}

/** Splits a secret into `count` shares, any `threshold` of which rebuild it. */
export async function splitSecret(secret: Uint8Array, count: number, threshold: number): Promise<Uint8Array[]> {
  // The library wants plain Uint8Arrays (a Buffer is refused).
  return split(Uint8Array.from(secret), count, threshold);
}

export async function combineShares(shares: Uint8Array[]): Promise<Uint8Array> {
  return combine(shares.map((share) => Uint8Array.from(share)));
}

function associatedData(context: MaskContext, from: string, to: string): Buffer {
  return Buffer.from(JSON.stringify(['cohort secagg shares', context.run, context.round, from, to]));
}

/** The key for messages from `from` to `to` (one direction: the reverse direction gets another key). */
function shareKey(privateKey: KeyObject, peerPublicKey: string, context: MaskContext, from: string, to: string): Buffer {
  const salt = createHash('sha256').update(associatedData(context, from, to)).digest();
  return Buffer.from(hkdfSync('sha256', sharedSecret(privateKey, peerPublicKey), salt, 'cohort secagg share key', 32));
}

/** base64url(nonce | ciphertext | tag) of the pair of shares for `to`. */
export function encryptShares(pair: SharePair, ownEncryptionKey: KeyObject, peerEncryptionKey: string, context: MaskContext): string {
  const key = shareKey(ownEncryptionKey, peerEncryptionKey, context, pair.from, pair.to);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  const plain = Buffer.from(JSON.stringify([Buffer.from(pair.maskKeyShare).toString('base64url'), Buffer.from(pair.selfMaskShare).toString('base64url')]));
  cipher.setAAD(associatedData(context, pair.from, pair.to), { plaintextLength: plain.length });
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64url');
}

/** Opens the shares `from` sent to `to`; throws if they were altered, misrouted or forged. */
export function decryptShares(text: string, from: string, to: string, ownEncryptionKey: KeyObject, peerEncryptionKey: string, context: MaskContext): SharePair {
  const bytes = Buffer.from(text, 'base64url');
  if (bytes.length < 12 + 16 + 2) throw new Error(`the shares from ${from} are too short to be a ciphertext`);
  const key = shareKey(ownEncryptionKey, peerEncryptionKey, context, from, to);
  const decipher = createDecipheriv('chacha20-poly1305', key, bytes.subarray(0, 12), { authTagLength: 16 });
  decipher.setAAD(associatedData(context, from, to), { plaintextLength: bytes.length - 28 });
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  let plain: Buffer;
  try {
    plain = Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]);
  } catch {
    throw new Error(`the shares from ${from} do not authenticate (altered, misrouted or not from ${from})`);
  }
  const parsed: unknown = JSON.parse(plain.toString('utf8'));
  if (!Array.isArray(parsed) || parsed.length !== 2 || !parsed.every((part) => typeof part === 'string')) {
    throw new Error(`the shares from ${from} are malformed`);
  }
  return { from, to, maskKeyShare: Buffer.from(parsed[0] as string, 'base64url'), selfMaskShare: Buffer.from(parsed[1] as string, 'base64url') };
}

/** sha256 of a self-mask seed: published first, so a rebuilt seed can be checked. */
export function commitmentOf(seed: Uint8Array): string {
  return createHash('sha256').update(seed).digest('hex');
}
