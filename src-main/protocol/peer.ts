// One party-to-party connection over a WebSocket: requests with ids and correlated replies,
// notifications, binary tensor frames, a size limit on every frame and heartbeats that detect
// a dead peer within a few seconds. Bodies are validated with a schema on arrival; a peer that
// sends garbage gets an error reply, never a crash.
import { randomBytes } from 'node:crypto';
import type { WebSocket, RawData } from 'ws';
import type { z } from 'zod';
import { encodeMessage, FrameError, MessageAssembler, PROTOCOL_VERSION, type Envelope, type Message } from './frames';

export const DEFAULT_MAX_FRAME_BYTES = 512 * 1024 * 1024;

export interface PeerOptions {
  /** Names the peer in logs and errors. */
  label: string;
  /** Ping interval; a peer that misses one full interval is taken for dead. 0 disables. */
  heartbeatMs?: number;
  /** Default for requests that do not set their own. */
  requestTimeoutMs?: number;
  /** Called for every frame or body refused, for the security log. */
  onRefused?: (problem: string) => void;
}

export interface Payload<T = unknown> {
  body: T;
  tensors: Float32Array[];
}

export interface HandlerResult {
  body: unknown;
  tensors?: readonly Float32Array[];
}

type Handler = (message: Message) => Promise<HandlerResult>;
type Listener = (message: Message) => void;

export class RemoteError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

export class PeerClosedError extends Error {
  constructor(label: string, reason: string) {
    super(`connection to ${label} closed${reason ? `: ${reason}` : ''}`);
    this.name = 'PeerClosedError';
  }
}

export class RequestTimeoutError extends Error {
  constructor(label: string, type: string, ms: number) {
    super(`${label} did not answer ${type} within ${(ms / 1000).toFixed(1)} s`);
    this.name = 'RequestTimeoutError';
  }
}

export interface CloseInfo {
  code: number;
  reason: string;
  /** True when the heartbeat gave up on the peer. */
  dead: boolean;
}

interface Pending {
  type: string;
  resolve: (message: Message) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | undefined;
}

export class Peer {
  readonly closed: Promise<CloseInfo>;
  private readonly pending = new Map<string, Pending>();
  private readonly handlers = new Map<string, Handler>();
  private readonly listeners = new Map<string, Listener[]>();
  private readonly idPrefix = randomBytes(4).toString('hex');
  private readonly assembler = new MessageAssembler();
  private nextId = 0;
  private alive = true;
  private dead = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private closeReason = '';

  constructor(
    private readonly socket: WebSocket,
    private readonly options: PeerOptions,
  ) {
    this.closed = new Promise((resolve) => {
      socket.once('close', (code: number, reason: Buffer) => {
        if (this.heartbeat) clearInterval(this.heartbeat);
        const text = this.closeReason || reason.toString() || (this.dead ? 'no heartbeat' : `code ${code}`);
        for (const [id, pending] of this.pending) {
          if (pending.timer) clearTimeout(pending.timer);
          pending.reject(new PeerClosedError(options.label, text));
          this.pending.delete(id);
        }
        resolve({ code, reason: text, dead: this.dead });
      });
    });
    socket.on('error', () => undefined); // 'close' follows and settles everything
    socket.on('message', (data: RawData, isBinary: boolean) => this.receive(data, isBinary));
    socket.on('pong', () => (this.alive = true));
    socket.resume(); // dial() pauses sockets until their listeners are in place
    const heartbeatMs = options.heartbeatMs ?? 2_000;
    if (heartbeatMs > 0) {
      this.heartbeat = setInterval(() => {
        if (!this.alive) {
          this.dead = true;
          socket.terminate();
          return;
        }
        this.alive = false;
        socket.ping();
      }, heartbeatMs);
      this.heartbeat.unref();
    }
  }

  get label(): string {
    return this.options.label;
  }

  get isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /** Bytes this connection has written to and read from its TCP socket (WebSocket framing included). */
  transferred(): { sent: number; received: number } {
    const tcp = (this.socket as unknown as { _socket?: { bytesWritten: number; bytesRead: number } })._socket;
    return { sent: tcp?.bytesWritten ?? 0, received: tcp?.bytesRead ?? 0 };
  }

  /** Sends a request and resolves with the validated reply. */
  async request<S extends z.ZodType>(
    type: string,
    body: unknown,
    options: { schema: S; tensors?: readonly Float32Array[]; timeoutMs?: number },
  ): Promise<Payload<z.infer<S>>> {
    const id = `${this.idPrefix}-${++this.nextId}`;
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? 60_000;
    const reply = new Promise<Message>((resolve, reject) => {
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            this.pending.delete(id);
            reject(new RequestTimeoutError(this.options.label, type, timeoutMs));
          }, timeoutMs)
        : undefined;
      this.pending.set(id, { type, resolve, reject, timer });
    });
    try {
      await this.send({ v: PROTOCOL_VERSION, t: type, id, b: body }, options.tensors);
    } catch (error) {
      const pending = this.pending.get(id);
      if (pending?.timer) clearTimeout(pending.timer);
      this.pending.delete(id);
      throw error;
    }
    const message = await reply;
    const parsed = options.schema.safeParse(message.envelope.b);
    if (!parsed.success) {
      const problem = `${this.options.label} sent an invalid reply to ${type}: ${parsed.error.issues[0]?.message ?? 'bad body'}`;
      this.options.onRefused?.(problem);
      throw new RemoteError('BAD_REPLY', problem);
    }
    return { body: parsed.data as z.infer<S>, tensors: message.tensors };
  }

  /** A one-way message. */
  async notify(type: string, body: unknown, tensors?: readonly Float32Array[]): Promise<void> {
    await this.send({ v: PROTOCOL_VERSION, t: type, b: body }, tensors);
  }

  /** Answers requests of one type; the body is validated before the handler sees it. */
  handle<S extends z.ZodType>(
    type: string,
    schema: S,
    handler: (body: z.infer<S>, tensors: Float32Array[]) => Promise<HandlerResult> | HandlerResult,
  ): void {
    this.handlers.set(type, async (message) => {
      const parsed = schema.safeParse(message.envelope.b);
      if (!parsed.success) {
        throw new RemoteError('BAD_REQUEST', `invalid ${type}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
      }
      return handler(parsed.data as z.infer<S>, message.tensors);
    });
  }

  /** Listens to notifications of one type; invalid bodies are refused and dropped. */
  on<S extends z.ZodType>(type: string, schema: S, listener: (body: z.infer<S>, tensors: Float32Array[]) => void): void {
    const list = this.listeners.get(type) ?? [];
    list.push((message) => {
      const parsed = schema.safeParse(message.envelope.b);
      if (parsed.success) listener(parsed.data as z.infer<S>, message.tensors);
      else this.options.onRefused?.(`invalid ${type} from ${this.options.label}`);
    });
    this.listeners.set(type, list);
  }

  close(reason = 'closing'): void {
    this.closeReason ||= reason;
    if (this.socket.readyState === this.socket.CONNECTING || this.socket.readyState === this.socket.OPEN) {
      this.socket.close(1000, reason.slice(0, 120));
      // A peer that does not complete the closing handshake is cut off.
      setTimeout(() => this.socket.terminate(), 2_000).unref();
    }
  }

  terminate(reason = 'terminated'): void {
    this.closeReason ||= reason;
    this.socket.terminate();
  }

  /**
   * Sends the envelope, then each tensor as a raw binary frame, back to back (ws keeps them in
   * order). The tensors' memory goes to the socket as it is: it must not change until this
   * resolves.
   */
  private send(envelope: Omit<Envelope, 'n'>, tensors: readonly Float32Array[] = []): Promise<void> {
    if (!this.isOpen) return Promise.reject(new PeerClosedError(this.options.label, this.closeReason || 'not open'));
    const { text, binary } = encodeMessage(envelope, tensors);
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => (error ? reject(error) : resolve());
      this.socket.send(text, binary.length === 0 ? done : undefined);
      binary.forEach((frame, index) => this.socket.send(frame, { binary: true }, index === binary.length - 1 ? done : undefined));
    });
  }

  private receive(data: RawData, isBinary: boolean): void {
    this.alive = true;
    let message: Message | undefined;
    try {
      const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      message = this.assembler.push(buffer, isBinary);
    } catch (error) {
      this.options.onRefused?.(error instanceof FrameError ? error.message : String(error));
      return;
    }
    if (!message) return;
    const { envelope } = message;
    if (envelope.re !== undefined) {
      const pending = this.pending.get(envelope.re);
      if (!pending) return; // a late reply to a request that timed out
      this.pending.delete(envelope.re);
      if (pending.timer) clearTimeout(pending.timer);
      if (envelope.t === 'error') {
        const body = envelope.b as { code?: unknown; message?: unknown } | undefined;
        pending.reject(new RemoteError(String(body?.code ?? 'ERROR'), String(body?.message ?? 'the peer reported an error')));
      } else {
        pending.resolve(message);
      }
      return;
    }
    if (envelope.id !== undefined) {
      void this.answer(envelope.id, message);
      return;
    }
    const listeners = this.listeners.get(envelope.t);
    if (!listeners) {
      this.options.onRefused?.(`unknown notification ${envelope.t} from ${this.options.label}`);
      return;
    }
    for (const listener of listeners) listener(message);
  }

  private async answer(id: string, message: Message): Promise<void> {
    const handler = this.handlers.get(message.envelope.t);
    let reply: Omit<Envelope, 'n'>;
    let tensors: readonly Float32Array[] | undefined;
    if (!handler) {
      this.options.onRefused?.(`unknown request ${message.envelope.t} from ${this.options.label}`);
      reply = { v: PROTOCOL_VERSION, t: 'error', re: id, b: { code: 'UNKNOWN_TYPE', message: `unknown request type ${message.envelope.t}` } };
    } else {
      try {
        const result = await handler(message);
        reply = { v: PROTOCOL_VERSION, t: 'reply', re: id, b: result.body };
        tensors = result.tensors;
      } catch (error) {
        const code = error instanceof RemoteError ? error.code : ((error as { code?: unknown }).code ?? 'ERROR');
        if (code === 'BAD_REQUEST') this.options.onRefused?.((error as Error).message);
        reply = { v: PROTOCOL_VERSION, t: 'error', re: id, b: { code: String(code), message: (error as Error).message ?? String(error) } };
      }
    }
    await this.send(reply, tensors).catch(() => undefined);
  }
}
