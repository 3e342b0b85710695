// Two ends of an in-memory connection implementing the engines' Channel: requests reach the
// other end's handlers with bodies validated and tensors copied byte for byte (as over the wire),
// and either end can be closed. A test can watch what one end receives.
import type { z } from 'zod';
import type { Tensor, Tensors } from '../../src-main/contract/tensors';
import type { Channel } from '../../src-main/engines/ports';

type Handler = { schema: z.ZodType; handler: (body: unknown, tensors: Tensors) => Promise<{ body: unknown; tensors?: Tensors }> };

class ClosedError extends Error {
  constructor(label: string) {
    super(`${label} closed`);
    this.name = 'PeerClosedError';
  }
}

/** A copy of a tensor's bytes (never through numbers: a NaN's bit pattern must survive). */
function copyTensor(tensor: Tensor): Tensor {
  const bytes = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength).slice().buffer;
  const data = tensor.dtype === 'float32' ? new Float32Array(bytes) : tensor.dtype === 'int32' ? new Int32Array(bytes) : new Uint32Array(bytes);
  return { dtype: tensor.dtype, shape: [...tensor.shape], data };
}

function copyTensors(tensors: Tensors = {}): Tensors {
  return Object.fromEntries(Object.entries(tensors).map(([name, tensor]) => [name, copyTensor(tensor)]));
}

export class MemoryChannel implements Channel {
  isOpen = true;
  readonly closed: Promise<{ reason: string }>;
  peer!: MemoryChannel;
  /** Called with every reply this end receives to its requests. */
  onReply?: (type: string, body: unknown, tensors: Tensors) => void;
  private readonly handlers = new Map<string, Handler>();
  private readonly listeners = new Map<string, Handler[]>();
  private markClosed: (value: { reason: string }) => void = () => undefined;

  constructor(readonly label: string) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
  }

  async request<S extends z.ZodType>(type: string, body: unknown, options: { schema: S; tensors?: Tensors; timeoutMs?: number }) {
    if (!this.isOpen) throw new ClosedError(this.label);
    const handler = this.peer.handlers.get(type);
    if (!handler) throw new Error(`${this.peer.label} has no handler for ${type}`);
    const parsed = handler.schema.parse(structuredClone(body));
    const closed = this.closed.then(() => {
      throw new ClosedError(this.label);
    });
    const reply = await Promise.race([handler.handler(parsed, copyTensors(options.tensors)), closed]);
    if (!this.isOpen) throw new ClosedError(this.label);
    const tensors = copyTensors(reply.tensors);
    const replyBody = structuredClone(reply.body);
    // Received: whatever happens to the connection now, this reply arrived.
    this.onReply?.(type, replyBody, tensors);
    return { body: options.schema.parse(replyBody) as z.infer<S>, tensors };
  }

  async notify(type: string, body: unknown, tensors: Tensors = {}): Promise<void> {
    if (!this.isOpen) throw new ClosedError(this.label);
    for (const listener of this.peer.listeners.get(type) ?? []) void listener.handler(listener.schema.parse(structuredClone(body)), copyTensors(tensors));
  }

  handle<S extends z.ZodType>(type: string, schema: S, handler: (body: z.infer<S>, tensors: Tensors) => Promise<{ body: unknown; tensors?: Tensors }>): void {
    this.handlers.set(type, { schema, handler: handler as Handler['handler'] });
  }

  on<S extends z.ZodType>(type: string, schema: S, listener: (body: z.infer<S>, tensors: Tensors) => void): void {
    const list = this.listeners.get(type) ?? [];
    list.push({ schema, handler: async (body, tensors) => ({ body: listener(body as z.infer<S>, tensors) }) });
    this.listeners.set(type, list);
  }

  close(reason = 'closed'): void {
    for (const end of [this, this.peer]) {
      if (!end.isOpen) continue;
      end.isOpen = false;
      end.markClosed({ reason });
    }
  }
}

/** [the TTP's end, the worker's end] of one connection. */
export function channelPair(party: string): [MemoryChannel, MemoryChannel] {
  const ttpEnd = new MemoryChannel(party);
  const workerEnd = new MemoryChannel('ttp');
  ttpEnd.peer = workerEnd;
  workerEnd.peer = ttpEnd;
  return [ttpEnd, workerEnd];
}
