// A party's side of one secure-aggregation round (Bonawitz et al. 2017, semi-honest setting):
//   advertise   two fresh X25519 keys (share encryption, pairwise masks) and a commitment to a
//               fresh self-mask seed
//   share keys  Shamir-split the mask key's private half and the seed, one share per party
//               (itself included), each encrypted for its recipient
//   mask        encode the update in fixed point, add the self mask and, for each other party
//               that shared, the pair's mask (added by the smaller id, subtracted by the larger)
//   unmask      reveal, for each party that sent a masked update, its self-mask seed share, and
//               for each that dropped after sharing, its mask key share; never both for one
//               party, and never when fewer than the threshold remain
// The TTP sees only masked vectors: each is uniformly random on its own, and the masks cancel
// in the sum once the self masks are removed.
import { randomBytes, type KeyObject } from 'node:crypto';
import { ephemeralKeyPair, sharedSecret, rawX25519PrivateKey } from '../../crypto/keys';
import { addInto, encodeFixedPoint, subtractFrom } from './fixed-point';
import { expandMask, pairPurpose, SELF_PURPOSE } from './masks';
import { type Advertisement, SecAggError, type SecAggRound, sameSet } from './round';
import { commitmentOf, decryptShares, encryptShares, splitSecret, type SharePair } from './shares';

export class SecAggClient {
  private readonly encryption = ephemeralKeyPair();
  private readonly mask = ephemeralKeyPair();
  private readonly selfMaskSeed = randomBytes(32);
  /** The parties that advertised (U0), with their keys. */
  private advertised: Map<string, Advertisement> | undefined;
  /** The shares others sent this party, by sender: the parties that shared (U1). */
  private received: Map<string, SharePair> | undefined;
  private masked = false;
  private unmasked = false;

  constructor(
    readonly setup: SecAggRound,
    readonly self: string,
  ) {
    if (!setup.parties.includes(self)) throw new SecAggError(`${self} is not a party of this round`);
    if (setup.threshold < 2 || setup.threshold > setup.parties.length) {
      throw new SecAggError(`a threshold of ${setup.threshold} makes no sense for ${setup.parties.length} parties`);
    }
  }

  advertisement(): Advertisement {
    return { encryptionKey: this.encryption.publicKeyText, maskKey: this.mask.publicKeyText, selfMaskCommitment: commitmentOf(this.selfMaskSeed) };
  }

  /** The encrypted shares for each party that advertised (itself included), by recipient. */
  async shareKeys(keys: Readonly<Record<string, Advertisement>>): Promise<Record<string, string>> {
    if (this.advertised) throw new SecAggError('the keys of this round were already shared');
    const parties = Object.keys(keys).sort();
    for (const party of parties) if (!this.setup.parties.includes(party)) throw new SecAggError(`${party} is not a party of this round`);
    const own = keys[this.self];
    const mine = this.advertisement();
    if (!own || own.encryptionKey !== mine.encryptionKey || own.maskKey !== mine.maskKey || own.selfMaskCommitment !== mine.selfMaskCommitment) {
      throw new SecAggError('the keys relayed for this party are not the ones it advertised');
    }
    this.requireEnough(parties.length, 'advertised keys');
    // Two parties with one key would let the TTP pass off one party's masks as another's.
    const keyTexts = parties.flatMap((party) => [keys[party]!.encryptionKey, keys[party]!.maskKey]);
    if (new Set(keyTexts).size !== keyTexts.length) throw new SecAggError('two parties advertised the same key');
    this.advertised = new Map(parties.map((party) => [party, keys[party]!]));

    const maskKeyShares = await splitSecret(rawX25519PrivateKey(this.mask.privateKey), parties.length, this.setup.threshold);
    const selfMaskShares = await splitSecret(this.selfMaskSeed, parties.length, this.setup.threshold);
    const out: Record<string, string> = {};
    parties.forEach((to, index) => {
      const pair = { from: this.self, to, maskKeyShare: maskKeyShares[index]!, selfMaskShare: selfMaskShares[index]! };
      out[to] = encryptShares(pair, this.encryption.privateKey, keys[to]!.encryptionKey, this.setup);
    });
    return out;
  }

  /** The shares the other parties sent this party: their senders are the parties that shared (U1). */
  receiveShares(ciphertexts: Readonly<Record<string, string>>): void {
    if (!this.advertised) throw new SecAggError('shares arrived before this party shared its keys');
    if (this.received) throw new SecAggError('the shares of this round were already received');
    const senders = Object.keys(ciphertexts).sort();
    if (!senders.includes(this.self)) throw new SecAggError('the shares relayed to this party leave out its own');
    this.requireEnough(senders.length, 'shared their keys');
    const received = new Map<string, SharePair>();
    for (const from of senders) {
      const keys = this.advertised.get(from);
      if (!keys) throw new SecAggError(`${from} sent shares without having advertised keys`);
      received.set(from, decryptShares(ciphertexts[from]!, from, this.self, this.encryption.privateKey, keys.encryptionKey, this.setup));
    }
    this.received = received;
  }

  /**
   * The masked ring vector of `scale * values`, then `extra` values (the weight), in fixed point;
   * and how many values were clamped to the encoding's range.
   */
  maskUpdate(values: ArrayLike<number>, scale: number, extra: readonly number[]): { masked: Uint32Array; clamped: number } {
    if (!this.received || !this.advertised) throw new SecAggError('an update can be masked only after the shares were received');
    if (this.masked) throw new SecAggError('this round\'s update was already masked');
    if (values.length + extra.length !== this.setup.length) {
      throw new SecAggError(`the round expects ${this.setup.length} values, not ${values.length + extra.length}`);
    }
    const { encoded, clamped } = encodeFixedPoint(values, scale, this.setup.encoding, extra);
    addInto(encoded, expandMask(this.selfMaskSeed, encoded.length, this.setup, SELF_PURPOSE));
    for (const other of this.received.keys()) {
      if (other === this.self) continue;
      const mask = pairMask(this.mask.privateKey, this.advertised.get(other)!.maskKey, this.self, other, encoded.length, this.setup);
      if (this.self < other) addInto(encoded, mask);
      else subtractFrom(encoded, mask);
    }
    this.masked = true;
    return { masked: encoded, clamped };
  }

  /**
   * The shares the TTP needs to unmask the sum: each survivor's self-mask share and each dropped
   * party's mask key share, base64url, by party. Refused when the lists are inconsistent (a party
   * in both, or not among those that shared) or fewer than the threshold survive.
   */
  unmaskShares(survivors: readonly string[], dropped: readonly string[]): Record<string, string> {
    if (!this.received || !this.masked) throw new SecAggError('unmasking was asked before this party masked its update');
    if (this.unmasked) throw new SecAggError('this round was already unmasked');
    const both = survivors.filter((party) => dropped.includes(party));
    if (both.length > 0) throw new SecAggError(`refusing to unmask: ${both.join(', ')} listed both as survivor and as dropped`);
    if (!sameSet([...survivors, ...dropped], [...this.received.keys()])) {
      throw new SecAggError('refusing to unmask: the survivors and the dropped parties are not the parties that shared their keys');
    }
    if (!survivors.includes(this.self)) throw new SecAggError('refusing to unmask: this party is listed as dropped');
    this.requireEnough(survivors.length, 'sent masked updates');
    this.unmasked = true;
    const out: Record<string, string> = {};
    for (const party of survivors) out[party] = Buffer.from(this.received.get(party)!.selfMaskShare).toString('base64url');
    for (const party of dropped) out[party] = Buffer.from(this.received.get(party)!.maskKeyShare).toString('base64url');
    return out;
  }

  private requireEnough(count: number, what: string): void {
    if (count < this.setup.threshold) {
      throw new SecAggError(`only ${count} parties ${what}; secure aggregation needs at least ${this.setup.threshold}`);
    }
  }
}

/** The mask two parties share: from their X25519 agreement, the same for both. */
export function pairMask(privateKey: KeyObject, peerMaskKey: string, a: string, b: string, length: number, context: SecAggRound): Uint32Array {
  return expandMask(sharedSecret(privateKey, peerMaskKey), length, context, pairPurpose(a, b));
}
