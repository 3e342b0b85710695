// How a participant finds and trusts a hub, and how an identity is shown to people.
import type { Membership } from '../../contract/records';
import type { Log } from '../../engines/ports';
import type { SigningIdentity } from '../../protocol/crypto';

/** What a participant needs to reach a hub and know it is the real one. */
export interface HubContact {
  /** wss://host:port */
  url: string;
  /** SHA-256 fingerprint of the hub's TLS certificate. */
  certificate: string;
  /** The hub's Ed25519 identity key (raw, base64url). */
  key: string;
  /** The HTTP proxy to reach it through (else HTTPS_PROXY, or directly). */
  proxy?: string;
}

export function identityView(identity: SigningIdentity): { key: string; fingerprint: string } {
  return { key: identity.publicKeyText, fingerprint: identity.fingerprint };
}

/** The hubs to serve, pinned as each membership recorded them (older memberships without pins are skipped, with a warning). */
export function hubContactsOf(memberships: readonly Membership[], log: Log): HubContact[] {
  const contacts = new Map<string, HubContact>();
  for (const membership of memberships) {
    if (!membership.hubKey || !membership.hubCertificate) {
      log.warn('this membership has no pinned hub identity: join again with a new invitation', { collaboration: membership.collaborationId });
      continue;
    }
    contacts.set(membership.hubUrl, { url: membership.hubUrl, certificate: membership.hubCertificate, key: membership.hubKey, ...(membership.proxy ? { proxy: membership.proxy } : {}) });
  }
  return [...contacts.values()];
}
