/** What the file readers hand on: one row at a time, never the whole file. */
import { Transform } from 'node:stream';

export interface FileRow {
  /** The row's number in the file, the header being row 1 (what a spreadsheet shows). */
  rowNumber: number;
  /** Cell text by column name; empty cells are absent. */
  cells: Record<string, string>;
  /** Columns whose cell a spreadsheet stored as a number (XLSX): a code there may have lost digits. */
  numberCells?: string[];
}

/** A problem that stops the whole file (its encoding, its header): nothing is sent. */
export class FileProblem extends Error {}

export interface RowSource {
  rows: AsyncIterable<FileRow>;
  /** Bytes of the file read so far, for progress. */
  bytesRead(): number;
}

/** A row's cells by column name, from the header's names and the row's values. */
export function cellsOf(header: string[], values: string[]): Record<string, string> {
  const cells: Record<string, string> = {};
  header.forEach((name, i) => {
    const value = values[i]?.trim();
    if (name && value) cells[name] = value;
  });
  return cells;
}

/** A pass-through that counts the file's bytes as they stream by. */
export function byteCounter(): Transform & { bytes: () => number } {
  let total = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      done(null, chunk);
    },
  });
  return Object.assign(counter, { bytes: () => total });
}
