// The exact regression solver's sums over a party's train rows, in the training thread where
// the rows are (in memory, or spooled to files and read a block at a time).
import { GlmAccumulator, type GlmSums } from '../core/glm/sums';
import type { GlmSpec } from '../core/glm/spec';
import { SpooledBlocks } from './spooled-blocks';
import type { TrainingData } from './trainer';

export async function regressionSums(data: TrainingData, spec: GlmSpec, theta: Float64Array): Promise<GlmSums> {
  const accumulator = new GlmAccumulator(spec, theta);
  if (data.spool) {
    // The order of the blocks does not change a sum.
    for await (const block of new SpooledBlocks(data.spool, data.rows, data.featureCount, data.outputCount).shuffled(0)) {
      accumulator.add(block.x, block.y, block.rows);
    }
  } else {
    accumulator.add(data.x, data.y, data.rows);
  }
  return accumulator.result();
}
