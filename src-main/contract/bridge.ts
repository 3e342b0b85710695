// The frames of the UI bridge (browser mode's WebSocket; Electron's IPC carries the same
// requests): a request names a command, a response carries its Result, events flow freely.
import { z } from 'zod';

export const BridgeRequest = z.strictObject({ id: z.int().min(0), command: z.string().min(1).max(100), input: z.unknown() });
export type BridgeRequest = z.infer<typeof BridgeRequest>;

export type BridgeMessage = { id: number; result: unknown } | { event: unknown };

/** Where the API listens on the UI's own server (browser mode). */
export const BRIDGE_PATH = '/api';
