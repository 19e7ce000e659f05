/**
 * Writers of an export into an HTTP response, page by page, waiting for the response to
 * drain before taking the next page: a slow reader slows the export down instead of
 * filling the gateway's memory.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { ExportColumn } from './columns.js';

export const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

export interface TableWriter {
  writeRows(rows: any[]): Promise<void>;
  end(): Promise<void>;
}

async function drained(out: Writable): Promise<void> {
  if (out.writableNeedDrain) await once(out, 'drain');
}

const rowOf = (columns: ExportColumn[], entry: any) => columns.map((column) => column.value(entry));

/**
 * CSV in UTF-8 with a byte-order mark, so that spreadsheet programs read the Chinese text right.
 * A cell starting = + - @ tab or return is written with a leading quote: a subject name such as
 * `=HYPERLINK("http://…"&F3)` stays text instead of a formula that sends its neighbours away.
 */
export function csvWriter(out: Writable, columns: ExportColumn[]): TableWriter {
  out.write(`\uFEFF${stringify([columns.map((c) => c.name)])}`);
  return {
    async writeRows(rows) {
      out.write(stringify(rows.map((entry) => rowOf(columns, entry)), { cast: { boolean: (value) => String(value) }, escape_formulas: true }));
      await drained(out);
    },
    async end() {
      out.end();
    },
  };
}

/** XLSX through exceljs' streaming writer: each row is committed (written out) as it comes. */
export function xlsxWriter(out: Writable, columns: ExportColumn[], sheetName: string): TableWriter {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: false, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetName);
  sheet.addRow(columns.map((c) => c.name)).commit();
  return {
    async writeRows(rows) {
      for (const entry of rows) sheet.addRow(rowOf(columns, entry)).commit();
      await drained(out);
    },
    async end() {
      sheet.commit();
      await workbook.commit();
    },
  };
}
