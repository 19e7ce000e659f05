/**
 * File import end to end: CSV (UTF-8, GB18030) and XLSX files through the gateway with an
 * officer's token; bad rows reported row by row and column by column with nothing of them
 * written; a wrong encoding or a missing column stops the file before anything is sent; and
 * an import killed mid-run (SIGKILL) and rerun leaves each row exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { startTestHub, type TestHub } from './env.js';
import { mintDevelopmentToken } from '../scripts/token.js';
import { importFile } from '../scripts/import/import-file.js';
import { gatewaySender } from '../scripts/import/send.js';
import { sampleRow, writeSampleCsv } from '../scripts/import/sample-file.js';
import { COLUMNS } from '../scripts/import/columns.js';
import { statePathOf } from '../scripts/import/report.js';
import { random } from '../scripts/demo-data.js';
import { department as courts } from '../subgraphs/courts/department.js';

let hub: TestHub;
let dir: string;
let token: string;

const run = (file: string, extra: Partial<Parameters<typeof importFile>[0]> = {}) =>
  importFile({ file, department: courts, sender: gatewaySender({ url: hub.url, token, department: 'courts' }), quiet: true, ...extra });

/** The courts' entries recorded under references starting with `prefix`: reference → how many, and one row. */
async function entriesWithPrefix(prefix: string) {
  const rows = await hub.hub.subgraphs.get('courts')!.db('courts_entries').where('external_reference', 'like', `${prefix}-%`).select('external_reference', 'credit_code', 'subject_name');
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.external_reference, (counts.get(row.external_reference) ?? 0) + 1);
  return { rows, counts };
}

const errorsOf = (file: string) => parse(readFileSync(`${file}.errors.csv`), { columns: true }) as { row: string; column: string; code: string; message: string }[];

/** Runs the CLI as a department's operator would: npm run import -- --department courts FILE. */
function cli(file: string, args: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/import/main.ts', '--department', 'courts', file, '--url', hub.url, '--quiet', ...args], {
    env: { ...process.env, CREDITHUB_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

beforeAll(async () => {
  hub = await startTestHub({ subjects: 50 });
  dir = mkdtempSync(join(tmpdir(), 'credithub-import-'));
  token = await mintDevelopmentToken({ role: 'officer', department: 'courts', sub: 'officer-import' });
});
afterAll(async () => {
  await hub?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// The CLI runs in a process of its own (tsx starts in seconds on a busy machine).
describe('npm run import', { timeout: 60_000 }, () => {
  it('imports a UTF-8 CSV, reports each bad row by row and column, and writes nothing of it', async () => {
    const file = join(dir, 'mixed.csv');
    const wrong: Record<number, (row: Record<string, string>) => void> = {
      3: (row) => (row.creditCode = row.creditCode.slice(0, 17) + (row.creditCode[17] === '1' ? '2' : '1')), // wrong check character
      5: (row) => (row.validUntil = '2029/12/31'), // a date in another format
      7: (row) => delete row.subjectName, // a missing value
      8: (row) => (row.legalRepresentativeIdNumber = '110105198001011234'), // wrong check digit
      11: (row) => (row.listKind = 'MAJOR_TAX_VIOLATION'), // another department's list: the hub refuses it too
    };
    await writeSampleCsv(file, 40, { referencePrefix: 'MIXED', edit: (row, i) => wrong[i]?.(row) });
    const summary = await run(file);
    expect(summary).toMatchObject({ rows: 40, accepted: 35, refused: 5, skipped: 0 });
    const errors = errorsOf(file);
    expect(errors.map((e) => [e.row, e.column, e.code])).toEqual(
      expect.arrayContaining([
        ['5', 'creditCode', 'INVALID_CODE'],
        ['7', 'validUntil', 'INVALID_DATE'],
        ['9', 'subjectName', 'MISSING_VALUE'],
        ['10', 'legalRepresentativeIdNumber', 'INVALID_CODE'],
        ['13', 'listKind', 'INVALID_VALUE'],
      ]),
    );
    expect(errors.find((e) => e.column === 'validUntil')!.message).toBe('"2029/12/31" is not a date written YYYY-MM-DD (e.g. 2029-12-31)');
    expect(errors.find((e) => e.column === 'creditCode')!.message).toMatch(/check character should be/);
    const { counts } = await entriesWithPrefix('MIXED');
    expect(counts.size).toBe(35);
    for (const refusedIndex of [3, 5, 7, 8, 11]) expect(counts.has(`MIXED-${String(refusedIndex).padStart(7, '0')}`)).toBe(false);
  });

  it('numbers rows as a spreadsheet does: a cell with line breaks is one row, a blank line is a row', async () => {
    const file = join(dir, 'multiline.csv');
    await writeSampleCsv(file, 8, {
      referencePrefix: 'MULTI',
      edit: (row, i) => {
        if (i === 1 || i === 2) row.facts = `第一行\n第二行\r\n第三行`; // rows 3 and 4, two line breaks each
        if (i === 5) row.validUntil = '2029/12/31'; // row 7, line 11 of the file
      },
    });
    // A blank line after row 7: the rows after it move down one, as in a spreadsheet.
    const lines = readFileSync(file, 'utf8').split('\n');
    writeFileSync(file, [...lines.slice(0, 11), '', ...lines.slice(11)].join('\n'));
    const summary = await run(file);
    expect(summary).toMatchObject({ rows: 8, accepted: 7, refused: 1 });
    expect(errorsOf(file).map((e) => [e.row, e.column])).toEqual([['7', 'validUntil']]);
    expect((await entriesWithPrefix('MULTI')).counts.size).toBe(7);
  });

  it('refuses a second import of the same file while one runs, and takes over the lock of one that was killed', async () => {
    const file = join(dir, 'twice.csv');
    await writeSampleCsv(file, 30, { referencePrefix: 'TWICE' });
    const [first, second] = await Promise.allSettled([run(file), run(file)]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { accepted: 30 } });
    expect(second.status).toBe('rejected');
    expect((second as PromiseRejectedResult).reason.message).toMatch(/^another import of this file is running \(process \d+, since .+\): wait for it to finish; if it is not running, remove .*twice\.csv\.import\.lock$/);
    expect(existsSync(`${file}.import.lock`)).toBe(false);
    // Through the CLI: one clear line, exit 2.
    writeFileSync(`${file}.import.lock`, JSON.stringify({ pid: process.pid, since: '2026-12-01T00:00:00.000Z' }));
    const held = cli(file);
    expect(await held.exited).toBe(2);
    expect(held.output()).toMatch(/another import of this file is running \(process \d+/);
    // A lock left by a process that is gone is taken over (the state file says every row is done).
    writeFileSync(`${file}.import.lock`, JSON.stringify({ pid: 2 ** 22 - 1, since: '2026-12-01T00:00:00.000Z' }));
    expect(await run(file)).toMatchObject({ rows: 0, skipped: 30 });
    expect(existsSync(`${file}.import.lock`)).toBe(false);
  });

  it('reads GB18030 files by itself, and refuses a wrong --encoding naming the byte', async () => {
    const file = join(dir, 'gb.csv');
    await writeSampleCsv(file, 10, { referencePrefix: 'GB', encoding: 'gb18030', seed: 7 });
    expect(await run(file)).toMatchObject({ accepted: 10, refused: 0 });
    const { rows } = await entriesWithPrefix('GB');
    const expected = sampleRow(random(7), 0, 'GB');
    expect(rows.find((r) => r.external_reference === 'GB-0000000')!.subject_name).toBe(expected.subjectName);

    const refused = cli(file, ['--encoding', 'utf-8']);
    expect(await refused.exited).toBe(2);
    expect(refused.output()).toMatch(/the file is not UTF-8 \(line 2, byte \d+ of the file\).*--encoding gb18030/);
  });

  it('reads XLSX (first worksheet, date cells as dates)', async () => {
    const file = join(dir, 'lists.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('名单');
    sheet.addRow(COLUMNS.map((c) => c.name));
    const rng = random(9);
    for (let i = 0; i < 12; i++) {
      const row = sampleRow(rng, i, 'XLSX');
      sheet.addRow(COLUMNS.map((c) => (c.name === 'validUntil' ? new Date(Date.UTC(2029, 11, 31)) : (row[c.name] ?? null))));
    }
    await workbook.xlsx.writeFile(file);
    expect(await run(file)).toMatchObject({ rows: 12, accepted: 12, refused: 0 });
    expect((await entriesWithPrefix('XLSX')).counts.size).toBe(12);
  });

  it('refuses a code a spreadsheet stored as a number: it may have lost digits and be another\'s', async () => {
    const file = join(dir, 'numbers.xlsx');
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('名单');
    sheet.addRow(COLUMNS.map((c) => c.name));
    const rng = random(11);
    const rows = [0, 1, 2].map((i) => sampleRow(rng, i, 'NUM'));
    // Row 3: an identity number typed as a number, as Excel keeps it (15 digits, then zeros).
    rows.forEach((row, i) => sheet.addRow(COLUMNS.map((c) => (i === 1 && c.name === 'creditCode' ? 320508198501015526 : (row[c.name] ?? null)))));
    await workbook.xlsx.writeFile(file);
    expect(await run(file)).toMatchObject({ rows: 3, accepted: 2, refused: 1 });
    expect(errorsOf(file)).toEqual([expect.objectContaining({ row: '3', column: 'creditCode', code: 'NUMBER_CELL' })]);
    expect((await entriesWithPrefix('NUM')).counts.size).toBe(2);
  });

  it('stops a file that lacks a required column before sending anything', async () => {
    const file = join(dir, 'no-column.csv');
    writeFileSync(file, 'externalReference,listKind,creditCode,subjectName,facts,repairable\nNOCOL-1,DISHONEST_JUDGMENT_DEBTOR,91110105MA01ABCD26,某公司,事实,true\n');
    const refused = cli(file);
    expect(await refused.exited).toBe(2);
    expect(refused.output()).toMatch(/row 1 \(the header\) lacks the required column validUntil/);
    expect((await entriesWithPrefix('NOCOL')).counts.size).toBe(0);
  });

  it('resumes an import killed mid-run (SIGKILL): every row exactly once, and a rerun from scratch creates nothing', async () => {
    const file = join(dir, 'killed.csv');
    const rows = 3000;
    await writeSampleCsv(file, rows, { referencePrefix: 'KILLED', seed: 11 });
    const first = cli(file, ['--batch', '50']);
    // Killed once the hub has answered some batches, long before the end.
    while (!existsSync(statePathOf(file))) await new Promise((resolve) => setTimeout(resolve, 20));
    first.child.kill('SIGKILL');
    await first.exited;
    const done = JSON.parse(readFileSync(statePathOf(file), 'utf8')).doneThroughRow;
    expect(done).toBeLessThan(rows + 1);
    const beforeResume = (await entriesWithPrefix('KILLED')).counts.size;
    expect(beforeResume).toBeGreaterThan(0);
    expect(beforeResume).toBeLessThan(rows);

    const resumed = cli(file);
    expect(await resumed.exited, resumed.output()).toBe(0);
    expect(resumed.output()).toMatch(/skipped \(done by an earlier run\)/);
    let { counts } = await entriesWithPrefix('KILLED');
    expect(counts.size).toBe(rows);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);

    // Without the state file everything is sent again: the hub answers the entries it holds.
    rmSync(statePathOf(file));
    expect(await run(file)).toMatchObject({ rows, accepted: rows, refused: 0 });
    ({ counts } = await entriesWithPrefix('KILLED'));
    expect(counts.size).toBe(rows);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  }, 180_000);
});
