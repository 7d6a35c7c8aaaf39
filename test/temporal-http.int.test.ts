/**
 * The dev server's own HTTP API (a random 127.0.0.1 port, opened by `temporal server start-dev` whatever its flags)
 * takes any Content-Type and any Origin, so a web page could start an event workflow through it with a no-cors
 * POST. temporal-dev.sh makes it refuse every Host (`frontend.httpAllowedHosts`). Checked on the test server: every
 * port it listens on besides gRPC gets the POST a page would send, and none accepts it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { temporalTarget } from './helpers/temporal';

test("the dev server's HTTP API refuses a page's POST (Host not allowed), on every port it opened", async () => {
  const pid = readFileSync(path.join(process.env.TEST_TEMPORAL_DATA_DIR!, 'temporal-dev.pid'), 'utf8').trim();
  const grpcPort = temporalTarget().address.split(':')[1];
  const ports = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => /127\.0\.0\.1:(\d+)/.exec(line)?.[1])
    .filter((port): port is string => port !== undefined && port !== grpcPort);
  expect(ports.length).toBeGreaterThan(0);
  const answers = await Promise.all(
    ports.map(async (port) => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/namespaces/default/workflows/attack`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain', Origin: 'https://attacker.example' },
        body: JSON.stringify({
          workflowType: { name: 'scheduledEventWorkflow' },
          taskQueue: { name: 'scheduled-events' },
        }),
        signal: AbortSignal.timeout(5000),
      }).catch(() => undefined);
      return { port, status: res?.status, body: res === undefined ? '' : await res.text() };
    }),
  );
  // None accepted it; the HTTP API's port was among them, and said why.
  expect(answers.filter((a) => a.status !== undefined && a.status < 300)).toEqual([]);
  expect(answers.some((a) => a.status === 403 && a.body.includes('Host not allowed'))).toBe(true);
});
