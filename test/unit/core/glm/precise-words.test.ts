// The gradient and loss inside a secure sum, as two fixed-point words each: the decoded total
// is exact to about 2f bits, where one word gives f.
import { describe, expect, it } from 'vitest';
import { foldSecondWords, twoWordLengthOf, withSecondWords } from '../../../../src-main/core/glm/precise-words';
import type { GlmSpec } from '../../../../src-main/core/glm/spec';
import { decodeFixedPoint, encodeFixedPoint, fixedPointFor } from '../../../../src-main/core/privacy/secagg';
import { addInto } from '../../../../src-main/core/privacy/secagg/fixed-point';

describe('two-word fixed point for the precise sums', () => {
  it('sums the gradient and loss of several parties to about 1e-12, where one word gives about 1e-6', () => {
    const spec: GlmSpec = { family: 'binomial', features: 2, predictors: 1 };
    const length = twoWordLengthOf(spec) - 4; // 3 gradient values, 6 curvature, loss, rows
    const parties = [0.123456789012, -0.0312345678901, 0.20000000001].map((base) => Float64Array.from({ length }, (_, index) => base / (index + 1)));
    const encoding = fixedPointFor(parties.length);
    const ring = new Uint32Array(twoWordLengthOf(spec));
    const oneWord = new Uint32Array(length);
    for (const vector of parties) {
      addInto(ring, encodeFixedPoint(withSecondWords(vector, spec, encoding.fractionalBits), 1, encoding).encoded);
      addInto(oneWord, encodeFixedPoint(vector, 1, encoding).encoded);
    }
    const folded = foldSecondWords(decodeFixedPoint(ring, encoding), spec, encoding.fractionalBits);
    const plain = decodeFixedPoint(oneWord, encoding);
    const exact = Float64Array.from({ length }, (_, index) => parties.reduce((total, vector) => total + vector[index]!, 0));
    for (const index of [0, 1, 2, length - 2]) {
      expect(Math.abs(folded[index]! - exact[index]!)).toBeLessThan(1e-11);
      expect(Math.abs(plain[index]! - exact[index]!)).toBeGreaterThan(1e-10);
    }
    // The curvature keeps one word: as precise as before, no more.
    expect(Math.abs(folded[3]! - exact[3]!)).toBeLessThan(2 ** -encoding.fractionalBits * parties.length);
  });
});
