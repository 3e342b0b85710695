// Exporting the security log: JSON lines as kept, CSV for a spreadsheet, and never onto the log itself.
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportSecurityLog } from '../../../src-main/api/trust/security-export';
import { SecurityLog } from '../../../src-main/store/security-log';

describe('exporting the security log', () => {
  let dir: string;
  let log: SecurityLog;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cohort-security-export-'));
    log = await SecurityLog.open(join(dir, 'data'));
    log.record({ direction: 'outbound', kind: 'message', peer: 'hub', what: 'reply to run.fit', bytes: 128, outcome: 'sent', run: 'r1' });
    log.record({ direction: 'inbound', kind: 'connection', peer: '10.0.0.9', what: 'handshake', bytes: 0, outcome: 'refused', reason: 'no invitation, "quoted"' });
    await log.flush();
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes JSON lines as kept, and CSV with one row per event', async () => {
    const jsonl = await exportSecurityLog(log, join(dir, 'out', 'log.jsonl'), 'jsonl');
    expect(jsonl.events).toBe(2);
    expect((await readFile(jsonl.path, 'utf8')).trim().split('\n').map((line) => JSON.parse(line).what)).toEqual(['reply to run.fit', 'handshake']);
    const csv = await exportSecurityLog(log, join(dir, 'out', 'log.csv'), 'csv');
    const lines = (await readFile(csv.path, 'utf8')).trim().split(/\r?\n/);
    expect(lines[0]).toBe('at,direction,kind,peer,what,bytes,outcome,reason,run');
    expect(lines[2]).toContain('"no invitation, ""quoted"""');
  });

  it('refuses to export onto the log itself, by its path or through a link, and leaves it intact', async () => {
    const before = await readFile(log.path, 'utf8');
    await expect(exportSecurityLog(log, log.path, 'jsonl')).rejects.toThrow('is the security log itself');
    await symlink(log.path, join(dir, 'link.jsonl'));
    await expect(exportSecurityLog(log, join(dir, 'link.jsonl'), 'csv')).rejects.toThrow('is the security log itself');
    expect(await readFile(log.path, 'utf8')).toBe(before);
  });
});
