// Database passwords at rest: sealed by the OS keychain where the app runs in Electron
// (shell/secret-box.ts, safeStorage), otherwise with a passphrase the participant keeps
// (scrypt, then AES-256-GCM). A password is never written to the store in clear.
import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { SealedSecret } from '../../contract/records';
import { CohortError } from '../../contract/errors';

export interface SecretBox {
  readonly scheme: SealedSecret['scheme'];
  seal(text: string): Promise<SealedSecret>;
  open(sealed: SealedSecret): Promise<string>;
}

const SALT = 16;
const NONCE = 12;
const TAG = 16;
// scrypt's cost: about 50 ms and 32 MB per sealing, so a stolen store resists guessing.
const SCRYPT: ScryptOptions = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function scrypt(passphrase: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(passphrase, salt, 32, SCRYPT, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export class PassphraseSecretBox implements SecretBox {
  readonly scheme = 'passphrase' as const;

  constructor(private readonly passphrase: string) {
    if (passphrase.length < 8) throw new CohortError('BAD_INPUT', 'the secrets passphrase must be at least 8 characters');
  }

  async seal(text: string): Promise<SealedSecret> {
    const salt = randomBytes(SALT);
    const nonce = randomBytes(NONCE);
    const cipher = createCipheriv('aes-256-gcm', await scrypt(this.passphrase, salt), nonce);
    const sealed = Buffer.concat([salt, nonce, cipher.update(text, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return { scheme: this.scheme, data: sealed.toString('base64') };
  }

  async open(sealed: SealedSecret): Promise<string> {
    if (sealed.scheme !== this.scheme) throw wrongScheme(sealed.scheme);
    const bytes = Buffer.from(sealed.data, 'base64');
    if (bytes.length < SALT + NONCE + TAG) throw new CohortError('SECRET_LOCKED', 'a stored password is damaged; enter it again');
    const salt = bytes.subarray(0, SALT);
    const nonce = bytes.subarray(SALT, SALT + NONCE);
    const body = bytes.subarray(SALT + NONCE, bytes.length - TAG);
    const decipher = createDecipheriv('aes-256-gcm', await scrypt(this.passphrase, salt), nonce);
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG));
    try {
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      throw new CohortError('SECRET_LOCKED', 'the secrets passphrase is wrong: this password was sealed with another one');
    }
  }
}

function wrongScheme(scheme: SealedSecret['scheme']): CohortError {
  return new CohortError(
    'SECRET_LOCKED',
    scheme === 'safe-storage'
      ? 'this password was sealed by the desktop app\'s keychain; open it in the app, or enter the password again here'
      : 'this password was sealed with a passphrase: set COHORT_SECRETS_PASSPHRASE (or --passphrase-file) to use it',
  );
}

/** A box that cannot open anything, saying how to provide one. */
export const LOCKED_SECRET_BOX: SecretBox = {
  scheme: 'passphrase',
  seal: () => Promise.reject(lockedError()),
  open: (sealed) => Promise.reject(sealed.scheme === 'safe-storage' ? wrongScheme(sealed.scheme) : lockedError()),
};

function lockedError(): CohortError {
  return new CohortError(
    'SECRET_LOCKED',
    'database passwords are sealed with a passphrase: set COHORT_SECRETS_PASSPHRASE or pass --passphrase-file FILE (the desktop app uses the OS keychain instead)',
  );
}

/** The passphrase box from --passphrase-file or COHORT_SECRETS_PASSPHRASE, else the locked box. */
export async function passphraseBox(passphraseFile?: string): Promise<SecretBox> {
  if (passphraseFile !== undefined) {
    const text = (await readFile(passphraseFile, 'utf8')).replace(/\r?\n$/, '');
    return new PassphraseSecretBox(text);
  }
  const fromEnvironment = process.env['COHORT_SECRETS_PASSPHRASE'];
  return fromEnvironment ? new PassphraseSecretBox(fromEnvironment) : LOCKED_SECRET_BOX;
}
