/**
 * The layers' import rules (eslint.config.mjs) hold: in every folder, a deliberate import across a boundary is an
 * error, and an import the folder may make is not (so the probe itself is shown to work).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

interface Case {
  file: string;
  code: string;
}

/** ESLint's messages for each case, from a child process (see test/helpers/lint-probe.mjs). */
function lint(cases: Case[]): { ruleId: string | null; message: string }[][] {
  const root = join(__dirname, '..');
  const run = spawnSync(process.execPath, [join(root, 'test/helpers/lint-probe.mjs')], {
    cwd: root,
    input: JSON.stringify(cases),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`lint probe failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { ruleId: string | null; message: string }[][];
}

const use = (specifier: string, name = 'x') => `import { ${name} } from '${specifier}';\nexport const y = ${name};\n`;
const useType = (specifier: string) => `import type { X } from '${specifier}';\nexport type Y = X;\n`;

/** [folder's probe file, forbidden import, the rule's message fragment, an import the folder may make]. */
const BOUNDARIES: [string, string, string, string][] = [
  ['workflows/probe.ts', use('../src/delivery/send-webhook'), 'src/shared only', use('../src/shared/event')],
  ['workflows/probe.ts', use('node:fs'), 'deterministic', use('@temporalio/workflow')],
  ['workflows/probe.ts', use('../activities'), 'as types only', useType('../activities')],
  ['src/shared/probe.ts', use('../delivery/send-webhook'), 'bottom layer', use('./event')],
  ['src/shared/probe.ts', use('zod'), 'no zod', use('./event')],
  ['src/temporal/probe.ts', use('../api/app'), 'sits below the API', use('../shared/event')],
  ['src/temporal/probe.ts', use('@temporalio/worker'), 'client packages only', use('@temporalio/client')],
  ['src/temporal/probe.ts', use('../../activities'), 'never load the activities', useType('../../activities')],
  ['activities/probe.ts', use('@temporalio/workflow'), 'not the workflow sandbox', use('@temporalio/activity')],
  ['activities/probe.ts', use('../src/api/app'), 'HTTP API', use('../src/delivery/send-webhook')],
  ['src/delivery/probe.ts', use('@temporalio/client'), 'Temporal packages', use('../shared/event')],
  ['src/delivery/probe.ts', use('hono'), 'Hono belongs to src/api', use('node:http')],
  ['src/api/probe.ts', use('@temporalio/client'), 'EventScheduler interface', use('hono')],
  [
    'src/api/probe.ts',
    use('../temporal/temporal-event-scheduler'),
    'EventScheduler interface',
    use('../shared/scheduler'),
  ],
  ['src/server.ts', use('@temporalio/worker'), 'does not load the Temporal worker', use('./config')],
  ['src/sdk/probe.ts', use('hono'), 'without Hono', use('../shared/event')],
  ['src/sdk/probe.ts', use('@temporalio/client'), 'without Temporal packages', use('../shared/event')],
  ['src/api/probe.ts', 'export const port = process.env.PORT;\n', 'Only src/config.ts', use('../shared/event')],
  ['src/events/probe.ts', use('hono'), 'knows no HTTP', use('../shared/event')],
  ['src/events/probe.ts', use('@temporalio/client'), 'EventScheduler interface', use('../shared/scheduler')],
  ['src/events/probe.ts', use('../api/errors'), 'src/shared alone', use('./idempotency')],
  ['src/events/probe.ts', use('../temporal/temporal-event-scheduler'), 'src/shared alone', use('../shared/errors')],
  ['src/events/probe.ts', use('../config.js'), 'src/shared alone', use('../shared/errors')],
  ['src/events/nested/probe.ts', use('../../api/errors'), 'src/shared alone', use('../../shared/errors')],
  ['src/shared/probe.ts', use('../events/idempotency'), 'bottom layer', use('./errors')],
  ['src/temporal/probe.ts', use('../events/event-service'), 'sits below the API', use('../shared/errors')],
  ['src/delivery/probe.ts', use('../events/event-service'), 'the HTTP call alone', use('../shared/errors')],
  ['src/sdk/probe.ts', use('../events/event-service'), 'an HTTP client', use('../shared/errors')],
  [
    'src/sdk/probe.ts',
    use('../api/schemas/responses', 'EventObjectSchema'),
    'types only',
    useType('../api/schemas/responses'),
  ],
  ['src/sdk/probe.ts', useType('../api/errors'), 'nothing else of it', useType('../api/schemas/common')],
  ['src/sdk/probe.ts', use('node:crypto'), 'no Node builtins', use('../shared/error-codes')],
  ['src/sdk/probe.ts', 'export const b = Buffer.from("x");\n', 'runs wherever fetch does', use('./wire')],
  ['src/console/probe.ts', use('../api/app'), 'an API client', use('../sdk')],
  ['src/metrics/probe.ts', use('../api/app'), 'prom-client only', use('prom-client')],
  ['src/console/probe.ts', use('node:fs'), 'runs in the browser', use('../shared/event')],
  [
    'src/console/probe.ts',
    'export const show = (e: Element, t: string) => { e.innerHTML = t; };\n',
    'never HTML',
    'export const show = (e: Element, t: string) => { e.textContent = t; };\n',
  ],
];

describe('layer boundaries (eslint.config.mjs)', () => {
  const results = lint(
    BOUNDARIES.flatMap(([file, forbidden, , allowed]) => [
      { file, code: forbidden },
      { file, code: allowed },
    ]),
  );

  it.each(BOUNDARIES.map((c, i) => [c[0], c[1].split('\n')[0], i] as const))(
    '%s: `%s` is refused',
    (_file, _line, i) => {
      const [, , fragment] = BOUNDARIES[i] as [string, string, string, string];
      const messages = results[2 * i] ?? [];
      expect(messages.map((m) => m.message).join('\n')).toContain(fragment);
      expect(results[2 * i + 1]).toEqual([]);
    },
  );
});
