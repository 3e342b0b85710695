// The frames of the UI bridge (browser mode's WebSocket; Electron's IPC carries the same
// requests): a request names a command, a response carries its Result, events flow freely.
import { z } from 'zod';

export const BridgeRequest = z.strictObject({ id: z.int().min(0), command: z.string().min(1).max(100), input: z.unknown() });
export type BridgeRequest = z.infer<typeof BridgeRequest>;

export type BridgeMessage = { id: number; result: unknown } | { event: unknown };

/** Where the API listens on the UI's own server (browser mode). */
export const BRIDGE_PATH = '/api';

// ---------------------------------------------------------------------------------------------
// Native file dialogs (desktop app only): the window asks, through the preload, for a path.

/** A kind of file a dialog offers, as Electron takes it: a name and extensions without the dot ("*" for any). */
export const DialogFileFilter = z.strictObject({
  name: z.string().min(1).max(100),
  extensions: z
    .array(z.string().regex(/^(?:\*|[A-Za-z0-9][A-Za-z0-9_-]{0,15})$/, 'an extension is letters, digits, "_" or "-", without the dot'))
    .min(1)
    .max(10),
});
export type DialogFileFilter = z.infer<typeof DialogFileFilter>;

/** What the dialog is for: a CSV to open, a CSV to save, any file to save, or a folder. */
export const PathPurpose = z.enum(['open-csv', 'save-csv', 'save-file', 'directory']);
export type PathPurpose = z.infer<typeof PathPurpose>;

/**
 * A request for a path. `filters` replace a file dialog's default file types (CSV for the CSV
 * purposes, none for save-file), the first being the one shown first; a folder takes none.
 */
export const ChoosePathRequest = z
  .strictObject({
    purpose: PathPurpose,
    filters: z.array(DialogFileFilter).min(1).max(10).optional(),
  })
  .refine((request) => request.purpose !== 'directory' || request.filters === undefined, { message: 'a folder dialog takes no file filters', path: ['filters'] });
export type ChoosePathRequest = z.infer<typeof ChoosePathRequest>;

/** The preload's dialog function: the path chosen, or null when the person cancelled. */
export type ChoosePath = (request: ChoosePathRequest) => Promise<string | null>;
