// Trust material for tests that start hubs and workers in-process: how a worker reaches and
// pins a hub whose data directory the test holds.
import { ensureSigningIdentity } from '../../src-main/api/trust/identity-key';
import type { HubContact } from '../../src-main/api/trust/hub-contact';
import { ensureTlsMaterial } from '../../src-main/api/trust/tls-files';

/** The contact of the hub that serves (or will serve) `hubDir` at `url`. */
export async function hubContact(hubDir: string, url: string): Promise<HubContact> {
  const [tls, identity] = await Promise.all([ensureTlsMaterial(hubDir, { commonName: 'Cohort hub' }), ensureSigningIdentity(hubDir)]);
  return { url, certificate: tls.fingerprint, key: identity.publicKeyText };
}
