/**
 * The production layout in tests: each subgraph as its own process (`tsx scripts/subgraph.ts
 * <name>`, what `npm run subgraph` runs), replicas where asked, and a gateway process
 * (`scripts/gateway.ts`), on free loopback ports. Every process runs in its own process group,
 * so stopping or killing it takes its children too; its output is kept for assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { subgraphs } from '../subgraphs/catalog.js';

const ROOT = join(import.meta.dirname, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
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
  const child = spawn(TSX, [join(ROOT, script), ...args], {
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

export interface LayoutOptions {
  /** Each subgraph's database URL. */
  databaseUrl: (subgraph: string) => string;
  /** Replicas per subgraph (default 1). The gateway and the consumers use the first one. */
  replicas?: Record<string, number>;
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
  const firstPorts = new Map<string, number>();
  for (const subgraph of subgraphs) firstPorts.set(subgraph.name, await freePort());
  const urlEnv = Object.fromEntries(subgraphs.map((s) => [`${s.name.toUpperCase()}_SUBGRAPH_URL`, `http://127.0.0.1:${firstPorts.get(s.name)}/graphql`]));
  const envFor = (name: string): NodeJS.ProcessEnv => ({ ...urlEnv, ...options.env, [`${name.toUpperCase()}_DATABASE_URL`]: options.databaseUrl(name) });
  const launch = async (name: string, port?: number) => {
    const replica = bySubgraph.get(name)?.length ?? 0;
    const managed = spawnProcess(`${name}#${replica + 1}`, 'scripts/subgraph.ts', [name], port ?? (await freePort()), envFor(name));
    started.push(managed);
    bySubgraph.set(name, [...(bySubgraph.get(name) ?? []), managed]);
    return managed;
  };
  const stop = async () => {
    await Promise.all(started.map((p) => p.stop()));
  };
  try {
    for (const subgraph of subgraphs) {
      await launch(subgraph.name, firstPorts.get(subgraph.name));
      for (let i = 1; i < (options.replicas?.[subgraph.name] ?? 1); i++) await launch(subgraph.name);
    }
    await Promise.all(started.map((p) => waitUntilHealthy(p)));
    const gateway = spawnProcess('gateway', 'scripts/gateway.ts', [], await freePort(), { ...urlEnv, ...options.env });
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
