// `cohort worker requests | approve | decline | policy`: the data owner's decisions on the runs
// that want to use this machine's data. Decisions go to the store; a running worker picks them
// up within a second.
import { Option, type Command } from 'commander';
import { decideConsent, setConsentPolicy } from '../../api/worker/consent';
import { CohortError } from '../../contract/errors';
import { usesExactSolver, type Consent } from '../../contract/records';
import type { MetadataStore } from '../../store/metadata-store';
import { printJson, style, table } from '../output';
import { open, withStore, type StoreFlags } from '../store-flags';

export function workerConsentCommands(worker: Command): void {
  withStore(worker.command('requests').description('list the runs that asked to use this data, pending first'))
    .option('--pending', 'only those waiting for a decision')
    .action(async (flags: StoreFlags & { pending?: boolean }) => {
      const store = await open(flags);
      const requests = (await store.list('consents'))
        .filter((consent) => !flags.pending || consent.state === 'pending')
        .sort((a, b) => (a.state === 'pending') === (b.state === 'pending') ? (a.createdAt < b.createdAt ? 1 : -1) : a.state === 'pending' ? -1 : 1);
      if (flags.json) return printJson(requests);
      if (requests.length === 0) return console.log(style.dim(flags.pending ? 'No request is waiting.' : 'No run has asked to use this data yet.'));
      console.log(
        table(
          ['request', 'state', 'run', 'project', 'model', 'rounds', 'data', 'privacy', 'asked at'],
          requests.map((consent) => [
            consent.id,
            consent.state + (consent.decidedBy === 'policy' ? ' (policy)' : ''),
            consent.summary.run,
            consent.summary.project,
            describeModel(consent),
            describeRounds(consent),
            consent.summary.tags.join(', '),
            describePrivacy(consent),
            consent.createdAt.slice(0, 19).replace('T', ' '),
          ]),
        ),
      );
    });

  for (const [name, approve] of [
    ['approve', true],
    ['decline', false],
  ] as const) {
    withStore(worker.command(name).description(`${name} a run's request to use this data`).argument('<request>', 'the request id, or the run id'))
      .action(async (request: string, flags: StoreFlags) => {
        const store = await open(flags);
        const consent = await findRequest(store, request);
        const decided = await decideConsent(store, consent.id, approve);
        if (flags.json) return printJson(decided);
        console.log(`${style.ok('✓')} ${approve ? 'approved' : 'declined'} run ${style.heading(decided.summary.run)}: ${describeModel(decided)}, ${describeRounds(decided)} on your ${decided.summary.tags.join(' and ')} data`);
      });
  }

  withStore(worker.command('policy').description("how this participant decides on a project's runs").argument('<project>'))
    .addOption(new Option('--set <policy>', 'ask: decide every run; auto-matching: approve runs whose model and privacy settings match one approved before').choices(['ask', 'auto-matching']).makeOptionMandatory())
    .action(async (project: string, flags: StoreFlags & { set: 'ask' | 'auto-matching' }) => {
      const store = await open(flags);
      await setConsentPolicy(store, project, flags.set);
      if (flags.json) return printJson({ project, policy: flags.set });
      console.log(`${style.ok('✓')} project ${style.heading(project)}: ${flags.set === 'ask' ? 'every run asks first' : 'runs matching an approved model and privacy settings are approved without asking'}`);
    });
}

/** A request by its id, or the latest request of a run. */
async function findRequest(store: MetadataStore, idOrRun: string): Promise<Consent> {
  const consents = await store.list('consents');
  const found = consents.find((consent) => consent.id === idOrRun) ?? consents.filter((consent) => consent.runId === idOrRun).sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))[0];
  if (!found) throw new CohortError('NOT_FOUND', `no request "${idOrRun}" (see \`cohort worker requests\`)`);
  return found;
}

function describeModel(consent: Consent): string {
  const { model, hyperparameters } = consent.summary;
  const kind = model.kind === 'logreg' ? 'logistic regression' : model.kind === 'mlp' ? `MLP (${model.hidden.join(', ')})` : 'custom Keras model';
  if (usesExactSolver(model, hyperparameters)) return `${kind}, fitted exactly (sends sums over your rows: loss, gradient, curvature)`;
  return `${kind}, ${hyperparameters.algorithm}`;
}

function describePrivacy(consent: Consent): string {
  const { privacy } = consent.summary;
  const parts = [privacy.secureAggregation ? 'secure aggregation' : '', privacy.dp === 'off' ? '' : `${privacy.dp} DP (C=${privacy.clip}, sigma=${privacy.noiseMultiplier})`].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/** The rounds asked for; with early stopping, the most, and the one number each round adds. */
function describeRounds(consent: { summary: { hyperparameters: { rounds: number; earlyStopping: { patience: number } | null } } }): string {
  const { rounds, earlyStopping } = consent.summary.hyperparameters;
  if (!earlyStopping) return `${rounds} rounds`;
  return `at most ${rounds} rounds (early stopping: each update also carries the received model's loss on 15 % of your train rows held aside)`;
}
