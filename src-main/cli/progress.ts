// Live progress of a run on the terminal: a bar over the rounds with each party's activity
// beside it. Without a terminal (CI, pipes), one line per finished round instead.
import cliProgress from 'cli-progress';
import type { PartyActivity, RunEvent } from '../contract/results';
import { formatNumber, style } from './output';

const PHASES: Record<string, string> = {
  waiting: 'waiting for the participants to connect',
  aligning: 'aligning features (each party declares its schema and aggregates)',
  evaluating: 'evaluating the final model at each party',
  exporting: 'saving the global and local models; parties predict locally',
};

export class RunProgressView {
  private bar: cliProgress.SingleBar | undefined;
  private readonly parties = new Map<string, PartyActivity>();
  private readonly interactive: boolean;

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {
    this.interactive = Boolean(stream.isTTY);
  }

  handle(event: RunEvent): void {
    if (event.kind === 'status') {
      if (event.status === 'training' && !this.bar && this.interactive) {
        this.bar = new cliProgress.SingleBar(
          {
            stream: this.stream,
            format: ` {bar} round {value}/{total} | ETA {eta_formatted} | loss {loss} | {metric} | {parties}`,
            barCompleteChar: '█',
            barIncompleteChar: '░',
            hideCursor: true,
            clearOnComplete: false,
            etaBuffer: 5,
          },
          cliProgress.Presets.shades_classic,
        );
        this.bar.start(event.rounds, event.round, { loss: '-', metric: '', parties: this.partyLine() });
      } else if (event.status !== 'training') {
        // Phases before and after the rounds: one line each, so the wait is never silent.
        this.stop();
        this.stream.write(`${style.dim('›')} ${PHASES[event.status] ?? event.status}${event.message ? `: ${event.message}` : ''}\n`);
      }
      return;
    }
    if (event.kind === 'party') {
      this.parties.set(event.party, event.activity);
      this.bar?.update({ parties: this.partyLine() });
      return;
    }
    if (event.kind === 'round') {
      const { record } = event;
      const metric = describeMetric(record.evaluate?.aggregate);
      const failed = Object.entries(record.parties).filter(([, party]) => !party.ok).map(([name]) => name);
      if (this.bar) {
        this.bar.update(record.round, { loss: formatNumber(record.trainLoss), metric, parties: this.partyLine() });
      } else {
        this.stream.write(
          `round ${record.round}/${event.rounds}  loss ${formatNumber(record.trainLoss)}  ${metric}  ${record.seconds.toFixed(2)} s` +
            (failed.length > 0 ? style.warn(`  dropped: ${failed.join(', ')}`) : '') +
            '\n',
        );
      }
      return;
    }
    this.stop();
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  private partyLine(): string {
    return [...this.parties].map(([party, activity]) => `${party}: ${activity}`).join('  ');
  }
}

export function describeMetric(metrics: { kind: string } | undefined): string {
  if (!metrics) return '';
  const m = metrics as Record<string, unknown>;
  if (metrics.kind === 'binary') return `auc ${formatNumber(Number(m['rocAuc'] ?? Number.NaN))} acc ${formatNumber(Number(m['accuracy']))}`;
  if (metrics.kind === 'multiclass') return `acc ${formatNumber(Number(m['accuracy']))} macroF1 ${formatNumber(Number(m['macroF1']))}`;
  return `rmse ${formatNumber(Number(m['rmse']))} r2 ${formatNumber(Number(m['r2'] ?? Number.NaN))}`;
}
