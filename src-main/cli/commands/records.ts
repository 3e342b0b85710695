// Defining the hierarchy from the command line: collaborations, projects, experiments, runs,
// participants and their registrations, and a participant's data tags. Each command works on
// a party's data directory (its metadata store).
import { Command, Option } from 'commander';
import { AdminClient } from '../../api/admin-client';
import { slugId } from '../../api/app/ids';
import { revokeParticipant } from '../../api/hub/invitations';
import { keyFingerprint } from '../../protocol/crypto';
import { CohortError } from '../../contract/errors';
import { Connection, Task } from '../../contract/records';
import type { Collection, RecordOf } from '../../core/model/integrity';
import { createProject } from '../../api/records/projects';
import { addParticipant, registerParticipant } from '../../api/records/participants';
import { createRun } from '../../api/records/runs';
import { addHyperparameterOptions, addModelOptions, hyperparametersFrom, modelSpecFrom, type HyperparameterFlags, type ModelFlags } from '../flags';
import { printJson, style, table } from '../output';
import { open, printRecord, withStore, type StoreFlags } from '../store-flags';

/** `list`, `show` and `delete` for one collection. */
function addCrud<C extends Collection>(
  parent: Command,
  collection: C,
  what: string,
  columns: Array<[string, (record: RecordOf<C>) => string | number]>,
  filter?: { flag: string; field: keyof RecordOf<C> & string; description: string },
): void {
  const list = withStore(parent.command('list').description(`list ${what}s`));
  if (filter) list.option(`--${filter.flag} <id>`, filter.description);
  list.action(async (flags: StoreFlags & Record<string, string | undefined>) => {
    const store = await open(flags);
    const key = filter ? flags[filter.flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] : undefined;
    const where = filter && key !== undefined ? ({ [filter.field]: key } as Partial<RecordOf<C>>) : {};
    const records = await store.list(collection, where);
    if (flags.json) printJson(records);
    else if (records.length === 0) console.log(style.dim(`no ${what}s yet`));
    else console.log(table(['id', ...columns.map(([name]) => name)], records.map((record) => [record.id, ...columns.map(([, get]) => get(record))])));
  });

  withStore(parent.command('show').description(`show one ${what}`).argument('<id>')).action(async (id: string, flags: StoreFlags) => {
    const record = await (await open(flags)).get(collection, id);
    printJson(record);
  });

  withStore(parent.command('delete').description(`delete a ${what}`).argument('<id>'))
    .option('--cascade', 'also delete everything that depends on it')
    .action(async (id: string, flags: StoreFlags & { cascade?: boolean }) => {
      const removed = await (await open(flags)).remove(collection, id, { cascade: flags.cascade ?? false });
      if (flags.json) printJson({ removed });
      else console.log(`${style.ok('✓')} deleted ${removed.map((record) => `${record.collection}/${record.id}`).join(', ')}`);
    });
}

export function collaborationCommand(): Command {
  const command = new Command('collab').description('collaborations: the top of the hierarchy');
  withStore(command.command('create').description('create a collaboration'))
    .requiredOption('--name <name>', 'display name')
    .option('--id <id>', 'id (default: from the name)')
    .option('--description <text>', 'what it is for', '')
    .action(async (flags: StoreFlags & { name: string; id?: string; description: string }) => {
      const record = await (await open(flags)).create('collaborations', {
        id: flags.id ?? slugId(flags.name),
        name: flags.name,
        description: flags.description,
      });
      printRecord(flags, record, 'created collaboration');
    });
  addCrud(command, 'collaborations', 'collaboration', [['name', (record) => record.name]]);
  return command;
}

export function projectCommand(): Command {
  const command = new Command('project').description('projects: a prediction target within a collaboration');
  withStore(command.command('create').description('create a project'))
    .requiredOption('--collab <id>', 'its collaboration')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--target <column>', 'the column to predict')
    .addOption(new Option('--task <task>', 'classify or regress').choices(Task.options).default('classify'))
    .option('--positive <label>', 'binary classification: the positive class')
    .option('--id <id>', 'id (default: from the name)')
    .option('--description <text>', 'what it is for', '')
    .addOption(new Option('--columns <policy>', 'columns only some parties hold').choices(['union', 'intersection']).default('union'))
    .option('--missing-indicators', 'add 0/1 features marking missing numeric values')
    .action(
      async (
        flags: StoreFlags & {
          collab: string;
          name: string;
          target: string;
          task: Task;
          positive?: string;
          id?: string;
          description: string;
          columns: 'union' | 'intersection';
          missingIndicators?: boolean;
        },
      ) => {
        const record = await createProject(await open(flags), {
          id: flags.id ?? slugId(flags.name),
          collaborationId: flags.collab,
          name: flags.name,
          targetColumn: flags.target,
          task: flags.task,
          ...(flags.positive === undefined ? {} : { positiveClass: flags.positive }),
          description: flags.description,
          alignment: { columns: flags.columns, missingIndicators: flags.missingIndicators ?? false },
        });
        printRecord(flags, record, 'created project');
      },
    );
  addCrud(
    command,
    'projects',
    'project',
    [
      ['name', (record) => record.name],
      ['collaboration', (record) => record.collaborationId],
      ['target', (record) => record.targetColumn],
      ['task', (record) => record.task],
    ],
    { flag: 'collab', field: 'collaborationId', description: 'only this collaboration' },
  );
  return command;
}

export function experimentCommand(): Command {
  const command = new Command('experiment').description('experiments: a model for a project');
  addModelOptions(
    withStore(command.command('create').description('create an experiment'))
      .requiredOption('--project <id>', 'its project')
      .requiredOption('--name <name>', 'display name')
      .option('--id <id>', 'id (default: from the name)'),
  ).action(async (flags: StoreFlags & ModelFlags & { project: string; name: string; id?: string }) => {
    const record = await (await open(flags)).create('experiments', {
      id: flags.id ?? slugId(flags.name),
      projectId: flags.project,
      name: flags.name,
      model: await modelSpecFrom(flags),
    });
    printRecord(flags, record, 'created experiment');
  });
  addCrud(
    command,
    'experiments',
    'experiment',
    [
      ['name', (record) => record.name],
      ['project', (record) => record.projectId],
      ['model', (record) => record.model.kind],
    ],
    { flag: 'project', field: 'projectId', description: 'only this project' },
  );
  return command;
}

export function runRecordCommands(command: Command): void {
  addHyperparameterOptions(
    withStore(command.command('create').description('define a run: an experiment with hyperparameters'))
      .requiredOption('--experiment <id>', 'its experiment')
      .requiredOption('--name <name>', 'display name')
      .option('--id <id>', 'id (default: from the name)')
      .option('--from-run <run>', "start from the final global weights of this completed run (same project and model) instead of fresh ones"),
  ).action(async (flags: StoreFlags & HyperparameterFlags & { experiment: string; name: string; id?: string; fromRun?: string }) => {
    const store = await open(flags);
    // The experiment's model chooses its own defaults (an mlp: Adam, rounds until the validation loss stops improving).
    const experiment = await store.find('experiments', flags.experiment);
    const record = await createRun(store, {
      id: flags.id ?? slugId(flags.name),
      experimentId: flags.experiment,
      name: flags.name,
      hyperparameters: hyperparametersFrom(flags, experiment?.model),
      initialRunId: flags.fromRun,
    });
    printRecord(flags, record, 'created run');
  });
  addCrud(
    command,
    'runs',
    'run',
    [
      ['name', (record) => record.name],
      ['experiment', (record) => record.experimentId],
      ['algorithm', (record) => record.hyperparameters.algorithm],
      ['status', (record) => record.status],
      ['round', (record) => `${record.round}/${record.hyperparameters.rounds}`],
    ],
    { flag: 'experiment', field: 'experimentId', description: 'only this experiment' },
  );
}

function parseListen(value: string): { host: string; port: number } {
  const at = value.lastIndexOf(':');
  const port = Number(value.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port) || port < 1 || port > 65_535) throw new CohortError('BAD_INPUT', `--listen: expected HOST:PORT, got "${value}"`);
  return { host: value.slice(0, at).replace(/^\[|\]$/g, ''), port };
}

export function participantCommand(): Command {
  const command = new Command('participant').description('participants (hospitals) and their registrations to projects');
  withStore(command.command('add').description('add a participant'))
    .requiredOption('--name <name>', 'display name')
    .option('--id <id>', 'id (default: from the name)')
    .option('--organisation <name>', 'organisation', '')
    .option('--contact <text>', 'contact person or address', '')
    .option('--key <public-key>', "its identity key, as `cohort identity` prints it on its machine (needed for a participant that listens; without it, the participant claims its name by joining with an invitation made for it)")
    .action(async (flags: StoreFlags & { name: string; id?: string; organisation: string; contact: string; key?: string }) => {
      const record = await addParticipant(await open(flags), {
        id: flags.id ?? slugId(flags.name),
        displayName: flags.name,
        organisation: flags.organisation,
        contact: flags.contact,
        publicKey: flags.key || undefined,
      });
      printRecord(flags, record, 'added participant');
      if (!flags.key && !flags.json) {
        console.log(style.dim(`It has no identity key yet: it claims its name by joining with an invitation made for it (cohort invitation create --collaboration ID --participant ${record.id}).`));
      }
    });
  withStore(command.command('register').description('register a participant in a project').argument('<participant>'))
    .requiredOption('--project <id>', 'the project')
    .option('--listen <host:port>', 'the participant listens here and the TTP dials it (default: it dials out)')
    .option('--certificate <fingerprint>', 'with --listen: the SHA-256 fingerprint of its TLS certificate, as its worker prints it')
    .addOption(new Option('--role <role>', 'its role').choices(['participant', 'orchestrator']).default('participant'))
    .action(async (participant: string, flags: StoreFlags & { project: string; listen?: string; certificate?: string; role: 'participant' | 'orchestrator' }) => {
      if (flags.listen && !flags.certificate) throw new CohortError('BAD_INPUT', '--listen needs --certificate: the TTP connects only to the certificate it pins');
      const record = await registerParticipant(await open(flags), {
        participantId: participant,
        projectId: flags.project,
        role: flags.role,
        connection: flags.listen ? Connection.parse({ mode: 'listen', ...parseListen(flags.listen), certificate: flags.certificate }) : { mode: 'dial-out' },
      });
      printRecord(flags, record, 'registered');
    });
  withStore(command.command('revoke').description('cut a participant off: refused from now on, and disconnected now if the hub is running').argument('<participant>'))
    .option('--reason <text>', 'why (kept with the record)', 'revoked by the orchestrator')
    .action(async (participant: string, flags: StoreFlags & { reason: string }) => {
      const record = await revokeParticipant(await open(flags), participant, flags.reason);
      const admin = await AdminClient.connect(flags.dataDir).catch(() => undefined);
      let disconnected = false;
      if (admin) {
        try {
          disconnected = await admin.cutOff(participant, flags.reason);
        } finally {
          admin.close();
        }
      }
      if (flags.json) return printJson({ participant: record, disconnected });
      console.log(`${style.ok('✓')} participant ${style.heading(participant)} revoked${disconnected ? ' and disconnected' : ''}`);
    });
  addCrud(command, 'participants', 'participant', [
    ['name', (record) => record.displayName],
    ['organisation', (record) => record.organisation],
    ['key', (record) => (record.publicKey ? keyFingerprint(record.publicKey) : '')],
    ['revoked', (record) => record.revokedAt ?? ''],
  ]);
  return command;
}
