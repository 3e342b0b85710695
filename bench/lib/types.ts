import type { Figure } from './stats';

/** One benchmark's outcome, as it goes into bench-results.json. */
export interface BenchResult {
  /** What was measured, for the table. */
  title: string;
  figures: Record<string, Figure>;
  /** The target, in words, and whether it was met. */
  target: string;
  met: boolean;
  notes?: string;
  details?: Record<string, unknown>;
}

export interface Benchmark {
  key: string;
  run(): Promise<BenchResult>;
}
