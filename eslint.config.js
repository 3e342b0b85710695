// Lint, and the architecture's import directions: each folder may import only the layers and
// adapters the design allows (see README "Code layout").
import tseslint from 'typescript-eslint';

const LAYERS = ['contract', 'core', 'ml', 'protocol', 'engines', 'store', 'datasource', 'api', 'shell', 'cli'];

/** Adapter packages, each owned by one folder. */
const ADAPTERS = {
  ml: ['@tensorflow/'],
  protocol: ['ws', '@peculiar/x509', 'https-proxy-agent'],
  store: ['lowdb', 'write-file-atomic', 'proper-lockfile'],
  datasource: ['csv-parse', 'csv-stringify', '@duckdb/', 'pg', 'pg-cursor'],
  shell: ['electron'],
};

/** For each folder: the other project folders it may import. */
const MAY_IMPORT = {
  contract: [],
  core: ['contract'],
  engines: ['contract', 'core'],
  ml: ['contract', 'core'],
  protocol: ['contract', 'core'],
  store: ['contract', 'core'],
  datasource: ['contract', 'core'],
  api: ['contract', 'core', 'engines', 'ml', 'protocol', 'store', 'datasource'],
  cli: ['contract', 'core', 'engines', 'ml', 'protocol', 'store', 'datasource', 'api'],
  shell: LAYERS,
};

const ADAPTER_FOLDERS = ['ml', 'protocol', 'store', 'datasource'];

/** Wiring folders may also use another folder's adapter package directly (the UI bridge uses ws). */
const MAY_USE_ADAPTER = {
  contract: [], core: [], engines: [], ml: [], protocol: [], store: [], datasource: [],
  api: ['protocol'],
  cli: ['protocol'],
  shell: Object.keys(ADAPTERS),
};

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function layerRule(folder) {
  const forbiddenLayers = LAYERS.filter((layer) => layer !== folder && !MAY_IMPORT[folder].includes(layer));
  const forbiddenAdapters = Object.entries(ADAPTERS)
    .filter(([owner]) => owner !== folder && !MAY_USE_ADAPTER[folder].includes(owner))
    .flatMap(([, packages]) => packages);
  const patterns = [];
  // Adapters implement the engines' ports: they may import the port types, nothing else there.
  const typesOnly = ADAPTER_FOLDERS.includes(folder) ? ['engines'] : [];
  const hardForbidden = forbiddenLayers.filter((layer) => !typesOnly.includes(layer));
  if (hardForbidden.length > 0) {
    patterns.push({
      regex: `^\\.\\.?/(?:\\.\\./)*(?:${hardForbidden.join('|')})(?:/|$)`,
      message: `${folder}/ may import only ${MAY_IMPORT[folder].join(', ') || 'zod'} (see README, Code layout).`,
    });
  }
  if (typesOnly.length > 0) {
    patterns.push({
      regex: `^\\.\\.?/(?:\\.\\./)*(?:${typesOnly.join('|')})(?:/|$)`,
      allowTypeImports: true,
      message: `${folder}/ may import only the port types of engines/ (import type).`,
    });
  }
  if (forbiddenAdapters.length > 0) {
    patterns.push({
      regex: `^(?:${forbiddenAdapters.map(escape).join('|')})`,
      message: `this adapter belongs to another folder (see README, Code layout).`,
    });
  }
  if (folder === 'contract' || folder === 'core' || folder === 'engines') {
    // Pure layers: no file system, no network, no processes.
    patterns.push({
      regex: '^(?:node:)?(?:fs|fs/promises|net|http|https|child_process|worker_threads|dgram|tls)$',
      message: `${folder}/ is pure: do I/O in an adapter and pass it in through a port.`,
    });
  }
  return {
    files: [`src-main/${folder}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'scratch/**', 'test-results/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...LAYERS.map(layerRule),
  {
    files: ['src-renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?:node:|electron$|(?:\\.\\./)+src-main/(?!contract/))',
              message: 'the renderer imports only src-main/contract and its own code.',
            },
          ],
        },
      ],
    },
  },
);
