// The import directions of the architecture are enforced by lint rules; prove they bite.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/cli';

const eslint = new ESLint({ cwd: PROJECT_ROOT });

async function violations(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${PROJECT_ROOT}/${filePath}` });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('import directions', () => {
  it('keep core pure: no adapters, no I/O, no outer layers', async () => {
    const found = await violations(
      'src-main/core/example.ts',
      [
        "import { Low } from 'lowdb';",
        "import { readFile } from 'node:fs/promises';",
        "import { MetadataStore } from '../store/metadata-store';",
        "import { CohortError } from '../contract/errors';",
        'export const all = [Low, readFile, MetadataStore, CohortError];',
      ].join('\n'),
    );
    expect(found).toHaveLength(3);
  });

  it('keep each adapter package in its own folder', async () => {
    expect(await violations('src-main/store/example.ts', "import { WebSocket } from 'ws';\nexport const w = WebSocket;")).toHaveLength(1);
    expect(await violations('src-main/protocol/example.ts', "import { WebSocket } from 'ws';\nexport const w = WebSocket;")).toHaveLength(0);
    expect(await violations('src-main/engines/example.ts', "import * as tf from '@tensorflow/tfjs-core';\nexport const t = tf;")).toHaveLength(1);
    expect(await violations('src-main/api/example.ts', "import { app } from 'electron';\nexport const a = app;")).toHaveLength(1);
  });

  it('keep the contract free of project imports and the renderer away from Node', async () => {
    expect(await violations('src-main/contract/example.ts', "import { x } from '../core/x';\nexport const y = x;")).toHaveLength(1);
    expect(await violations('src-main/contract/example.ts', "import { z } from 'zod';\nexport const y = z;")).toHaveLength(0);
    expect(await violations('src-renderer/src/example.ts', "import { readFile } from 'node:fs';\nexport const r = readFile;")).toHaveLength(1);
    expect(
      await violations('src-renderer/src/example.ts', "import { MetadataStore } from '../../src-main/store/metadata-store';\nexport const m = MetadataStore;"),
    ).toHaveLength(1);
    expect(await violations('src-renderer/src/example.ts', "import { CohortError } from '../../src-main/contract/errors';\nexport const c = CohortError;")).toHaveLength(0);
  });
});
