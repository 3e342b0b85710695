// What participants declare about their data (`party.tags`: schema summaries and row counts),
// received at the hub: screened by the participant's notice budget (notice-limits.ts), stored
// on its registration in the order it came (the store's lock is not fair), and announced.
import { GRID, TagsNotice } from '../../contract/grid';
import type { Log } from '../../engines/ports';
import type { Peer } from '../../protocol/peer';
import type { MetadataStore } from '../../store/metadata-store';
import { NoticeLimiter, type NoticeLimits } from './notice-limits';

export class DeclaredTags {
  private readonly limiter: NoticeLimiter;
  private readonly listeners: Array<() => void> = [];
  /** Each participant's declarations still being stored, chained. */
  private readonly storing = new Map<string, Promise<void>>();

  constructor(
    private readonly store: MetadataStore,
    private readonly log: Log,
    limits?: NoticeLimits,
  ) {
    this.limiter = new NoticeLimiter(limits);
  }

  /** Told whenever a declaration has been stored. */
  onDeclared(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Receives what `party` declares on this connection. */
  listen(peer: Peer, party: string): void {
    peer.on(GRID.tags, TagsNotice, (notice) => this.record(party, notice), this.limiter.guardFor(party));
  }

  private record(party: string, notice: TagsNotice): void {
    const stored = (this.storing.get(party) ?? Promise.resolve()).then(() =>
      storeDeclaredTags(this.store, party, notice).then(
        () => this.listeners.forEach((listener) => listener()),
        (error: Error) => this.log.warn('could not record declared tags', { party, error: error.message }),
      ),
    );
    this.storing.set(party, stored);
    void stored.then(() => {
      if (this.storing.get(party) === stored) this.storing.delete(party);
    });
  }
}

/** Stores the tag summaries a participant declared for one of its projects. */
async function storeDeclaredTags(store: MetadataStore, party: string, notice: TagsNotice): Promise<void> {
  await store.mutate((db) => {
    const registration = db.registrations.find((candidate) => candidate.participantId === party && candidate.projectId === notice.projectId);
    if (!registration) throw new Error(`${party} is not registered in project ${notice.projectId}`);
    registration.declaredTags = notice.tags;
    registration.updatedAt = new Date().toISOString();
  });
}
