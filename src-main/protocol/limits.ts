// How much a connection may send, before and after the other side has authenticated.
//
// Before authentication only the handshake travels: the largest legitimate handshake message is
// a hello with every field at its longest and escaped (about 4.8 KB, see
// test/adversarial/pre-auth.test.ts); the smallest real ones are under 1 KB. A stranger gets
// 16 KiB per message and no tensor frames at all. After authentication a message (its envelope
// and all its tensors together) may reach the configured limit, 512 MB by default.
import type { WebSocket } from 'ws';

export const DEFAULT_MAX_FRAME_BYTES = 512 * 1024 * 1024;

/** The largest message (one text frame; tensor frames are refused) before authentication. */
export const PRE_AUTH_MAX_MESSAGE_BYTES = 16 * 1024;

/**
 * Sets the largest frame (or fragmented message) this socket accepts from now on. ws checks the
 * limit when a frame's header arrives, so a frame over it is refused (close 1009) before its
 * payload is buffered: a stranger cannot make us hold megabytes. Returns false if this ws offers
 * no such hook (the limit given when the socket was made still applies).
 */
export function setFrameLimit(socket: WebSocket, bytes: number): boolean {
  const receiver = (socket as unknown as { _receiver?: { _maxPayload?: unknown } })._receiver;
  if (!receiver || typeof receiver._maxPayload !== 'number') return false;
  receiver._maxPayload = bytes;
  return true;
}

/** ws's error code for a frame over the limit (it closes the connection with 1009). */
export const WS_TOO_BIG = 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';

export function formatLimit(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
