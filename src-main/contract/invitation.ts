// The invitation code a participant pastes to join a collaboration: where the hub is, which
// collaboration, and a single-use token. Text that is safe to copy through e-mail or chat.
import { z } from 'zod';
import { Id } from './records';

export const INVITATION_PREFIX = 'cohort-invite-1.';

export const InvitationPayload = z.strictObject({
  /** The hub's party endpoint, ws:// or wss://. */
  hub: z.string().regex(/^wss?:\/\/\S+$/, 'a ws:// or wss:// address'),
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
  const text = code.trim();
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
