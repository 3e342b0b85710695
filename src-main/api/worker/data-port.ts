// A worker's data, as the engine sees it: the data tags this party registered for a project,
// inspected (declare) and loaded and encoded with the run's alignment (prepare).
import { join } from 'node:path';
import type { Alignment, PartyDeclaration } from '../../contract/data';
import { CohortError } from '../../contract/errors';
import type { DataTag, TagKind } from '../../contract/records';
import { assertNoDrift } from '../../core/alignment/drift';
import { encodeDataset, loadKindsFor, outputCountOf, type EncodedDataset } from '../../core/alignment/encode';
import { checkDataSize } from '../../ml/limits';
import { declareProfile } from '../../core/data/declare';
import type { ColumnOverrides } from '../../core/data/profile';
import { openDataSource } from '../../datasource/data-source';
import type { LocalProject, PreparedData, WorkerDataPort } from '../../engines/ports';
import { requireUsableTarget } from '../records/data-tags';
import type { MetadataStore } from '../../store/metadata-store';

export class StoreDataPort implements WorkerDataPort {
  constructor(
    private readonly store: MetadataStore,
    private readonly options: { maxBytes?: number } = {},
  ) {}

  async declare(project: LocalProject, party: string) {
    const tags = await this.tags(project.id, party);
    const train = requireTag(tags, 'train', project.id, party);
    if (train.targetColumn !== undefined && train.targetColumn !== project.targetColumn) {
      throw new CohortError(
        'INSTRUCTION_REFUSED',
        `the project's target is now "${project.targetColumn}", but this party's data was registered for "${train.targetColumn}": its owner must register it again`,
      );
    }
    const profile = await (await openDataSource(train.path)).inspect({
      target: project.targetColumn,
      overrides: { ...overridesOf(train), minCellCount: project.minCellCount },
      ...(this.options.maxBytes === undefined ? {} : { maxBytes: this.options.maxBytes }),
    });
    checkColumnsUnchanged(train, profile.columns.map((column) => column.name));
    requireUsableTarget(profile, project.targetColumn, train.path);
    return {
      declaration: declareProfile(party, profile, project.task, project.minCellCount),
      tags: { train: true, evaluate: tags.has('evaluate'), predict: tags.has('predict') },
    };
  }

  async prepare(project: LocalProject, party: string, alignment: Alignment, declaration: PartyDeclaration): Promise<PreparedData> {
    const tags = await this.tags(project.id, party);
    const unseenLevels: PreparedData['unseenLevels'] = {};
    // Only the levels this party declared encode as themselves (see core/alignment/encode).
    const declaredLevels = new Map(
      declaration.columns.filter((column) => column.kind === 'categorical' && column.levels).map((column) => [column.name, new Set(column.levels)]),
    );
    const load = async (tag: DataTag, withTarget: boolean): Promise<EncodedDataset> => {
      const { header, table } = await (await openDataSource(tag.path)).load(loadKindsFor(alignment, withTarget, party), {
        ...(this.options.maxBytes === undefined ? {} : { maxBytes: this.options.maxBytes }),
      });
      assertNoDrift(alignment, {
        file: tag.path,
        party,
        header,
        excluded: tag.columns.filter((column) => column.excluded || column.kind === 'identifier').map((column) => column.name),
        needsTarget: withTarget,
      });
      // Refused before the encoded matrices are allocated (the alignment comes from the hub).
      checkDataSize(table.rows, alignment.features.length, `${tag.kind} data`);
      if (withTarget) checkDataSize(table.rows, outputCountOf(alignment), `${tag.kind} targets`);
      const encoded = encodeDataset(alignment, table, { withTarget, party, declaredLevels });
      for (const [column, levels] of Object.entries(encoded.unseenLevels)) {
        unseenLevels[column] = (unseenLevels[column] ?? 0) + Object.values(levels).reduce((sum, rows) => sum + rows, 0);
      }
      return encoded;
    };
    const prepared: PreparedData = { train: await load(requireTag(tags, 'train', project.id, party), true), unseenLevels };
    const evaluate = tags.get('evaluate');
    if (evaluate) prepared.evaluate = await load(evaluate, true);
    const predict = tags.get('predict');
    if (predict) prepared.predict = await load(predict, false);
    return prepared;
  }

  /** This party's tags for the project, one per kind (the most recently registered wins). */
  private async tags(projectId: string, party: string): Promise<Map<TagKind, DataTag>> {
    const tags = await this.store.list('dataTags', { projectId, participantId: party });
    const byKind = new Map<TagKind, DataTag>();
    for (const tag of [...tags].sort((a, b) => (a.updatedAt < b.updatedAt ? -1 : 1))) byKind.set(tag.kind, tag);
    return byKind;
  }
}

function requireTag(tags: Map<TagKind, DataTag>, kind: TagKind, projectId: string, party: string): DataTag {
  const tag = tags.get(kind);
  if (!tag) throw new CohortError('NOT_FOUND', `${party} has no ${kind} data registered for project "${projectId}"`);
  return tag;
}

function overridesOf(tag: DataTag): ColumnOverrides {
  const kinds: NonNullable<ColumnOverrides['kinds']> = {};
  for (const column of tag.columns) kinds[column.name] = column.kind;
  return {
    kinds,
    exclude: tag.columns.filter((column) => column.excluded).map((column) => column.name),
    include: tag.columns.filter((column) => column.included).map((column) => column.name),
  };
}

/** The file must still have the columns it had when it was registered. */
function checkColumnsUnchanged(tag: DataTag, header: readonly string[]): void {
  const registered = tag.columns.map((column) => column.name);
  const added = header.filter((name) => !registered.includes(name));
  const removed = registered.filter((name) => !header.includes(name));
  if (added.length > 0 || removed.length > 0) {
    const parts = [
      added.length > 0 ? `new column(s) ${added.join(', ')}` : '',
      removed.length > 0 ? `missing column(s) ${removed.join(', ')}` : '',
    ].filter(Boolean);
    throw new CohortError('FEATURE_DRIFT', `${tag.path} changed since it was registered as ${tag.kind} data: ${parts.join('; ')}; register it again`);
  }
}

/** Where a run leaves its models and this party's predictions: under this party's own project. */
export function runDir(dataDir: string, projectId: string, run: string): string {
  return join(dataDir, 'runs', projectId, run);
}

/** The file a run writes this party's predictions to, when it has predict data. */
export function predictionsFile(dataDir: string, projectId: string, run: string): string {
  return join(runDir(dataDir, projectId, run), 'predictions.csv');
}
