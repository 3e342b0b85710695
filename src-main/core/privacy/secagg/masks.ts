// Masks: pseudorandom vectors over Z_2^32 expanded from a 32-byte seed with ChaCha20 (the
// keystream of encrypting zeros), each bound by HKDF to its run, round and purpose, so a seed
// never yields the same mask twice.
import { createCipheriv, createHash, hkdfSync } from 'node:crypto';

export interface MaskContext {
  run: string;
  round: number;
}

/** A 32-byte ChaCha20 key for one mask, derived from a seed and what the mask is for. */
function maskKey(seed: Uint8Array, context: MaskContext, purpose: string): Buffer {
  const salt = createHash('sha256').update(`cohort secagg ${context.run.length}:${context.run} round ${context.round}`).digest();
  return Buffer.from(hkdfSync('sha256', seed, salt, `cohort secagg mask: ${purpose}`, 32));
}

/** `length` pseudorandom ring elements from `seed`. */
export function expandMask(seed: Uint8Array, length: number, context: MaskContext, purpose: string): Uint32Array {
  const cipher = createCipheriv('chacha20', maskKey(seed, context, purpose), Buffer.alloc(16));
  const bytes = cipher.update(Buffer.alloc(length * 4));
  cipher.final();
  // A fresh Buffer may sit at any offset of a shared pool: copy when it is not 4-byte aligned.
  if (bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, length);
  return new Uint32Array(new Uint8Array(bytes).buffer);
}

/** The purpose of the mask shared by two parties: the same string for both, whichever asks. */
export function pairPurpose(a: string, b: string): string {
  const [first, second] = a < b ? [a, b] : [b, a];
  return `pair ${first.length}:${first} ${second.length}:${second}`;
}

export const SELF_PURPOSE = 'self';
