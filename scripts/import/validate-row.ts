/**
 * Checks one row before it is sent, with the hub's own checks (GB 32100 / GB 11643 codes,
 * YYYY-MM-DD dates), so that a mistyped file is reported row by row without a round trip.
 * The hub checks everything again: it is the authority, this is the early warning.
 */
import { checkSubjectCode } from '../../subgraphs/kit/codes.js';
import { isIsoDate } from '../../subgraphs/kit/dates.js';
import { listDefinition, type DepartmentConfig } from '../../subgraphs/kit/lists/department.js';
import { characters, COLUMN_LIMITS, TEXT_LIMITS } from '../../subgraphs/kit/lists/limits.js';
import { COLUMNS } from './columns.js';
import type { FileRow } from './rows.js';

export interface RowError {
  rowNumber: number;
  column: string;
  /** Stable: MISSING_VALUE, INVALID_CODE, INVALID_DATE, INVALID_VALUE, or the hub's ItemError code. */
  code: string;
  message: string;
}

export type RowCheck = { ok: true; externalReference: string; input: Record<string, unknown> } | { ok: false; errors: RowError[] };

const ID_DOCUMENT_TYPES = ['RESIDENT_IDENTITY_CARD', 'PASSPORT', 'HONG_KONG_MACAO_PERMIT', 'TAIWAN_PERMIT', 'FOREIGN_PERMANENT_RESIDENCE', 'OTHER'];
const TRUE_WORDS = ['true', 'yes', 'y', '1', '是'];
const FALSE_WORDS = ['false', 'no', 'n', '0', '否'];
/** The hub's length limits, by column name (the columns are named as the input fields they fill). */
const LENGTH_LIMITS: Record<string, number> = { ...COLUMN_LIMITS, ...TEXT_LIMITS };

/** Sets `value` at a dotted path of `target`. */
function setPath(target: Record<string, any>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) node = node[key] ??= {};
  node[keys.at(-1)!] = value;
}

/** Columns holding codes and numbers that are text, never arithmetic. */
const IDENTIFIER_COLUMNS = new Set(['externalReference', 'creditCode', 'legalRepresentativeIdNumber', 'lei']);

export function validateRow(department: DepartmentConfig, row: FileRow): RowCheck {
  const errors: RowError[] = [];
  const fail = (column: string, code: string, message: string) => errors.push({ rowNumber: row.rowNumber, column, code, message });
  const input: Record<string, any> = {};
  const { cells } = row;

  for (const column of COLUMNS) {
    const value = cells[column.name];
    if (value !== undefined && IDENTIFIER_COLUMNS.has(column.name) && row.numberCells?.includes(column.name)) {
      // Excel keeps 15 significant digits: 320508198501015526 typed as a number is stored as
      // 320508198501016000, which may pass the check and be someone else's number.
      fail(column.name, 'NUMBER_CELL', `${column.name} is a number cell: a spreadsheet keeps only 15 digits of a number, so this code may have lost its last digits. Format the column as Text and enter the value again`);
      continue;
    }
    if (value === undefined) {
      if (column.required) fail(column.name, 'MISSING_VALUE', `${column.name} is empty: ${column.description}`);
      continue;
    }
    let parsed: unknown = value;
    const limit = LENGTH_LIMITS[column.name];
    if (limit !== undefined && characters(value) > limit) {
      fail(column.name, 'INVALID_VALUE', `${column.name} is at most ${limit} characters; got ${characters(value)}`);
      continue;
    }
    if (column.name === 'validUntil' || column.name === 'recognisedOn' || column.name === 'rectificationDeadline' || column.name === 'notifiedOn') {
      if (!isIsoDate(value)) {
        fail(column.name, 'INVALID_DATE', `"${value}" is not a date written YYYY-MM-DD (e.g. 2029-12-31)`);
        continue;
      }
    } else if (column.name === 'repairable' || column.name === 'published') {
      const word = value.toLowerCase();
      if (!TRUE_WORDS.includes(word) && !FALSE_WORDS.includes(word)) {
        fail(column.name, 'INVALID_VALUE', `"${value}" is not true or false (也可写 是/否)`);
        continue;
      }
      parsed = TRUE_WORDS.includes(word);
    } else if (column.name === 'publicityDays') {
      if (!/^\d{1,3}$/.test(value)) {
        fail(column.name, 'INVALID_VALUE', `"${value}" is not a number of days (0 to 999)`);
        continue;
      }
      parsed = Number(value);
    } else if (column.name === 'creditCode') {
      const check = checkSubjectCode(value);
      if (!check.valid) {
        fail(column.name, 'INVALID_CODE', `"${check.code}" is not a valid credit code: ${check.reason}`);
        continue;
      }
      parsed = check.code;
    } else if (column.name === 'listKind') {
      if (!listDefinition(department, value)) {
        fail(column.name, 'INVALID_VALUE', `"${value}" is not a list of ${department.name}: one of ${department.lists.map((l) => l.kind).join(', ')}`);
        continue;
      }
    } else if (column.name === 'legalRepresentativeIdType') {
      if (!ID_DOCUMENT_TYPES.includes(value)) {
        fail(column.name, 'INVALID_VALUE', `"${value}" is not a document type: one of ${ID_DOCUMENT_TYPES.join(', ')}`);
        continue;
      }
    }
    setPath(input, column.inputPath, parsed);
  }

  const representative = input.legalRepresentative;
  if (representative?.idDocumentNumber && (representative.idDocumentType ?? 'RESIDENT_IDENTITY_CARD') === 'RESIDENT_IDENTITY_CARD') {
    const check = checkSubjectCode(representative.idDocumentNumber);
    if (!check.valid || check.kind !== 'NATURAL_PERSON') {
      const reason = check.valid ? 'it is an organisation code' : check.reason;
      fail('legalRepresentativeIdNumber', 'INVALID_CODE', `not a valid resident identity card number: ${reason}`);
    }
  }
  if (Boolean(input.notification?.notifiedOn) !== Boolean(input.notification?.method)) {
    fail(input.notification?.notifiedOn ? 'notificationMethod' : 'notifiedOn', 'MISSING_VALUE', 'notifiedOn and notificationMethod go together: give both or neither');
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, externalReference: input.externalReference, input };
}
