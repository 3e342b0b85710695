// The engines behind the UI, one per app: the orchestrator's hub (TTP and party endpoint) or
// the participant's worker, the party's store, and the contract's dispatcher and events. The
// same host runs in Electron (in a utility process) and in browser mode (in the CLI process).
import { EventEmitter } from 'node:events';
import type { AppEvent, CommandName } from '../../contract/api';
import { COMMAND_NAMES } from '../../contract/api';
import { CohortError } from '../../contract/errors';
import type { Log } from '../../engines/ports';
import { MetadataStore } from '../../store/metadata-store';
import { SecurityLog } from '../../store/security-log';
import { startHub, type Hub } from '../hub/hub-service';
import { silentLog } from '../log';
import { identityView } from '../trust/hub-contact';
import { ensureSigningIdentity } from '../trust/identity-key';
import { exportSecurityLog } from '../trust/security-export';
import { version } from '../version';
import { createDispatcher, type Dispatch, type Handlers } from './dispatch';
import { orchestratorHandlers } from './orchestrator';
import { participantSide, type ParticipantSide } from './participant';
import { passphraseBox, type SecretBox } from '../data/secrets';

export type Role = 'orchestrator' | 'participant';

export interface AppHostOptions {
  dataDir: string;
  role: Role;
  transport: 'electron' | 'browser';
  /** Orchestrator: where the hub listens for participants. */
  hub?: { host?: string; port?: number; publicUrl?: string; participantWaitMs?: number; approvalWaitMs?: number };
  log?: Log;
  /** Seals database passwords: the OS keychain in Electron; by default a passphrase (COHORT_SECRETS_PASSPHRASE). */
  secrets?: SecretBox;
}

export interface AppHost {
  dispatch: Dispatch;
  onEvent(listener: (event: AppEvent) => void): () => void;
  /** Orchestrator: the hub, for its address. */
  readonly hub?: Hub;
  close(): Promise<void>;
}

export async function startAppHost(options: AppHostOptions): Promise<AppHost> {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const emit = (event: AppEvent) => events.emit('event', event);
  // Warnings and errors also go to the UI, as log events.
  const base = options.log ?? silentLog;
  const log: Log = {
    info: (message, fields) => base.info(message, fields),
    warn: (message, fields) => {
      base.warn(message, fields);
      emit({ type: 'log', level: 'warn', message: describe(message, fields) });
    },
    error: (message, fields) => {
      base.error(message, fields);
      emit({ type: 'log', level: 'error', message: describe(message, fields) });
    },
  };
  const changed = (what: Extract<AppEvent, { type: 'changed' }>['what']) => emit({ type: 'changed', what });
  const store = await MetadataStore.open(options.dataDir);
  const identity = identityView(await ensureSigningIdentity(options.dataDir));
  const security = await SecurityLog.open(options.dataDir);
  // The security screen refreshes at most once a second, however busy the connections are.
  let securityChangePending = false;
  security.onRecord(() => {
    if (securityChangePending) return;
    securityChangePending = true;
    setTimeout(() => {
      securityChangePending = false;
      changed('security');
    }, 1_000).unref();
  });

  let hub: Hub | undefined;
  let participant: ParticipantSide | undefined;
  let roleHandlers: Partial<Handlers>;
  if (options.role === 'orchestrator') {
    hub = await startHub({ dataDir: options.dataDir, log, security, ...(options.hub ?? {}) });
    hub.engine.onEvent((event) => {
      emit({ type: 'run', event });
      if (event.kind === 'status' || event.kind === 'finished') changed('runs');
    });
    hub.engine.onConnection(() => changed('participants'));
    hub.onTagsDeclared(() => changed('participants'));
    roleHandlers = orchestratorHandlers(hub, options.dataDir, changed);
  } else {
    participant = await participantSide(store, options.dataDir, changed, log, security, { secrets: options.secrets ?? (await passphraseBox()), emit });
    roleHandlers = participant.handlers;
  }

  const other = options.role === 'orchestrator' ? 'a participant' : 'the orchestrator';
  const handlers = Object.fromEntries(
    COMMAND_NAMES.map((name) => [
      name,
      roleHandlers[name] ??
        (async () => {
          throw new CohortError('BAD_INPUT', `"${name}" is for ${other}'s app; this app runs as ${options.role}`);
        }),
    ]),
  ) as Handlers;
  handlers['app.info'] = async () => {
    const party = participant?.identity();
    return {
      version: version(),
      role: options.role,
      dataDir: options.dataDir,
      transport: options.transport,
      backend: hub ? hub.backend() : null,
      identity,
      hub: hub ? { url: hub.url, publicUrl: hub.publicUrl, certificate: hub.certificate } : null,
      party: party ? { id: party.id, name: party.name, organisation: party.organisation } : null,
    };
  };
  handlers['security.list'] = async (query) => security.query(query);
  handlers['security.export'] = async ({ path, format }) => exportSecurityLog(security, path, format);

  return {
    dispatch: createDispatcher(handlers, log),
    onEvent(listener) {
      events.on('event', listener);
      return () => events.off('event', listener);
    },
    ...(hub ? { hub } : {}),
    async close() {
      await participant?.close();
      await hub?.close();
      await security.close();
    },
  };
}

/** A log line for people: the message and its fields, without stack traces. */
function describe(message: string, fields: Record<string, unknown> = {}): string {
  const details = Object.entries(fields)
    .filter(([key, value]) => key !== 'error' || typeof value !== 'string' || !value.includes('\n    at '))
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return details.length > 0 ? `${message} (${details.join(', ')})` : message;
}

export type { CommandName };
