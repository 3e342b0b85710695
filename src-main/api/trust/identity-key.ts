// This installation's identity: an Ed25519 key pair created on first start and kept in its data
// directory (identity.key, PKCS#8 PEM), readable by the owner only. Its public half is how the
// other parties know this one; its fingerprint is what people compare.
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CohortError } from '../../contract/errors';
import { newSigningKeyPair, signingIdentity, type SigningIdentity } from '../../protocol/crypto';

export const IDENTITY_KEY_FILE = 'identity.key';

/** The identity of the installation whose data directory this is, created the first time. */
export async function ensureSigningIdentity(dataDir: string): Promise<SigningIdentity> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, IDENTITY_KEY_FILE);
  try {
    // 'wx': two processes starting at once cannot both create (and disagree on) the key.
    await writeFile(path, newSigningKeyPair().privateKeyPem, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return readSigningIdentity(path);
}

async function readSigningIdentity(path: string): Promise<SigningIdentity> {
  if (process.platform !== 'win32' && ((await stat(path)).mode & 0o077) !== 0) {
    // Someone loosened the permissions: take them back before using the key.
    await chmod(path, 0o600);
  }
  const pem = await readFile(path, 'utf8');
  try {
    return signingIdentity(pem);
  } catch (error) {
    throw new CohortError('STORE_CORRUPT', `${path} does not hold an Ed25519 private key (${(error as Error).message}); restore it from a backup`, { path });
  }
}
