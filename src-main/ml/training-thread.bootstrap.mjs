// Starts the training thread from the TypeScript sources (CLI and tests). The main thread runs
// under tsx, registered programmatically (bin/cohort.js, vitest), and worker threads do not
// inherit module hooks registered that way; `execArgv: ['--import', 'tsx']` does not work for
// workers on Node 20 either. So the thread registers tsx itself, then imports the real entry.
// A bundled build does not use this file: it starts the bundled training-thread.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./training-thread.ts');
