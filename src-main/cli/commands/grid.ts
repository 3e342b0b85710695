// `cohort hub`, `cohort worker` and the run controls (`run start | watch | cancel`).
import { Command, Option } from 'commander';
import { AdminClient } from '../../api/admin-client';
import { defaultDataDir } from '../../api/app-paths';
import { startHub } from '../../api/hub/hub-service';
import { createLog } from '../../api/log';
import { hubContactsOf, type HubContact } from '../../api/trust/hub-contact';
import { StoredConsent } from '../../api/worker/consent';
import { ensureIdentity } from '../../api/worker/identity';
import { ThreadTrainingPort } from '../../api/worker/training-port';
import { approveEveryRun, startWorker } from '../../api/worker/worker-service';
import { passphraseBox } from '../../api/data/secrets';
import { CohortError } from '../../contract/errors';
import { decodeInvitation } from '../../contract/invitation';
import { THREAD_MEMORY_LIMITS } from '../../ml/training-client';
import { normaliseProxyUrl, PROXY_EXAMPLE, proxyUrlProblem } from '../../contract/proxy';
import { chooseProxy, ProxyError, showProxy } from '../../protocol/proxy';
import { MetadataStore } from '../../store/metadata-store';
import type { RunResult } from '../../contract/results';
import { integer, positive } from '../flags';
import { collect } from '../options';
import { printJson, style } from '../output';
import { RunProgressView } from '../progress';
import { printResult } from '../results';
import { runRecordCommands } from './records';
import { workerConsentCommands } from './consent';
import { workerSettingsCommand } from './owner-settings';

/** Resolves when the process is asked to stop (Ctrl+C, SIGTERM). */
function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

export function hubCommand(): Command {
  return new Command('hub')
    .description("run the orchestrator's hub and TTP: participants connect here over TLS; runs are started with `cohort run start`")
    .option('--host <host>', 'address to listen on (0.0.0.0 for other machines)', '127.0.0.1')
    .option('--port <port>', 'port (0: any free port)', integer(), 7800)
    .option('--public-url <url>', 'the address participants use, written into invitations (default: wss://HOST:PORT)')
    .option('--tls-cert <file>', "serve this PEM certificate instead of the hub's own self-signed one")
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM)')
    .option('--data-dir <dir>', "the orchestrator's data directory", defaultDataDir())
    .option('--participant-wait <seconds>', 'how long a starting run waits for its participants', positive, 60)
    .option('--json', 'print the listening addresses and fingerprints as one JSON line')
    .action(
      async (flags: { host: string; port: number; publicUrl?: string; tlsCert?: string; tlsKey?: string; dataDir: string; participantWait: number; json?: boolean }) => {
        if (!flags.tlsCert !== !flags.tlsKey) throw new CohortError('BAD_INPUT', 'give both --tls-cert and --tls-key, or neither');
        const log = createLog('hub');
        const hub = await startHub({
          dataDir: flags.dataDir,
          host: flags.host,
          port: flags.port,
          participantWaitMs: flags.participantWait * 1000,
          ...(flags.publicUrl ? { publicUrl: flags.publicUrl } : {}),
          ...(flags.tlsCert && flags.tlsKey ? { certificate: { certPath: flags.tlsCert, keyPath: flags.tlsKey } } : {}),
          log,
        });
        // One line, so a supervising process can read it as soon as the hub is ready.
        if (flags.json) {
          const line = { url: hub.url, publicUrl: hub.publicUrl, certificate: hub.certificate, key: hub.identity.key, adminUrl: hub.adminUrl, pid: process.pid };
          process.stdout.write(`${JSON.stringify(line)}\n`);
        } else {
          console.log(`Cohort hub listening on ${style.ok(hub.url)} (data: ${flags.dataDir})`);
          if (hub.publicUrl !== hub.url) console.log(`  invitations point to   ${hub.publicUrl}`);
          console.log(`  certificate SHA-256    ${style.heading(hub.certificate)}`);
          console.log(`  identity key           ${style.heading(hub.identity.fingerprint)}`);
          console.log(style.dim('Invite participants with `cohort invitation create --collaboration <id>`. Press Ctrl+C to stop.'));
        }
        const signal = await untilStopped();
        log.info('stopping', { signal });
        await hub.close();
      },
    );
}

interface WorkerFlags {
  join?: string[];
  listen?: string;
  trustHub?: string[];
  tlsCert?: string;
  tlsKey?: string;
  dataDir: string;
  id?: string;
  name?: string;
  organisation?: string;
  approveAll?: boolean;
  passphraseFile?: string;
  testPoison?: string;
  trainingMemory?: number;
  /** A URL, or false for --no-proxy. */
  proxy?: string | false;
}

/** A training thread's heap: `megabytes` of old generation, and a young one in proportion (at most the default's). */
function threadMemory(megabytes: number) {
  return { maxOldGenerationSizeMb: megabytes, maxYoungGenerationSizeMb: Math.min(THREAD_MEMORY_LIMITS.maxYoungGenerationSizeMb, Math.ceil(megabytes / 4)) };
}

export function workerCommand(): Command {
  const command = new Command('worker')
    .description("run a participant's worker: trains on this machine's data when the hub asks and the owner approves; rows never leave")
    .option('--join <code>', 'join a collaboration with the invitation code from its orchestrator (repeatable); later starts reconnect by themselves', collect)
    .option('--listen <host:port>', 'instead of dialling out, listen here (TLS) and let the TTP dial in')
    .option('--trust-hub <key>', "with --listen: the identity key of a hub allowed to dial in (repeatable), as `cohort identity` prints it at the hub", collect)
    .option('--tls-cert <file>', 'with --listen: serve this PEM certificate instead of a self-signed one')
    .option('--tls-key <file>', 'the private key of --tls-cert (PEM)')
    .option('--data-dir <dir>', "this participant's data directory", defaultDataDir())
    .option('--id <id>', "this participant's id (remembered in the data directory)")
    .option('--name <name>', 'display name')
    .option('--organisation <name>', 'organisation')
    .option('--passphrase-file <file>', 'the passphrase that seals database passwords (default: $COHORT_SECRETS_PASSPHRASE)')
    .option('--approve-all', 'approve every run without asking (only for machines whose owner runs the whole federation, such as simulations)')
    .option('--training-memory <MB>', `the JavaScript heap each training thread may use; a run that needs more fails (default ${THREAD_MEMORY_LIMITS.maxOldGenerationSizeMb})`, integer('a whole number >= 8', 8))
    // Tests and the robustness benchmark only: this worker sends poisoned updates.
    .addOption(new Option('--test-poison <kind>', 'scale:FACTOR (the update times FACTOR) or noise:STD').hideHelp())
    .option('--proxy <url>', `reach the hubs through this HTTP proxy (CONNECT), e.g. ${PROXY_EXAMPLE} or http://user:password@host:port; remembered for later starts (default: HTTPS_PROXY, NO_PROXY)`)
    .option('--no-proxy', 'forget a remembered proxy: connect directly, or as HTTPS_PROXY and NO_PROXY say')
    // `cohort worker approve X --data-dir D`: options after a subcommand are the subcommand's.
    .enablePositionalOptions()
    .action(async (flags: WorkerFlags) => {
      if (flags.join && flags.listen) throw new CohortError('BAD_INPUT', 'give --join CODE or --listen HOST:PORT, not both');
      if (!flags.tlsCert !== !flags.tlsKey) throw new CohortError('BAD_INPUT', 'give both --tls-cert and --tls-key, or neither');
      if (flags.listen && flags.proxy !== undefined) throw new CohortError('BAD_INPUT', '--proxy is for dialling out to hubs; a worker that listens (--listen) is dialled by them');
      const proxy = proxyFlag(flags.proxy);
      const joins = (flags.join ?? []).map(decodeJoinCode).map((join) => ({ ...join, contact: withProxy(join.contact, proxy) }));
      const party = await ensureIdentity(flags.dataDir, { id: flags.id, name: flags.name, organisation: flags.organisation });
      const log = createLog('worker').child({ party: party.id });
      const store = await MetadataStore.open(flags.dataDir);
      const listen = flags.listen ? parseHostPort(flags.listen) : undefined;
      const known = listen
        ? []
        : hubContactsOf(await store.list('memberships'), log)
            .filter((hub) => !joins.some((join) => join.contact.url === hub.url))
            .map((hub) => withProxy(hub, proxy));
      if (proxy !== undefined && known.length > 0) await rememberProxy(store, proxy);
      if (!listen && joins.length === 0 && known.length === 0) {
        throw new CohortError('BAD_INPUT', `${flags.dataDir} has not joined a collaboration yet: start with --join CODE (the invitation code from the orchestrator), or --listen HOST:PORT`);
      }
      const consent = flags.approveAll
        ? approveEveryRun
        : new StoredConsent(store, {
            changed: (request) => {
              if (request.state === 'pending') {
                console.log(`${style.warn('?')} run ${style.heading(request.summary.run)} (${request.summary.project}) asks to use this data: ${style.dim(`cohort worker approve ${request.id}`)} or ${style.dim(`decline ${request.id}`)}`);
              } else if (request.decidedBy === 'policy') {
                console.log(`${style.ok('✓')} run ${style.heading(request.summary.run)} approved by the auto-approve policy of project ${request.projectId}`);
              }
            },
          });
      const worker = await startWorker({
        dataDir: flags.dataDir,
        secrets: await passphraseBox(flags.passphraseFile),
        party,
        hubs: known,
        consent,
        ...(flags.testPoison ? { tamper: poisonOf(flags.testPoison) } : {}),
        ...(flags.trainingMemory === undefined ? {} : { training: new ThreadTrainingPort({ memory: threadMemory(flags.trainingMemory) }) }),
        ...(listen
          ? { listen: { ...listen, trustedHubKeys: flags.trustHub ?? [], ...(flags.tlsCert && flags.tlsKey ? { certificate: { certPath: flags.tlsCert, keyPath: flags.tlsKey } } : {}) } }
          : {}),
        log,
      });
      const stop = untilStopped();
      try {
        if (worker.url) {
          console.log(`Worker ${style.heading(party.id)} listening for the TTP on ${style.ok(worker.url)}`);
          console.log(`  certificate SHA-256    ${style.heading(worker.certificate!)}`);
          console.log(`  identity key           ${worker.identity.key} (${worker.identity.fingerprint})`);
          console.log(style.dim('The orchestrator registers this participant with that key and certificate.'));
        } else {
          console.log(`Worker ${style.heading(party.id)} (identity ${worker.identity.fingerprint})`);
          for (const hub of known) console.log(`  serving ${style.ok(hub.url)}${routeText(hub)}`);
          for (const join of joins) {
            const welcome = await worker.addHub(join.contact, join.token);
            const names = welcome.collaborations.map(({ collaboration }) => collaboration.name).join(', ');
            console.log(`  ${style.ok('✓')} joined ${style.heading(names || join.name)} at ${style.ok(join.contact.url)}${routeText(join.contact)}`);
          }
        }
        if (flags.approveAll) console.log(style.warn('Every run is approved without asking (--approve-all).'));
        else console.log(style.dim('Runs wait for approval: `cohort worker requests`, `cohort worker approve <id>`. Press Ctrl+C to stop.'));
      } catch (error) {
        await worker.close();
        if (error instanceof CohortError) throw error;
        if (error instanceof ProxyError) throw new CohortError('PROXY_REFUSED', `could not join: ${error.message}`);
        throw new CohortError('INVITATION_INVALID', `could not join: ${(error as Error).message}`);
      }
      const signal = await stop;
      log.info('stopping', { signal });
      await worker.close();
    });
  workerConsentCommands(command);
  workerSettingsCommand(command);
  return command;
}

/** --proxy URL: this proxy (checked); --no-proxy: none remembered; neither: as remembered. */
function proxyFlag(flag: string | false | undefined): string | false | undefined {
  if (typeof flag !== 'string') return flag;
  const problem = proxyUrlProblem(flag);
  if (problem) throw new CohortError('BAD_INPUT', `--proxy: ${problem}`);
  return normaliseProxyUrl(flag);
}

/** --proxy / --no-proxy for the hubs already joined: stored now, whether or not they answer. */
async function rememberProxy(store: MetadataStore, proxy: string | false): Promise<void> {
  await store.mutate((db) => {
    const stamp = new Date().toISOString();
    for (const membership of db.memberships) {
      if (proxy === false) delete membership.proxy;
      else membership.proxy = proxy;
      membership.updatedAt = stamp;
    }
  });
}

function withProxy(contact: HubContact, proxy: string | false | undefined): HubContact {
  if (proxy === undefined) return contact;
  const { proxy: _remembered, ...direct } = contact;
  return proxy === false ? direct : { ...direct, proxy };
}

function routeText(contact: HubContact): string {
  try {
    const choice = chooseProxy(contact.url, contact.proxy);
    return choice ? style.dim(` through the proxy ${showProxy(choice)}`) : '';
  } catch (error) {
    return style.warn(` (${(error as Error).message})`);
  }
}

function decodeJoinCode(code: string): { contact: HubContact; token: string; name: string } {
  const decoded = decodeInvitation(code);
  if (!decoded.ok) throw new CohortError('INVITATION_INVALID', decoded.reason);
  const { payload } = decoded;
  if (Date.parse(payload.expiresAt) <= Date.now()) throw new CohortError('INVITATION_INVALID', `this invitation expired at ${payload.expiresAt}`);
  return { contact: { url: payload.hub, certificate: payload.certificate, key: payload.hubKey }, token: payload.token, name: payload.name };
}

function parseHostPort(value: string): { host: string; port: number } {
  const at = value.lastIndexOf(':');
  const port = Number(value.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port < 0 || port > 65_535) throw new CohortError('BAD_INPUT', `expected HOST:PORT, got "${value}"`);
  return { host: value.slice(0, at).replace(/^\[|\]$/g, ''), port };
}

export function runCommand(): Command {
  const command = new Command('run').description('runs: define them, then start, watch, stop, resume and cancel them on a running hub');
  runRecordCommands(command);

  command
    .command('start')
    .description('start a run on the hub running with this data directory')
    .argument('<run>')
    .option('--data-dir <dir>', "the orchestrator's data directory", defaultDataDir())
    .option('--watch', 'show progress until the run ends')
    .option('--json', 'with --watch: print the result as JSON')
    .action((run: string, flags: { dataDir: string; watch?: boolean; json?: boolean }) =>
      withAdmin(flags.dataDir, async (admin) => {
        if (flags.watch) {
          finish(await watch(admin, run, () => admin.start(run)), flags.json);
        } else {
          await admin.start(run);
          console.log(`${style.ok('✓')} run ${style.heading(run)} started; follow it with: cohort run watch ${run}`);
        }
      }),
    );

  command
    .command('watch')
    .description("follow a run's progress until it ends")
    .argument('<run>')
    .option('--data-dir <dir>', "the orchestrator's data directory", defaultDataDir())
    .option('--json', 'print the result as JSON')
    .action((run: string, flags: { dataDir: string; json?: boolean }) =>
      withAdmin(flags.dataDir, async (admin) => finish(await watch(admin, run), flags.json)),
    );

  command
    .command('resume')
    .description('continue an interrupted run (stopped, or its hub stopped) from its last completed round')
    .argument('<run>')
    .option('--data-dir <dir>', "the orchestrator's data directory", defaultDataDir())
    .option('--watch', 'show progress until the run ends')
    .option('--json', 'with --watch: print the result as JSON')
    .action((run: string, flags: { dataDir: string; watch?: boolean; json?: boolean }) =>
      withAdmin(flags.dataDir, async (admin) => {
        if (flags.watch) {
          finish(await watch(admin, run, () => admin.resume(run)), flags.json);
        } else {
          await admin.resume(run);
          console.log(`${style.ok('✓')} run ${style.heading(run)} resumed; follow it with: cohort run watch ${run}`);
        }
      }),
    );

  command
    .command('stop')
    .description('stop a running run after its current step, keeping its checkpoints: resume it later with `cohort run resume`')
    .argument('<run>')
    .option('--data-dir <dir>', "the orchestrator's data directory", defaultDataDir())
    .option('--json', 'print the result as JSON')
    .action((run: string, flags: { dataDir: string; json?: boolean }) =>
      withAdmin(flags.dataDir, async (admin) => {
        const result = await admin.stop(run);
        if (flags.json) printJson(result);
        else console.log(`${style.ok('✓')} run ${style.heading(run)} ${result.status} after round ${result.rounds.length}; resume it with: cohort run resume ${run}`);
      }),
    );

  command
    .command('cancel')
    .description('cancel a running run; its workers are told to stop and free it')
    .argument('<run>')
    .option('--data-dir <dir>', "the orchestrator's data directory", defaultDataDir())
    .option('--json', 'print the result as JSON')
    .action((run: string, flags: { dataDir: string; json?: boolean }) =>
      withAdmin(flags.dataDir, async (admin) => {
        const result = await admin.cancel(run);
        if (flags.json) printJson(result);
        else console.log(`${style.ok('✓')} run ${style.heading(run)} ${result.status} after round ${result.rounds.length}`);
      }),
    );
  return command;
}

/** Connects to the hub running with this data directory for the duration of `work`. */
async function withAdmin(dataDir: string, work: (admin: AdminClient) => Promise<void>): Promise<void> {
  const admin = await AdminClient.connect(dataDir);
  try {
    await work(admin);
  } finally {
    admin.close();
  }
}

async function watch(admin: AdminClient, run: string, start?: () => Promise<void>): Promise<RunResult> {
  const view = new RunProgressView();
  await admin.subscribe((event) => view.handle(event), run);
  try {
    if (start) await start();
    return await admin.wait(run);
  } finally {
    view.stop();
  }
}

function finish(result: RunResult, json: boolean | undefined): void {
  if (json) printJson(result);
  else printResult(result);
  if (result.status !== 'completed') {
    throw new CohortError('RUN_FAILED', `run ${result.run} ${result.status}${result.error ? `: ${result.error}` : ''}`);
  }
}

/** A test-only tampering of this worker's updates: `scale:-10` or `noise:1`. */
function poisonOf(spec: string): (global: Float32Array, local: Float32Array) => Float32Array {
  const match = /^(scale|noise):(-?\d+(?:\.\d+)?)$/.exec(spec);
  if (!match) throw new CohortError('BAD_INPUT', `--test-poison: expected scale:FACTOR or noise:STD, not "${spec}"`);
  const value = Number(match[2]);
  if (match[1] === 'scale') return (global, local) => Float32Array.from(local, (weight, index) => global[index]! + value * (weight - global[index]!));
  let state = 12345;
  const gaussian = () => {
    state = (state * 48271) % 2147483647;
    const u = state / 2147483647;
    state = (state * 48271) % 2147483647;
    const v = state / 2147483647;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  return (_global, local) => Float32Array.from(local, (weight) => weight + value * gaussian());
}
