// Database passwords sealed by the OS keychain (Electron's safeStorage: Keychain on macOS, DPAPI
// on Windows, libsecret or kwallet on Linux). safeStorage lives in the main process; the engines
// run in a utility process, so they ask the main process over their port, one request at a time.
import type { SealedSecret } from '../contract/records';
import { CohortError } from '../contract/errors';
import type { SecretBox } from '../api/data/secrets';

export interface SecretRequest {
  secret: { id: number; op: 'seal' | 'open'; text: string };
}
export interface SecretReply {
  secretReply: { id: number; ok: boolean; value: string };
}

/** Main process: answers the engines' requests with safeStorage. */
export function answerSecret(
  safeStorage: { isEncryptionAvailable(): boolean; encryptString(text: string): Buffer; decryptString(data: Buffer): string },
  request: SecretRequest['secret'],
): SecretReply {
  try {
    if (!safeStorage.isEncryptionAvailable()) throw new Error('the OS keychain is not available on this computer');
    const value = request.op === 'seal' ? safeStorage.encryptString(request.text).toString('base64') : safeStorage.decryptString(Buffer.from(request.text, 'base64'));
    return { secretReply: { id: request.id, ok: true, value } };
  } catch (error) {
    return { secretReply: { id: request.id, ok: false, value: (error as Error).message } };
  }
}

/** Utility process: a SecretBox that asks the main process. */
export class KeychainSecretBox implements SecretBox {
  readonly scheme = 'safe-storage' as const;
  private next = 1;
  private readonly pending = new Map<number, (reply: SecretReply['secretReply']) => void>();

  constructor(private readonly post: (message: SecretRequest) => void) {}

  /** Feed it every message from the main process; it takes the replies meant for it. */
  receive(message: unknown): void {
    const reply = (message as Partial<SecretReply> | null)?.secretReply;
    if (!reply) return;
    this.pending.get(reply.id)?.(reply);
    this.pending.delete(reply.id);
  }

  async seal(text: string): Promise<SealedSecret> {
    return { scheme: this.scheme, data: await this.ask('seal', text) };
  }

  async open(sealed: SealedSecret): Promise<string> {
    if (sealed.scheme !== this.scheme) {
      throw new CohortError('SECRET_LOCKED', 'this password was sealed with a passphrase on the command line: enter it again in the app');
    }
    return this.ask('open', sealed.data);
  }

  private ask(op: 'seal' | 'open', text: string): Promise<string> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (reply) => (reply.ok ? resolve(reply.value) : reject(new CohortError('SECRET_LOCKED', `the OS keychain refused: ${reply.value}`))));
      this.post({ secret: { id, op, text } });
    });
  }
}
