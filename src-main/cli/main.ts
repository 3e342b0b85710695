// Entry point of the `cohort` command (bin/cohort.js loads it).
import { buildProgram, reportError } from './program';

try {
  await buildProgram().exitOverride().parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error);
}
