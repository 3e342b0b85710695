// A participant's models, used on its own files: the global and local models its runs left
// in its data directory, evaluated or applied to a file that never leaves this machine.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommandOutput } from '../../contract/api';
import { Alignment, type AlignedTarget } from '../../contract/data';
import { CohortError } from '../../contract/errors';
import { assertNoDrift } from '../../core/alignment/drift';
import { encodeDataset, loadKindsFor } from '../../core/alignment/encode';
import { openDataSource } from '../../datasource/data-source';
import { writePredictionsCsv } from '../../datasource/write-predictions';
import { metricsFor } from '../../engines/evaluation';

interface SavedMetadata {
  run?: unknown;
  project?: unknown;
  alignment?: unknown;
  declaredLevels?: unknown;
}

async function metadataOf(dir: string): Promise<SavedMetadata | undefined> {
  try {
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as { userDefinedMetadata?: SavedMetadata };
    return json.userDefinedMetadata ?? {};
  } catch {
    return undefined;
  }
}

/** The run folders under DATA_DIR/runs: <project>/<run> (and <run>, where older versions kept them). */
async function runFolders(runsDir: string): Promise<Array<{ run: string; dir: string }>> {
  const out: Array<{ run: string; dir: string }> = [];
  for (const entry of await readdir(runsDir).catch(() => [] as string[])) {
    const dir = join(runsDir, entry);
    const children = await readdir(dir).catch(() => [] as string[]);
    if (children.some((child) => child.endsWith('-model'))) out.push({ run: entry, dir });
    else for (const run of children) out.push({ run, dir: join(dir, run) });
  }
  return out;
}

/** Every model saved under DATA_DIR/runs/<project>/<run>/{global,local}-model, newest first. */
export async function listLocalModels(dataDir: string): Promise<CommandOutput<'local.models'>> {
  const models: CommandOutput<'local.models'> = [];
  for (const { run, dir: runDir } of await runFolders(join(dataDir, 'runs'))) {
    for (const kind of ['global', 'local'] as const) {
      const dir = join(runDir, `${kind}-model`);
      const metadata = await metadataOf(dir);
      if (!metadata) continue;
      const alignment = Alignment.safeParse(metadata.alignment);
      if (!alignment.success) continue;
      models.push({
        run,
        kind,
        dir,
        savedAt: (await stat(join(dir, 'model.json'))).mtime.toISOString(),
        features: alignment.data.features.length,
        target: alignment.data.target.column,
        projectId: typeof metadata.project === 'string' ? metadata.project : null,
      });
    }
  }
  return models.sort((a, b) => (a.savedAt < b.savedAt ? 1 : -1));
}

/** The model and its alignment (saved with it). */
async function openModel(modelDir: string) {
  const metadata = await metadataOf(modelDir);
  if (!metadata) throw new CohortError('NOT_FOUND', `${modelDir} holds no Cohort model (model.json is missing or unreadable)`);
  const alignment = Alignment.safeParse(metadata.alignment);
  if (!alignment.success) throw new CohortError('BAD_INPUT', `${modelDir}: the model carries no valid feature alignment, so files cannot be encoded for it`);
  const [{ selectBackend }, { loadModel }, { predictRows }] = await Promise.all([import('../../ml/backend'), import('../../ml/model-io'), import('../../ml/inference')]);
  await selectBackend();
  const { model } = await loadModel(modelDir);
  return { model, alignment: alignment.data, declaredLevels: declaredLevelsOf(metadata), predictRows };
}

/** The levels this party declared when the model was trained, as it encoded them then. */
function declaredLevelsOf(metadata: SavedMetadata): Map<string, Set<string>> | undefined {
  const saved = metadata.declaredLevels;
  if (saved === null || typeof saved !== 'object') return undefined;
  const out = new Map<string, Set<string>>();
  for (const [column, levels] of Object.entries(saved)) if (Array.isArray(levels)) out.set(column, new Set(levels.filter((level): level is string => typeof level === 'string')));
  return out;
}

async function encodeFile(alignment: Alignment, path: string, withTarget: boolean, party: string, declaredLevels?: Map<string, Set<string>>) {
  const { header, table } = await (await openDataSource(path)).load(loadKindsFor(alignment, withTarget, party));
  assertNoDrift(alignment, { file: path, party, header, needsTarget: withTarget });
  return encodeDataset(alignment, table, { withTarget, party, ...(declaredLevels ? { declaredLevels } : {}) });
}

/** `party`: this participant's id, so columns it never had are not counted as drift. */
export async function evaluateLocally(modelDir: string, path: string, party: string): Promise<CommandOutput<'local.evaluate'>> {
  const { model, alignment, declaredLevels, predictRows } = await openModel(modelDir);
  try {
    const data = await encodeFile(alignment, path, true, party, declaredLevels);
    if (data.rows === 0 || !data.y) throw new CohortError('NO_ROWS', `${path}: no row has a usable value of "${alignment.target.column}"`);
    const outputs = predictRows(model, data.x, data.rows, data.featureCount);
    return {
      metrics: metricsFor(alignment.target, data.y, outputs, data.rows),
      labels: classLabels(alignment.target),
      rows: data.rows,
      unseenLevels: data.unseenLevels,
      skippedRows: data.skipped.missingTarget + data.skipped.unseenLabel,
    };
  } finally {
    model.dispose();
  }
}

/** The target's classes in the confusion matrix's order (binary: negative, then positive); null for a regression. */
function classLabels(target: AlignedTarget): string[] | null {
  if (target.kind === 'binary') return [target.labels.find((label) => label !== target.positive) ?? `not ${target.positive}`, target.positive];
  if (target.kind === 'multiclass') return [...target.labels];
  return null;
}

export async function predictLocally(modelDir: string, path: string, outputPath: string, party: string): Promise<CommandOutput<'local.predict'>> {
  const { model, alignment, declaredLevels, predictRows } = await openModel(modelDir);
  try {
    const data = await encodeFile(alignment, path, false, party, declaredLevels);
    const outputs = predictRows(model, data.x, data.rows, data.featureCount);
    const rows = await writePredictionsCsv(outputPath, alignment.target, { sourceRows: data.sourceRows, outputs });
    const { header, rows: preview } = await (await openDataSource(outputPath)).preview(10);
    return { rows, outputPath, header, preview };
  } finally {
    model.dispose();
  }
}
