// Hostile input for fuzz tests: random and mutated protocol messages (JSON text frames, binary
// frames, envelopes announcing tensors that do not match), from a seeded generator so a failing
// case can be replayed.
import { PROTOCOL_VERSION } from '../../src-main/protocol/frames';

export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  /** xorshift32: fast, deterministic, good enough to pick garbage. */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 4_294_967_296;
  }
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i++) out[i] = this.int(256);
    return out;
  }
}

export const MESSAGE_TYPES = [
  'hello',
  'auth',
  'reply',
  'error',
  'run.consent',
  'run.declare',
  'run.prepare',
  'run.fit',
  'run.evaluate',
  'run.finish',
  'run.teardown',
  'party.tags',
  'hub.collaborations',
  'admin.start',
  '__proto__',
  'constructor',
] as const;

const NASTY_STRINGS = ['', ' ', '__proto__', 'constructor', 'prototype', '\u0000', '\ud83d\ude00', '../../etc/passwd', 'A'.repeat(5_000), '%s%n', '{"v":2}', 'NaN', '-0', '1e309'];
const NASTY_NUMBERS = [0, -0, 1, -1, 0.5, 1e308, -1e308, 2 ** 53 + 1, 4_294_967_296, -2_147_483_649, 1e-320];

export function randomString(r: Prng): string {
  if (r.chance(0.4)) return r.pick(NASTY_STRINGS);
  const length = r.int(40);
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(r.chance(0.9) ? 32 + r.int(95) : r.int(0xd7ff));
  return text;
}

export function randomValue(r: Prng, depth = 0): unknown {
  const roll = r.int(depth > 3 ? 4 : 7);
  switch (roll) {
    case 0:
      return r.pick(NASTY_NUMBERS);
    case 1:
      return randomString(r);
    case 2:
      return r.chance(0.5);
    case 3:
      return null;
    case 4:
    case 5: {
      const out: Record<string, unknown> = {};
      const keys = r.int(6);
      for (let i = 0; i < keys; i++) out[r.chance(0.3) ? r.pick(['run', 'b', 'id', 'tags', 'projectId', 'config', '__proto__']) : randomString(r)] = randomValue(r, depth + 1);
      return out;
    }
    default:
      return Array.from({ length: r.int(5) }, () => randomValue(r, depth + 1));
  }
}

/** A copy of `value` with one random change: a leaf replaced, a key dropped or added, a type swapped. */
export function mutate(r: Prng, value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 6) return r.chance(0.5) ? randomValue(r, 3) : value;
  if (Array.isArray(value)) {
    const copy = [...value];
    if (copy.length === 0 || r.chance(0.2)) copy.push(randomValue(r, 2));
    else copy[r.int(copy.length)] = mutate(r, copy[r.int(copy.length)], depth + 1);
    return copy;
  }
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  const roll = r.int(4);
  if (roll === 0 && keys.length > 0) delete copy[r.pick(keys)];
  else if (roll === 1) copy[randomString(r)] = randomValue(r, 2);
  else if (keys.length > 0) {
    const key = r.pick(keys);
    copy[key] = mutate(r, copy[key], depth + 1);
  }
  return copy;
}

/** One message's frames: text, binary, or an envelope with (mis)matching tensor frames. */
export function fuzzMessage(r: Prng, templates: readonly unknown[]): Array<string | Buffer> {
  const roll = r.int(100);
  if (roll < 15) return [randomString(r)];
  if (roll < 25) return [JSON.stringify(randomValue(r))];
  if (roll < 55) {
    const envelope: Record<string, unknown> = { v: r.chance(0.9) ? PROTOCOL_VERSION : r.pick([1, 3, -1, '2']), t: r.chance(0.8) ? r.pick(MESSAGE_TYPES) : randomString(r), b: randomValue(r) };
    if (r.chance(0.4)) envelope['id'] = `f-${r.int(1_000_000)}`;
    if (r.chance(0.2)) envelope['re'] = `f-${r.int(1_000_000)}`;
    if (r.chance(0.1)) envelope['s'] = r.int(1_000);
    return [JSON.stringify(envelope)];
  }
  if (roll < 80 && templates.length > 0) return [JSON.stringify(mutate(r, r.pick(templates)))];
  if (roll < 90) return [r.bytes(1 + r.int(300))];
  // An envelope announcing tensors, then frames that may or may not match.
  const lengths = Array.from({ length: 1 + r.int(3) }, () => r.int(64));
  const frames: Array<string | Buffer> = [JSON.stringify({ v: PROTOCOL_VERSION, t: r.pick(MESSAGE_TYPES), id: `f-${r.int(1_000)}`, b: randomValue(r), n: lengths })];
  for (const length of lengths) {
    if (r.chance(0.1)) break; // fewer frames than announced
    frames.push(r.chance(0.7) ? Buffer.from(new Float32Array(length).map(() => r.next()).buffer) : r.bytes(r.int(300)));
  }
  if (r.chance(0.1)) frames.push(r.bytes(8)); // one too many
  return frames;
}

/**
 * What a stranger can send without being cut off at once: text frames within the limit before
 * authentication (a tensor frame, or a larger message, closes the connection; the adversarial
 * tests check that). Keeps drawing until a message has such frames.
 */
export function fuzzStrangerMessage(r: Prng, templates: readonly unknown[], maxBytes: number): string[] {
  for (;;) {
    const frames = fuzzMessage(r, templates).filter((frame): frame is string => typeof frame === 'string' && Buffer.byteLength(frame) <= maxBytes);
    if (frames.length > 0) return frames;
  }
}
