/**
 * CSV, streamed: the file is never loaded whole. Encoding: UTF-8 (with or without BOM) or
 * GB18030, as Chinese offices' spreadsheets export. With `auto` (the default) a first pass
 * streams the file through a strict UTF-8 decoder: valid UTF-8 is read as UTF-8, anything
 * else as GB18030 (a superset of GBK and GB2312). A file named UTF-8 that is not, or named
 * GB18030 while it is UTF-8 with Chinese text, is refused with the byte where it shows.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { byteCounter, cellsOf, FileProblem, type FileRow, type RowSource } from './rows.js';
import { headerProblem } from './columns.js';

export type Encoding = 'auto' | 'utf-8' | 'gb18030';

/** Longest row accepted: a row longer than this is a broken quote or not a list file. */
export const MAX_ROW_BYTES = 64 * 1024;

interface Utf8Scan {
  valid: boolean;
  /** Where the first byte that is not UTF-8 is (when not valid). */
  offset: number;
  line: number;
  nonAscii: boolean;
}

/** Where in `chunk` the first byte that is not UTF-8 is: the longest prefix that decodes, by bisection. */
function firstBadByte(chunk: Buffer): number {
  let start = 0;
  // A character begun in the previous chunk ends in this one's first continuation bytes.
  while (start < 3 && chunk[start] >= 0x80 && chunk[start] <= 0xbf) start++;
  const decodes = (end: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(chunk.subarray(start, end), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let low = start;
  let high = chunk.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (decodes(middle)) low = middle;
    else high = middle - 1;
  }
  return low;
}

async function scanUtf8(path: string): Promise<Utf8Scan> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = 0;
  let line = 1;
  let nonAscii = false;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    try {
      decoder.decode(chunk, { stream: true });
    } catch {
      const bad = firstBadByte(chunk);
      for (const byte of chunk.subarray(0, bad)) if (byte === 0x0a) line++;
      return { valid: false, offset: offset + bad, line, nonAscii };
    }
    for (const byte of chunk) {
      if (byte === 0x0a) line++;
      else if (byte > 0x7f) nonAscii = true;
    }
    offset += chunk.length;
  }
  try {
    decoder.decode();
  } catch {
    return { valid: false, offset, line, nonAscii };
  }
  return { valid: true, offset, line, nonAscii };
}

/** The encoding to read the file with, or a FileProblem saying why it cannot be read. */
export async function decideEncoding(path: string, requested: Encoding): Promise<'utf-8' | 'gb18030'> {
  const scan = await scanUtf8(path);
  if (requested === 'utf-8' && !scan.valid) {
    throw new FileProblem(
      `the file is not UTF-8 (line ${scan.line}, byte ${scan.offset + 1} of the file): save it as "CSV UTF-8", or pass --encoding gb18030 if it was exported as GBK/GB18030`,
    );
  }
  if (requested === 'gb18030' && scan.valid && scan.nonAscii) {
    throw new FileProblem('the file is UTF-8, not GB18030 (its Chinese text would be garbled): drop --encoding gb18030');
  }
  if (requested !== 'auto') return requested;
  return scan.valid ? 'utf-8' : 'gb18030';
}

export async function readCsv(path: string, requested: Encoding): Promise<RowSource & { encoding: string }> {
  const encoding = await decideEncoding(path, requested);
  const counted = byteCounter();
  const text = createReadStream(path).pipe(counted).pipe(iconv.decodeStream(encoding === 'utf-8' ? 'utf8' : 'gb18030'));
  // Blank lines are kept (and skipped below) so that row numbers are a spreadsheet's: one a record, a
  // cell with line breaks inside its quotes still one row, a blank line a row of its own.
  const parser = text.pipe(parse({ bom: true, relax_column_count: true, max_record_size: MAX_ROW_BYTES, skip_empty_lines: false, info: true }));
  async function* rows(): AsyncGenerator<FileRow> {
    let header: string[] | null = null;
    let rowNumber = 0;
    try {
      for await (const { record } of parser as AsyncIterable<{ record: string[] }>) {
        rowNumber++;
        if (record.every((cell) => cell.trim() === '')) continue;
        if (!header) {
          header = record.map((name) => name.trim());
          const problem = headerProblem(header);
          if (problem) throw new FileProblem(problem);
          continue;
        }
        yield { rowNumber, cells: cellsOf(header, record) };
      }
    } catch (error) {
      if (error instanceof FileProblem) throw error;
      // The row being read when it failed: the one after the last read.
      const { code, lines, message } = error as { code?: string; lines?: number; message: string };
      const where = `row ${rowNumber + 1} (line ${lines ?? '?'} of the file)`;
      if (code === 'CSV_MAX_RECORD_SIZE') throw new FileProblem(`${where} is longer than ${MAX_ROW_BYTES} bytes: a quote (") is probably not closed`);
      throw new FileProblem(`${where} cannot be read as CSV: ${message}`);
    }
    if (!header) throw new FileProblem('the file is empty: it needs a header row (npm run import -- --template)');
  }
  return { rows: rows(), bytesRead: counted.bytes, encoding };
}
