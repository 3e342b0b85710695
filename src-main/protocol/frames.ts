// The wire format. Every message is an envelope { v, t, id?, re?, b }:
//   v  protocol version     t  message type     b  body (validated per type)
//   id request id (the sender wants a reply)    re the id this message replies to
//
// Control messages travel as JSON text frames. Messages that carry tensors travel as one binary
// frame, so a 1M-parameter update is 4 MB of float32, not 20 MB of JSON numbers:
//
//   0  4 bytes  magic "CHT1"
//   4  u32 LE   length H of the header
//   8  H bytes  the envelope as UTF-8 JSON, plus "n": [length of each tensor in floats]
//      padding  zero bytes up to a multiple of 4, so the floats are aligned
//      data     the tensors as little-endian float32, one after the other
//
// Decoding is zero-copy where the frame's buffer is 4-byte aligned (a Float32Array view on the
// received bytes); otherwise the floats are copied once into an aligned buffer.
import { endianness } from 'node:os';
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;
const MAGIC = 0x31544843; // "CHT1" read as a little-endian u32
const PREFIX_BYTES = 8;
/** Headers are small; a huge one is an attack or a bug. */
const MAX_HEADER_BYTES = 1 << 20;

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
});

export type Envelope = z.infer<typeof Envelope>;

const BinaryHeader = Envelope.extend({ n: z.array(z.int().min(0)).max(1024) });

export interface Message {
  envelope: Envelope;
  tensors: Float32Array[];
}

export class FrameError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameError';
  }
}

export function encodeText(envelope: Envelope): string {
  return JSON.stringify(envelope);
}

/** One binary frame holding the envelope and the tensors (one copy of the floats into it). */
export function encodeBinary(envelope: Envelope, tensors: readonly Float32Array[]): Buffer {
  const header = Buffer.from(JSON.stringify({ ...envelope, n: tensors.map((tensor) => tensor.length) }), 'utf8');
  const dataOffset = align4(PREFIX_BYTES + header.length);
  const floats = tensors.reduce((total, tensor) => total + tensor.length, 0);
  const frame = Buffer.allocUnsafe(dataOffset + floats * 4);
  frame.writeUInt32LE(MAGIC, 0);
  frame.writeUInt32LE(header.length, 4);
  header.copy(frame, PREFIX_BYTES);
  frame.fill(0, PREFIX_BYTES + header.length, dataOffset);
  let offset = dataOffset;
  for (const tensor of tensors) {
    frame.set(new Uint8Array(tensor.buffer, tensor.byteOffset, tensor.byteLength), offset);
    offset += tensor.byteLength;
  }
  return frame;
}

export function decodeText(text: string): Message {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new FrameError('a text frame is not valid JSON');
  }
  const parsed = Envelope.safeParse(raw);
  if (!parsed.success) throw new FrameError(`a text frame is not a valid envelope: ${describeIssue(parsed.error)}`);
  return { envelope: parsed.data, tensors: [] };
}

export function decodeBinary(frame: Buffer): Message {
  if (frame.length < PREFIX_BYTES) throw new FrameError(`a binary frame of ${frame.length} bytes is too short`);
  if (frame.readUInt32LE(0) !== MAGIC) throw new FrameError('a binary frame does not start with the Cohort magic bytes');
  const headerLength = frame.readUInt32LE(4);
  if (headerLength > MAX_HEADER_BYTES || PREFIX_BYTES + headerLength > frame.length) {
    throw new FrameError(`a binary frame declares a ${headerLength}-byte header that does not fit`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(frame.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + headerLength));
  } catch {
    throw new FrameError('a binary frame header is not valid JSON');
  }
  const parsed = BinaryHeader.safeParse(raw);
  if (!parsed.success) throw new FrameError(`a binary frame header is not valid: ${describeIssue(parsed.error)}`);
  const { n: lengths, ...envelope } = parsed.data;
  const dataOffset = align4(PREFIX_BYTES + headerLength);
  const floats = lengths.reduce((total, length) => total + length, 0);
  if (frame.length !== dataOffset + floats * 4) {
    throw new FrameError(`a binary frame holds ${frame.length - dataOffset} data bytes but its header declares ${floats * 4}`);
  }
  const aligned = (frame.byteOffset + dataOffset) % 4 === 0;
  // Zero-copy view where alignment allows; otherwise one copy into a fresh (aligned) buffer.
  const all = aligned
    ? new Float32Array(frame.buffer, frame.byteOffset + dataOffset, floats)
    : new Float32Array(new Uint8Array(frame.subarray(dataOffset)).buffer);
  const tensors: Float32Array[] = [];
  let offset = 0;
  for (const length of lengths) {
    tensors.push(all.subarray(offset, offset + length));
    offset += length;
  }
  return { envelope, tensors };
}

function align4(value: number): number {
  return (value + 3) & ~3;
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unknown problem';
  return `${issue.path.join('.') || '(envelope)'}: ${issue.message}`;
}
