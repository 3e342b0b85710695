// Logging for the hub and worker processes: structured (pino) to stderr, so stdout stays free
// for what a command prints; human-readable when stderr is a terminal.
import pino from 'pino';
import type { Log } from '../engines/ports';

export interface LogOptions {
  level?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  pretty?: boolean;
}

export function createLog(name: string, options: LogOptions = {}): Log & { child(bindings: Record<string, unknown>): Log } {
  const pretty = options.pretty ?? process.stderr.isTTY;
  const logger = pino(
    { name, level: options.level ?? process.env['COHORT_LOG_LEVEL'] ?? 'info', base: { name } },
    pretty
      ? pino.transport({ target: 'pino-pretty', options: { destination: 2, translateTime: 'HH:MM:ss', ignore: 'pid,hostname' } })
      : pino.destination({ dest: 2, sync: true }),
  );
  return wrap(logger);
}

function wrap(logger: pino.Logger): Log & { child(bindings: Record<string, unknown>): Log } {
  return {
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
    child: (bindings) => wrap(logger.child(bindings)),
  };
}

/** A log that drops everything (tests, and in-process helpers). */
export const silentLog: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
