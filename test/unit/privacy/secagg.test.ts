// Secure aggregation, every party and the TTP in one process: the TTP's sum equals the plain
// sum, dropouts before and after masking, refusals when too few remain, tampering, and what the
// TTP sees of one party (indistinguishable from uniform).
import { describe, expect, it } from 'vitest';
import { SecAggClient, SecAggServer, decodeFixedPoint, fixedPointFor, secAggThreshold, type SecAggRound } from '../../../src-main/core/privacy/secagg';
import { encodeFixedPoint } from '../../../src-main/core/privacy/secagg/fixed-point';

const PARTIES = ['north', 'south', 'east', 'west', 'centre'].sort();

function round(parties = PARTIES, length = 1001): SecAggRound {
  return { run: 'run-1', round: 3, parties, threshold: secAggThreshold(parties.length), encoding: fixedPointFor(parties.length), length };
}

/** Deterministic pseudo-updates: values of a few hundredths, like a round's change of weights. */
function updates(parties: readonly string[], length: number): Map<string, Float64Array> {
  return new Map(
    parties.map((party, p) => [party, Float64Array.from({ length }, (_, i) => Math.sin(i * 0.37 + p) * 0.05 + (p - 2) * 0.001)]),
  );
}

interface Flow {
  clients: Map<string, SecAggClient>;
  server: SecAggServer;
  masked: Map<string, Uint32Array>;
}

/** Keys and shares for everyone, then the masked updates of `maskers` (weight 1, then the weight). */
async function runUntilMasked(setup: SecAggRound, values: Map<string, Float64Array>, maskers: readonly string[] = setup.parties): Promise<Flow> {
  const clients = new Map(setup.parties.map((party) => [party, new SecAggClient(setup, party)]));
  const server = new SecAggServer(setup);
  for (const [party, client] of clients) server.addAdvertisement(party, client.advertisement());
  const keys = server.keys();
  for (const [party, client] of clients) server.addShares(party, await client.shareKeys(keys));
  const masked = new Map<string, Uint32Array>();
  for (const party of maskers) {
    const client = clients.get(party)!;
    client.receiveShares(server.sharesFor(party));
    const { masked: vector } = client.maskUpdate(values.get(party)!, 1, [1]);
    masked.set(party, vector);
    server.addMaskedUpdate(party, vector);
  }
  return { clients, server, masked };
}

function reveal(flow: Flow, revealers: readonly string[]): void {
  const { survivors, dropped } = flow.server.unmaskRequest();
  for (const party of revealers) flow.server.addUnmaskShares(party, flow.clients.get(party)!.unmaskShares(survivors, dropped));
}

function plainSum(values: Map<string, Float64Array>, parties: readonly string[], length: number): Float64Array {
  const sum = new Float64Array(length);
  for (const party of parties) values.get(party)!.forEach((value, i) => (sum[i]! += value));
  return sum;
}

function maxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i += 1) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('secure aggregation', () => {
  it('gives the TTP the sum of the updates, within the quantisation error', async () => {
    const setup = round();
    const values = updates(PARTIES, setup.length - 1);
    const flow = await runUntilMasked(setup, values);
    reveal(flow, PARTIES);
    const { sum, survivors, dropped } = await flow.server.sum();
    expect(survivors).toEqual(PARTIES);
    expect(dropped).toEqual([]);
    // In the ring the masks cancel exactly: the sum is the sum of the plain encodings.
    const encodings = PARTIES.map((party) => encodeFixedPoint(values.get(party)!, 1, setup.encoding, [1]).encoded);
    const expectedRing = new Uint32Array(setup.length);
    for (const encoding of encodings) encoding.forEach((value, i) => (expectedRing[i] = (expectedRing[i]! + value) >>> 0));
    expect(Array.from(sum)).toEqual(Array.from(expectedRing));
    const decoded = decodeFixedPoint(sum, setup.encoding);
    const bound = PARTIES.length * 2 ** -(setup.encoding.fractionalBits + 1);
    expect(maxError(decoded.subarray(0, setup.length - 1), plainSum(values, PARTIES, setup.length - 1))).toBeLessThanOrEqual(bound);
    expect(decoded[setup.length - 1]).toBe(PARTIES.length);
  });

  it('survives parties lost after sharing, before masking: their masks are rebuilt and removed', async () => {
    const setup = round();
    const values = updates(PARTIES, setup.length - 1);
    const maskers = PARTIES.slice(0, 3); // two of five lost; the threshold is 3
    const flow = await runUntilMasked(setup, values, maskers);
    reveal(flow, maskers);
    const { sum, survivors, dropped } = await flow.server.sum();
    expect(survivors).toEqual(maskers);
    expect(dropped).toEqual(PARTIES.slice(3));
    const decoded = decodeFixedPoint(sum, setup.encoding);
    expect(maxError(decoded.subarray(0, setup.length - 1), plainSum(values, maskers, setup.length - 1))).toBeLessThan(1e-5);
    expect(decoded[setup.length - 1]).toBe(3);
  });

  it('survives parties lost after masking: their update still counts', async () => {
    const setup = round();
    const values = updates(PARTIES, setup.length - 1);
    const flow = await runUntilMasked(setup, values);
    reveal(flow, PARTIES.slice(1, 4)); // the first and last never answer the unmasking
    const { sum, survivors } = await flow.server.sum();
    expect(survivors).toEqual(PARTIES);
    const decoded = decodeFixedPoint(sum, setup.encoding);
    expect(maxError(decoded.subarray(0, setup.length - 1), plainSum(values, PARTIES, setup.length - 1))).toBeLessThan(1e-5);
  });

  it('refuses to unmask when fewer than the threshold sent masked updates or revealed shares', async () => {
    const setup = round();
    const values = updates(PARTIES, setup.length - 1);
    const tooFewMasked = await runUntilMasked(setup, values, PARTIES.slice(0, 2));
    expect(() => tooFewMasked.server.unmaskRequest()).toThrow('only 2 of 5 parties sent masked updates; secure aggregation needs at least 3');

    const tooFewRevealed = await runUntilMasked(setup, values);
    reveal(tooFewRevealed, PARTIES.slice(0, 2));
    await expect(tooFewRevealed.server.sum()).rejects.toThrow('refusing to unmask: only 2 of 5 parties revealed their shares');
  });

  it('has each party refuse to reveal both secrets of one party, or to unmask too few', async () => {
    const setup = round();
    const flow = await runUntilMasked(setup, updates(PARTIES, setup.length - 1));
    const client = flow.clients.get(PARTIES[0]!)!;
    // A TTP that claims a survivor dropped, to learn its mask key as well as its self-mask seed.
    expect(() => client.unmaskShares(PARTIES, [PARTIES[1]!])).toThrow(`${PARTIES[1]} listed both as survivor and as dropped`);
    expect(() => client.unmaskShares(PARTIES.slice(0, 4), [])).toThrow('are not the parties that shared their keys');
    expect(() => client.unmaskShares(PARTIES.slice(0, 2), PARTIES.slice(2))).toThrow('only 2 parties sent masked updates; secure aggregation needs at least 3');
    // Answered once, a round is never unmasked again (with other lists).
    client.unmaskShares(PARTIES, []);
    expect(() => client.unmaskShares(PARTIES.slice(0, 3), PARTIES.slice(3))).toThrow('already unmasked');
  });

  it('detects shares altered or misrouted by the TTP', async () => {
    const setup = round(PARTIES.slice(0, 3));
    const clients = setup.parties.map((party) => new SecAggClient(setup, party));
    const server = new SecAggServer(setup);
    clients.forEach((client, i) => server.addAdvertisement(setup.parties[i]!, client.advertisement()));
    const keys = server.keys();
    for (const [i, client] of clients.entries()) server.addShares(setup.parties[i]!, await client.shareKeys(keys));
    const forFirst = server.sharesFor(setup.parties[0]!);
    const from = setup.parties[1]!;
    const text = forFirst[from]!;
    const altered = { ...forFirst, [from]: text.slice(0, 20) + (text[20] === 'A' ? 'B' : 'A') + text.slice(21) };
    expect(() => clients[0]!.receiveShares(altered)).toThrow(`the shares from ${from} do not authenticate`);
    // The shares meant for another party do not open either.
    const misrouted = { ...forFirst, [from]: server.sharesFor(setup.parties[2]!)[from]! };
    expect(() => new SecAggClient(setup, setup.parties[0]!).receiveShares(misrouted)).toThrow('shares arrived before this party shared its keys');
    expect(() => clients[0]!.receiveShares(misrouted)).toThrow(`the shares from ${from} do not authenticate`);
  });

  it('refuses keys relayed in place of its own, and one key advertised for two parties', async () => {
    const setup = round(PARTIES.slice(0, 3));
    const [a, b, c] = setup.parties.map((party) => new SecAggClient(setup, party));
    const keys = Object.fromEntries(setup.parties.map((party, i) => [party, [a, b, c][i]!.advertisement()]));
    await expect(a!.shareKeys({ ...keys, [setup.parties[0]!]: b!.advertisement() })).rejects.toThrow('not the ones it advertised');
    await expect(a!.shareKeys({ ...keys, [setup.parties[2]!]: b!.advertisement() })).rejects.toThrow('two parties advertised the same key');
  });

  it('rebuilds a tampered secret into a mismatch, not into a wrong sum', async () => {
    const setup = round();
    const flow = await runUntilMasked(setup, updates(PARTIES, setup.length - 1));
    const { survivors, dropped } = flow.server.unmaskRequest();
    for (const party of PARTIES.slice(0, 3)) {
      const shares = flow.clients.get(party)!.unmaskShares(survivors, dropped);
      if (party === PARTIES[0]) {
        const bytes = Buffer.from(shares[PARTIES[4]!]!, 'base64url');
        bytes[0] = bytes[0]! ^ 0xff;
        shares[PARTIES[4]!] = bytes.toString('base64url');
      }
      flow.server.addUnmaskShares(party, shares);
    }
    await expect(flow.server.sum()).rejects.toThrow(`the self-mask seed rebuilt for ${PARTIES[4]} does not match its commitment`);
  });

  it('shows the TTP one party\'s update as uniformly random values', async () => {
    const setup = round(PARTIES.slice(0, 3), 65_537);
    // A highly structured update: all zeros. Its plain encoding is all zeros too.
    const zeros = new Map(setup.parties.map((party) => [party, new Float64Array(setup.length - 1)]));
    const flow = await runUntilMasked(setup, zeros);
    const seen = flow.masked.get(setup.parties[1]!)!;
    const plain = encodeFixedPoint(zeros.get(setup.parties[1]!)!, 1, setup.encoding, [1]).encoded;
    // Chi-square over 256 buckets of each byte position; p = 1e-6 critical value for 255 degrees of freedom.
    const CRITICAL = 388;
    expect(chiSquareOfBytes(seen)).toBeLessThan(CRITICAL);
    expect(chiSquareOfBytes(plain)).toBeGreaterThan(CRITICAL); // the test can tell structure
    // Each bit is set about half of the time (within 5 standard deviations).
    const n = seen.length;
    for (let bit = 0; bit < 32; bit += 1) {
      let ones = 0;
      for (const value of seen) ones += (value >>> bit) & 1;
      expect(Math.abs(ones - n / 2)).toBeLessThan(5 * Math.sqrt(n / 4));
    }
    // And two parties' vectors are unrelated, though their updates were identical.
    const other = flow.masked.get(setup.parties[2]!)!;
    let equal = 0;
    for (let i = 0; i < n; i += 1) if (seen[i] === other[i]) equal += 1;
    expect(equal).toBeLessThan(3);
  });
});

function chiSquareOfBytes(values: Uint32Array): number {
  let worst = 0;
  for (let shift = 0; shift < 32; shift += 8) {
    const counts = new Float64Array(256);
    for (const value of values) counts[(value >>> shift) & 0xff]! += 1;
    const expected = values.length / 256;
    let chi = 0;
    for (const count of counts) chi += (count - expected) ** 2 / expected;
    worst = Math.max(worst, chi);
  }
  return worst;
}
