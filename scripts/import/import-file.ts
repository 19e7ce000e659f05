/**
 * One import: read the file row by row, check each row, send the good ones in batches
 * (a few in flight), write every refusal to the error report, and after each answered
 * batch move the resume point. Nothing of a refused row is written: the hub refuses an
 * item as a whole.
 */
import { statSync } from 'node:fs';
import type { DepartmentConfig } from '../../subgraphs/kit/lists/department.js';
import { columnOfInputPath } from './columns.js';
import { readCsv, type Encoding } from './read-csv.js';
import { readXlsx } from './read-xlsx.js';
import { ErrorReport, errorsPathOf, lockImport, resumePoint, saveState } from './report.js';
import type { ItemResult, Sender } from './send.js';
import { progressBar } from './progress.js';
import { validateRow, type RowError } from './validate-row.js';
import type { RowSource } from './rows.js';

export interface ImportOptions {
  file: string;
  department: DepartmentConfig;
  sender: Sender;
  encoding?: Encoding;
  /** Items per request (the hub takes up to 1,000). */
  batchSize?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  quiet?: boolean;
}

export interface ImportSummary {
  rows: number;
  /** Rows the hub holds an entry for now (created by this run or an earlier one). */
  accepted: number;
  refused: number;
  /** Rows an earlier, interrupted run had finished (skipped). */
  skipped: number;
  errorsFile: string;
  seconds: number;
}

interface Batch {
  rows: number[];
  inputs: Record<string, unknown>[];
  lastRow: number;
}
type SentBatch = Batch & { done: Promise<void>; answered: boolean };

export const isXlsx = (file: string) => /\.xlsx$/i.test(file);

/** Imports `options.file`, holding its lock (FILE.import.lock) throughout: a second import of the same file is refused. */
export async function importFile(options: ImportOptions): Promise<ImportSummary> {
  const started = Date.now();
  const release = lockImport(options.file);
  try {
    return await importLocked(options, started);
  } finally {
    release();
  }
}

async function importLocked(options: ImportOptions, started: number): Promise<ImportSummary> {
  const { file, department, sender } = options;
  const batchSize = options.batchSize ?? 500;
  const concurrency = options.concurrency ?? 2;
  const source: RowSource = isXlsx(file) ? await readXlsx(file) : await readCsv(file, options.encoding ?? 'auto');
  const resumeAfter = resumePoint(file, department.name);
  const report = new ErrorReport(errorsPathOf(file));
  report.open(resumeAfter);
  const progress = progressBar(statSync(file).size, options.quiet ?? false);
  const summary: ImportSummary = { rows: 0, accepted: 0, refused: 0, skipped: 0, errorsFile: errorsPathOf(file), seconds: 0 };

  const inFlight: SentBatch[] = [];
  let sendFailure: Error | null = null;

  /** Moves the resume point past the batches answered so far, in file order. */
  const acknowledge = () => {
    let through = 0;
    while (inFlight[0]?.answered) through = inFlight.shift()!.lastRow;
    if (through) saveState(file, department.name, through);
  };
  const dispatch = (batch: Batch) => {
    const sent = batch.inputs.length ? sender.send(batch.inputs) : Promise.resolve([] as ItemResult[]);
    const entry = { ...batch, answered: false } as SentBatch;
    entry.done = sent.then(
      (results) => {
        const errors: RowError[] = [];
        results.forEach((result, i) => {
          if (result.entryId) summary.accepted++;
          else if (result.error) {
            summary.refused++;
            errors.push({ rowNumber: batch.rows[i], column: columnOfInputPath(result.error.field), code: result.error.code, message: result.error.message });
          }
        });
        report.add(errors);
        entry.answered = true;
      },
      (error: Error) => {
        sendFailure ??= error;
      },
    );
    inFlight.push(entry);
  };
  const flush = async (batch: Batch) => {
    // Waits for the oldest batch: the resume point moves in file order only.
    while (inFlight.length >= concurrency && !sendFailure) {
      await inFlight[0].done;
      acknowledge();
    }
    if (sendFailure) throw sendFailure; // a batch the hub would not take, even after retries
    dispatch(batch);
  };

  let batch: Batch = { rows: [], inputs: [], lastRow: resumeAfter };
  try {
    for await (const row of source.rows) {
      if (row.rowNumber <= resumeAfter) {
        summary.skipped++;
        continue;
      }
      summary.rows++;
      const check = validateRow(department, row);
      if (check.ok) {
        batch.rows.push(row.rowNumber);
        batch.inputs.push(check.input);
      } else {
        summary.refused++;
        report.add(check.errors);
      }
      batch.lastRow = row.rowNumber;
      if (batch.inputs.length >= batchSize) {
        await flush(batch);
        batch = { rows: [], inputs: [], lastRow: row.rowNumber };
      }
      progress.update(source.bytesRead(), summary.rows + summary.skipped);
    }
    if (batch.lastRow > resumeAfter) await flush(batch);
    await Promise.all(inFlight.map((b) => b.done));
    acknowledge();
    if (sendFailure) throw sendFailure;
  } finally {
    progress.update(source.bytesRead(), summary.rows + summary.skipped);
    progress.stop();
  }
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}
