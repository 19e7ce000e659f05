/**
 * Graceful shutdown of a real gateway process (`scripts/gateway.ts`): SIGTERM while a request
 * waits on a slow subgraph. The process stops accepting (new connections are refused, so a
 * load balancer moves on), lets the request finish with its full answer, then exits 0 and
 * says so in its log.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { freePort, spawnProcess, waitUntilHealthy, type ManagedProcess } from '../scripts/cluster/processes.js';

const SLOW_MS = 1500;
let gateway: ManagedProcess | undefined;
let slowSubgraph: http.Server | undefined;

afterAll(async () => {
  await gateway?.kill();
  await new Promise((resolve) => slowSubgraph?.close(resolve));
});

it('SIGTERM during a slow request: new connections are refused, the request finishes with its answer, the process exits 0', async () => {
  // The platform subgraph, answering the gateway's subject query after SLOW_MS.
  let requestArrived!: () => void;
  const arrived = new Promise<void>((resolve) => (requestArrived = resolve));
  slowSubgraph = http.createServer((req, res) => {
    req.resume();
    requestArrived();
    setTimeout(() => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ data: { subject: { __typename: 'Subject', creditCode: '91110000000000000X', name: '慢速测试有限公司' } } }));
    }, SLOW_MS);
  });
  await new Promise<void>((resolve) => slowSubgraph!.listen(0, '127.0.0.1', resolve));
  const platformUrl = `http://127.0.0.1:${(slowSubgraph.address() as AddressInfo).port}/graphql`;

  gateway = spawnProcess('gateway', 'scripts/gateway.ts', [], await freePort(), { PLATFORM_SUBGRAPH_URL: platformUrl, LOG_LEVEL: 'info', SHUTDOWN_GRACE_MS: '8000' });
  await waitUntilHealthy(gateway);

  const answer = fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ subject(creditCode: "91110000000000000X") { creditCode name } }' }),
  });
  await arrived;
  const started = Date.now();
  process.kill(-gateway.child.pid!, 'SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 300));
  await expect(fetch(gateway.url.replace('/graphql', '/health/live'))).rejects.toThrow();

  const response = await answer;
  expect(response.status).toBe(200);
  expect((await response.json()).data.subject).toEqual({ creditCode: '91110000000000000X', name: '慢速测试有限公司' });
  expect(await gateway.exited).toBe(0);
  // It waited for the request, not for the whole grace period.
  expect(Date.now() - started).toBeLessThan(SLOW_MS + 4000);
  const log = gateway.output.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  expect(log.map((line) => line.msg)).toEqual(expect.arrayContaining(['stopping: draining in-flight requests', 'request', 'stopped']));
}, 60_000);
