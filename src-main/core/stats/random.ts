// Small, seeded pseudo-random helpers, shared by sampling, simulation splits and training: the
// same seed gives the same choices, shuffles, dropout masks and initial weights on every machine.

/** mulberry32: a tiny, fast 32-bit PRNG with a full 2^32 period. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The 32-bit finaliser of MurmurHash3: spreads every input bit over the whole output. */
export function mix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * A 31-bit seed derived from a base seed and a path of integers (epoch, batch, layer...), so
 * neighbouring streams are unrelated. Non-negative, so it is a valid TF.js initialiser seed.
 */
export function deriveSeed(seed: number, ...path: number[]): number {
  let h = mix32(seed ^ 0x5bd1e995);
  for (const part of path) h = mix32(h ^ Math.imul(mix32(part) + 0x9e3779b9, 0x27d4eb2f));
  return h & 0x7fffffff;
}

/** Shuffles `items` in place (Fisher-Yates) and returns them. */
export function shuffleInPlace<T>(items: T[] | Int32Array, random: () => number): typeof items {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = items[i]!;
    items[i] = items[j]!;
    items[j] = swap;
  }
  return items;
}

/** 0..n-1 in a seeded random order. */
export function shuffledIndices(n: number, seed: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return shuffleInPlace(order, mulberry32(seed)) as Int32Array;
}

/** A 32-bit seed from a string (FNV-1a), e.g. a party's id, to derive streams of its own. */
export function stringSeed(text: string): number {
  let h = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) h = Math.imul(h ^ text.charCodeAt(index), 0x01000193);
  return h >>> 0;
}
