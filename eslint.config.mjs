// ESLint flat config: typescript-eslint with type information, plus the project's layer rules.
//
// The layer rules keep each folder to its job (docs/design.md "Layers"):
//   workflows/     deterministic Temporal sandbox code: no I/O, no Node, only types from activities/
//   activities/    the worker's Node side: adapts src/delivery to Temporal, never workflow APIs or the HTTP API
//   src/delivery/  plain HTTP delivery: knows neither Temporal nor Hono
//   src/api/       Hono + zod: talks to Temporal only through the EventScheduler interface
//   src/sdk/       the published client: no Hono, no Temporal, no Node; the wire schemas as types only
//   src/console/   the web console's browser code: an API client over src/sdk, nothing of the server
//   src/metrics/   the service's Prometheus metrics (prom-client), fed by the activities, the service and the API
//   src/shared/    types and constants for every layer, bundled into workflows too: imports nothing else
// and only configuration and entrypoints read process.env; everything else gets settings passed in.
// A restriction on one folder is one `no-restricted-imports` entry below; in flat config a later block replaces
// (does not merge) an earlier block's options for the same rule, so each folder block lists everything it forbids.
import { builtinModules } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

import eslint from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Source files only: tests may wire layers together (a workflow test runs a Worker, an SDK test the Hono app). */
const TESTS = ['**/*.test.ts'];

// Regex fragments for relative imports of a project folder, from any depth: `./x`, `../x`, `../../src/x`.
const REL = String.raw`^(?:\.{1,2}/)+`;
/** Matches a relative import of `src/<dir>` (from outside src/ as `../src/<dir>`, from inside as `../<dir>`). */
const srcDir = (dir) => `${REL}(?:src/)?${dir}(?:/|$)`;
/** Matches a relative import of the top-level `<dir>` (workflows, activities). */
const topDir = (dir) => `${REL}${dir}(?:/|$)`;
/** Matches a package and its subpaths. */
/** src/config.ts and the entrypoints, from any depth, with or without an extension. */
const ENTRYPOINTS = `${REL}(?:src/)?(?:config|worker|server|main)(?:\\.[cm]?[jt]s)?$`;
const pkg = (name) => `^${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?:/|$)`;

const NODE_BUILTINS = {
  // `node:*` plus every bare builtin name (`fs`, `fs/promises`, `crypto`, ...).
  regex: `^(?:node:|(?:${builtinModules.map((m) => m.replace(/[/\\]/g, '\\$&')).join('|')})(?:/|$))`,
  message: 'Workflow code runs in the deterministic Temporal sandbox: no Node builtins (do I/O in an activity).',
};
const HONO = { regex: '^(?:hono|@hono/[^/]+)(?:/|$)', message: 'Hono belongs to src/api only.' };
const ALL_TEMPORAL = { regex: '^@temporalio/', message: 'This layer must not depend on Temporal packages.' };

/** Options for `no-restricted-imports` from a list of `{ regex, message, allowTypeImports? }`. */
const restrict = (...patterns) => ['error', { patterns }];

export default defineConfig(
  {
    ignores: ['**/dist/', '**/node_modules/', 'bench/node_modules/', 'bench/results/', '**/coverage/', '.temporal/'],
  },

  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // Type information from tsconfig.json, found per file.
        projectService: true,
        tsconfigRootDir: dirname(fileURLToPath(import.meta.url)),
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // An un-awaited promise in a workflow or activity loses errors and breaks ordering.
      '@typescript-eslint/no-floating-promises': 'error',
      // `import type` disappears at compile time: keeps workflow bundles free of activity/Node code.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      // An `async` method that implements a Promise-returning interface (fakes, adapters) need not await.
      '@typescript-eslint/require-await': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],

      // Settings come from src/config.ts (loadConfig(env)) and are passed down; see the entrypoint block below.
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Only src/config.ts and entrypoints read process.env; take the value as a parameter or dependency.',
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "MemberExpression[property.name='env'][object.type='MemberExpression'][object.property.name='process']",
          message: 'Only src/config.ts and entrypoints read process.env; take the value as a parameter or dependency.',
        },
        {
          selector: "ImportDeclaration[source.value=/^(node:)?process$/] > ImportSpecifier[imported.name='env']",
          message: 'Only src/config.ts and entrypoints read process.env; take the value as a parameter or dependency.',
        },
      ],
    },
  },

  // Tests and their helpers: assertions on parsed JSON and jest's `expect(obj.method)` trip the strictest
  // type-aware rules.
  {
    files: [...TESTS, 'test/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },

  // Configuration and entrypoints: the only code that reads the environment.
  {
    files: [
      'src/config.ts',
      'src/main.ts',
      'src/worker.ts',
      'src/server.ts',
      'test/**',
      'bench/**',
      'examples/**',
      '*.js',
      '*.mjs',
      '*.cjs',
    ],
    rules: {
      'no-restricted-properties': 'off',
      'no-restricted-syntax': 'off',
    },
  },

  // Layer rules (source files only).
  {
    files: ['workflows/**/*.ts'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': restrict(
        NODE_BUILTINS,
        { regex: pkg('zod'), message: 'No zod in workflow code: it bloats the sandbox; validate at the API.' },
        HONO,
        {
          regex: '^@temporalio/(?:client|worker|activity|testing)(?:/|$)',
          message: 'Workflow code may use @temporalio/workflow and @temporalio/common only.',
        },
        {
          // Anything under src/ but src/shared: delivery, api, temporal, sdk, and config and the entrypoints.
          regex: `${REL}src/(?!shared/)`,
          message: 'Workflow code may import src/shared only (no delivery, api, temporal, sdk or config code).',
        },
        {
          regex: topDir('activities'),
          allowTypeImports: true,
          message: 'Workflows import activities as types only (`import type`), then call them via proxyActivities.',
        },
      ),
    },
  },
  // src/shared is bundled into the workflow sandbox too (workflows import its types and constants).
  {
    files: ['src/shared/**/*.ts'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': restrict(
        { ...NODE_BUILTINS, message: 'src/shared is bundled into workflow code: no Node builtins.' },
        { regex: pkg('zod'), message: 'src/shared is bundled into workflow code: no zod (schemas live in src/api).' },
        HONO,
        {
          regex: '^@temporalio/(?:client|worker|activity|testing)(?:/|$)',
          message: 'src/shared is bundled into workflow code: no Node-side Temporal packages.',
        },
        {
          regex: `${srcDir('(?:delivery|api|temporal|sdk|events)')}|${topDir('(?:workflows|activities)')}`,
          message: 'src/shared is the bottom layer: it imports nothing else from the project.',
        },
      ),
    },
  },
  {
    files: ['src/temporal/**/*.ts'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': restrict(
        HONO,
        {
          regex: '^@temporalio/(?:worker|activity|testing)(?:/|$)',
          message: 'The Temporal client layer runs in the API: client packages only, no worker or activity code.',
        },
        {
          regex: `${srcDir('(?:api|sdk|delivery|events)')}|${ENTRYPOINTS}`,
          message: 'The Temporal client layer sits below the API and knows no HTTP, SDK or delivery code.',
        },
        {
          regex: topDir('activities'),
          allowTypeImports: true,
          message: 'The client layer may name activity types, never load the activities.',
        },
      ),
    },
  },
  {
    files: ['activities/**/*.ts'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': restrict(
        HONO,
        { regex: pkg('@temporalio/workflow'), message: 'Activities run in Node, not the workflow sandbox.' },
        {
          regex: srcDir('(?:api|temporal)'),
          message: 'Activities must not depend on the HTTP API or the Temporal client glue.',
        },
      ),
    },
  },
  {
    files: ['src/delivery/**/*.ts'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': restrict(ALL_TEMPORAL, HONO, {
        regex: `${srcDir('(?:api|sdk|temporal|events)')}|${ENTRYPOINTS}`,
        message: 'src/delivery is the HTTP call alone: no API, SDK, Temporal glue, service, config or entrypoints.',
      }),
    },
  },
  {
    // The service layer: the operations both APIs call, on the EventScheduler interface alone.
    files: ['src/events/**/*.ts'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': restrict(
        { ...ALL_TEMPORAL, message: 'The service reaches Temporal only through the EventScheduler interface.' },
        { ...HONO, message: 'The service knows no HTTP: the APIs translate to and from it.' },
        {
          regex: `${srcDir('(?:api|sdk|delivery|temporal)')}|${ENTRYPOINTS}|${topDir('(?:workflows|activities)')}`,
          message: 'The service sits on src/shared alone: no API, SDK, delivery, Temporal glue, config or entrypoints.',
        },
      ),
    },
  },
  {
    files: ['src/api/**/*.ts'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': restrict(
        {
          ...ALL_TEMPORAL,
          message: 'The API reaches Temporal only through the EventScheduler interface (src/shared/scheduler.ts).',
        },
        {
          regex: `${topDir('(?:workflows|activities)')}|${srcDir('temporal')}`,
          message: 'The API reaches Temporal only through the EventScheduler interface (src/shared/scheduler.ts).',
        },
      ),
    },
  },
  {
    // The API process loads no worker code: not the worker entrypoint, its SDK package, nor the activities.
    files: ['src/server.ts'],
    rules: {
      'no-restricted-imports': restrict(
        { regex: pkg('@temporalio/worker'), message: 'The API process does not load the Temporal worker.' },
        {
          regex: `^\\./worker$|${topDir('activities')}`,
          message: 'The API process does not load the worker or its activities (src/shutdown.ts has the signals).',
        },
      ),
    },
  },
  {
    files: ['src/sdk/**/*.ts'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': restrict(
        { ...HONO, message: 'The SDK is published without Hono.' },
        { ...ALL_TEMPORAL, message: 'The SDK is published without Temporal packages.' },
        { ...NODE_BUILTINS, message: 'The SDK needs fetch and WebCrypto only: no Node builtins.' },
        {
          regex: `${srcDir('(?:temporal|events|delivery)')}|${topDir('(?:workflows|activities)')}|${ENTRYPOINTS}`,
          message: 'The SDK is an HTTP client: no Temporal glue, service, delivery, workflows or activities.',
        },
        {
          regex: `${REL}(?:src/)?api/(?!schemas/)`,
          message: 'The SDK shares the wire schemas (src/api/schemas) with the server, nothing else of it.',
        },
        {
          regex: srcDir('api'),
          allowTypeImports: true,
          message: 'The SDK ships without zod: it takes the wire schemas as types only (`import type`).',
        },
      ),
      // Its own build compiles with Node's types (for the schemas it reads), so lint keeps Node's globals out.
      'no-restricted-globals': [
        'error',
        { name: 'Buffer', message: 'The SDK runs wherever fetch does: use Uint8Array, TextEncoder, btoa.' },
        { name: 'process', message: 'The SDK reads no environment: take settings as options.' },
      ],
    },
  },

  {
    // Metrics: prom-client over src/shared, called by the activities, the service layer and the API.
    files: ['src/metrics/**/*.ts'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': restrict(ALL_TEMPORAL, HONO, {
        regex: `${srcDir('(?:api|sdk|delivery|temporal|events|console)')}|${topDir('(?:workflows|activities)')}|${ENTRYPOINTS}`,
        message: 'src/metrics counts what others tell it: it imports src/shared and prom-client only.',
      }),
    },
  },
  {
    // The web console's client code: browser code over the SDK, bundled by the server (src/api/routes/console.ts).
    files: ['src/console/**/*.ts'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': restrict(
        { ...HONO, message: 'The console runs in the browser: no Hono.' },
        { ...ALL_TEMPORAL, message: 'The console runs in the browser: no Temporal packages.' },
        { ...NODE_BUILTINS, message: 'The console runs in the browser: no Node builtins.' },
        {
          regex: `${srcDir('(?:api|temporal|events|delivery)')}|${topDir('(?:workflows|activities)')}|${ENTRYPOINTS}`,
          message: 'The console is an API client: it uses the SDK (src/sdk) and src/shared, nothing of the server.',
        },
      ),
      'no-restricted-globals': [
        'error',
        { name: 'Buffer', message: 'The console runs in the browser.' },
        { name: 'process', message: 'The console runs in the browser.' },
      ],
      // Everything the console shows comes from the API, that is from callers and receivers: text only, never HTML.
      'no-restricted-properties': [
        'error',
        ...['innerHTML', 'outerHTML', 'insertAdjacentHTML'].map((property) => ({
          property,
          message: 'Insert text (textContent, h() in src/console/dom.ts), never HTML.',
        })),
        { object: 'document', property: 'write', message: 'Insert text, never HTML.' },
      ],
    },
  },

  // bench/ is a separate npm package (own package.json, tsconfig and node_modules) that the root `npm ci` does not
  // install: with type information its imports would resolve to error types on a fresh clone. Lint it without.
  {
    files: ['bench/**'],
    extends: [tseslint.configs.disableTypeChecked],
  },

  // Plain JavaScript config files are not in tsconfig.json: lint them without type information.
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
