// A party's security log: one JSON line per event in security-log.jsonl in its data directory,
// readable by the owner only. The file is only ever appended to (O_APPEND), never rewritten;
// lines are written in order through one stream, and a line that cannot be parsed (a torn write
// after a crash) is skipped when reading rather than failing the whole log.
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { copyFile, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { SecurityEvent, SecurityLogQuery, type SecurityLogPage } from '../contract/security';

export const SECURITY_LOG_FILE = 'security-log.jsonl';

export type SecurityEventInput = Omit<SecurityEvent, 'at'> & { at?: string };

export interface SecurityRecorder {
  record(event: SecurityEventInput): void;
}

/** Records nothing: for processes that keep no log (benchmarks' throwaway parties). */
export const noSecurityLog: SecurityRecorder = { record: () => undefined };

export class SecurityLog implements SecurityRecorder {
  private stream: WriteStream | undefined;
  private readonly listeners = new Set<(event: SecurityEvent) => void>();

  private constructor(readonly path: string) {}

  static async open(dataDir: string): Promise<SecurityLog> {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    return new SecurityLog(join(dataDir, SECURITY_LOG_FILE));
  }

  record(input: SecurityEventInput): void {
    const event: SecurityEvent = { ...input, at: input.at ?? new Date().toISOString(), peer: input.peer.slice(0, 300), what: input.what.slice(0, 200) };
    if (event.reason !== undefined) event.reason = event.reason.slice(0, 1_000);
    this.stream ??= createWriteStream(this.path, { flags: 'a', mode: 0o600 });
    this.stream.write(`${JSON.stringify(event)}\n`);
    for (const listener of this.listeners) listener(event);
  }

  /** Told of every event as it is recorded. */
  onRecord(listener: (event: SecurityEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Waits until everything recorded so far is in the file. */
  flush(): Promise<void> {
    const stream = this.stream;
    if (!stream || stream.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => stream.write('', () => resolve()));
  }

  /** Newest first, filtered and paged, with totals over everything that matches. */
  async query(input: SecurityLogQuery = {}): Promise<SecurityLogPage> {
    const query = SecurityLogQuery.parse(input);
    const needle = query.search?.toLowerCase();
    const matching: SecurityEvent[] = [];
    let bytesSent = 0;
    let refused = 0;
    for await (const event of this.all()) {
      if (event.direction === 'outbound' && event.outcome === 'sent') bytesSent += event.bytes;
      if (event.outcome === 'refused') refused += 1;
      if (query.direction && event.direction !== query.direction) continue;
      if (query.outcome && event.outcome !== query.outcome) continue;
      if (query.kind && event.kind !== query.kind) continue;
      if (query.project && event.project !== query.project) continue;
      if (query.run && event.run !== query.run) continue;
      if (needle && ![event.peer, event.what, event.reason ?? '', event.run ?? ''].some((text) => text.toLowerCase().includes(needle))) continue;
      matching.push(event);
    }
    matching.reverse();
    return { events: matching.slice(query.offset, query.offset + query.limit), total: matching.length, bytesSent, refused };
  }

  /** Copies the log, as kept, to a file of the user's choosing; returns how many events it holds. */
  async copyTo(path: string): Promise<number> {
    await mkdir(dirname(path), { recursive: true });
    let events = 0;
    for await (const _event of this.all()) events += 1;
    if (await exists(this.path)) await copyFile(this.path, path);
    else await writeFile(path, '', { mode: 0o600 });
    return events;
  }

  async close(): Promise<void> {
    const stream = this.stream;
    this.stream = undefined;
    if (stream) await new Promise<void>((resolve) => stream.end(() => resolve()));
  }

  /** Every event, oldest first. */
  async *all(): AsyncGenerator<SecurityEvent> {
    await this.flush();
    if (!(await exists(this.path))) return;
    const lines = createInterface({ input: createReadStream(this.path, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        continue;
      }
      const parsed = SecurityEvent.safeParse(raw);
      if (parsed.success) yield parsed.data;
    }
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
