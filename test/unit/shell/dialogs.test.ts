// The desktop app's file dialogs: what the window may ask for, checked at the IPC boundary, and
// the Electron options each request becomes.
import { describe, expect, it } from 'vitest';
import { dialogFor } from '../../../src-main/shell/dialogs';

const JSONL = { name: 'JSON lines', extensions: ['jsonl'] };
const CSV = { name: 'CSV files', extensions: ['csv'] };

describe('file dialogs', () => {
  it('offer the file types the window asks for, first the one shown first', () => {
    expect(dialogFor({ purpose: 'save-file', filters: [JSONL] })).toEqual({ kind: 'save', options: { filters: [JSONL] } });
    expect(dialogFor({ purpose: 'save-file', filters: [CSV, JSONL] })).toEqual({ kind: 'save', options: { filters: [CSV, JSONL] } });
    expect(dialogFor({ purpose: 'open-csv', filters: [{ name: 'Any file', extensions: ['*'] }] })).toEqual({
      kind: 'open',
      options: { properties: ['openFile'], filters: [{ name: 'Any file', extensions: ['*'] }] },
    });
  });

  it('keep each purpose’s defaults when the window names no file types', () => {
    expect(dialogFor({ purpose: 'open-csv' })).toEqual({ kind: 'open', options: { properties: ['openFile'], filters: [CSV] } });
    expect(dialogFor({ purpose: 'save-csv' })).toEqual({ kind: 'save', options: { filters: [CSV] } });
    expect(dialogFor({ purpose: 'save-file' })).toEqual({ kind: 'save', options: {} });
    expect(dialogFor({ purpose: 'directory' })).toEqual({ kind: 'open', options: { properties: ['openDirectory', 'createDirectory'] } });
  });

  it('show nothing for a request that does not parse', () => {
    for (const request of [
      'save-csv', // the old bare purpose
      null,
      { purpose: 'open-anything' },
      { purpose: 'save-file', filters: [] },
      { purpose: 'save-file', filters: [{ name: 'JSON lines', extensions: ['.jsonl'] }] },
      { purpose: 'save-file', filters: [{ name: 'Sneaky', extensions: ['../../etc/passwd'] }] },
      { purpose: 'save-file', filters: [{ name: '', extensions: ['csv'] }] },
      { purpose: 'save-file', filters: [{ ...JSONL, extra: true }] },
      { purpose: 'save-file', defaultPath: '/etc/passwd' },
      { purpose: 'directory', filters: [CSV] },
    ]) {
      expect(dialogFor(request), JSON.stringify(request)).toBeUndefined();
    }
  });
});
