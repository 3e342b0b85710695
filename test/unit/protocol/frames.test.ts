import { describe, expect, it } from 'vitest';
import { int8Tensor, tensorOf, uint16Tensor, type Tensors } from '../../../src-main/contract/tensors';
import { decodeEnvelope, decodeTensor, encodeMessage, FrameError, MessageAssembler, PROTOCOL_VERSION } from '../../../src-main/protocol/frames';

/** Float tensors by name. */
const named = (tensors: Record<string, Float32Array>): Tensors => Object.fromEntries(Object.entries(tensors).map(([name, data]) => [name, tensorOf(data)]));
const f32 = (data: unknown) => data as Float32Array;

const envelope = { v: PROTOCOL_VERSION, t: 'run.fit', id: 'abc-1', b: { run: 'r1', round: 3 } } as const;

/** What a peer receives for a sent message: the text frame, then each binary frame. */
function frames(message: ReturnType<typeof encodeMessage>): Array<[Buffer, boolean]> {
  return [[Buffer.from(message.text), false], ...message.binary.map((frame): [Buffer, boolean] => [Buffer.from(frame), true])];
}

function assemble(parts: Array<[Buffer, boolean]>) {
  const assembler = new MessageAssembler();
  const out = [];
  for (const [data, isBinary] of parts) {
    const message = assembler.push(data, isBinary);
    if (message) out.push(message);
  }
  return out;
}

describe('tensor messages', () => {
  it('round-trip the envelope and every named tensor, bit for bit, with its dtype and shape', () => {
    const a = Float32Array.from([1.5, -2.25, Math.fround(Math.PI), 3.4e38, -0]);
    const b = new Float32Array(0);
    const c = Float32Array.from({ length: 1001 }, (_, i) => Math.fround(Math.sin(i)));
    const masked = Uint32Array.from([0, 1, 2 ** 32 - 1]);
    const grid = tensorOf(Int32Array.from([-1, 2, -3, 4, -5, 6]), [2, 3]);
    const [message] = assemble(frames(encodeMessage(envelope, { ...named({ a, b, c }), masked: tensorOf(masked), grid })));
    expect(message!.envelope).toEqual(envelope);
    expect(Object.keys(message!.tensors)).toEqual(['a', 'b', 'c', 'masked', 'grid']);
    expect(Object.values(message!.tensors).map((tensor) => tensor.data.length)).toEqual([5, 0, 1001, 3, 6]);
    expect(Array.from(f32(message!.tensors['a']!.data))).toEqual(Array.from(a));
    expect(Object.is(message!.tensors['a']!.data[4], -0)).toBe(true);
    expect(Array.from(message!.tensors['c']!.data)).toEqual(Array.from(c));
    expect(message!.tensors['masked']).toMatchObject({ dtype: 'uint32', shape: [3] });
    expect(Array.from(message!.tensors['masked']!.data)).toEqual([0, 1, 2 ** 32 - 1]);
    expect(message!.tensors['grid']).toMatchObject({ dtype: 'int32', shape: [2, 3] });
    expect(Array.from(message!.tensors['grid']!.data)).toEqual([-1, 2, -3, 4, -5, 6]);
  });

  it('send the tensors\' own memory: 4 bytes per value, no JSON numbers, no copy', () => {
    const weights = new Float32Array(1_000_000);
    const { text, binary } = encodeMessage(envelope, named({ weights }));
    expect(text.length).toBeLessThan(250);
    expect(binary).toHaveLength(1);
    expect(binary[0]!.length).toBe(4_000_000);
    expect(binary[0]!.buffer).toBe(weights.buffer);
  });

  it('decode without copying when the frame is aligned, and copy once when it is not', () => {
    const bytes = Buffer.from(Float32Array.from([1, 2, 3, 4]).buffer);
    const descriptor = { name: 'w', dtype: 'float32' as const, shape: [4] };
    const aligned = decodeTensor(bytes, descriptor);
    expect(aligned.data.buffer).toBe(bytes.buffer);
    const shifted = Buffer.alloc(17);
    bytes.copy(shifted, 1);
    const unaligned = decodeTensor(shifted.subarray(1), descriptor);
    expect(unaligned.data.buffer).not.toBe(shifted.buffer);
    expect(Array.from(unaligned.data)).toEqual([1, 2, 3, 4]);
  });

  it('carry float64 (the exact solver\'s sums) bit for bit, realigned when a frame starts at an odd offset', () => {
    const values = Float64Array.from([Math.PI, -1e-300, 1e300, 0.1]);
    const [received] = assemble(frames(encodeMessage(envelope, { s: tensorOf(values) })));
    expect(received!.tensors['s']).toMatchObject({ dtype: 'float64', shape: [4] });
    expect([...(received!.tensors['s']!.data as Float64Array)]).toEqual([...values]);
    const shifted = Buffer.concat([Buffer.alloc(3), Buffer.from(values.buffer)]);
    const decoded = decodeTensor(shifted.subarray(3), { name: 's', dtype: 'float64', shape: [4] });
    expect([...(decoded.data as Float64Array)]).toEqual([...values]);
  });

  it('carry the compressed dtypes, uint16 and int8, bit for bit, at 2 and 1 bytes per value', () => {
    const half = Uint16Array.from([0, 0x3c00, 0xffff, 0x7bff, 0x8000]);
    const codes = tensorOf(Int8Array.from([-128, -1, 0, 1, 127, 5, 6]), [7]);
    const message = encodeMessage(envelope, { 'update.f16': tensorOf(half), 'update.q8': codes });
    expect(message.binary.map((frame) => frame.length)).toEqual([10, 7]);
    const [received] = assemble(frames(message));
    expect(received!.tensors['update.f16']).toMatchObject({ dtype: 'uint16', shape: [5] });
    expect(received!.tensors['update.f16']!.data).toBeInstanceOf(Uint16Array);
    expect(Array.from(received!.tensors['update.f16']!.data)).toEqual(Array.from(half));
    expect(received!.tensors['update.q8']!.data).toBeInstanceOf(Int8Array);
    expect(Array.from(received!.tensors['update.q8']!.data)).toEqual([-128, -1, 0, 1, 127, 5, 6]);
    expect(uint16Tensor(received!.tensors, 'update.f16', 5)).toBeInstanceOf(Uint16Array);
    expect(int8Tensor(received!.tensors, 'update.q8', 7)).toBeInstanceOf(Int8Array);
    expect(() => uint16Tensor(received!.tensors, 'update.q8')).toThrow('the "update.q8" tensor is int8, not uint16');
    expect(() => int8Tensor(received!.tensors, 'update.q8', 8)).toThrow('holds 7 values, not 8');
  });

  it('decode uint16 from an odd offset with one copy', () => {
    const shifted = Buffer.alloc(5);
    Buffer.from(Uint16Array.from([0x3c00, 2]).buffer).copy(shifted, 1);
    const decoded = decodeTensor(shifted.subarray(1), { name: 'h', dtype: 'uint16', shape: [2] });
    expect(Array.from(decoded.data)).toEqual([0x3c00, 2]);
  });

  it('carry messages without tensors as a single text frame', () => {
    const message = encodeMessage({ v: PROTOCOL_VERSION, t: 'hello', b: { x: 1 } });
    expect(message.binary).toEqual([]);
    expect(JSON.parse(message.text)).toEqual({ v: PROTOCOL_VERSION, t: 'hello', b: { x: 1 } });
  });
});

describe('refusals', () => {
  it('a tensor frame of the wrong size', () => {
    const parts = frames(encodeMessage(envelope, named({ weights: Float32Array.from([1, 2]) })));
    parts[1] = [Buffer.alloc(12), true];
    expect(() => assemble(parts)).toThrow('the "weights" tensor frame holds 12 bytes, but its envelope announced float32[2] (8 bytes)');
  });

  it('a uint16 or int8 frame whose size does not match its announced shape, and an unknown dtype', () => {
    const parts = frames(encodeMessage(envelope, { h: tensorOf(Uint16Array.from([1, 2, 3])) }));
    parts[1] = [Buffer.alloc(5), true];
    expect(() => assemble(parts)).toThrow('the "h" tensor frame holds 5 bytes, but its envelope announced uint16[3] (6 bytes)');
    expect(() => decodeTensor(Buffer.alloc(4), { name: 'q', dtype: 'int8', shape: [3] })).toThrow('announced int8[3] (3 bytes)');
    expect(() => decodeEnvelope(JSON.stringify({ ...envelope, x: [{ name: 'w', dtype: 'uint8', shape: [1] }] }))).toThrow(FrameError);
    expect(() => decodeEnvelope(JSON.stringify({ ...envelope, x: [{ name: 'w', dtype: 'float16', shape: [1] }] }))).toThrow(FrameError);
  });

  it('an envelope naming one tensor twice, or a shape with too many dimensions', () => {
    const text = JSON.stringify({ ...envelope, x: [{ name: 'w', dtype: 'float32', shape: [1] }, { name: 'w', dtype: 'float32', shape: [1] }] });
    expect(() => assemble([[Buffer.from(text), false]])).toThrow('an envelope names one tensor twice');
    expect(() => decodeEnvelope(JSON.stringify({ ...envelope, x: [{ name: 'w', dtype: 'float32', shape: [1, 1, 1, 1, 1, 1, 1, 1, 1] }] }))).toThrow(FrameError);
    expect(() => decodeEnvelope(JSON.stringify({ ...envelope, x: [{ name: 'w', dtype: 'bfloat16', shape: [1] }] }))).toThrow(FrameError);
    expect(() => decodeEnvelope(JSON.stringify({ ...envelope, x: [{ name: '../w', dtype: 'float32', shape: [1] }] }))).toThrow(FrameError);
  });

  it('a binary frame nobody announced', () => {
    expect(() => assemble([[Buffer.alloc(8), true]])).toThrow('a binary frame arrived without an envelope announcing it');
  });

  it('an envelope that cuts into the tensors of another: the cut message is refused, the new one goes through', () => {
    const first = frames(encodeMessage(envelope, named({ a: Float32Array.from([1]), b: Float32Array.from([2]) })));
    const assembler = new MessageAssembler();
    assembler.push(first[0]![0], false);
    assembler.push(first[1]![0], true);
    expect(() => assembler.push(Buffer.from(encodeMessage({ ...envelope, id: 'x-2' }).text), false)).toThrow(FrameError);
    const refused: string[] = [];
    assembler.push(first[0]![0], false, (problem) => refused.push(problem));
    const next = encodeMessage({ ...envelope, id: 'x-3' });
    expect(assembler.push(Buffer.from(next.text), false, (problem) => refused.push(problem))?.envelope.id).toBe('x-3');
    expect(refused).toEqual(['an envelope arrived before the tensors of the previous message (that message is dropped)']);
  });

  it('say how many bytes each refusal dropped: the frame, and the part of a message it took with it', () => {
    const bytesOf = (push: () => unknown) => {
      try {
        push();
      } catch (error) {
        return (error as FrameError).bytes;
      }
      return 'no error';
    };
    const two = frames(encodeMessage(envelope, named({ a: Float32Array.from([1]), b: Float32Array.from([2]) })));
    const text = two[0]![0];
    const assembler = new MessageAssembler();
    assembler.push(text, false);
    assembler.push(two[1]![0], true);
    expect(bytesOf(() => assembler.push(Buffer.alloc(12), true))).toBe(text.length + 4 + 12);
    expect(bytesOf(() => assembler.push(Buffer.alloc(5), true))).toBe(5);
    expect(bytesOf(() => assembler.push(Buffer.from('not json'), false))).toBe(8);
    const dropped: Array<[string, number]> = [];
    assembler.push(text, false);
    assembler.push(two[1]![0], true);
    assembler.push(Buffer.from(encodeMessage(envelope).text), false, (problem, bytes) => dropped.push([problem, bytes]));
    expect(dropped).toEqual([[expect.stringContaining('that message is dropped'), text.length + 4]]);
  });

  it('text that is not an envelope of this protocol version', () => {
    expect(() => decodeEnvelope('not json')).toThrow(/not valid JSON/);
    expect(() => decodeEnvelope(JSON.stringify({ ...envelope, v: 99 }))).toThrow(/v:/);
    expect(() => decodeEnvelope(JSON.stringify({ v: 1, b: {} }))).toThrow(/t:/);
    expect(() => decodeEnvelope(JSON.stringify({ ...envelope, extra: true }))).toThrow(FrameError);
    expect(() => decodeEnvelope(JSON.stringify({ ...envelope, x: [] }))).toThrow(FrameError);
    expect(() => decodeEnvelope(JSON.stringify({ ...envelope, x: new Array(2000).fill({ name: 'w', dtype: 'float32', shape: [1] }) }))).toThrow(FrameError);
    expect(() => decodeEnvelope(JSON.stringify({ ...envelope, n: [1] }))).toThrow(FrameError);
  });
});
