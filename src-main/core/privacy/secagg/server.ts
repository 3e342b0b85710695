// The TTP's side of one secure-aggregation round: it relays keys and encrypted shares, adds up
// the masked vectors it receives, and, with the shares the surviving parties reveal, removes
// the survivors' self masks and the masks dropped parties shared with them. It learns the sum,
// and nothing about any single update.
import { createPublicKey } from 'node:crypto';
import { rawPublicKey, x25519PrivateKeyFromRaw } from '../../crypto/keys';
import { addInto, subtractFrom } from './fixed-point';
import { pairMask } from './client';
import { expandMask, SELF_PURPOSE } from './masks';
import { type Advertisement, SecAggError, type SecAggRound } from './round';
import { combineShares, commitmentOf } from './shares';

export class SecAggServer {
  private readonly advertisements = new Map<string, Advertisement>();
  private readonly ciphertexts = new Map<string, Record<string, string>>();
  private readonly maskedUpdates = new Map<string, Uint32Array>();
  private readonly revealed = new Map<string, Record<string, string>>();
  private frozen: { survivors: string[]; dropped: string[] } | undefined;

  constructor(readonly setup: SecAggRound) {}

  addAdvertisement(party: string, advertisement: Advertisement): void {
    this.requireParty(party);
    this.advertisements.set(party, advertisement);
  }

  /** The keys every party that advertised (U0) receives. */
  keys(): Record<string, Advertisement> {
    this.requireEnough(this.advertisements.size, 'advertised keys');
    return Object.fromEntries([...this.advertisements].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  addShares(party: string, ciphertexts: Readonly<Record<string, string>>): void {
    if (!this.advertisements.has(party)) throw new SecAggError(`${party} sent shares without having advertised keys`);
    const recipients = Object.keys(ciphertexts);
    const expected = [...this.advertisements.keys()];
    if (recipients.length !== expected.length || !expected.every((to) => to in ciphertexts)) {
      throw new SecAggError(`${party} did not send one share to each party that advertised keys`);
    }
    this.ciphertexts.set(party, { ...ciphertexts });
  }

  /** The parties that shared their keys (U1). */
  sharers(): string[] {
    return [...this.ciphertexts.keys()].sort();
  }

  /** The encrypted shares addressed to `party`, by sender. */
  sharesFor(party: string): Record<string, string> {
    this.requireEnough(this.ciphertexts.size, 'shared their keys');
    return Object.fromEntries(this.sharers().map((from) => [from, this.ciphertexts.get(from)![party]!]));
  }

  addMaskedUpdate(party: string, masked: Uint32Array): void {
    if (this.frozen) throw new SecAggError(`${party}'s masked update came after unmasking began`);
    if (!this.ciphertexts.has(party)) throw new SecAggError(`${party} sent a masked update without having shared its keys`);
    if (masked.length !== this.setup.length) throw new SecAggError(`${party} sent ${masked.length} values, not ${this.setup.length}`);
    this.maskedUpdates.set(party, masked);
  }

  /**
   * Who sent a masked update and who dropped after sharing: what every survivor is asked to
   * unmask. Refused when fewer than the threshold sent masked updates.
   */
  unmaskRequest(): { survivors: string[]; dropped: string[] } {
    if (!this.frozen) {
      const survivors = [...this.maskedUpdates.keys()].sort();
      this.requireEnough(survivors.length, 'sent masked updates');
      this.frozen = { survivors, dropped: this.sharers().filter((party) => !this.maskedUpdates.has(party)) };
    }
    return this.frozen;
  }

  addUnmaskShares(party: string, shares: Readonly<Record<string, string>>): void {
    const { survivors, dropped } = this.unmaskRequest();
    if (!survivors.includes(party)) throw new SecAggError(`${party} is not a survivor of this round`);
    const expected = [...survivors, ...dropped];
    if (Object.keys(shares).length !== expected.length || !expected.every((owner) => typeof shares[owner] === 'string')) {
      throw new SecAggError(`${party} did not reveal one share for each party of the round`);
    }
    this.revealed.set(party, { ...shares });
  }

  /** The parties that revealed shares (U3). */
  revealers(): string[] {
    return [...this.revealed.keys()].sort();
  }

  /**
   * The sum of the survivors' encoded updates (mod 2^32). Refused when fewer than the threshold
   * revealed their shares, or when a rebuilt secret does not match what its owner advertised.
   */
  async sum(): Promise<{ sum: Uint32Array; survivors: string[]; dropped: string[] }> {
    const { survivors, dropped } = this.unmaskRequest();
    const revealers = this.revealers();
    this.requireEnough(revealers.length, 'revealed their shares', 'refusing to unmask: ');
    const sharesOf = async (owner: string) => combineShares(revealers.map((party) => Buffer.from(this.revealed.get(party)![owner]!, 'base64url')));

    const total = new Uint32Array(this.setup.length);
    for (const party of survivors) addInto(total, this.maskedUpdates.get(party)!);
    for (const party of survivors) {
      const seed = await sharesOf(party);
      if (commitmentOf(seed) !== this.advertisements.get(party)!.selfMaskCommitment) {
        throw new SecAggError(`the self-mask seed rebuilt for ${party} does not match its commitment (a share was altered)`);
      }
      subtractFrom(total, expandMask(seed, total.length, this.setup, SELF_PURPOSE));
    }
    for (const gone of dropped) {
      const privateKey = x25519PrivateKeyFromRaw(await sharesOf(gone));
      if (rawPublicKey(createPublicKey(privateKey)).toString('base64url') !== this.advertisements.get(gone)!.maskKey) {
        throw new SecAggError(`the mask key rebuilt for ${gone} does not match its advertised key (a share was altered)`);
      }
      // Each survivor added (smaller id) or subtracted (larger id) the mask it shared with `gone`.
      for (const party of survivors) {
        const mask = pairMask(privateKey, this.advertisements.get(party)!.maskKey, gone, party, total.length, this.setup);
        if (party < gone) subtractFrom(total, mask);
        else addInto(total, mask);
      }
    }
    return { sum: total, survivors, dropped };
  }

  private requireParty(party: string): void {
    if (!this.setup.parties.includes(party)) throw new SecAggError(`${party} is not a party of this round`);
  }

  private requireEnough(count: number, what: string, prefix = ''): void {
    if (count < this.setup.threshold) {
      throw new SecAggError(`${prefix}only ${count} of ${this.setup.parties.length} parties ${what}; secure aggregation needs at least ${this.setup.threshold}`);
    }
  }
}
