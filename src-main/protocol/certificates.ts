// TLS certificates for the party endpoints. A hub (or a listening participant) makes its own
// self-signed certificate with @peculiar/x509 over WebCrypto (no openssl binary needed); peers
// do not trust it through a CA but pin its SHA-256 fingerprint, which travels in invitations.
import { webcrypto, X509Certificate, createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import type * as X509Module from '@peculiar/x509';

export interface TlsMaterial {
  /** PEM certificate (chain) and private key, as Node's TLS takes them. */
  cert: string;
  key: string;
  /** SHA-256 of the leaf certificate, AB:CD:… as Node and browsers print it. */
  fingerprint: string;
  notAfter: string;
}

type CreateParameters = Parameters<(typeof X509Module)['X509CertificateGenerator']['createSelfSigned']>[0];

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A new self-signed certificate for these host names and addresses, valid for `years`. */
export async function createSelfSignedCertificate(options: { commonName: string; hosts: readonly string[]; years?: number; now?: Date }): Promise<TlsMaterial> {
  const x509 = await import('@peculiar/x509');
  const crypto = webcrypto;
  const keys = (await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = options.now ?? new Date();
  const notBefore = new Date(now.getTime() - 60_000); // tolerate a little clock skew
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + (options.years ?? 10));
  const names = [...new Set(options.hosts)].map((host) => (isIP(host) ? { type: 'ip' as const, value: host } : { type: 'dns' as const, value: host }));
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
      name: `CN=${options.commonName.replace(/[,=+<>#;\\"]/g, ' ')}`,
      notBefore,
      notAfter,
      signingAlgorithm: ALGORITHM,
      keys: keys as unknown as CreateParameters['keys'],
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
      ],
    },
    crypto as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1],
  );
  const pkcs8 = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END PRIVATE KEY-----\n`;
  const cert = certificate.toString('pem');
  return { cert, key, ...describeCertificate(cert) };
}

/** Reads a PEM certificate (and checks that the key belongs to it). */
export function checkTlsMaterial(cert: string, key: string, source: string): TlsMaterial {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch (error) {
    throw new Error(`${source}: the certificate is not a PEM X.509 certificate (${(error as Error).message})`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new Error(`${source}: the private key cannot be read (${(error as Error).message})`);
  }
  if (!leaf.checkPrivateKey(privateKey)) throw new Error(`${source}: the private key does not belong to the certificate`);
  return { cert, key, ...describeCertificate(cert) };
}

export function describeCertificate(cert: string): { fingerprint: string; notAfter: string } {
  const leaf = new X509Certificate(cert);
  return { fingerprint: leaf.fingerprint256, notAfter: new Date(leaf.validTo).toISOString() };
}

/** Fingerprints compare case-insensitively and with or without the colons. */
export function sameFingerprint(a: string, b: string): boolean {
  const normal = (text: string) => text.replace(/:/g, '').trim().toUpperCase();
  return normal(a) === normal(b);
}
