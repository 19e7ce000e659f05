/**
 * XLSX, streamed with exceljs' WorkbookReader: rows of the first worksheet are read as the
 * file's bytes arrive, never the whole workbook. Date cells become YYYY-MM-DD (as the hub
 * wants them), numbers their text, rich text and formulas their shown text.
 */
import { createReadStream } from 'node:fs';
import ExcelJS from 'exceljs';
import { headerProblem } from './columns.js';
import { byteCounter, cellsOf, FileProblem, type FileRow, type RowSource } from './rows.js';
import { toIsoDate } from '../../subgraphs/kit/dates.js';

/** A cell's value as text. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value == null) return '';
  if (value instanceof Date) return toIsoDate(value);
  if (typeof value !== 'object') return String(value);
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('text' in value) return String(value.text);
  if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
  if ('error' in value) return String(value.error);
  return '';
}

export async function readXlsx(path: string): Promise<RowSource> {
  const counted = byteCounter();
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(createReadStream(path).pipe(counted), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache', // needed to tell date cells from numbers
    entries: 'ignore',
  });
  async function* rows(): AsyncGenerator<FileRow> {
    let header: string[] | null = null;
    try {
      for await (const worksheet of reader) {
        for await (const row of worksheet) {
          // row.values is 1-based: index 0 is empty.
          const raw = (row.values as ExcelJS.CellValue[]).slice(1);
          const values = raw.map(cellText);
          if (!header) {
            header = values.map((name) => name.trim());
            const problem = headerProblem(header);
            if (problem) throw new FileProblem(problem);
            continue;
          }
          if (values.every((value) => value.trim() === '')) continue;
          const numberCells = header.filter((name, i) => typeof raw[i] === 'number' && name);
          yield { rowNumber: row.number, cells: cellsOf(header, values), numberCells };
        }
        break; // the first worksheet only
      }
    } catch (error) {
      if (error instanceof FileProblem) throw error;
      throw new FileProblem(`the file cannot be read as XLSX (${(error as Error).message}): save it as an Excel workbook (.xlsx), or as CSV`);
    }
    if (!header) throw new FileProblem('the workbook has no header row in its first worksheet (npm run import -- --template)');
  }
  return { rows: rows(), bytesRead: counted.bytes };
}
