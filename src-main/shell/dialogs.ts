// The native dialogs the window may ask for, checked at the IPC boundary: a request that does
// not parse gets no dialog. Typed against Electron's own option types, so a filter the contract
// allows is one Electron takes.
import type { FileFilter, OpenDialogOptions, SaveDialogOptions } from 'electron';
import { ChoosePathRequest } from '../contract/bridge';

export type DialogPlan = { kind: 'open'; options: OpenDialogOptions } | { kind: 'save'; options: SaveDialogOptions };

const CSV: FileFilter[] = [{ name: 'CSV files', extensions: ['csv'] }];

/** The dialog to show for a request from the window, or undefined when the request is not valid. */
export function dialogFor(input: unknown): DialogPlan | undefined {
  const parsed = ChoosePathRequest.safeParse(input);
  if (!parsed.success) return undefined;
  const request = parsed.data;
  const filters: FileFilter[] | undefined = request.filters?.map((filter) => ({ name: filter.name, extensions: [...filter.extensions] }));
  switch (request.purpose) {
    case 'open-csv':
      return { kind: 'open', options: { properties: ['openFile'], filters: filters ?? CSV } };
    case 'save-csv':
      return { kind: 'save', options: { filters: filters ?? CSV } };
    case 'save-file':
      return { kind: 'save', options: filters ? { filters } : {} };
    case 'directory':
      return { kind: 'open', options: { properties: ['openDirectory', 'createDirectory'] } };
  }
}
