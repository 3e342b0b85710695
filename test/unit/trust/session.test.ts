import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MessageSeal, SealError } from '../../../src-main/protocol/session';

function pair() {
  const a = randomBytes(32);
  const b = randomBytes(32);
  return { sender: new MessageSeal({ id: 's', send: a, receive: b }), receiver: new MessageSeal({ id: 's', send: b, receive: a }) };
}

describe('MessageSeal', () => {
  const tensor = new Uint8Array(Float32Array.from([1, 2, 3]).buffer);

  it('accepts messages in sequence, tags covering the text and every tensor byte', () => {
    const { sender, receiver } = pair();
    for (let i = 1; i <= 3; i++) {
      const sequence = sender.next();
      expect(sequence).toBe(i);
      const text = `{"v":2,"t":"x","s":${sequence}}`;
      receiver.check(sequence, sender.tag(sequence, text, [tensor]), text, [tensor]);
    }
  });

  it('refuses replays, gaps, changed text, changed tensors, moved tensor boundaries and missing tags', () => {
    const { sender, receiver } = pair();
    const text = '{"v":2,"t":"x","s":1}';
    const tag = sender.tag(sender.next(), text, [tensor]);
    receiver.check(1, tag, text, [tensor]);
    expect(() => receiver.check(1, tag, text, [tensor])).toThrow(/a replayed message \(sequence 1; the next expected is 2\)/);
    expect(() => receiver.check(3, tag, text, [tensor])).toThrow(/out of sequence/);
    const next = '{"v":2,"t":"x","s":2}';
    const good = sender.tag(sender.next(), next, [tensor]);
    expect(() => receiver.check(2, good, next.replace('x', 'y'), [tensor])).toThrow(SealError);
    const altered = Uint8Array.from(tensor);
    altered[0]! ^= 1;
    expect(() => receiver.check(2, good, next, [altered])).toThrow(/forged or altered/);
    expect(() => receiver.check(2, good, next, [tensor.subarray(0, 4), tensor.subarray(4)])).toThrow(/forged or altered/);
    expect(() => receiver.check(2, undefined, next, [tensor])).toThrow(/unauthenticated message/);
    // None of the refusals advanced the sequence: the real message still passes.
    receiver.check(2, good, next, [tensor]);
  });

  it('refuses a message sealed for the other direction or another session', () => {
    const { sender, receiver } = pair();
    const text = '{"s":1}';
    const ownTag = receiver.tag(1, text, []);
    expect(() => receiver.check(1, ownTag, text, [])).toThrow(/forged/);
    const other = pair().sender;
    expect(() => receiver.check(1, other.tag(other.next(), text, []), text, [])).toThrow(/forged/);
    receiver.check(1, sender.tag(sender.next(), text, []), text, []);
  });
});
