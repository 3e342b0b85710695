// The TLS certificate a party endpoint serves: one the user provides (PEM files), or a
// self-signed one made on first start and kept in the data directory (tls/), so its fingerprint
// (written into invitations) stays the same across restarts.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CohortError } from '../../contract/errors';
import { checkTlsMaterial, createSelfSignedCertificate, type TlsMaterial } from '../../protocol/certificates';

export const TLS_DIR = 'tls';

export interface ProvidedCertificate {
  certPath: string;
  keyPath: string;
}

/**
 * `anonymous`: the certificate names only `hosts` (not this machine's host name), for a party
 * that must not say who it is before the other side has authenticated. Peers pin certificates
 * by fingerprint, so the names in them are not checked.
 */
export async function ensureTlsMaterial(
  dataDir: string,
  options: { commonName: string; hosts?: readonly string[]; provided?: ProvidedCertificate; anonymous?: boolean },
): Promise<TlsMaterial> {
  if (options.provided) return readProvided(options.provided);
  const dir = join(dataDir, TLS_DIR);
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const existing = await readPair(certPath, keyPath);
  if (existing) return checked(existing.cert, existing.key, certPath);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const material = await createSelfSignedCertificate({
    commonName: options.commonName,
    hosts: ['localhost', '127.0.0.1', '::1', ...(options.anonymous ? [] : [hostname()]), ...(options.hosts ?? [])].filter((host) => host && host !== '0.0.0.0' && host !== '::'),
  });
  try {
    // The key first, exclusively: a concurrent start that lost the race reads the winner's pair.
    await writeFile(keyPath, material.key, { flag: 'wx', mode: 0o600 });
    await writeFile(certPath, material.cert, { mode: 0o644 });
    return material;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const pair = await readPair(certPath, keyPath);
    if (!pair) throw new CohortError('STORE_CORRUPT', `${keyPath} exists without ${certPath}; remove both to make a new certificate`);
    return checked(pair.cert, pair.key, certPath);
  }
}

async function readPair(certPath: string, keyPath: string): Promise<{ cert: string; key: string } | undefined> {
  const [cert, key] = await Promise.all([readFile(certPath, 'utf8').catch(() => undefined), readFile(keyPath, 'utf8').catch(() => undefined)]);
  return cert !== undefined && key !== undefined ? { cert, key } : undefined;
}

async function readProvided({ certPath, keyPath }: ProvidedCertificate): Promise<TlsMaterial> {
  const read = (path: string, what: string) =>
    readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new CohortError('FILE_NOT_FOUND', `cannot read the TLS ${what} ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`, { path });
    });
  const [cert, key] = await Promise.all([read(certPath, 'certificate'), read(keyPath, 'private key')]);
  return checked(cert, key, certPath);
}

function checked(cert: string, key: string, source: string): TlsMaterial {
  try {
    return checkTlsMaterial(cert, key, source);
  } catch (error) {
    throw new CohortError('BAD_INPUT', (error as Error).message, { path: source });
  }
}
