// The invitation code a participant pastes to join a collaboration: where the hub is, which
// collaboration, a single-use token, and what the hub must prove to be trusted (its TLS
// certificate's fingerprint and its identity key). Text that is safe to copy through e-mail or
// chat: it grants nothing once used or expired, and nothing to a hub that is not the real one.
import { z } from 'zod';
import { CertificateFingerprint, Id, PublicKeyText } from './records';

export const INVITATION_PREFIX = 'cohort-invite-2.';
const OLDER_PREFIX = /^cohort-invite-1\./;

export const InvitationPayload = z.strictObject({
  /** The hub's party endpoint (TLS). */
  hub: z.string().regex(/^wss:\/\/\S+$/, 'a wss:// address'),
  /** The fingerprint of the hub's TLS certificate, pinned by the participant. */
  certificate: CertificateFingerprint,
  /** The hub's identity key, the only one the participant will accept. */
  hubKey: PublicKeyText,
  collaboration: Id,
  /** The collaboration's name, to show before joining. */
  name: z.string().max(200),
  token: z.string().min(16).max(200),
  expiresAt: z.iso.datetime(),
});

export type InvitationPayload = z.infer<typeof InvitationPayload>;

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}

export function encodeInvitation(payload: InvitationPayload): string {
  return INVITATION_PREFIX + toBase64Url(JSON.stringify(InvitationPayload.parse(payload)));
}

/** The payload of a code, or a message saying what is wrong with it. */
export function decodeInvitation(code: string): { ok: true; payload: InvitationPayload } | { ok: false; reason: string } {
  const text = code.replace(/\s+/g, '');
  if (OLDER_PREFIX.test(text)) return { ok: false, reason: 'this invitation was made by an older Cohort and carries no certificate fingerprint; ask the orchestrator for a new one' };
  if (!text.startsWith(INVITATION_PREFIX)) return { ok: false, reason: `an invitation code starts with "${INVITATION_PREFIX}"` };
  let raw: unknown;
  try {
    raw = JSON.parse(fromBase64Url(text.slice(INVITATION_PREFIX.length)));
  } catch {
    return { ok: false, reason: 'the invitation code is damaged (was it copied whole?)' };
  }
  const parsed = InvitationPayload.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: `the invitation code is not valid: ${parsed.error.issues[0]?.message ?? ''}` };
  return { ok: true, payload: parsed.data };
}
