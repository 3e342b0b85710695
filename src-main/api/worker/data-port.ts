// A worker's data, as the engine sees it: the data tags this party registered for a project,
// inspected (declare) and loaded and encoded with the run's alignment (prepare).
import { dirname, join } from 'node:path';
import type { Alignment, PartyDeclaration } from '../../contract/data';
import { CohortError } from '../../contract/errors';
import type { DataTag, TagKind } from '../../contract/records';
import { assertNoDrift } from '../../core/alignment/drift';
import { encodeDataset, loadKindsFor, outputCountOf, type EncodedDataset } from '../../core/alignment/encode';
import { DEFAULT_IN_MEMORY_BYTES, EncodedSink } from './encoded-spool';
import { declareProfile } from '../../core/data/declare';
import type { ColumnOverrides } from '../../core/data/profile';
import type { LocalProject, PreparedData, WorkerDataPort } from '../../engines/ports';
import { checkDataSize } from '../../ml/limits';
import { requireUsableTarget } from '../records/data-tags';
import type { MetadataStore } from '../../store/metadata-store';
import type { SecretBox } from '../data/secrets';
import { describeTagSource, withTagSource } from '../data/tag-sources';

/** Rows read from the engine and encoded at a time. */
const CHUNK_ROWS = 65_536;

export class StoreDataPort implements WorkerDataPort {
  constructor(
    private readonly store: MetadataStore,
    private readonly options: { maxBytes?: number; secrets?: SecretBox; /** Encoded train data above this many bytes go to files. */ inMemoryBytes?: number } = {},
  ) {}

  private sourceOptions() {
    return this.options.secrets === undefined ? {} : { secrets: this.options.secrets };
  }

  async declare(project: LocalProject, party: string) {
    const tags = await this.tags(project.id, party);
    const train = requireTag(tags, 'train', project.id, party);
    if (train.targetColumn !== undefined && train.targetColumn !== project.targetColumn) {
      throw new CohortError(
        'INSTRUCTION_REFUSED',
        `the project's target is now "${project.targetColumn}", but this party's data was registered for "${train.targetColumn}": its owner must register it again`,
      );
    }
    const profile = await withTagSource(this.store, train.source, this.sourceOptions(), (source) =>
      source.inspect({
        target: project.targetColumn,
        overrides: { ...overridesOf(train), minCellCount: project.minCellCount },
        ...(this.options.maxBytes === undefined ? {} : { maxBytes: this.options.maxBytes }),
      }),
    );
    checkColumnsUnchanged(train, profile.columns.map((column) => column.name));
    requireUsableTarget(profile, project.targetColumn, describeTagSource(train.source));
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
    const sinks: EncodedSink[] = [];
    const release = async () => {
      for (const sink of sinks) await sink.release();
    };
    // Rows stream from the engine a chunk at a time and are encoded as they come: train data too
    // large for memory go to files (EncodedSink), read back a block at a time by the trainer.
    const load = async (tag: DataTag, withTarget: boolean, mayGoToFiles: boolean): Promise<EncodedDataset> => {
      // Refused before anything is encoded (the alignment comes from the hub).
      checkDataSize(tag.rows, alignment.features.length, `${tag.kind} data`);
      if (withTarget) checkDataSize(tag.rows, outputCountOf(alignment), `${tag.kind} targets`);
      const encodedBytes = tag.rows * (alignment.features.length + outputCountOf(alignment)) * 4;
      const sink = new EncodedSink({
        spool: mayGoToFiles && encodedBytes > (this.options.inMemoryBytes ?? DEFAULT_IN_MEMORY_BYTES),
        spoolDir: join(dirname(this.store.path), 'spool'),
        keepSourceRows: !withTarget,
      });
      sinks.push(sink);
      const { header } = await withTagSource(this.store, tag.source, this.sourceOptions(), (source) =>
        source.scan(loadKindsFor(alignment, withTarget, party), {
          chunkRows: CHUNK_ROWS,
          onChunk: (table, firstRow) => sink.add(encodeDataset(alignment, table, { withTarget, party, declaredLevels }), firstRow),
          ...(this.options.maxBytes === undefined ? {} : { maxBytes: this.options.maxBytes }),
        }),
      );
      assertNoDrift(alignment, {
        file: describeTagSource(tag.source),
        party,
        header,
        excluded: tag.columns.filter((column) => column.excluded || column.kind === 'identifier').map((column) => column.name),
        needsTarget: withTarget,
      });
      const encoded = await sink.finish(alignment.features.length, outputCountOf(alignment));
      for (const [column, levels] of Object.entries(encoded.unseenLevels)) {
        unseenLevels[column] = (unseenLevels[column] ?? 0) + Object.values(levels).reduce((sum, rows) => sum + rows, 0);
      }
      return encoded;
    };
    try {
      const prepared: PreparedData = { train: await load(requireTag(tags, 'train', project.id, party), true, true), unseenLevels, release };
      const evaluate = tags.get('evaluate');
      if (evaluate) prepared.evaluate = await load(evaluate, true, false);
      const predict = tags.get('predict');
      if (predict) prepared.predict = await load(predict, false, false);
      return prepared;
    } catch (error) {
      await release();
      throw error;
    }
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
    throw new CohortError('FEATURE_DRIFT', `${describeTagSource(tag.source)} changed since it was registered as ${tag.kind} data: ${parts.join('; ')}; register it again`);
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
