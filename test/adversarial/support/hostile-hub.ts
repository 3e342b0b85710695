// A modified hub, built from the real protocol code: TLS listener, pinned certificate, the real
// handshake and the real invitation and admission rules, so a real worker joins it exactly as
// it would join an honest hub. What it then sends is up to the test. Every frame the worker
// sends it (text and binary, after TLS) is kept, to be scanned for the worker's private values.
import { silentLog } from '../../../src-main/api/log';
import { admitParty, createInvitation, screenParty } from '../../../src-main/api/hub/invitations';
import { ensureSigningIdentity } from '../../../src-main/api/trust/identity-key';
import type { HubContact } from '../../../src-main/api/trust/hub-contact';
import { partyPeer } from '../../../src-main/api/trust/party-connections';
import { ensureTlsMaterial } from '../../../src-main/api/trust/tls-files';
import { awaitAuthentication, type Hello } from '../../../src-main/protocol/handshake';
import type { Peer } from '../../../src-main/protocol/peer';
import { listen, type Listener } from '../../../src-main/protocol/transport';
import { MetadataStore } from '../../../src-main/store/metadata-store';
import { noSecurityLog } from '../../../src-main/store/security-log';

export interface HostileHub {
  contact: HubContact;
  store: MetadataStore;
  /** Every frame received from parties, in order. */
  received: Buffer[];
  /** A single-use invitation to the collaboration, as the honest hub would issue it. */
  invitation(collaborationId: string): Promise<string>;
  /** The authenticated connection of this party (resolves once it has joined or reconnected). */
  party(id: string): Promise<Peer>;
  close(): Promise<void>;
}

export interface HubDefinition {
  collaboration: { id: string; name: string };
  project: { id: string; name: string; targetColumn: string; task: 'classify' | 'regress'; positiveClass?: string };
}

export async function startHostileHub(dir: string, definition: HubDefinition): Promise<HostileHub> {
  const [tls, identity, store] = await Promise.all([ensureTlsMaterial(dir, { commonName: 'Cohort hub' }), ensureSigningIdentity(dir), MetadataStore.open(dir)]);
  await store.create('collaborations', definition.collaboration);
  await store.create('projects', { ...definition.project, collaborationId: definition.collaboration.id });
  const received: Buffer[] = [];
  const parties = new Map<string, Peer>();
  const waiting = new Map<string, Array<(peer: Peer) => void>>();
  const hub = { id: 'hub', name: 'Hostile hub' };

  const listener: Listener = await listen({ tls: { cert: tls.cert, key: tls.key } }, (socket) => {
    socket.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => received.push(Buffer.isBuffer(data) ? Buffer.from(data) : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)])));
    const peer = partyPeer(socket, 'party', { log: silentLog, security: noSecurityLog, heartbeatMs: 2_000 });
    void awaitAuthentication(peer, {
      identity,
      hub,
      certificate: tls.fingerprint,
      screen: (hello: Hello) => screenParty(store, hello),
      admit: async (hello: Hello) => {
        const admission = await admitParty(store, hello, hub);
        // Registered for the project, as an orchestrator would after the party joined.
        if (admission.ok && !(await store.find('registrations', `${hello.party.id}.${definition.project.id}`))) {
          await store.create('registrations', { id: `${hello.party.id}.${definition.project.id}`, participantId: hello.party.id, collaborationId: definition.collaboration.id, projectId: definition.project.id });
        }
        return admission;
      },
    }).then(
      (hello) => {
        parties.set(hello.party.id, peer);
        for (const resolve of waiting.get(hello.party.id)?.splice(0) ?? []) resolve(peer);
      },
      () => undefined,
    );
  });
  const contact: HubContact = { url: listener.url, certificate: tls.fingerprint, key: identity.publicKeyText };

  return {
    contact,
    store,
    received,
    invitation: async (collaborationId) => (await createInvitation(store, contact, { collaborationId })).code,
    party: (id) => {
      const known = parties.get(id);
      if (known?.isOpen) return Promise.resolve(known);
      return new Promise((resolve) => waiting.set(id, [...(waiting.get(id) ?? []), resolve]));
    },
    close: () => listener.close(),
  };
}

/** Whether any received frame contains any of the values (as UTF-8 bytes); the ones found. */
export function leaked(frames: readonly Buffer[], values: Iterable<string>): string[] {
  const found: string[] = [];
  for (const value of values) {
    const needle = Buffer.from(value, 'utf8');
    if (frames.some((frame) => frame.includes(needle))) found.push(value);
  }
  return found;
}
