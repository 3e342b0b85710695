// The wire format. Every message is an envelope { v, t, id?, re?, b, x?, s? } in a JSON text frame:
//   v  protocol version     t  message type     b  body (validated per type)
//   id request id (the sender wants a reply)    re the id this message replies to
//   x  the tensors that follow: each one's name, dtype and shape (contract/tensors.ts)
//   s  sequence number inside an authenticated session
// Inside a session the text frame starts with the message's 22-character authentication tag,
// then the envelope (see session.ts).
//
// A message with tensors is its envelope followed at once by one binary frame per tensor, in the
// order the envelope lists them: the raw little-endian bytes, nothing else. So a 1M-parameter
// update is 4 MB on the wire, not 20 MB of JSON numbers; the sender hands ws the typed array's
// own memory (no copy), and the receiver reads each tensor as a view on the frame it received
// (no copy, unless the frame's buffer is not 4-byte aligned, when it is copied once).
import { endianness } from 'node:os';
import { z } from 'zod';
import { BYTES_PER_ELEMENT, elementsOf, TensorDescriptor, type Tensor, type TensorData, type Tensors } from '../contract/tensors';
import { TAG_LENGTH } from './session';

export const PROTOCOL_VERSION = 3;
/** More tensors in one message is a bug or an attack. */
export const MAX_TENSORS = 1024;

if (endianness() !== 'LE') {
  // Float32Array views use the machine's byte order; every platform Cohort ships on is LE.
  throw new Error('Cohort requires a little-endian machine');
}

export const Envelope = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  t: z.string().min(1).max(64),
  id: z.string().min(1).max(64).optional(),
  re: z.string().min(1).max(64).optional(),
  b: z.unknown(),
  x: z.array(TensorDescriptor).min(1).max(MAX_TENSORS).optional(),
  s: z.int().min(1).optional(),
});

export type Envelope = z.infer<typeof Envelope>;

export interface Message {
  envelope: Envelope;
  tensors: Tensors;
  /** The tensors' data in the order they came (what the session's tag covers). */
  order: TensorData[];
  /** The envelope's JSON text as it arrived, and the tag before it (sealed messages only). */
  text: string;
  tag?: string;
}

const TAG = new RegExp(`^[A-Za-z0-9_-]{${TAG_LENGTH}}$`);

export class FrameError extends Error {
  constructor(
    message: string,
    /** The bytes refused with it (the frame, and any part of a message it cut short), when known. */
    readonly bytes?: number,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

/** The frames of a message: its envelope as text, then each tensor's bytes (views, not copies). */
export function encodeMessage(envelope: Omit<Envelope, 'x'>, tensors: Tensors = {}): { text: string; binary: Buffer[]; order: TensorData[] } {
  const entries = Object.entries(tensors);
  if (entries.length > MAX_TENSORS) throw new FrameError(`a message may carry at most ${MAX_TENSORS} tensors`);
  const descriptors = entries.map(([name, tensor]) => ({ name, dtype: tensor.dtype, shape: [...tensor.shape] }));
  const text = JSON.stringify(entries.length > 0 ? { ...envelope, x: descriptors } : envelope);
  const order = entries.map(([, tensor]) => tensor.data);
  const binary = order.map((data) => Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  return { text, binary, order };
}

export function decodeEnvelope(text: string): Envelope {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new FrameError('a text frame is not valid JSON');
  }
  const parsed = Envelope.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FrameError(`a text frame is not a valid envelope: ${issue ? `${issue.path.join('.') || '(envelope)'}: ${issue.message}` : 'unknown problem'}`);
  }
  return parsed.data;
}

/** A tensor frame as its typed array: a view where alignment allows, else one copy. */
export function decodeTensor(frame: Buffer, descriptor: TensorDescriptor): Tensor {
  const count = elementsOf(descriptor.shape);
  const expected = count * BYTES_PER_ELEMENT[descriptor.dtype];
  if (frame.length !== expected) {
    throw new FrameError(`the "${descriptor.name}" tensor frame holds ${frame.length} bytes, but its envelope announced ${descriptor.dtype}[${descriptor.shape.join(', ')}] (${expected} bytes)`);
  }
  const aligned: Uint8Array = frame.byteOffset % BYTES_PER_ELEMENT[descriptor.dtype] === 0 ? frame : new Uint8Array(frame);
  return { dtype: descriptor.dtype, shape: descriptor.shape, data: view(descriptor.dtype, aligned.buffer as ArrayBuffer, aligned.byteOffset, count) };
}

function view(dtype: TensorDescriptor['dtype'], buffer: ArrayBuffer, offset: number, count: number): TensorData {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, offset, count);
    case 'float64':
      return new Float64Array(buffer, offset, count);
    case 'int32':
      return new Int32Array(buffer, offset, count);
    case 'uint32':
      return new Uint32Array(buffer, offset, count);
    case 'uint16':
      return new Uint16Array(buffer, offset, count);
    case 'int8':
      return new Int8Array(buffer, offset, count);
  }
}

/** The bytes the tensors an envelope announces will take. */
function announcedBytes(descriptors: readonly TensorDescriptor[]): number {
  return descriptors.reduce((total, descriptor) => total + elementsOf(descriptor.shape) * BYTES_PER_ELEMENT[descriptor.dtype], 0);
}

/**
 * Reassembles messages from frames: an envelope that announces tensors waits for exactly that
 * many binary frames. Anything out of order is refused (reported to `refuse`, and the partial
 * message dropped), so a confused or hostile peer cannot make frames land in the wrong message;
 * an envelope that cuts into the tensors of another still counts as the start of a new message.
 */
export class MessageAssembler {
  private pending: { envelope: Envelope; tensors: Array<[string, Tensor]>; text: string; tag: string | undefined; bytes: number } | undefined;

  /** `maxMessageBytes`: the largest message, envelope and tensors together (read at each frame). */
  constructor(private readonly maxMessageBytes: () => number = () => Number.POSITIVE_INFINITY) {}

  /**
   * Feeds one frame; returns a message when one is complete. Throws FrameError for a frame
   * refused, with the bytes dropped (that frame, and the message it belonged to, if any).
   * `refuse` is told of a message dropped because another began, with that message's bytes.
   */
  push(data: Buffer, isBinary: boolean, refuse: (problem: string, bytes: number) => void = throwProblem): Message | undefined {
    if (!isBinary) {
      if (this.pending) {
        const dropped = this.pending.bytes;
        this.pending = undefined;
        refuse('an envelope arrived before the tensors of the previous message (that message is dropped)', dropped);
      }
      let text: string;
      let tag: string | undefined;
      let envelope: Envelope;
      try {
        ({ text, tag } = splitTag(data.toString('utf8')));
        envelope = decodeEnvelope(text);
      } catch (error) {
        throw error instanceof FrameError ? new FrameError(error.message, data.length) : error;
      }
      if (!envelope.x) return { envelope, tensors: {}, order: [], text, ...(tag === undefined ? {} : { tag }) };
      const names = envelope.x.map((descriptor) => descriptor.name);
      if (new Set(names).size !== names.length) throw new FrameError('an envelope names one tensor twice', data.length);
      // Refused from its envelope: the tensors it announces would not fit.
      const announced = data.length + announcedBytes(envelope.x);
      if (announced > this.maxMessageBytes()) {
        throw new FrameError(`a message announcing ${announced} bytes with its tensors; the limit is ${this.maxMessageBytes()} bytes`, data.length);
      }
      this.pending = { envelope, tensors: [], text, tag, bytes: data.length };
      return undefined;
    }
    const pending = this.pending;
    if (!pending) throw new FrameError('a binary frame arrived without an envelope announcing it', data.length);
    const descriptors = pending.envelope.x!;
    pending.bytes += data.length;
    try {
      const descriptor = descriptors[pending.tensors.length]!;
      pending.tensors.push([descriptor.name, decodeTensor(data, descriptor)]);
    } catch (error) {
      this.pending = undefined;
      throw error instanceof FrameError ? new FrameError(error.message, pending.bytes) : error;
    }
    if (pending.tensors.length < descriptors.length) return undefined;
    this.pending = undefined;
    const { x: _descriptors, ...envelope } = pending.envelope;
    return {
      envelope,
      tensors: Object.fromEntries(pending.tensors),
      order: pending.tensors.map(([, tensor]) => tensor.data),
      text: pending.text,
      ...(pending.tag === undefined ? {} : { tag: pending.tag }),
    };
  }
}

function throwProblem(problem: string, bytes: number): never {
  throw new FrameError(problem, bytes);
}

/** A text frame is an envelope, or (sealed) an authentication tag followed by the envelope. */
function splitTag(frame: string): { text: string; tag: string | undefined } {
  if (frame.startsWith('{')) return { text: frame, tag: undefined };
  const tag = frame.slice(0, TAG_LENGTH);
  if (!TAG.test(tag)) throw new FrameError('a text frame is neither an envelope nor an authentication tag followed by one');
  return { text: frame.slice(TAG_LENGTH), tag };
}
