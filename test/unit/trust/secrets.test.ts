// Database passwords at rest: sealed with a passphrase (scrypt, AES-256-GCM) or by the OS
// keychain through the main process; never stored in clear, refused when tampered with.
import { describe, expect, it } from 'vitest';
import { CohortError } from '../../../src-main/contract/errors';
import { LOCKED_SECRET_BOX, PassphraseSecretBox } from '../../../src-main/api/data/secrets';
import { answerSecret, KeychainSecretBox } from '../../../src-main/shell/secret-box';

describe('a passphrase box', () => {
  it('seals and opens, with a fresh salt and nonce every time', async () => {
    const box = new PassphraseSecretBox('correct horse battery');
    const first = await box.seal('s3cret-password');
    const second = await box.seal('s3cret-password');
    expect(first.scheme).toBe('passphrase');
    expect(first.data).not.toBe(second.data);
    expect(Buffer.from(first.data, 'base64').toString('latin1')).not.toContain('s3cret');
    expect(await box.open(first)).toBe('s3cret-password');
    expect(await new PassphraseSecretBox('correct horse battery').open(second)).toBe('s3cret-password');
  });

  it('refuses a wrong passphrase, a tampered seal and a short passphrase', async () => {
    const sealed = await new PassphraseSecretBox('correct horse battery').seal('pw');
    await expect(new PassphraseSecretBox('wrong horse battery').open(sealed)).rejects.toThrow('the secrets passphrase is wrong');
    const bytes = Buffer.from(sealed.data, 'base64');
    bytes[bytes.length - 1]! ^= 1;
    await expect(new PassphraseSecretBox('correct horse battery').open({ ...sealed, data: bytes.toString('base64') })).rejects.toMatchObject({ code: 'SECRET_LOCKED' });
    expect(() => new PassphraseSecretBox('short')).toThrow(CohortError);
  });

  it('without a passphrase, says how to give one', async () => {
    await expect(LOCKED_SECRET_BOX.seal('pw')).rejects.toThrow(/COHORT_SECRETS_PASSPHRASE/);
  });
});

describe('the keychain box', () => {
  it('asks the main process, which seals with safeStorage', async () => {
    // A stand-in for Electron's safeStorage: what matters here is the round trip between processes.
    const safeStorage = {
      isEncryptionAvailable: () => true,
      encryptString: (text: string) => Buffer.from(`sealed:${text}`),
      decryptString: (data: Buffer) => data.toString().replace(/^sealed:/, ''),
    };
    const box: KeychainSecretBox = new KeychainSecretBox((message) => setImmediate(() => box.receive(answerSecret(safeStorage, message.secret))));
    const sealed = await box.seal('pw');
    expect(sealed).toEqual({ scheme: 'safe-storage', data: Buffer.from('sealed:pw').toString('base64') });
    expect(await box.open(sealed)).toBe('pw');
    await expect(box.open({ scheme: 'passphrase', data: 'x' })).rejects.toMatchObject({ code: 'SECRET_LOCKED' });
    const unavailable = new KeychainSecretBox((message) =>
      setImmediate(() => unavailable.receive(answerSecret({ ...safeStorage, isEncryptionAvailable: () => false }, message.secret))),
    );
    await expect(unavailable.seal('pw')).rejects.toThrow('the OS keychain refused: the OS keychain is not available on this computer');
  });
});
