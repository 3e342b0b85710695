// The `cohort` command tree. Every command has --help; scripts get --json where it matters.
import { Command, CommanderError } from 'commander';
import { CohortError } from '../contract/errors';
import { appCommand } from './commands/app';
import { dataCommand } from './commands/data';
import { hubCommand, runCommand, workerCommand } from './commands/grid';
import { simulateCommand } from './commands/simulate';
import { identityCommand, invitationCommand, securityLogCommand } from './commands/trust';
import { collaborationCommand, experimentCommand, participantCommand, projectCommand } from './commands/records';
import { connectionCommand, omopCommand, tagCommand } from './commands/sources';
import { style } from './output';
import { version } from '../api/version';

export function buildProgram(): Command {
  const program = new Command('cohort')
    .description('Cohort: federated learning for hospitals. Train models together; every row stays where it is.')
    .version(version(), '-V, --version')
    .showHelpAfterError('(add --help for usage)')
    // Options after a subcommand belong to it (`cohort worker approve X --data-dir D`).
    .enablePositionalOptions()
    .showSuggestionAfterError();
  program.addCommand(appCommand());
  program.addCommand(dataCommand());
  program.addCommand(collaborationCommand());
  program.addCommand(projectCommand());
  program.addCommand(experimentCommand());
  program.addCommand(runCommand());
  program.addCommand(participantCommand());
  program.addCommand(invitationCommand());
  program.addCommand(tagCommand());
  program.addCommand(connectionCommand());
  program.addCommand(omopCommand());
  program.addCommand(hubCommand());
  program.addCommand(workerCommand());
  program.addCommand(simulateCommand());
  program.addCommand(identityCommand());
  program.addCommand(securityLogCommand());
  return program;
}

/** Expected failures print one clear line; anything else is a bug and shows its stack. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode;
  if (error instanceof CohortError) {
    process.stderr.write(`${style.error('cohort: error:')} ${error.message}\n`);
    return 1;
  }
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${style.error('cohort: unexpected error (please report it):')} ${detail}\n`);
  return 70;
}
