/**
 * The load generator of `npm run bench`, in a child process of its own so that it does not
 * share the hub's event loop (or its memory): the parent sends jobs over IPC, this process
 * runs autocannon on each and sends back every response's latency.
 */
import autocannon from 'autocannon';

export interface LoadJob {
  id: number;
  url: string;
  headers: Record<string, string>;
  /** Request bodies, taken in turn across all connections (request i gets bodies[i % n]). */
  bodies: string[];
  connections: number;
  /** Seconds. */
  duration: number;
  /** A response body must contain this, or the response counts as failed. */
  expect: string;
  /** A response body containing this counts as carrying GraphQL errors. */
  unexpected?: string;
}

export interface LoadResult {
  id: number;
  /** Latency of every 2xx response, in ms (hrtime, not rounded). */
  latencies: number[];
  seconds: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  failed: number;
  withErrors: number;
  bytes: number;
  cpuMs: number;
}

function run(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    let next = 0;
    let failed = 0;
    let withErrors = 0;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        duration: job.duration,
        timeout: 60,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...job.headers },
            setupRequest: (request: any) => ({ ...request, body: job.bodies[next++ % job.bodies.length] }),
            onResponse: (status: number, body: string) => {
              if (status !== 200 || !body.includes(job.expect)) failed++;
              else if (job.unexpected && body.includes(job.unexpected)) withErrors++;
            },
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        const used = process.cpuUsage(cpu);
        resolve({
          id: job.id,
          latencies,
          seconds: (performance.now() - started) / 1000,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          failed,
          withErrors,
          bytes: result.throughput.total,
          cpuMs: (used.user + used.system) / 1000,
        });
      },
    );
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}

process.on('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send!(result),
    (error) => process.send!({ id: job.id, error: String(error?.stack ?? error) }),
  );
});
process.on('disconnect', () => process.exit(0));
