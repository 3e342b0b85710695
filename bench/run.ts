// `npm run bench`: every benchmark in turn, a readable table, and bench-results.json.
// `npm run bench -- --json` prints the same JSON on stdout; `--only a,b` runs some of them.
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem, platform, arch, release } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import Table from 'cli-table3';
import { selectBackend } from '../src-main/ml/backend';
import { aggregation } from './benchmarks/aggregation';
import { largeData } from './benchmarks/large-data';
import { localTraining } from './benchmarks/local-training';
import { memory } from './benchmarks/memory';
import { roundOverhead1M, roundSmall, secureAggregation1M } from './benchmarks/rounds';
import { scale } from './benchmarks/scale';
import { simulateDemo } from './benchmarks/simulate-demo';
import { startup } from './benchmarks/startup';
import { ROOT } from './lib/federation';
import type { Figure } from './lib/stats';
import type { BenchResult, Benchmark } from './lib/types';

const BENCHMARKS: Benchmark[] = [roundOverhead1M, roundSmall, simulateDemo, aggregation, scale, localTraining, memory, startup, secureAggregation1M, largeData];

function format(value: number, unit: string): string {
  if (unit === 'bytes') return value >= 1e6 ? `${(value / 1e6).toFixed(2)} MB` : `${(value / 1e3).toFixed(1)} kB`;
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 1 ? 2 : 4;
  return `${value.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: 0 })} ${unit}`;
}

const program = new Command('bench')
  .description('Cohort benchmarks: speed, scale and learning quality')
  .option('--json', 'print the results as JSON on stdout (they are written to bench-results.json either way)')
  .option('--only <keys>', `comma-separated: ${BENCHMARKS.map((benchmark) => benchmark.key).join(', ')}`)
  .parse();
const flags = program.opts<{ json?: boolean; only?: string }>();
const chosen = flags.only ? BENCHMARKS.filter((benchmark) => flags.only!.split(',').includes(benchmark.key)) : BENCHMARKS;
const log = (text: string) => process.stderr.write(`${text}\n`);

// Processes start from the bundled command line, as `npm start` and the app ship it (not from
// the sources through tsx, which costs every process ~0.3 s).
log('bundling the command line (scripts/build-cli.mjs)…');
const bundling = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-cli.mjs')], { stdio: 'inherit' });
if (bundling.status !== 0) throw new Error('bundling the command line failed');

const backend = await selectBackend();
const results: Record<string, BenchResult | { error: string }> = {};
for (const benchmark of chosen) {
  log(`running ${benchmark.key}…`);
  const started = performance.now();
  try {
    results[benchmark.key] = await benchmark.run();
  } catch (error) {
    results[benchmark.key] = { error: (error as Error).stack ?? String(error) };
  }
  log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const report = {
  date: new Date().toISOString(),
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGB: Math.round(totalmem() / 1024 ** 3),
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
  },
  backend: backend.backend,
  backendsTried: backend.tried,
  results,
};
await writeFile(join(ROOT, 'bench-results.json'), `${JSON.stringify(report, null, 2)}\n`);

if (flags.json) {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} else {
  const table = new Table({
    head: ['benchmark', 'figure', 'median', 'min', 'max', 'target', 'met'],
    style: { head: [], border: [] },
    colWidths: [null, null, null, null, null, 44, null] as unknown as number[],
    wordWrap: true,
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const [key, result] of Object.entries(results)) {
    if ('error' in result) {
      table.push([key, 'ERROR', { colSpan: 5, content: result.error.split('\n')[0]! }]);
      continue;
    }
    const entries = Object.entries(result.figures) as Array<[string, Figure]>;
    entries.forEach(([name, value], index) => {
      table.push([
        index === 0 ? key : '',
        name,
        format(value.median, value.unit),
        format(value.min, value.unit),
        format(value.max, value.unit),
        index === 0 ? result.target : '',
        index === 0 ? (result.met ? 'yes' : 'NO') : '',
      ]);
    });
  }
  console.log(`Cohort benchmarks · ${report.machine.cpu} × ${report.machine.cores} · ${report.machine.os} · Node ${report.machine.node} · TF.js ${report.backend}`);
  console.log(table.toString());
  console.log('Written to bench-results.json');
}
