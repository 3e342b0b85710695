#!/usr/bin/env node
// The `cohort` command. Runs the TypeScript sources directly through tsx, so a fresh clone
// works after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src-main/cli/main.ts');
