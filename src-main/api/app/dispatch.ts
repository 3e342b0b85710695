// Turns the app's handlers into the contract's one entry point: (command, input) -> Result.
// Inputs are validated before a handler sees them, outputs before they leave, and every error
// becomes { code, message } (tRPC-style normalisation at the boundary): nothing thrown crosses.
import { z } from 'zod';
import { COMMANDS, type ApiError, type CommandInput, type CommandName, type CommandOutput, type Result } from '../../contract/api';
import { CohortError, ERROR_CODES, type ErrorCode } from '../../contract/errors';
import type { Log } from '../../engines/ports';

export type Handlers = { [K in CommandName]: (input: z.output<(typeof COMMANDS)[K]['input']>) => Promise<CommandOutput<K>> };

export type Dispatch = (name: string, input: unknown) => Promise<Result<unknown>>;

export function describeZodError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}`).join('; ');
}

/** Any error as the contract's ApiError. */
export function toApiError(error: unknown, log?: Log): ApiError {
  if (error instanceof CohortError) {
    const details = JSON.parse(JSON.stringify(error.details ?? {})) as Record<string, unknown>;
    return { code: error.code, message: error.message, ...(Object.keys(details).length > 0 ? { details } : {}) };
  }
  if (error instanceof z.ZodError) return { code: 'VALIDATION', message: describeZodError(error) };
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code)) {
    return { code: code as ErrorCode, message: (error as Error).message };
  }
  log?.error('unexpected error in a command', { error: error instanceof Error ? error.stack : String(error) });
  return { code: 'INTERNAL', message: `unexpected error: ${error instanceof Error ? error.message : String(error)}` };
}

export function createDispatcher(handlers: Handlers, log?: Log): Dispatch {
  return async (name, input) => {
    if (!Object.hasOwn(COMMANDS, name)) return { ok: false, error: { code: 'BAD_INPUT', message: `unknown command "${name}"` } };
    const command = COMMANDS[name as CommandName];
    const parsed = command.input.safeParse(input ?? {});
    if (!parsed.success) return { ok: false, error: { code: 'BAD_INPUT', message: `${name}: ${describeZodError(parsed.error)}` } };
    try {
      const handler = handlers[name as CommandName] as (input: unknown) => Promise<unknown>;
      const value: unknown = await handler(parsed.data);
      const checked = command.output.safeParse(value);
      if (!checked.success) {
        log?.error('a command returned a value outside the contract', { command: name, problem: describeZodError(checked.error) });
        return { ok: false, error: { code: 'INTERNAL', message: `${name} produced an invalid answer: ${describeZodError(checked.error)}` } };
      }
      return { ok: true, value: checked.data };
    } catch (error) {
      return { ok: false, error: toApiError(error, log) };
    }
  };
}

export type { CommandInput };
