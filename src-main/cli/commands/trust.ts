// `cohort identity`, `cohort invitation create | list | revoke` and `cohort security-log`.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { readHubInfo } from '../../api/admin-client';
import { invitationView } from '../../api/app/orchestrator';
import { createInvitation } from '../../api/hub/invitations';
import { ensureSigningIdentity } from '../../api/trust/identity-key';
import { exportSecurityLog } from '../../api/trust/security-export';
import { ensureTlsMaterial, TLS_DIR } from '../../api/trust/tls-files';
import { CohortError } from '../../contract/errors';
import { describeCertificate } from '../../protocol/certificates';
import { SecurityLog } from '../../store/security-log';
import { integer, positive } from '../flags';
import { formatBytes, printJson, style, table } from '../output';
import { open, withStore, type StoreFlags } from '../store-flags';

export function identityCommand(): Command {
  return withStore(new Command('identity').description("this installation's identity key (created on first use) and TLS certificate fingerprint, to compare with the other parties")).action(
    async (flags: StoreFlags) => {
      const identity = await ensureSigningIdentity(flags.dataDir);
      const certPath = join(flags.dataDir, TLS_DIR, 'cert.pem');
      const certificate = existsSync(certPath) ? describeCertificate(await readFile(certPath, 'utf8')) : undefined;
      if (flags.json) return printJson({ key: identity.publicKeyText, fingerprint: identity.fingerprint, certificate: certificate?.fingerprint ?? null });
      console.log(`identity key          ${identity.publicKeyText}`);
      console.log(`key fingerprint       ${style.heading(identity.fingerprint)}`);
      console.log(`certificate SHA-256   ${certificate ? style.heading(certificate.fingerprint) : style.dim('none yet (made when this party first serves TLS)')}`);
    },
  );
}

export function invitationCommand(): Command {
  const command = new Command('invitation').description('invitations: single-use codes with which participants join a collaboration');
  withStore(command.command('create').description('create an invitation code to send to a participant'))
    .requiredOption('--collaboration <id>', 'the collaboration to join')
    .option('--hub-url <url>', 'where participants reach the hub (default: the running hub\'s public address)')
    .option('--tls-cert <file>', "when the hub serves its own certificate (--tls-cert) and is not running: that certificate")
    .option('--expires-in <hours>', 'hours until the code expires', positive, 72)
    .option('--note <text>', 'a note for yourself (who it is for)', '')
    .option('--participant <id>', 'only this participant may join with it (the way to invite one added with `participant add` without --key)')
    .action(async (flags: StoreFlags & { collaboration: string; hubUrl?: string; tlsCert?: string; expiresIn: number; note: string; participant?: string }) => {
      const store = await open(flags);
      const running = await readHubInfo(flags.dataDir).catch(() => undefined);
      let contact;
      if (running) {
        contact = { url: flags.hubUrl ?? running.publicUrl, certificate: running.certificate, key: running.key };
      } else {
        if (!flags.hubUrl) throw new CohortError('BAD_INPUT', 'no hub is running with this data directory: give --hub-url wss://HOST:PORT (the address participants will use)');
        const certificate = flags.tlsCert
          ? describeCertificate(await readFile(flags.tlsCert, 'utf8')).fingerprint
          : (await ensureTlsMaterial(flags.dataDir, { commonName: 'Cohort hub' })).fingerprint;
        contact = { url: flags.hubUrl, certificate, key: (await ensureSigningIdentity(flags.dataDir)).publicKeyText };
      }
      if (!contact.url.startsWith('wss://')) throw new CohortError('BAD_INPUT', `the hub address must be wss://HOST:PORT, not ${contact.url}`);
      const { invitation, code } = await createInvitation(store, contact, {
        collaborationId: flags.collaboration,
        expiresInHours: flags.expiresIn,
        note: flags.note,
        ...(flags.participant === undefined ? {} : { forParticipant: flags.participant }),
      });
      if (flags.json) return printJson({ invitation: invitationView(invitation), code });
      const forWhom = flags.participant === undefined ? '' : ` for participant ${style.heading(flags.participant)} only`;
      console.log(`${style.ok('✓')} invitation ${style.heading(invitation.id)} to ${style.heading(flags.collaboration)}${forWhom}, valid until ${invitation.expiresAt}, for one use.`);
      console.log('Send this code to the participant (it joins with `cohort worker --join CODE`, or in the app):\n');
      console.log(code);
    });
  withStore(command.command('list').description('list invitations and whether they are open, used, expired or revoked'))
    .option('--collaboration <id>', 'only this collaboration')
    .action(async (flags: StoreFlags & { collaboration?: string }) => {
      const invitations = (await (await open(flags)).list('invitations', flags.collaboration ? { collaborationId: flags.collaboration } : {})).map((invitation) => invitationView(invitation));
      if (flags.json) return printJson(invitations);
      console.log(table(['id', 'collaboration', 'state', 'used by', 'expires', 'note'], invitations.map((view) => [view.id, view.collaborationId, view.state, view.usedBy ?? '', view.expiresAt, view.note])));
    });
  withStore(command.command('revoke').description('revoke an invitation: its code no longer lets anyone join').argument('<id>')).action(async (id: string, flags: StoreFlags) => {
    const invitation = await (await open(flags)).update('invitations', id, { revoked: true });
    if (flags.json) return printJson(invitationView(invitation));
    console.log(`${style.ok('✓')} invitation ${style.heading(id)} revoked`);
  });
  return command;
}

export function securityLogCommand(): Command {
  return withStore(new Command('security-log').description('what left this machine (to whom, how many bytes, when) and every inbound request or connection, accepted or refused'))
    .option('--limit <n>', 'newest events to show', integer(), 50)
    .addOption(new Option('--direction <direction>', 'only one direction').choices(['outbound', 'inbound']))
    .addOption(new Option('--outcome <outcome>', 'only one outcome').choices(['sent', 'accepted', 'refused']))
    .option('--search <text>', 'only events whose peer, message, run or reason contains this')
    .option('--export <file>', 'write the whole log to this file instead')
    .addOption(new Option('--format <format>', 'with --export').choices(['jsonl', 'csv']).default('jsonl'))
    .action(
      async (flags: StoreFlags & { limit: number; direction?: 'outbound' | 'inbound'; outcome?: 'sent' | 'accepted' | 'refused'; search?: string; export?: string; format: 'jsonl' | 'csv' }) => {
        const log = await SecurityLog.open(flags.dataDir);
        if (flags.export) {
          const written = await exportSecurityLog(log, flags.export, flags.format);
          if (flags.json) return printJson(written);
          return console.log(`${style.ok('✓')} ${written.events} events written to ${written.path}`);
        }
        const page = await log.query({
          limit: flags.limit,
          ...(flags.direction ? { direction: flags.direction } : {}),
          ...(flags.outcome ? { outcome: flags.outcome } : {}),
          ...(flags.search ? { search: flags.search } : {}),
        });
        if (flags.json) return printJson(page);
        if (page.total === 0) return console.log(style.dim('The security log has no matching events.'));
        console.log(
          table(
            ['when', 'direction', 'peer', 'what', 'bytes', 'outcome', 'reason'],
            page.events.map((event) => [
              event.at.slice(0, 19).replace('T', ' '),
              event.direction,
              event.peer,
              event.what + (event.run ? ` (${event.run})` : ''),
              formatBytes(event.bytes),
              event.outcome === 'refused' ? style.error(event.outcome) : event.outcome,
              event.reason ?? '',
            ]),
          ),
        );
        console.log(style.dim(`${page.events.length} of ${page.total} events; ${formatBytes(page.bytesSent)} sent in all; ${page.refused} refused.`));
      },
    );
}
