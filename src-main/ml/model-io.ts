// Saving and loading models in the TF.js layers format (model.json + weights.bin), without
// tfjs-node's file:// handler: what TF.js (tf.loadLayersModel) and the tensorflowjs converter
// read. Only Sequential models of the allowed layer classes load back (see keras.ts).
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { CohortError } from '../contract/errors';
import { requireBackend } from './backend';
import { readSequentialLayers } from './keras';
import { type LayersModel, tf, tfl } from './tf';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

export interface SavedModelFiles {
  modelJson: string;
  weightsBin: string;
  weightBytes: number;
}

interface ModelJson {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  modelTopology: unknown;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  userDefinedMetadata: Record<string, unknown>;
  /** Cohort's addition (TF.js ignores it): proves weights.bin belongs to this model.json. */
  weightsSha256: string;
}

/**
 * Writes `dir/model.json` and `dir/weights.bin` (creating `dir` as needed). Each file is written
 * to a temporary name, flushed and renamed, weights first and model.json last, so a crash leaves
 * either the previous model or the new one: never a half-written file. model.json records the
 * SHA-256 of weights.bin, so a crash between the two renames is detected at load time.
 */
export async function saveModel(model: LayersModel, dir: string, metadata: Record<string, unknown> = {}): Promise<SavedModelFiles> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (saved) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!artifacts?.modelTopology || !artifacts.weightSpecs) throw new CohortError('INTERNAL', 'TF.js produced no model artifacts');
  const weightData = artifacts.weightData;
  const weights = new Uint8Array(
    weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(weightData),
  );
  const json: ModelJson = {
    format: 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
    userDefinedMetadata: metadata,
    weightsSha256: sha256(weights),
  };
  await mkdir(dir, { recursive: true });
  const files = { modelJson: path.join(dir, MODEL_FILE), weightsBin: path.join(dir, WEIGHTS_FILE), weightBytes: weights.byteLength };
  await writeAtomic(files.weightsBin, weights);
  await writeAtomic(files.modelJson, Buffer.from(`${JSON.stringify(json, null, 2)}\n`, 'utf8'));
  await syncDirectory(dir);
  return files;
}

/** Loads what saveModel wrote (or any TF.js layers model of the allowed classes). */
export async function loadModel(dir: string): Promise<{ model: LayersModel; metadata: Record<string, unknown> }> {
  requireBackend();
  const jsonPath = path.join(dir, MODEL_FILE);
  let json: Partial<ModelJson>;
  try {
    json = JSON.parse(await readFile(jsonPath, 'utf8')) as Partial<ModelJson>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CohortError('FILE_NOT_FOUND', `no model in ${dir}: ${MODEL_FILE} is missing`);
    throw new CohortError('BAD_INPUT', `${jsonPath} is not a valid model file: ${(error as Error).message}`);
  }
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw new CohortError('BAD_INPUT', `${jsonPath}: format ${JSON.stringify(json.format)} is not a TF.js layers model`);
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new CohortError('BAD_INPUT', `${jsonPath} has no modelTopology or weightsManifest`);
  }
  // Refuses anything but a Sequential model of the allowed layers before TF.js sees it.
  readSequentialLayers(json.modelTopology);

  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    for (const file of group.paths) {
      if (typeof file !== 'string' || file !== path.basename(file) || file === '..' || file === '.') {
        throw new CohortError('BAD_INPUT', `${jsonPath}: weight file ${JSON.stringify(file)} must be a plain file name in the model folder`);
      }
      try {
        parts.push(await readFile(path.join(dir, file)));
      } catch {
        throw new CohortError('FILE_NOT_FOUND', `no model in ${dir}: weight file ${file} is missing`);
      }
    }
    specs.push(...group.weights);
  }
  const weights = Buffer.concat(parts);
  if (json.weightsSha256 !== undefined && json.weightsSha256 !== sha256(weights)) {
    throw new CohortError('BAD_INPUT', `the model in ${dir} is incomplete: ${WEIGHTS_FILE} does not match ${MODEL_FILE}`);
  }
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  let model: LayersModel;
  try {
    model = await tfl.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology as object, weightSpecs: specs, weightData, format: 'layers-model' }),
    );
  } catch (error) {
    throw new CohortError('BAD_INPUT', `the model in ${dir} cannot be loaded: ${(error as Error).message}`);
  }
  const metadata = json.userDefinedMetadata;
  return { model, metadata: metadata && typeof metadata === 'object' ? metadata : {} };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function writeAtomic(file: string, data: Uint8Array): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Makes the renames durable (best effort: not every platform can open a directory). */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot fsync a directory; the renames are still atomic.
  }
}
