// Raw 32-byte Ed25519 / X25519 keys and X25519 key agreement, from node:crypto. Keys travel as
// their raw bytes (base64url); node:crypto wants DER, so these add and strip the fixed prefixes.
import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';

const SPKI_PREFIX = {
  ed25519: Buffer.from('302a300506032b6570032100', 'hex'),
  x25519: Buffer.from('302a300506032b656e032100', 'hex'),
};
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** The raw 32-byte public key of an Ed25519 or X25519 key (its SubjectPublicKeyInfo tail). */
export function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

export function publicKeyFromRaw(raw: Buffer, kind: 'ed25519' | 'x25519'): KeyObject {
  if (raw.length !== 32) throw new Error(`a ${kind} public key is 32 bytes, not ${raw.length}`);
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX[kind], raw]), format: 'der', type: 'spki' });
}

/** The raw 32-byte X25519 private key (its PKCS#8 tail): what a secret share splits. */
export function rawX25519PrivateKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'pkcs8' });
  return Buffer.from(der.subarray(der.length - 32));
}

export function x25519PrivateKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new Error(`an x25519 private key is 32 bytes, not ${raw.length}`);
  return createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' });
}

/** A fresh X25519 key pair (forward secrecy: one per handshake, or per secure-aggregation round). */
export function ephemeralKeyPair(): { privateKey: KeyObject; publicKeyText: string } {
  const { privateKey, publicKey } = generateKeyPairSync('x25519');
  return { privateKey, publicKeyText: rawPublicKey(publicKey).toString('base64url') };
}

export function sharedSecret(privateKey: KeyObject, peerPublicKeyText: string): Buffer {
  return diffieHellman({ privateKey, publicKey: publicKeyFromRaw(Buffer.from(peerPublicKeyText, 'base64url'), 'x25519') });
}

/** The base64url raw public key of a private key. */
export function publicKeyTextOf(privateKey: KeyObject): string {
  return rawPublicKey(createPublicKey(privateKey)).toString('base64url');
}

/** Whether `signature` (base64url) is the Ed25519 signature of `data` by the raw public key `publicKeyText`. */
export function verifyEd25519(publicKeyText: string, data: Buffer, signature: string): boolean {
  try {
    return verify(null, data, publicKeyFromRaw(Buffer.from(publicKeyText, 'base64url'), 'ed25519'), Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
