// The UI's typed view of the API: call a command, get its checked output or an ApiCallError
// carrying the contract's code and a message for the person using the app.
import type { AppEvent, CommandInput, CommandName, CommandOutput } from '../../../src-main/contract/api';
import { COMMANDS } from '../../../src-main/contract/api';
import type { ErrorCode } from '../../../src-main/contract/errors';
import type { Transport } from './transport';

export class ApiCallError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

export class ApiClient {
  constructor(readonly transport: Transport) {}

  async call<K extends CommandName>(command: K, input: CommandInput<K>): Promise<CommandOutput<K>> {
    const result = await this.transport.invoke(command, input);
    if (!result.ok) throw new ApiCallError(result.error.code, result.error.message, result.error.details);
    const parsed = COMMANDS[command].output.safeParse(result.value);
    if (!parsed.success) throw new ApiCallError('INTERNAL', `the app sent an unexpected answer to ${command}`);
    return parsed.data as CommandOutput<K>;
  }

  on(listener: (event: AppEvent) => void): () => void {
    return this.transport.subscribe(listener);
  }
}
