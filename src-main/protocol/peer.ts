// One party-to-party connection over a WebSocket: requests with ids and correlated replies,
// notifications, binary tensor frames, a size limit on every frame and heartbeats that detect
// a dead peer within a few seconds. Bodies are validated with a schema on arrival; a peer that
// sends garbage gets an error reply, never a crash.
//
// A peer created with `handshake` types accepts only those (and replies to its own requests)
// until it is sealed with the session keys the handshake agreed; from then on every message in
// both directions is sequenced and authenticated (session.ts), and anything else is refused.
// Until the other side has authenticated, such a peer also accepts no tensor frame at all and
// no message over `preAuthMaxMessageBytes`: either closes the connection (limits.ts).
// Every message sent, and every inbound request accepted or refused, is reported to `audit`:
// an inbound request as soon as it arrives and is validated (its handler may take minutes: a
// consent request waits for a person), its reply when that is sent, with the request's run.
import { randomBytes } from 'node:crypto';
import type { WebSocket, RawData } from 'ws';
import type { z } from 'zod';
import type { TensorData, Tensors } from '../contract/tensors';
import { encodeMessage, FrameError, MessageAssembler, PROTOCOL_VERSION, type Envelope, type Message } from './frames';
import { WS_TOO_BIG } from './limits';
import { MessageLimits } from './message-limits';
import { MessageSeal, SealError, type SessionKeys } from './session';

export interface PeerOptions {
  /** Names the peer in logs and errors. */
  label: string;
  /** Ping interval; a peer that misses one full interval is taken for dead. 0 disables. */
  heartbeatMs?: number;
  /** Default for requests that do not set their own. */
  requestTimeoutMs?: number;
  /** Called for every frame or body refused; `authenticated` says whether the session was sealed. */
  onRefused?: (problem: string, authenticated: boolean) => void;
  /** Told of every message sent and every inbound request or notification, accepted or refused. */
  audit?: (entry: PeerAuditEntry) => void;
  /** Message types accepted before the session is sealed; set for connections that must authenticate. */
  handshake?: readonly string[];
  /** Called once the session is sealed. */
  onSealed?: () => void;
  /** The largest message (envelope and tensors together) accepted once the other side is authenticated. */
  maxMessageBytes?: number;
  /**
   * With `handshake`: until the other side is authenticated, the largest message accepted (a
   * larger one, or any tensor frame, closes the connection).
   */
  preAuthMaxMessageBytes?: number;
}

export interface PeerAuditEntry {
  direction: 'outbound' | 'inbound';
  /** The peer's label when it happened. */
  peer: string;
  /** The message type; replies are "reply to <type>". */
  what: string;
  bytes: number;
  outcome: 'sent' | 'accepted' | 'refused';
  /** Why it was refused; for an error reply, the error it carries. */
  reason?: string;
  /** The run it is about: named in its body, or (a reply) in the request's. */
  run?: string;
}

export interface Payload<T = unknown> {
  body: T;
  tensors: Tensors;
}

export interface HandlerResult {
  body: unknown;
  tensors?: Tensors;
  /** Runs as soon as the reply is on its way, before any later message is handled. */
  afterReply?: () => void;
}

interface Handler {
  schema: z.ZodType;
  run: (body: unknown, tensors: Tensors) => Promise<HandlerResult> | HandlerResult;
}
type Listener = (message: Message) => void;

/** Screens a notification before its body is even parsed: why it is refused, or undefined. */
export type NoticeGuard = (message: { bytes: number; tensors: number }) => string | undefined;

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
  /** Runs synchronously when the reply arrives, before any later message is handled. */
  onReply: ((message: Message) => void) | undefined;
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
  private readonly assembler = new MessageAssembler(() => this.limits.bytes);
  private readonly limits: MessageLimits;
  private nextId = 0;
  private alive = true;
  private dead = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private closeReason = '';
  private seal: MessageSeal | undefined;
  /** Closing for a violation: whatever else arrives is not read. */
  private shunned = false;
  private label_: string;

  constructor(
    private readonly socket: WebSocket,
    private readonly options: PeerOptions,
  ) {
    this.label_ = options.label;
    this.closed = new Promise((resolve) => {
      socket.once('close', (code: number, reason: Buffer) => {
        if (this.heartbeat) clearInterval(this.heartbeat);
        const text = this.closeReason || reason.toString() || (this.dead ? 'no heartbeat' : `code ${code}`);
        for (const [id, pending] of this.pending) {
          if (pending.timer) clearTimeout(pending.timer);
          pending.reject(new PeerClosedError(this.label_, text));
          this.pending.delete(id);
        }
        resolve({ code, reason: text, dead: this.dead });
      });
    });
    this.limits = new MessageLimits(socket, options.handshake ? options.preAuthMaxMessageBytes : undefined, options.maxMessageBytes);
    socket.on('error', (error: Error & { code?: string }) => {
      // ws refused a frame over the limit from its header, and closes with 1009.
      if (error.code === WS_TOO_BIG) this.refuse(undefined, this.limits.tooBig());
      // Otherwise 'close' follows and settles everything.
    });
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
    return this.label_;
  }

  /** Names the peer, once the handshake has told who it is. */
  identify(label: string): void {
    this.label_ = label;
  }

  /** True once the session keys are in place. */
  get sealed(): boolean {
    return this.seal !== undefined;
  }

  /** The session's id (a hash of the handshake transcript), once sealed. */
  get sessionId(): string | undefined {
    return this.seal?.sessionId;
  }

  /**
   * From now on every message is sequenced and authenticated with these keys. Called by the
   * handshake at the exact point both sides switch: after the last clear message each way.
   */
  sealWith(keys: SessionKeys): void {
    if (this.seal) throw new Error(`the session with ${this.label_} is already sealed`);
    this.seal = new MessageSeal(keys);
    this.limits.lift();
    this.options.onSealed?.();
  }

  /**
   * The other side has proved who it is, though the session is not sealed yet (the party has
   * verified the hub's signature and waits for its welcome): its messages may be large now.
   * Tensor frames still wait for the seal.
   */
  otherSideAuthenticated(): void {
    this.limits.lift();
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
    options: { schema: S; tensors?: Tensors; timeoutMs?: number; onReply?: (body: unknown) => void },
  ): Promise<Payload<z.infer<S>>> {
    const id = `${this.idPrefix}-${++this.nextId}`;
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? 60_000;
    const reply = new Promise<Message>((resolve, reject) => {
      const timer = Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            this.pending.delete(id);
            reject(new RequestTimeoutError(this.label_, type, timeoutMs));
          }, timeoutMs)
        : undefined;
      const onReply = options.onReply;
      this.pending.set(id, { type, onReply: onReply && ((message) => onReply(message.envelope.b)), resolve, reject, timer });
    });
    // The reply may come back (even as an error) before the send below has settled: mark it
    // handled now, so an early rejection is not reported as unhandled; it is awaited below.
    reply.catch(() => undefined);
    try {
      await this.send({ v: PROTOCOL_VERSION, t: type, id, b: body }, options.tensors, type);
    } catch (error) {
      const pending = this.pending.get(id);
      if (pending?.timer) clearTimeout(pending.timer);
      this.pending.delete(id);
      throw error;
    }
    const message = await reply;
    const parsed = options.schema.safeParse(message.envelope.b);
    if (!parsed.success) {
      const problem = `${this.label_} sent an invalid reply to ${type}: ${parsed.error.issues[0]?.message ?? 'bad body'}`;
      this.options.onRefused?.(problem, this.seal !== undefined);
      throw new RemoteError('BAD_REPLY', problem);
    }
    return { body: parsed.data as z.infer<S>, tensors: message.tensors };
  }

  /** A one-way message. */
  async notify(type: string, body: unknown, tensors?: Tensors): Promise<void> {
    await this.send({ v: PROTOCOL_VERSION, t: type, b: body }, tensors, type);
  }

  /** Answers requests of one type; the body is validated before the handler sees it. */
  handle<S extends z.ZodType>(
    type: string,
    schema: S,
    handler: (body: z.infer<S>, tensors: Tensors) => Promise<HandlerResult> | HandlerResult,
  ): void {
    this.handlers.set(type, { schema, run: (body, tensors) => handler(body as z.infer<S>, tensors) });
  }

  /**
   * Listens to notifications of one type; invalid bodies are refused and dropped, and so is
   * whatever `guard` refuses (too large, too many).
   */
  on<S extends z.ZodType>(type: string, schema: S, listener: (body: z.infer<S>, tensors: Tensors) => void, guard?: NoticeGuard): void {
    const list = this.listeners.get(type) ?? [];
    list.push((message) => {
      const refusal = guard?.({ bytes: messageBytes(message), tensors: message.order.length });
      if (refusal !== undefined) {
        this.refuse(message, refusal);
        return;
      }
      const parsed = schema.safeParse(message.envelope.b);
      if (parsed.success) {
        this.auditInbound(message, 'accepted');
        listener(parsed.data as z.infer<S>, message.tensors);
      } else {
        this.refuse(message, `invalid ${type}: ${parsed.error.issues[0]?.message ?? 'bad body'}`);
      }
    });
    this.listeners.set(type, list);
  }

  /** Closes with `code` (1000: normal; 1008: policy violation; 1009: too big). */
  close(reason = 'closing', code = 1000): void {
    this.closeReason ||= reason;
    if (this.socket.readyState === this.socket.CONNECTING || this.socket.readyState === this.socket.OPEN) {
      this.socket.close(code, reason.slice(0, 120));
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
   * resolves. Inside a session the envelope gets the next sequence number and the frame the tag.
   */
  private send(
    envelope: Omit<Envelope, 'n'>,
    tensors: Tensors = {},
    what: string = envelope.t,
    noted: Pick<PeerAuditEntry, 'run' | 'reason'> = {},
  ): Promise<void> {
    if (!this.isOpen) return Promise.reject(new PeerClosedError(this.label_, this.closeReason || 'not open'));
    const sequenced = this.seal ? { ...envelope, s: this.seal.next() } : envelope;
    const { text, binary } = encodeMessage(sequenced, tensors);
    const frame = this.seal ? this.seal.tag(sequenced.s!, text, binary) + text : text;
    if (this.options.audit) {
      const bytes = Buffer.byteLength(frame) + binary.reduce((total, part) => total + part.length, 0);
      this.options.audit({ direction: 'outbound', peer: this.label_, what, bytes, outcome: 'sent', ...runOf(envelope.b), ...noted });
    }
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => (error ? reject(error) : resolve());
      this.socket.send(frame, binary.length === 0 ? done : undefined);
      binary.forEach((part, index) => this.socket.send(part, { binary: true }, index === binary.length - 1 ? done : undefined));
    });
  }

  /** Drops an inbound message (or frames that make none: `bytes` says how many), saying why. */
  private refuse(message: Message | undefined, reason: string, bytes = 0): void {
    this.options.onRefused?.(`${reason} (from ${this.label_})`, this.seal !== undefined);
    if (this.options.audit) {
      this.options.audit({
        direction: 'inbound',
        peer: this.label_,
        what: message?.envelope.t ?? 'frame',
        bytes: message ? messageBytes(message) : bytes,
        outcome: 'refused',
        reason,
        ...runOf(message?.envelope.b),
      });
    }
  }

  private auditInbound(message: Message, outcome: 'accepted'): void {
    this.options.audit?.({ direction: 'inbound', peer: this.label_, what: message.envelope.t, bytes: messageBytes(message), outcome, ...runOf(message.envelope.b) });
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (this.shunned) return;
    this.alive = true;
    let message: Message | undefined;
    const buffer = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    // A stranger sends a few small JSON messages, nothing else; and no tensor comes before the seal.
    const problem = this.limits.strangerProblem(buffer.length, isBinary) ?? (isBinary && this.options.handshake && !this.seal ? 'a tensor frame before authentication' : undefined);
    if (problem) {
      this.refuse(undefined, `${problem} (connection closed)`, buffer.length);
      this.shunned = true;
      this.close(problem, isBinary ? 1008 : 1009);
      return;
    }
    try {
      message = this.assembler.push(buffer, isBinary, (problem, bytes) => this.refuse(undefined, problem, bytes));
    } catch (error) {
      if (error instanceof FrameError) this.refuse(undefined, error.message, error.bytes ?? buffer.length);
      else this.refuse(undefined, String(error), buffer.length);
      return;
    }
    if (!message) return;
    const { envelope } = message;
    if (this.seal) {
      try {
        this.seal.check(envelope.s, message.tag, message.text, message.order.map(bytesOf));
      } catch (error) {
        this.refuse(message, error instanceof SealError ? error.message : String(error));
        return;
      }
    } else if (this.options.handshake) {
      if (message.tag !== undefined || envelope.s !== undefined) {
        this.refuse(message, 'an authenticated message arrived before the session was established');
        return;
      }
      if (envelope.re === undefined && !this.options.handshake.includes(envelope.t)) {
        this.refuse(message, `"${envelope.t}" is not allowed before authentication`);
        if (envelope.id !== undefined) {
          void this.send({ v: PROTOCOL_VERSION, t: 'error', re: envelope.id, b: { code: 'UNAUTHENTICATED', message: 'authenticate first' } }, {}, `error reply to ${envelope.t}`, {
            ...runOf(envelope.b),
            reason: 'authenticate first',
          }).catch(() => undefined);
        }
        return;
      }
    }
    if (envelope.re !== undefined) {
      const pending = this.pending.get(envelope.re);
      if (!pending) return; // a late reply to a request that timed out
      this.pending.delete(envelope.re);
      if (pending.timer) clearTimeout(pending.timer);
      if (envelope.t !== 'error') pending.onReply?.(message);
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
      this.refuse(message, `unknown notification type "${envelope.t}"`);
      return;
    }
    for (const listener of listeners) listener(message);
  }

  private async answer(id: string, message: Message): Promise<void> {
    const type = message.envelope.t;
    const handler = this.handlers.get(type);
    let result: HandlerResult | undefined;
    let failure: { code: string; message: string } | undefined;
    if (!handler) {
      failure = { code: 'UNKNOWN_TYPE', message: `unknown request type ${type}` };
      this.refuse(message, `unknown request type "${type}"`);
    } else {
      const parsed = handler.schema.safeParse(message.envelope.b);
      if (!parsed.success) {
        failure = { code: 'BAD_REQUEST', message: `invalid ${type}: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}` };
        this.refuse(message, failure.message);
      } else {
        // Recorded now, not when the handler is done: that may be minutes away (a person deciding).
        this.auditInbound(message, 'accepted');
        try {
          result = await handler.run(parsed.data, message.tensors);
        } catch (error) {
          const code = error instanceof RemoteError ? error.code : ((error as { code?: unknown }).code ?? 'ERROR');
          failure = { code: String(code), message: (error as Error).message ?? String(error) };
        }
      }
    }
    const reply: Omit<Envelope, 'n'> = failure ? { v: PROTOCOL_VERSION, t: 'error', re: id, b: failure } : { v: PROTOCOL_VERSION, t: 'reply', re: id, b: result?.body };
    // The reply's entry names the request's run (a reply body seldom does), and an error its reason.
    const noted = { ...runOf(message.envelope.b), ...(failure ? { reason: `${failure.code}: ${failure.message}` } : {}) };
    const sent = this.send(reply, failure ? undefined : result?.tensors, `${failure ? 'error reply' : 'reply'} to ${type}`, noted);
    if (!failure) result?.afterReply?.();
    await sent.catch(() => undefined);
  }
}

function bytesOf(tensor: TensorData): Uint8Array {
  return new Uint8Array(tensor.buffer, tensor.byteOffset, tensor.byteLength);
}

function messageBytes(message: Message): number {
  return Buffer.byteLength(message.text) + (message.tag?.length ?? 0) + message.order.reduce((total, tensor) => total + tensor.byteLength, 0);
}

/** The run a message is about, when its body names one. */
function runOf(body: unknown): { run?: string } {
  const run = typeof body === 'object' && body !== null ? (body as { run?: unknown }).run : undefined;
  return typeof run === 'string' ? { run: run.slice(0, 64) } : {};
}
