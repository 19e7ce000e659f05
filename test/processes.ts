/**
 * The production layout as separate OS processes, for tests and benchmarks: each subgraph
 * replica is `tsx scripts/subgraph.ts <name>` (run as `node --import tsx`, so a signal reaches
 * the process that runs the code), the gateway is `tsx scripts/gateway.ts`, and where a
 * subgraph has several replicas a small round-robin balancer on loopback stands in front of
 * them as a load balancer would, skipping a replica that refuses connections. Output of
 * every process is kept (the last lines), to show in a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { subgraphs } from '../subgraphs/catalog.js';

const ROOT = new URL('..', import.meta.url).pathname;

/** `count` distinct ports free on loopback now: all held open until all are chosen, so none repeats. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<net.Server>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  })));
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

export interface HubProcess {
  /** e.g. `tax#2`, `gateway`. */
  label: string;
  url: string;
  pid: number;
  running: boolean;
  /** The last lines the process wrote (stdout and stderr). */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface SpawnOptions {
  label: string;
  script: string;
  args?: string[];
  port: number;
  env: Record<string, string | undefined>;
  /** Resolves when GET /health answers 200 within this. */
  readyTimeoutMs?: number;
}

export async function spawnHubProcess(options: SpawnOptions): Promise<HubProcess> {
  const lines: string[] = [];
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', options.script, ...(options.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, ...options.env, PORT: String(options.port), HOST: '127.0.0.1' } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString().split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let running = true;
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    running = false;
    resolve();
  }));
  const base = `http://127.0.0.1:${options.port}`;
  const proc: HubProcess = {
    label: options.label,
    url: `${base}/graphql`,
    pid: child.pid!,
    get running() {
      return running;
    },
    output: () => lines.join('\n'),
    async kill(signal = 'SIGTERM') {
      if (!running) return;
      child.kill(signal);
      const forced = setTimeout(() => child.kill('SIGKILL'), 12_000);
      await exited;
      clearTimeout(forced);
    },
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (!running) throw new Error(`${options.label} exited before it was ready; its output:\n${proc.output()}`);
    try {
      if ((await fetch(`${base}/health`, { signal: AbortSignal.timeout(1000) })).ok) return proc;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  await proc.kill('SIGKILL');
  throw new Error(`${options.label} did not answer /health within ${options.readyTimeoutMs ?? 60_000} ms; its output:\n${proc.output()}`);
}

export interface Balancer {
  url: string;
  /** Requests each upstream answered. */
  served: number[];
  close(): Promise<void>;
}

/** Round robin over `upstreams` (base URLs); a refused or reset connection goes to the next one. */
export async function startBalancer(upstreams: string[]): Promise<Balancer> {
  let next = 0;
  const served = upstreams.map(() => 0);
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    for (let attempt = 0; attempt < upstreams.length; attempt++) {
      const index = next++ % upstreams.length;
      try {
        const answer = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
          const forwarded = http.request(new URL(req.url ?? '/', upstreams[index]), { method: req.method, headers: req.headers }, (upstream) => {
            const parts: Buffer[] = [];
            upstream.on('data', (part) => parts.push(part));
            upstream.on('end', () => resolve({ status: upstream.statusCode ?? 502, headers: upstream.headers, body: Buffer.concat(parts) }));
            upstream.on('error', reject);
          });
          forwarded.on('error', reject);
          forwarded.end(body);
        });
        served[index]++;
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
        return;
      } catch (error) {
        // A replica that died after taking the request may have committed it: only a refused
        // connection (nothing reached it) is safe to send elsewhere.
        if ((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED') {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ errors: [{ message: `upstream failed: ${(error as Error).message}`, extensions: { code: 'BAD_GATEWAY' } }] }));
          return;
        }
      }
    }
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ message: 'no replica is up', extensions: { code: 'SERVICE_UNAVAILABLE' } }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export interface LayoutOptions {
  /** Replicas per subgraph (default 1 each). */
  replicas?: Record<string, number>;
  /** The database URL of a replica (e.g. spread over the nodes of a cluster). */
  databaseUrl(subgraph: string, replica: number): string;
  /** Environment of every process (NATS_URL, secrets, poll intervals…). */
  env?: Record<string, string | undefined>;
}

export interface Layout {
  gatewayUrl: string;
  /** Every subgraph replica, by subgraph. */
  replicas: Map<string, HubProcess[]>;
  gateway: HubProcess;
  balancers: Map<string, Balancer>;
  /** The output of every process, for a failure message. */
  output(): string;
  stop(): Promise<void>;
}

/** Every subgraph (with its replicas) and a gateway, as separate processes. */
export async function startLayout(options: LayoutOptions): Promise<Layout> {
  const replicas = new Map<string, HubProcess[]>();
  const balancers = new Map<string, Balancer>();
  const all: HubProcess[] = [];
  const layout: Layout = {
    gatewayUrl: '',
    replicas,
    gateway: undefined as unknown as HubProcess,
    balancers,
    output: () => all.map((p) => `--- ${p.label} (${p.running ? 'running' : 'exited'})\n${p.output()}`).join('\n'),
    async stop() {
      await Promise.all(all.map((p) => p.kill('SIGTERM')));
      await Promise.all([...balancers.values()].map((b) => b.close()));
    },
  };
  try {
    // Where every process reaches each subgraph: its balancer when replicated, else the process.
    const ports = new Map<string, number[]>();
    const counts = subgraphs.map((module) => options.replicas?.[module.name] ?? 1);
    const free = await freePorts(counts.reduce((a, b) => a + b, 1));
    subgraphs.forEach((module, i) => ports.set(module.name, free.splice(0, counts[i])));
    const gatewayPort = free.pop()!;
    const subgraphUrls: Record<string, string> = {};
    for (const [name, list] of ports) {
      if (list.length > 1) {
        const balancer = await startBalancer(list.map((p) => `http://127.0.0.1:${p}`));
        balancers.set(name, balancer);
        subgraphUrls[name] = `${balancer.url}/graphql`;
      } else {
        subgraphUrls[name] = `http://127.0.0.1:${list[0]}/graphql`;
      }
    }
    const urlEnv = Object.fromEntries(Object.entries(subgraphUrls).map(([name, url]) => [`${name.toUpperCase()}_SUBGRAPH_URL`, url]));
    // Start them side by side: migrations are safe to race (knex's lock), and it halves the wait.
    await Promise.all([...ports].map(async ([name, list]) => {
      const started: HubProcess[] = [];
      replicas.set(name, started);
      for (const [i, p] of list.entries()) {
        const proc = await spawnHubProcess({
          label: `${name}#${i + 1}`,
          script: 'scripts/subgraph.ts',
          args: [name],
          port: p,
          env: { ...options.env, ...urlEnv, DATABASE_URL: options.databaseUrl(name, i) },
        });
        started.push(proc);
        all.push(proc);
      }
    }));
    layout.gateway = await spawnHubProcess({ label: 'gateway', script: 'scripts/gateway.ts', port: gatewayPort, env: { ...options.env, ...urlEnv } });
    all.push(layout.gateway);
    layout.gatewayUrl = layout.gateway.url;
    return layout;
  } catch (error) {
    await layout.stop();
    throw error;
  }
}
