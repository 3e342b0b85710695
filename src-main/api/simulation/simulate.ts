// `cohort simulate`: a whole federation on one machine. The hub and every party run as separate
// OS processes talking over 127.0.0.1, exactly as on separate machines; this process only sets
// up their stores, starts the run through the hub's admin endpoint and reads the result.
import { existsSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CohortError } from '../../contract/errors';
import type { Alignment } from '../../contract/data';
import type { AggregatedMetrics } from '../../contract/metrics';
import type { AlignmentOptions, Hyperparameters, ModelSpec, Task } from '../../contract/records';
import { openDataSource } from '../../datasource/data-source';
import type { CoefficientTable, PrivacyReport, RunEvent, RunResult } from '../../contract/results';
import { usesExactSolver } from '../../core/glm/solver';
import type { SplitMode } from '../../core/simulation/split';
import type { PreparedData } from '../../engines/ports';
import { MetadataStore } from '../../store/metadata-store';
import { AdminClient } from '../admin-client';
import { runFolder } from '../../store/run-repository';
import { alignPartyFolders, findPartyFolders, inferTask } from '../local-alignment';
import { StoreDataPort, runDir } from '../worker/data-port';
import { StoreOwnerPort } from '../worker/owner-records';
import type { BaselineKind, Baselines } from './baselines';
import type * as BaselinesModuleNamespace from './baselines';

type BaselinesModule = typeof BaselinesModuleNamespace;
import { launchFederation } from './federation';
import { ProcessGroup } from './processes';
import { splitCsvIntoParties } from './split-csv';
import { prepareWorkspace, SIMULATION_IDS } from './workspace';

export interface SimulationOptions {
  /** A folder with one sub-folder per party, or one CSV file to split. */
  data: string;
  target: string;
  task: Task | 'auto';
  positiveClass?: string | undefined;
  alignment?: Partial<AlignmentOptions>;
  model: ModelSpec;
  hyperparameters: Hyperparameters;
  baselines?: BaselineKind[];
  /** Splitting one CSV file. */
  split?: { parties: number; mode: SplitMode; alpha: number; evaluateFraction: number };
  /** Where the stores, models and logs go (default: a new temporary folder, kept). */
  workspace?: string;
  participantWaitMs?: number;
  onEvent?: (event: RunEvent) => void;
  /** Called with the worker processes' pids once they run (tests kill one). */
  onProcesses?: (pids: { hub: number; workers: Record<string, number> }) => void;
  maxFileBytes?: number;
  /** Tests and the robustness benchmark only: this party's worker sends poisoned updates (`scale:-10`, `noise:1`). */
  poison?: { party: string; spec: string };
}

export interface SimulationResult {
  task: Task;
  features: string[];
  rounds: Array<{ round: number; trainLoss: number; seconds: number; validationLoss?: number; evaluate?: AggregatedMetrics; privacy?: { epsilon: number; delta: number } }>;
  evaluation: AggregatedMetrics | null;
  /** How the updates were protected, and the (epsilon, delta) spent (null without DP). */
  privacy: PrivacyReport;
  baselines?: Baselines;
  /** How the model was fitted; an exact regression's coefficient table. */
  model: { kind: ModelSpec['kind']; solver: 'exact' | 'sgd'; coefficients: CoefficientTable | null };
  backend: string;
  run: Pick<RunResult, 'status' | 'algorithm' | 'parties' | 'dropouts' | 'stoppedEarly' | 'parameterCount' | 'alignmentFingerprint' | 'error'>;
  artifacts: {
    workspace: string;
    logs: string;
    globalModel: string | null;
    history: string;
    parties: Record<string, { globalModel: string; localModel: string; predictions: string | null }>;
  };
  seconds: number;
  /** What the simulation left out, and why. */
  notes: string[];
}

export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const started = performance.now();
  const workspace = resolve(options.workspace ?? (await mkdtemp(join(tmpdir(), 'cohort-simulation-'))));
  const dataDir = await partyData(options, workspace);

  // Align locally first: a federation that cannot be aligned fails here, before any process starts.
  const local = await alignPartyFolders(dataDir, {
    target: options.target,
    task: options.task,
    positiveClass: options.positiveClass,
    ...(options.alignment ? { alignment: options.alignment } : {}),
    ...(options.maxFileBytes === undefined ? {} : { csv: { maxBytes: options.maxFileBytes } }),
  });
  if (!local.alignment) {
    throw new CohortError('ALIGNMENT_FAILED', `the parties cannot be aligned: ${local.report.errors.map((issue) => issue.message).join('; ')}`);
  }
  const partyFolders = (await findPartyFolders(dataDir)).map(({ party, folder }) => ({ name: party, folder }));
  const setup = await prepareWorkspace({
    workspace,
    partyFolders,
    target: options.target,
    task: local.task,
    positiveClass: options.positiveClass,
    model: options.model,
    hyperparameters: options.hyperparameters,
    ...(options.maxFileBytes === undefined ? {} : { maxBytes: options.maxFileBytes }),
  });

  const logs = join(workspace, 'logs');
  const processes = new ProcessGroup(logs);
  // Baselines train in this process; their TF.js loads while the federation starts up.
  const baselineModule = options.baselines && options.baselines.length > 0 ? import('./baselines') : undefined;
  baselineModule?.catch(() => undefined);
  let admin: AdminClient | undefined;
  let result: RunResult;
  let baselines: Promise<Baselines | undefined> = Promise.resolve(undefined);
  try {
    const poison = options.poison;
    const federation = await launchFederation(setup, processes, {
      ...(options.participantWaitMs === undefined ? {} : { participantWaitMs: options.participantWaitMs }),
      ...(poison ? { workerArgs: (party: string) => (party === poison.party ? ['--test-poison', poison.spec] : []) } : {}),
    });
    options.onProcesses?.({ hub: federation.hub.child.pid!, workers: Object.fromEntries(Object.entries(federation.workers).map(([name, worker]) => [name, worker.child.pid!])) });
    admin = await AdminClient.connect(setup.hubDir);
    if (options.onEvent) await admin.subscribe(options.onEvent, SIMULATION_IDS.run);
    await admin.start(SIMULATION_IDS.run);
    result = await admin.wait(SIMULATION_IDS.run);
    if (baselineModule && result.status === 'completed') {
      // While the processes stop.
      baselines = computeBaselinesFor(await baselineModule, options, setup, local.alignment);
    }
  } finally {
    admin?.close();
    await processes.stopAll();
  }

  if (result.status !== 'completed') {
    throw new CohortError('RUN_FAILED', `the federated run ${result.status}: ${result.error ?? 'no reason given'} (logs: ${logs})`, { result });
  }
  const baselineResult = await baselines;

  const parties: SimulationResult['artifacts']['parties'] = {};
  for (const party of setup.parties) {
    const folder = runDir(party.dataDir, SIMULATION_IDS.project, SIMULATION_IDS.run);
    const predictions = join(folder, 'predictions.csv');
    parties[party.name] = {
      globalModel: join(folder, 'global-model'),
      localModel: join(folder, 'local-model'),
      predictions: existsSync(predictions) ? predictions : null,
    };
  }
  const simulation: SimulationResult = {
    task: local.task,
    features: result.features,
    rounds: result.rounds.map((round) => ({
      round: round.round,
      trainLoss: round.trainLoss,
      seconds: round.seconds,
      ...(round.validationLoss === undefined ? {} : { validationLoss: round.validationLoss }),
      ...(round.evaluate ? { evaluate: round.evaluate } : {}),
      ...(round.privacy ? { privacy: round.privacy } : {}),
    })),
    evaluation: result.evaluation,
    privacy: result.privacy,
    model: { kind: options.model.kind, solver: usesExactSolver(options.model, options.hyperparameters) ? 'exact' : 'sgd', coefficients: result.coefficients },
    backend: result.backend,
    run: {
      status: result.status,
      algorithm: result.algorithm,
      parties: result.parties,
      dropouts: result.dropouts,
      stoppedEarly: result.stoppedEarly,
      parameterCount: result.parameterCount,
      alignmentFingerprint: result.alignmentFingerprint,
      error: result.error,
    },
    artifacts: {
      workspace,
      logs,
      globalModel: result.artifacts.globalModel,
      history: join(runFolder(setup.hubDir, SIMULATION_IDS.run), 'history.json'),
      parties,
    },
    seconds: (performance.now() - started) / 1000,
    notes: setup.notes,
  };
  if (baselineResult) simulation.baselines = baselineResult;
  return simulation;
}

async function computeBaselinesFor(
  module: BaselinesModule,
  options: SimulationOptions,
  setup: Awaited<ReturnType<typeof prepareWorkspace>>,
  alignment: Alignment,
): Promise<Baselines> {
  const prepared = new Map<string, PreparedData>();
  for (const party of setup.parties) {
    // Each party's data exactly as its worker encoded it: its own project, declaration and rules.
    const store = await MetadataStore.open(party.dataDir);
    const data = new StoreDataPort(store);
    const project = await new StoreOwnerPort(store).project(setup.hubKey, SIMULATION_IDS.project);
    if (!project) throw new CohortError('NOT_FOUND', `${party.name} holds no simulated project`);
    const { declaration } = await data.declare(project, party.name);
    prepared.set(party.name, await data.prepare(project, party.name, alignment, declaration));
  }
  return module.computeBaselines(options.baselines ?? [], alignment, options.model, options.hyperparameters, prepared);
}
/** The party folders: `data` itself, or the CSV split into `workspace/data`. */
async function partyData(options: SimulationOptions, workspace: string): Promise<string> {
  let isFile: boolean;
  try {
    isFile = statSync(options.data).isFile();
  } catch {
    throw new CohortError('FILE_NOT_FOUND', `--data: ${options.data}: no such file or folder`);
  }
  if (!isFile) {
    if (options.split) throw new CohortError('BAD_INPUT', '--parties and --split apply to one CSV file, not a folder of parties');
    return options.data;
  }
  if (!options.split) throw new CohortError('BAD_INPUT', `--data is a file (${options.data}): say how many parties to split it into with --parties N`);
  const dir = join(workspace, 'data');
  const task = options.task === 'auto' ? inferTask([await (await openDataSource(options.data)).inspect({ target: options.target })], options.target) : options.task;
  await splitCsvIntoParties(dir, { file: options.data, target: options.target, task, seed: options.hyperparameters.seed, ...options.split });
  return dir;
}
