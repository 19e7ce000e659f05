/** The parent's side of the load generator: scripts/bench/load.ts in a child process, jobs over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './context.js';
import type { LoadJob, LoadResult } from './load.js';

export class LoadGenerator {
  private readonly child: ChildProcess;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: LoadResult) => void; reject: (e: Error) => void }>();

  constructor() {
    this.child = fork(join(ROOT, 'scripts/bench/load.ts'), [], { cwd: ROOT, execArgv: ['--import', 'tsx'], serialization: 'advanced' });
    this.child.on('message', (message: LoadResult & { error?: string }) => {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiting?.reject(new Error(message.error));
      else waiting?.resolve(message);
    });
    this.child.on('exit', (code) => {
      for (const waiting of this.pending.values()) waiting.reject(new Error(`load generator exited (${code})`));
      this.pending.clear();
    });
  }

  run(job: Omit<LoadJob, 'id'>): Promise<LoadResult> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...job, id });
    });
  }

  get pid() {
    return this.child.pid!;
  }

  stop() {
    this.child.disconnect();
  }
}
