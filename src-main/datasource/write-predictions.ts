// Writes a participant's predictions into its own folder as CSV: the data row number, the
// predicted label or value, and the score of each class. Predictions never leave the machine.
import type { AlignedTarget } from '../contract/data';
import { writeCsv } from './write-csv';

export interface PredictionRows {
  /** 0-based index of each predicted row among the file's data rows. */
  sourceRows: Int32Array;
  /** Row-major rows x outputs: probabilities, or standardised values for regression. */
  outputs: Float32Array;
}

export function predictionHeader(target: AlignedTarget): string[] {
  if (target.kind === 'regression') return ['row', `predicted_${target.column}`];
  return ['row', `predicted_${target.column}`, ...target.labels.map((label) => `score_${label}`)];
}

function* predictionRecords(target: AlignedTarget, rows: PredictionRows): Generator<Array<string | number>> {
  yield predictionHeader(target);
  const { sourceRows, outputs } = rows;
  for (let r = 0; r < sourceRows.length; r += 1) {
    const row = sourceRows[r]! + 1;
    if (target.kind === 'regression') {
      yield [row, outputs[r]! * target.std + target.mean];
    } else if (target.kind === 'binary') {
      const positive = outputs[r]!;
      const negativeLabel = target.labels[0] === target.positive ? target.labels[1] : target.labels[0];
      const scores = target.labels.map((label) => (label === target.positive ? positive : 1 - positive));
      yield [row, positive > 0.5 ? target.positive : negativeLabel, ...scores];
    } else {
      const width = target.labels.length;
      const scores = Array.from(outputs.subarray(r * width, (r + 1) * width));
      let best = 0;
      for (let c = 1; c < width; c += 1) if (scores[c]! > scores[best]!) best = c;
      yield [row, target.labels[best]!, ...scores];
    }
  }
}

/** Writes atomically (temporary file, then rename); returns the number of rows written. */
export async function writePredictionsCsv(path: string, target: AlignedTarget, rows: PredictionRows): Promise<number> {
  await writeCsv(path, predictionRecords(target, rows));
  return rows.sourceRows.length;
}
