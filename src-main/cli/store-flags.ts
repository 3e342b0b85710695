// The flags every command on a party's data directory shares, and how it prints a record.
import type { Command } from 'commander';
import { defaultDataDir } from '../api/app-paths';
import { MetadataStore } from '../store/metadata-store';
import { printJson, style } from './output';

export interface StoreFlags {
  dataDir: string;
  json?: boolean;
}

export function withStore(command: Command): Command {
  return command.option('--data-dir <dir>', "this party's data directory", defaultDataDir()).option('--json', 'print JSON');
}

export async function open(flags: StoreFlags): Promise<MetadataStore> {
  return MetadataStore.open(flags.dataDir);
}

export function printRecord(flags: StoreFlags, record: { id: string }, what: string): void {
  if (flags.json) printJson(record);
  else console.log(`${style.ok('✓')} ${what} ${style.heading(record.id)}`);
}

