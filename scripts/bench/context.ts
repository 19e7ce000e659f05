/** What every part of `npm run bench` shares: the log, the caller it measures as, the batches. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { departments } from '../../subgraphs/catalog.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const BENCH_STARTED = performance.now();
export const log = (line: string) => console.log(`[bench ${((performance.now() - BENCH_STARTED) / 1000).toFixed(0).padStart(4)} s] ${line}`);
export const PURPOSE = { purpose: '行政许可审批前核查', reference: 'BENCH-2026-0001' };
export const CLAIMS = { role: 'agency', agency: '基准测试审批中心', sub: 'bench-agency' };
/** (b) and (c) rotate over this many different batches of 1,000 codes. */
export const BATCHES = 16;

/** Every database the hub has: the platform's and each department's of the catalogue. */
export const databaseNames = () => ['platform', ...departments.map((d) => d.name)];

const WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

/** 5 → "five", as the reports write small counts. */
export const inWords = (n: number) => WORDS[n] ?? String(n);

/** "five subgraphs": the platform's and one per department of the catalogue, in words. */
export const subgraphCount = () => inWords(departments.length + 1);

export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`check failed: ${message}`);
}
