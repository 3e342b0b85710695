// How large a peer's inbound messages may be, and whether tensor frames may come at all: small
// JSON only while the other side is a stranger, the full limit once it has authenticated. The
// limit is also set on the socket, so ws refuses a larger frame from its header (limits.ts).
import type { WebSocket } from 'ws';
import { DEFAULT_MAX_FRAME_BYTES, formatLimit, setFrameLimit } from './limits';

export class MessageLimits {
  private stranger: boolean;

  constructor(
    private readonly socket: WebSocket,
    /** Until the other side has authenticated (undefined: no stranger limits). */
    private readonly beforeAuthentication: number | undefined,
    private readonly afterAuthentication: number = DEFAULT_MAX_FRAME_BYTES,
  ) {
    this.stranger = beforeAuthentication !== undefined;
    if (this.stranger) setFrameLimit(socket, beforeAuthentication!);
  }

  /** True while the stranger limits apply. */
  get restricted(): boolean {
    return this.stranger;
  }

  /** The largest message accepted now. */
  get bytes(): number {
    return this.stranger ? this.beforeAuthentication! : this.afterAuthentication;
  }

  /** The other side has authenticated: its messages may be large from now on. */
  lift(): void {
    if (!this.stranger) return;
    this.stranger = false;
    setFrameLimit(this.socket, this.afterAuthentication);
  }

  /** Why a stranger's frame is refused (and its connection closed), or undefined. */
  strangerProblem(frameBytes: number, isBinary: boolean): string | undefined {
    if (!this.stranger) return undefined;
    if (isBinary) return 'a tensor frame before authentication';
    if (frameBytes > this.bytes) return `a ${frameBytes}-byte message before authentication, over the ${formatLimit(this.bytes)} limit`;
    return undefined;
  }

  /** What to log when ws refused a frame over the limit from its header. */
  tooBig(): string {
    return `a message over the ${formatLimit(this.bytes)} limit${this.stranger ? ' before authentication' : ''} (connection closed)`;
  }
}
