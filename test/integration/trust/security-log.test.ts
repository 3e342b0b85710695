// The security log on disk: appended to, never rewritten; queried newest first with filters and
// totals; a torn last line (a crash mid-write) is skipped; exported as JSON lines or CSV.
import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportSecurityLog } from '../../../src-main/api/trust/security-export';
import { SECURITY_LOG_FILE, SecurityLog } from '../../../src-main/store/security-log';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cohort-seclog-'));
});
afterEach(async () => {
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
