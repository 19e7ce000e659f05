/**
 * The production layout in tests: each subgraph as its own process (`node
 * dist/scripts/subgraph.js <name>`, what production runs, built by test/build.setup.ts),
 * replicas where asked, and a gateway process (`dist/scripts/gateway.js`), on free loopback ports. Every process runs in its own process group,
 * so stopping or killing it takes its children too; its output is kept for assertions.
 * With `loadBalancer`, a small round-robin balancer on loopback stands in front of each
 * replicated subgraph, as a load balancer would, and skips a replica that refuses connections,
 * so a replica can be killed while the others keep serving the gateway and the consumers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { subgraphs } from '../../subgraphs/catalog.js';

const ROOT = join(import.meta.dirname, '../..');

/** The compiled entry point production runs for a source one: scripts/gateway.ts → dist/scripts/gateway.js. */
export const compiledEntryPoint = (script: string) => join(ROOT, 'dist', script.replace(/\.ts$/, '.js'));

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0];
}

/**
 * `count` distinct ports nobody listens on right now: all held open until all are chosen
 * (ports asked one at a time can come back twice, once the first is closed again).
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  })));
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

export interface ManagedProcess {
  name: string;
  port: number;
  /** Its GraphQL URL. */
  url: string;
  child: ChildProcess;
  /** Everything it printed, stdout and stderr, line by line. */
  output: string[];
  /** Resolves when it has exited. */
  exited: Promise<number | null>;
  /** SIGKILL to its whole group: a crash, no shutdown. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnProcess(name: string, script: string, args: string[], port: number, env: NodeJS.ProcessEnv): ManagedProcess {
  const child = spawn(process.execPath, [compiledEntryPoint(script), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const output: string[] = [];
  const collect = (chunk: Buffer) => output.push(...chunk.toString().split('\n').filter(Boolean));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  return {
    name, port, url: `http://127.0.0.1:${port}/graphql`, child, output, exited,
    async kill() {
      signal('SIGKILL');
      await exited;
    },
    async stop(graceMs = 8000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface ScriptRun {
  code: number | null;
  /** stdout and stderr as they came. */
  output: string;
}

/**
 * Runs a command-line script as its own process with `env` and nothing inherited but PATH:
 * the compiled entry point (`dist/`, what production runs) when `compiled`, else the source
 * through tsx. It is stopped (SIGKILL) once its output matches `until`, or after `timeoutMs`.
 */
export function runScript(
  script: string,
  args: string[],
  options: { env?: Record<string, string>; compiled?: boolean; until?: RegExp; timeoutMs?: number } = {},
): Promise<ScriptRun> {
  return new Promise((resolve) => {
    const entry = options.compiled ? [compiledEntryPoint(script)] : ['--import', 'tsx', script];
    const child = spawn(process.execPath, [...entry, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH!, APOLLO_TELEMETRY_DISABLED: '1', ...options.env },
    });
    let output = '';
    const read = (chunk: Buffer) => {
      output += chunk;
      if (options.until?.test(output)) child.kill('SIGKILL');
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** A process and all its descendants, from /proc. */
export function processTree(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // gone meanwhile
  }
  return [pid, ...children.flatMap(processTree)];
}

/** Waits until `url` answers 200, or the process exits, or `timeoutMs` passes. */
export async function waitUntilHealthy(process: ManagedProcess, timeoutMs = 60_000): Promise<void> {
  const health = process.url.replace(/\/graphql$/, '/health');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process.child.exitCode !== null) throw new Error(`${process.name} exited (${process.child.exitCode}): ${process.output.slice(-5).join(' | ')}`);
    try {
      if ((await fetch(health, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${process.name} did not come up at ${health} within ${timeoutMs} ms: ${process.output.slice(-5).join(' | ')}`);
}

export interface Balancer {
  url: string;
  /** Requests each upstream answered. */
  served: number[];
  close(): Promise<void>;
}

/** Round robin over `upstreams` (base URLs); a refused connection goes to the next one. */
export async function startBalancer(upstreams: string[]): Promise<Balancer> {
  let next = 0;
  const served = upstreams.map(() => 0);
  const reply = (res: http.ServerResponse, status: number, message: string, code: string) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
  };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const first = next++;
    for (let attempt = 0; attempt < upstreams.length; attempt++) {
      // Each upstream once, from this request's turn on (others' turns do not send it back to a dead one).
      const index = (first + attempt) % upstreams.length;
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
        if ((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED') return reply(res, 502, `upstream failed: ${(error as Error).message}`, 'BAD_GATEWAY');
      }
    }
    reply(res, 503, 'no replica is up', 'SERVICE_UNAVAILABLE');
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
  /** Each subgraph's database URL, per replica (0 the first: e.g. spread over a cluster's nodes). */
  databaseUrl: (subgraph: string, replica: number) => string;
  /**
   * Replicas per subgraph (default 1). The gateway and the consumers use the first one, or
   * with `loadBalancer` a balancer in front of them all.
   */
  replicas?: Record<string, number>;
  loadBalancer?: boolean;
  /** Extra environment for every process (EVENT_POLL_MS, NATS_URL, …). */
  env?: NodeJS.ProcessEnv;
}

export interface ProcessLayout {
  /** The gateway's GraphQL URL. */
  url: string;
  gateway: ManagedProcess;
  /** Every subgraph's processes, the first replica first. */
  subgraphs: Map<string, ManagedProcess[]>;
  /** Starts one more replica of `name` (same environment as the others). */
  addReplica(name: string): Promise<ManagedProcess>;
  stop(): Promise<void>;
}

/** Five subgraph processes (and replicas) plus a gateway process, as the README's production section runs them. */
export async function startProcessLayout(options: LayoutOptions): Promise<ProcessLayout> {
  const started: ManagedProcess[] = [];
  const bySubgraph = new Map<string, ManagedProcess[]>();
  const balancers: Balancer[] = [];
  const count = (name: string) => options.replicas?.[name] ?? 1;
  const ports = await freePorts(subgraphs.reduce((sum, s) => sum + count(s.name), 1));
  const replicaPorts = new Map(subgraphs.map((s) => [s.name, ports.splice(0, count(s.name))]));
  const urlEnv: NodeJS.ProcessEnv = {};
  for (const { name } of subgraphs) {
    const own = replicaPorts.get(name)!;
    let url = `http://127.0.0.1:${own[0]}/graphql`;
    if (options.loadBalancer && own.length > 1) {
      const balancer = await startBalancer(own.map((port) => `http://127.0.0.1:${port}`));
      balancers.push(balancer);
      url = `${balancer.url}/graphql`;
    }
    urlEnv[`${name.toUpperCase()}_SUBGRAPH_URL`] = url;
  }
  const envFor = (name: string, replica: number): NodeJS.ProcessEnv => ({ ...urlEnv, ...options.env, [`${name.toUpperCase()}_DATABASE_URL`]: options.databaseUrl(name, replica) });
  const launch = async (name: string, port?: number) => {
    const replica = bySubgraph.get(name)?.length ?? 0;
    const managed = spawnProcess(`${name}#${replica + 1}`, 'scripts/subgraph.ts', [name], port ?? (await freePort()), envFor(name, replica));
    started.push(managed);
    bySubgraph.set(name, [...(bySubgraph.get(name) ?? []), managed]);
    return managed;
  };
  const stop = async () => {
    await Promise.all(started.map((p) => p.stop()));
    await Promise.all(balancers.map((b) => b.close()));
  };
  try {
    for (const subgraph of subgraphs) {
      for (const port of replicaPorts.get(subgraph.name)!) await launch(subgraph.name, port);
    }
    await Promise.all(started.map((p) => waitUntilHealthy(p)));
    const gateway = spawnProcess('gateway', 'scripts/gateway.ts', [], ports[0], { ...urlEnv, ...options.env });
    started.push(gateway);
    await waitUntilHealthy(gateway);
    return {
      url: gateway.url,
      gateway,
      subgraphs: bySubgraph,
      async addReplica(name) {
        const managed = await launch(name);
        await waitUntilHealthy(managed);
        return managed;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
