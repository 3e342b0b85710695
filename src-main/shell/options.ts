// The desktop app's options, from its command line (`cohort app` passes them through).
import { z } from 'zod';

export const ShellOptions = z.strictObject({
  role: z.enum(['orchestrator', 'participant']).default('participant'),
  dataDir: z.string().min(1).optional(),
  hubPort: z.coerce.number().int().min(0).max(65_535).default(7800),
  hubHost: z.string().min(1).default('127.0.0.1'),
  publicUrl: z.string().regex(/^wss?:\/\//).optional(),
});
export type ShellOptions = z.infer<typeof ShellOptions>;

const FLAGS: Record<string, keyof ShellOptions> = {
  '--role': 'role',
  '--data-dir': 'dataDir',
  '--hub-port': 'hubPort',
  '--hub-host': 'hubHost',
  '--public-url': 'publicUrl',
};

/** Reads --name=value flags; anything else (Electron's and Chromium's own) is ignored. */
export function parseShellOptions(argv: readonly string[]): ShellOptions {
  const raw: Record<string, string> = {};
  for (const arg of argv) {
    const at = arg.indexOf('=');
    const key = FLAGS[at === -1 ? arg : arg.slice(0, at)];
    if (key && at !== -1) raw[key] = arg.slice(at + 1);
  }
  return ShellOptions.parse(raw);
}

export function toArgs(options: ShellOptions): string[] {
  return Object.entries(FLAGS).flatMap(([flag, key]) => (options[key] === undefined ? [] : [`${flag}=${String(options[key])}`]));
}
