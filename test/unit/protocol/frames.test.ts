import { describe, expect, it } from 'vitest';
import { decodeBinary, decodeText, encodeBinary, encodeText, FrameError, PROTOCOL_VERSION } from '../../../src-main/protocol/frames';

const envelope = { v: PROTOCOL_VERSION, t: 'run.fit', id: 'abc-1', b: { run: 'r1', round: 3 } } as const;

describe('binary tensor frames', () => {
  it('round-trips the envelope and every tensor, bit for bit', () => {
    const a = Float32Array.from([1.5, -2.25, Math.fround(Math.PI), Number.MAX_VALUE > 0 ? 3.4e38 : 0, -0]);
    const b = new Float32Array(0);
    const c = Float32Array.from({ length: 1001 }, (_, i) => Math.fround(Math.sin(i)));
    const frame = encodeBinary(envelope, [a, b, c]);
    const { envelope: decoded, tensors } = decodeBinary(frame);
    expect(decoded).toEqual(envelope);
    expect(tensors.map((tensor) => tensor.length)).toEqual([5, 0, 1001]);
    expect(Array.from(tensors[0]!)).toEqual(Array.from(a));
    expect(Object.is(tensors[0]![4], -0)).toBe(true);
    expect(Buffer.from(tensors[2]!.buffer, tensors[2]!.byteOffset, tensors[2]!.byteLength).equals(Buffer.from(c.buffer))).toBe(true);
  });

  it('is 4 bytes per float plus a small header, not JSON numbers', () => {
    const weights = new Float32Array(1_000_000);
    const frame = encodeBinary(envelope, [weights]);
    expect(frame.length).toBeGreaterThanOrEqual(4_000_000);
    expect(frame.length).toBeLessThan(4_000_000 + 200);
  });

  it('decodes without copying when the frame is aligned, and copies once when it is not', () => {
    const weights = Float32Array.from([1, 2, 3, 4]);
    const frame = encodeBinary(envelope, [weights]);
    const aligned = decodeBinary(frame).tensors[0]!;
    expect(aligned.buffer).toBe(frame.buffer); // a view on the received bytes
    const shifted = Buffer.alloc(frame.length + 1);
    frame.copy(shifted, 1);
    const unaligned = decodeBinary(shifted.subarray(1)).tensors[0]!;
    expect(unaligned.buffer).not.toBe(shifted.buffer);
    expect(Array.from(unaligned)).toEqual([1, 2, 3, 4]);
  });

  it('refuses malformed frames with a clear reason', () => {
    const good = encodeBinary(envelope, [Float32Array.from([1, 2])]);
    expect(() => decodeBinary(good.subarray(0, 5))).toThrow(FrameError);
    const badMagic = Buffer.from(good);
    badMagic.write('XXXX', 0);
    expect(() => decodeBinary(badMagic)).toThrow(/magic/);
    const hugeHeader = Buffer.from(good);
    hugeHeader.writeUInt32LE(0xffffff, 4);
    expect(() => decodeBinary(hugeHeader)).toThrow(/header that does not fit/);
    expect(() => decodeBinary(good.subarray(0, good.length - 4))).toThrow(/declares 8/);
    expect(() => decodeBinary(Buffer.concat([good, Buffer.alloc(4)]))).toThrow(/declares 8/);
    const notJson = Buffer.from(good);
    notJson.write('{{{{', 8);
    expect(() => decodeBinary(notJson)).toThrow(/not valid JSON/);
  });
});

describe('text frames', () => {
  it('round-trips control messages', () => {
    expect(decodeText(encodeText(envelope)).envelope).toEqual(envelope);
  });

  it('refuses what is not an envelope of this protocol version', () => {
    expect(() => decodeText('not json')).toThrow(/not valid JSON/);
    expect(() => decodeText(JSON.stringify({ ...envelope, v: 99 }))).toThrow(/v:/);
    expect(() => decodeText(JSON.stringify({ v: 1, b: {} }))).toThrow(/t:/);
    expect(() => decodeText(JSON.stringify({ ...envelope, extra: true }))).toThrow(FrameError);
  });
});
