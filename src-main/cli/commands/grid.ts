// `cohort hub`, `cohort worker` and the run controls (`run start | watch | cancel`).
import { Command } from 'commander';
import { AdminClient } from '../../api/admin-client';
import { defaultDataDir } from '../../api/app-paths';
import { startHub } from '../../api/hub/hub-service';
import { createLog } from '../../api/log';
import { ensureIdentity } from '../../api/worker/identity';
import { startWorker } from '../../api/worker/worker-service';
import { CohortError } from '../../contract/errors';
import type { RunResult } from '../../contract/results';
import { integer, positive } from '../flags';
import { collect } from '../options';
import { printJson, style } from '../output';
import { RunProgressView } from '../progress';
import { printResult } from '../results';
import { runRecordCommands } from './records';

/** Resolves when the process is asked to stop (Ctrl+C, SIGTERM). */
function untilStopped(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

export function hubCommand(): Command {
  return new Command('hub')
    .description("run the orchestrator's hub and TTP: participants connect here; runs are started with `cohort run start`")
    .option('--host <host>', 'address to listen on (0.0.0.0 for other machines)', '127.0.0.1')
    .option('--port <port>', 'port (0: any free port)', integer(), 7800)
    .option('--data-dir <dir>', "the orchestrator's data directory", defaultDataDir())
    .option('--participant-wait <seconds>', 'how long a starting run waits for its participants', positive, 60)
    .option('--json', 'print the listening addresses as one JSON line')
    .action(async (flags: { host: string; port: number; dataDir: string; participantWait: number; json?: boolean }) => {
      const log = createLog('hub');
      const hub = await startHub({
        dataDir: flags.dataDir,
        host: flags.host,
        port: flags.port,
        participantWaitMs: flags.participantWait * 1000,
        log,
      });
      // One line, so a supervising process can read it as soon as the hub is ready.
      if (flags.json) process.stdout.write(`${JSON.stringify({ url: hub.url, adminUrl: hub.adminUrl, pid: process.pid })}\n`);
      else console.log(`Cohort hub listening on ${style.ok(hub.url)} (data: ${flags.dataDir}). Press Ctrl+C to stop.`);
      const signal = await untilStopped();
      log.info('stopping', { signal });
      await hub.close();
    });
}

export function workerCommand(): Command {
  return new Command('worker')
    .description("run a participant's worker: trains on this machine's data when the hub asks; rows never leave")
    .option('--hub <url>', "dial out to the orchestrator's hub (e.g. ws://hub.example.org:7800); repeat to serve several hubs", collect)
    .option('--listen <host:port>', 'instead, listen here and let the TTP dial in')
    .option('--data-dir <dir>', "this participant's data directory", defaultDataDir())
    .option('--id <id>', 'this participant\'s id (remembered in the data directory)')
    .option('--name <name>', 'display name')
    .action(async (flags: { hub?: string[]; listen?: string; dataDir: string; id?: string; name?: string }) => {
      if (!flags.hub === !flags.listen) throw new CohortError('BAD_INPUT', 'give --hub URL (one or more) or --listen HOST:PORT, not both');
      const party = await ensureIdentity(flags.dataDir, { id: flags.id, name: flags.name });
      const log = createLog('worker').child({ party: party.id });
      const listen = flags.listen ? parseHostPort(flags.listen) : undefined;
      const worker = await startWorker({
        dataDir: flags.dataDir,
        party,
        ...(flags.hub ? { hubs: flags.hub } : {}),
        ...(listen ? { listen } : {}),
        log,
      });
      console.log(
        worker.url
          ? `Worker ${style.heading(party.id)} listening for the TTP on ${style.ok(worker.url)}. Press Ctrl+C to stop.`
          : `Worker ${style.heading(party.id)} connecting to ${flags.hub!.map((url) => style.ok(url)).join(', ')}. Press Ctrl+C to stop.`,
      );
      const signal = await untilStopped();
      log.info('stopping', { signal });
      await worker.close();
    });
}

function parseHostPort(value: string): { host: string; port: number } {
  const at = value.lastIndexOf(':');
  const port = Number(value.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port < 0 || port > 65_535) throw new CohortError('BAD_INPUT', `expected HOST:PORT, got "${value}"`);
  return { host: value.slice(0, at).replace(/^\[|\]$/g, ''), port };
}

export function runCommand(): Command {
  const command = new Command('run').description('runs: define them, then start, watch and cancel them on a running hub');
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
