// The security log on disk: appended to, never rewritten; queried newest first with filters and
// totals; a torn last line (a crash mid-write) is skipped; exported as JSON lines or CSV. And
// what a party connection writes to it, over a real socket: requests as they arrive, replies
// with their run, refused frames with their size.
import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { silentLog } from '../../../src-main/api/log';
import { partyPeer } from '../../../src-main/api/trust/party-connections';
import { exportSecurityLog } from '../../../src-main/api/trust/security-export';
import { PROTOCOL_VERSION } from '../../../src-main/protocol/frames';
import { Peer } from '../../../src-main/protocol/peer';
import { dial, listen, type Listener } from '../../../src-main/protocol/transport';
import { SECURITY_LOG_FILE, SecurityLog } from '../../../src-main/store/security-log';

let dir: string;
let listener: Listener | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cohort-seclog-'));
});
afterEach(async () => {
  await listener?.close();
  listener = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('SecurityLog', () => {
  it('appends events, keeps earlier ones across reopening, and answers queries newest first with totals', async () => {
    const log = await SecurityLog.open(dir);
    log.record({ direction: 'outbound', kind: 'message', peer: 'hub', what: 'reply to run.fit', bytes: 4_000_000, outcome: 'sent', run: 'r1' });
    log.record({ direction: 'inbound', kind: 'connection', peer: '10.0.0.9', what: 'handshake', bytes: 0, outcome: 'refused', reason: 'this invitation was already used' });
    await log.close();
    const before = await readFile(join(dir, SECURITY_LOG_FILE), 'utf8');
    const again = await SecurityLog.open(dir);
    again.record({ direction: 'outbound', kind: 'message', peer: 'hub', what: 'party.tags', bytes: 120, outcome: 'sent' });
    await again.flush();
    const after = await readFile(join(dir, SECURITY_LOG_FILE), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    if (process.platform !== 'win32') expect((await stat(join(dir, SECURITY_LOG_FILE))).mode & 0o777).toBe(0o600);

    const all = await again.query();
    expect(all.events.map((event) => event.what)).toEqual(['party.tags', 'handshake', 'reply to run.fit']);
    expect(all).toMatchObject({ total: 3, bytesSent: 4_000_120, refused: 1 });
    expect((await again.query({ outcome: 'refused' })).events.map((event) => event.peer)).toEqual(['10.0.0.9']);
    expect((await again.query({ search: 'ALREADY USED' })).total).toBe(1);
    expect((await again.query({ direction: 'outbound', limit: 1, offset: 1 })).events.map((event) => event.what)).toEqual(['reply to run.fit']);
    await again.close();
  });

  it('skips a torn line and keeps reading', async () => {
    const log = await SecurityLog.open(dir);
    log.record({ direction: 'outbound', kind: 'message', peer: 'hub', what: 'a', bytes: 1, outcome: 'sent' });
    await log.flush();
    await appendFile(join(dir, SECURITY_LOG_FILE), '{"direction":"outb');
    await appendFile(join(dir, SECURITY_LOG_FILE), '\n');
    log.record({ direction: 'outbound', kind: 'message', peer: 'hub', what: 'b', bytes: 1, outcome: 'sent' });
    expect((await log.query()).events.map((event) => event.what)).toEqual(['b', 'a']);
    await log.close();
  });

  it('exports as JSON lines and as CSV that a spreadsheet reads back', async () => {
    const log = await SecurityLog.open(dir);
    log.record({ direction: 'inbound', kind: 'message', peer: 'alpha, "the first"', what: 'run.fit', bytes: 10, outcome: 'accepted', run: 'r1' });
    log.record({ direction: 'inbound', kind: 'connection', peer: '10.0.0.9', what: 'handshake', bytes: 0, outcome: 'refused', reason: 'line\nbreak' });
    const jsonl = await exportSecurityLog(log, join(dir, 'out', 'log.jsonl'), 'jsonl');
    expect(jsonl.events).toBe(2);
    expect((await readFile(jsonl.path, 'utf8')).trim().split('\n')).toHaveLength(2);
    const csv = await exportSecurityLog(log, join(dir, 'out', 'log.csv'), 'csv');
    const rows = parse(await readFile(csv.path, 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(rows).toEqual([
      expect.objectContaining({ direction: 'inbound', peer: 'alpha, "the first"', what: 'run.fit', bytes: '10', run: 'r1' }),
      expect.objectContaining({ outcome: 'refused', reason: 'line\nbreak', run: '' }),
    ]);
    await log.close();
  });
});

describe('a party connection writing to the log', () => {
  const Consent = z.strictObject({ run: z.string(), projectId: z.string() });

  /** This party's side of a connection, logging to `log` (authenticated, so grid messages pass), and the other side. */
  async function connection(log: SecurityLog): Promise<{ mine: Peer; theirs: Peer }> {
    let resolveMine: (peer: Peer) => void = () => undefined;
    const mine = new Promise<Peer>((resolve) => (resolveMine = resolve));
    listener = await listen({ host: '127.0.0.1', port: 0 }, (socket) =>
      resolveMine(partyPeer(socket, 'hub', { log: silentLog, security: log, heartbeatMs: 0 }, { handshake: undefined })),
    );
    const theirs = new Peer(await dial(listener.url), { label: 'participant', heartbeatMs: 0 });
    return { mine: await mine, theirs };
  }

  it('has a consent request on file while it waits for a person, and the reply, with its run, once decided', async () => {
    const log = await SecurityLog.open(dir);
    const { mine, theirs } = await connection(log);
    let decide: (approved: boolean) => void = () => undefined;
    const decision = new Promise<boolean>((resolve) => (decide = resolve));
    mine.handle('run.consent', Consent, async () => ({ body: { approved: await decision } }));
    const answer = theirs.request('run.consent', { run: 'stroke-1', projectId: 'outcome' }, { schema: z.strictObject({ approved: z.boolean() }) });

    await expect.poll(async () => (await log.query()).total).toBe(1);
    const lines = (await readFile(join(dir, SECURITY_LOG_FILE), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ direction: 'inbound', kind: 'message', peer: 'hub', what: 'run.consent', outcome: 'accepted', run: 'stroke-1' });
    expect(JSON.parse(lines[0]!).bytes).toBeGreaterThan(40);

    decide(true);
    await expect(answer).resolves.toMatchObject({ body: { approved: true } });
    await expect.poll(async () => (await log.query()).total).toBe(2);
    // Newest first: the reply, named after the request's run; the request still once.
    expect((await log.query()).events).toEqual([
      expect.objectContaining({ direction: 'outbound', what: 'reply to run.consent', outcome: 'sent', run: 'stroke-1' }),
      expect.objectContaining({ direction: 'inbound', what: 'run.consent', outcome: 'accepted', run: 'stroke-1' }),
    ]);
    expect((await log.query({ search: 'stroke-1' })).total).toBe(2);
    await log.close();
  });

  it('records refused frames with their size', async () => {
    const log = await SecurityLog.open(dir);
    const { theirs } = await connection(log);
    const socket = (theirs as unknown as { socket: { send(data: string | Buffer): void } }).socket;
    const garbage = `{"v": ${PROTOCOL_VERSION}, "nonsense": "${'x'.repeat(200)}"}`;
    socket.send(garbage);
    socket.send(Buffer.alloc(64));
    await expect.poll(async () => (await log.query({ outcome: 'refused' })).total).toBe(2);
    expect((await log.query({ outcome: 'refused' })).events.map((event) => [event.what, event.bytes])).toEqual([
      ['frame', 64],
      ['frame', Buffer.byteLength(garbage)],
    ]);
    await log.close();
  });
});
