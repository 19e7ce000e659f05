/**
 * A 3-node MariaDB Galera cluster on loopback, started by a test and removed after it:
 * each node a `mariadbd` of its own (datadir, socket and ports under one /tmp directory),
 * galera-4 as the wsrep provider, rsync state transfer, the first node bootstrapping the
 * cluster (`--wsrep-new-cluster`) and the others joining it. Galera sets
 * `auto_increment_increment` to the cluster size, as in production.
 *
 * Failures say what went wrong and show the node's error log; `stop()` kills every node
 * and removes the directory, and runs on process exit too, so a failed test leaves nothing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex, { type Knex } from 'knex';
import { freePorts } from './processes.js';

const PROVIDERS = ['/usr/lib/galera/libgalera_smm.so', '/usr/lib/libgalera_smm.so', '/usr/lib64/galera-4/libgalera_smm.so', '/usr/lib/galera-4/libgalera_smm.so'];
const MARIADBD = ['/usr/sbin/mariadbd', '/usr/sbin/mysqld'];

/** What the cluster needs from the machine, or why it cannot start here. */
export function galeraPrerequisites(): { provider: string; mariadbd: string } | { missing: string } {
  const provider = PROVIDERS.find(existsSync);
  const mariadbd = MARIADBD.find(existsSync);
  const rsync = spawnSync('rsync', ['--version']).status === 0;
  const installDb = spawnSync('mariadb-install-db', ['--help']).error === undefined;
  if (!provider) return { missing: `the Galera provider (libgalera_smm.so; looked in ${PROVIDERS.join(', ')}): apt-get install galera-4` };
  if (!mariadbd) return { missing: 'mariadbd: apt-get install mariadb-server' };
  if (!rsync) return { missing: 'rsync (state transfer): apt-get install rsync' };
  if (!installDb) return { missing: 'mariadb-install-db: apt-get install mariadb-server' };
  return { provider, mariadbd };
}

export interface GaleraNode {
  index: number;
  port: number;
  /** mysql://root@127.0.0.1:<port>/<database> */
  url(database?: string): string;
  running: boolean;
}

export interface GaleraCluster {
  nodes: GaleraNode[];
  dir: string;
  /** SIGKILL: the node dies as a crashed host would, mid-transaction. */
  kill(index: number): Promise<void>;
  /** Starts a killed node again; resolves when it is back in the cluster, synced. */
  restart(index: number): Promise<void>;
  /** wsrep_cluster_size as node `index` sees it. */
  clusterSize(index: number): Promise<number>;
  stop(): Promise<void>;
}

export interface GaleraOptions {
  size?: number;
  /** Each node's start (bootstrap, state transfer) must finish within this. */
  startTimeoutMs?: number;
  log?: (line: string) => void;
}

interface NodeState extends GaleraNode {
  datadir: string;
  config: string;
  errorLog: string;
  child?: ChildProcess;
  exited?: Promise<void>;
}

// knex logs every refused connection while a node starts: expected here, and said in our errors.
const quiet = { warn() {}, error() {}, debug() {}, deprecate() {} };

const live = new Set<GaleraCluster>();
process.once('exit', () => {
  // Last resort (the test runner exits): no node outlives the tests, no datadir stays behind.
  for (const cluster of live) void cluster.stop();
});

function chownTree(path: string, uid: number): void {
  const result = spawnSync('chown', ['-R', `${uid}:${uid}`, path], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`chown -R ${uid} ${path} failed: ${result.stderr}`);
}

function tail(path: string, lines = 25): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no error log)';
  }
}

async function ping(node: GaleraNode): Promise<{ ready: boolean; size: number }> {
  const db = knex({ client: 'mysql2', connection: { host: '127.0.0.1', port: node.port, user: 'root', connectTimeout: 2000 }, pool: { min: 0, max: 1 }, log: quiet });
  try {
    const [rows] = await db.raw(`SHOW STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_local_state_comment', 'wsrep_cluster_size')`);
    const status = Object.fromEntries((rows as any[]).map((row) => [row.Variable_name, row.Value]));
    return { ready: status.wsrep_ready === 'ON' && status.wsrep_local_state_comment === 'Synced', size: Number(status.wsrep_cluster_size) };
  } catch {
    return { ready: false, size: 0 };
  } finally {
    await db.destroy();
  }
}

export async function startGaleraCluster(options: GaleraOptions = {}): Promise<GaleraCluster> {
  const prerequisites = galeraPrerequisites();
  if ('missing' in prerequisites) throw new Error(`A Galera cluster cannot start on this machine: missing ${prerequisites.missing}`);
  const size = options.size ?? 3;
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const log = options.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'credithub-galera-'));
  const free = await freePorts(size * 4);
  const ports = Array.from({ length: size }, () => ({ mysql: free.pop()!, gcomm: free.pop()!, ist: free.pop()!, sst: free.pop()! }));
  const clusterAddress = `gcomm://${ports.map((p) => `127.0.0.1:${p.gcomm}`).join(',')}`;
  const clusterName = `credithub-test-${dir.slice(-6)}`;

  const nodes: NodeState[] = ports.map((p, index) => {
    const nodeDir = join(dir, `node${index}`);
    const datadir = join(nodeDir, 'data');
    mkdirSync(datadir, { recursive: true });
    const config = join(nodeDir, 'my.cnf');
    const errorLog = join(nodeDir, 'error.log');
    writeFileSync(config, `[mysqld]
user=root
datadir=${datadir}
socket=${join(nodeDir, 'mysqld.sock')}
pid-file=${join(nodeDir, 'mysqld.pid')}
log-error=${errorLog}
port=${p.mysql}
bind-address=127.0.0.1
skip-name-resolve
innodb_buffer_pool_size=64M
innodb_log_file_size=16M
innodb_flush_log_at_trx_commit=2
performance_schema=OFF
max_connections=300
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider=${prerequisites.provider}
wsrep_cluster_name=${clusterName}
wsrep_cluster_address=${clusterAddress}
wsrep_node_name=node${index}
wsrep_node_address=127.0.0.1:${p.gcomm}
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:${p.gcomm};ist.recv_addr=127.0.0.1:${p.ist};gcache.size=64M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.install_timeout=PT6S"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:${p.sst}
wsrep_slave_threads=2
`);
    return {
      index,
      port: p.mysql,
      url: (database?: string) => `mysql://root@127.0.0.1:${p.mysql}/${database ?? ''}`,
      running: false,
      datadir,
      config,
      errorLog,
    };
  });

  const launch = (node: NodeState, bootstrap: boolean) => {
    const args = [`--defaults-file=${node.config}`, ...(bootstrap ? ['--wsrep-new-cluster'] : [])];
    const child = spawn(prerequisites.mariadbd, args, { stdio: 'ignore' });
    node.child = child;
    node.running = true;
    node.exited = new Promise((resolve) => child.once('exit', () => {
      node.running = false;
      resolve();
    }));
  };

  const waitSynced = async (node: NodeState, what: string) => {
    const deadline = Date.now() + startTimeoutMs;
    while (Date.now() < deadline) {
      if (!node.running) throw new Error(`Galera node ${node.index} exited while ${what}; its error log ends:\n${tail(node.errorLog)}`);
      const status = await ping(node);
      if (status.ready) return status.size;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    throw new Error(`Galera node ${node.index} was not synced within ${startTimeoutMs} ms of ${what}; its error log ends:\n${tail(node.errorLog)}`);
  };

  const cluster: GaleraCluster = {
    nodes,
    dir,
    async kill(index) {
      const node = nodes[index];
      node.child?.kill('SIGKILL');
      await node.exited;
      log(`galera node ${index} killed`);
    },
    async restart(index) {
      const node = nodes[index];
      if (node.running) throw new Error(`Galera node ${index} is still running`);
      const started = Date.now();
      // No recovered position after a SIGKILL: a full rsync state transfer, written as `nobody`.
      chownTree(node.datadir, 65534);
      launch(node, false);
      await waitSynced(node, 'rejoining');
      log(`galera node ${index} rejoined and synced in ${Date.now() - started} ms`);
    },
    clusterSize: async (index) => (await ping(nodes[index])).size,
    async stop() {
      live.delete(cluster);
      for (const node of nodes) node.child?.kill('SIGKILL');
      await Promise.all(nodes.map((node) => (node.running ? node.exited : undefined)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  live.add(cluster);

  try {
    const started = Date.now();
    const install = spawnSync('mariadb-install-db', [`--defaults-file=${nodes[0].config}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--skip-name-resolve'], { encoding: 'utf8' });
    if (install.status !== 0) throw new Error(`mariadb-install-db failed for node 0: ${(install.stderr || install.stdout).slice(-2000)}`);
    launch(nodes[0], true);
    await waitSynced(nodes[0], 'bootstrapping the cluster');
    log(`galera node 0 bootstrapped in ${Date.now() - started} ms`);
    for (const node of nodes.slice(1)) {
      // rsync state transfer writes the joiner's datadir as `nobody`.
      chownTree(node.datadir, 65534);
      const joining = Date.now();
      launch(node, false);
      await waitSynced(node, 'joining (rsync state transfer)');
      log(`galera node ${node.index} joined in ${Date.now() - joining} ms`);
    }
    const sizeSeen = await cluster.clusterSize(0);
    if (sizeSeen !== size) throw new Error(`The Galera cluster has ${sizeSeen} nodes, expected ${size}`);
    // Root without a password from loopback, as the tests' MariaDB.
    return cluster;
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

/** A knex connection to one node (for a test's own checks). */
export function connectNode(node: GaleraNode, database?: string): Knex {
  return knex({ client: 'mysql2', connection: node.url(database), pool: { min: 0, max: 2 } });
}
