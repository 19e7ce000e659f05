/**
 * Officers write free text about a subject — the facts, a transition's or an exit's reason, a
 * repair step, an objection's grounds and decision, an interview on the subject's file — and it
 * often names the subject (陈伟拒不履行…, 法定代表人张强…). Every field the SDL marks
 * `@mentionsSubject` must show those values exactly as their own fields show them to the same
 * reader. This test writes every such field of a few entries to name everything the entry masks,
 * then reads each, for every role, with and without a stated purpose, and compares.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { callerHeaders, startTestHub, type TestHub } from './env.js';
import { parse } from 'csv-parse/sync';
import { everyRole } from './roles.js';
import type { ListEntry } from '../subgraphs/kit/lists/store.js';
import { entriesTable, historyTable, objectionsTable, repairStepsTable, subjectFileTable } from '../subgraphs/kit/lists/tables.js';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { departments, subgraphs } from '../subgraphs/catalog.js';
import { subgraphTypeDefs } from '../subgraphs/kit/schema.js';
import { mentioningFields } from '../subgraphs/kit/auth/masking.js';
import { accessRegisterTable } from '../subgraphs/platform/access-register-tables.js';

const PURPOSE = { purpose: '行政许可审查', reference: 'XK-2026-1202' };
const ROLES = everyRole('free-text');

/** What an officer might write, naming everything the entry masks. */
const naming = (v: { code: string; name: string; repName?: string | null; repNumber?: string | null }) =>
  `当事人${v.name}（${v.code}）` + (v.repName || v.repNumber ? `，法定代表人${v.repName ?? ''}（${v.repNumber ?? ''}）` : '') + '拒不履行';

/** Every `@mentionsSubject` field this query reads, and where its text is in the answer. */
const QUERY = (department: string) => `query($c: ID!) { subject(creditCode: $c) { ${department} {
  file { details }
  entries { id creditCode subjectName legalRepresentative { name idDocumentNumber }
    facts exit { reason } history { reason } objections { grounds decision } repairSteps { details reference } creditCommitments { details reference } } } } }`;
const READ = ['ListEntry.facts', 'EntryExit.reason', 'EntryTransition.reason', 'Objection.grounds', 'Objection.decision', 'RepairStep.details', 'RepairStep.reference', 'CreditCommitment.details', 'CreditCommitment.reference', 'FileRecord.details'];

let hub: TestHub;
let entries: { entry: ListEntry; department: string }[];
const seen = new Map<string, Set<string>>();

beforeAll(async () => {
  hub = await startTestHub({ subjects: 300 });
  const all = [...hub.demo.entriesByDepartment.values()].flat();
  const departmentOf = (e: ListEntry) => departments.find((d) => d.domain === e.domain)!.name;
  const pick = (test: (e: ListEntry) => boolean) => all.find((e) => e.repair.repairable && test(e))!;
  const chosen = [
    pick((e) => e.subjectType === 'NATURAL_PERSON' && e.status === 'ACTIVE' && e.published === true),
    pick((e) => e.subjectType === 'NATURAL_PERSON' && e.status === 'EXITED'),
    pick((e) => e.subjectType === 'ORGANISATION' && e.listType === 'BLACK' && e.status === 'ACTIVE' && Boolean(e.legalRepresentative?.idDocumentNumber)),
    pick((e) => e.listType === 'KEY_ATTENTION' && e.status === 'ACTIVE' && e.published === false && Boolean(e.legalRepresentative?.idDocumentNumber)),
  ];
  entries = chosen.map((entry) => ({ entry, department: departmentOf(entry) }));
  for (const { entry, department } of entries) {
    expect(entry, department).toBeDefined();
    const text = naming({ code: entry.creditCode, name: entry.subjectName, repName: entry.legalRepresentative?.name, repNumber: entry.legalRepresentative?.idDocumentNumber });
    const db = hub.hub.subgraphs.get(department)!.db;
    // As officers would have written them (the API's own writes of these texts are tried elsewhere).
    await db(entriesTable(department)).where({ id: entry.id }).update({ facts: text, ...(entry.status === 'EXITED' ? { exit_reason: text } : {}) });
    await db(historyTable(department)).where({ entry_id: entry.id }).update({ reason: text });
    const at = new Date().toISOString();
    await db(repairStepsTable(department)).insert({ id: randomUUID(), entry_id: entry.id, kind: 'CREDIT_COMMITMENT', details: text, reference: text, recorded_at: at, recorded_by: 'officer:free-text' });
    const filed = await hub.queryAs({ role: 'officer', department, sub: 'officer-free-text' }, `mutation($i: FileObjectionInput!) { ${department} { fileObjection(input: $i) { id } } }`, { i: { entryId: entry.id, kind: 'PUBLIC_OBJECTION', grounds: text } });
    expect(filed.errors, JSON.stringify(filed.errors)).toBeUndefined();
    await db(objectionsTable(department)).where({ id: filed.data[department].fileObjection.id }).update({ decision: text });
    await db(subjectFileTable(department)).insert({ credit_code: entry.creditCode, entry_id: entry.id, kind: 'WARNING_INTERVIEW', details: text, refused: false, recorded_at: at, recorded_by: 'officer:free-text' });
  }
});
afterAll(() => hub?.stop());

it('reads every field the SDL marks @mentionsSubject', () => {
  const marked = new Set(subgraphs.filter((m) => m.name !== 'platform').flatMap((m) => mentioningFields(buildSubgraphSchema({ typeDefs: subgraphTypeDefs(m) })).map((f) => `${f.type}.${f.field}`)));
  expect([...marked].sort()).toEqual([...READ].sort());
});

describe('free text about a subject names it as the entry shows it', () => {
  for (const [role, claims] of ROLES) {
    for (const purpose of [undefined, PURPOSE]) {
      it(`to ${role}, ${purpose ? 'with' : 'without'} a stated purpose`, async () => {
        for (const { entry, department } of entries) {
          const response = await hub.queryAs(claims, QUERY(department), { c: entry.creditCode }, purpose);
          const record = response.data?.subject?.[department];
          const shown = record?.entries?.find((e: any) => e.id === entry.id);
          if (!shown) continue; // this reader does not see the entry
          const expected = naming({ code: shown.creditCode, name: shown.subjectName, repName: shown.legalRepresentative?.name, repNumber: shown.legalRepresentative?.idDocumentNumber });
          const texts: [string, unknown][] = [
            ['ListEntry.facts', shown.facts],
            ['EntryExit.reason', shown.exit?.reason],
            ...((shown.history ?? []) as any[]).map((t): [string, unknown] => ['EntryTransition.reason', t.reason]),
            ...((shown.objections ?? []) as any[]).flatMap((o): [string, unknown][] => [['Objection.grounds', o.grounds], ['Objection.decision', o.decision]]),
            ...((shown.repairSteps ?? []) as any[]).flatMap((s): [string, unknown][] => [['RepairStep.details', s.details], ['RepairStep.reference', s.reference]]),
            ...((shown.creditCommitments ?? []) as any[]).flatMap((c): [string, unknown][] => [['CreditCommitment.details', c.details], ['CreditCommitment.reference', c.reference]]),
            ...((record.file ?? []) as any[]).filter((f) => f.details.includes('拒不履行')).map((f): [string, unknown] => ['FileRecord.details', f.details]),
          ];
          // The department's export holds the entry's facts as the API shows them.
          const exported = await fetch(new URL(`/export/${department}.csv`, hub.url), { headers: await callerHeaders(claims, purpose) });
          if (exported.ok) {
            const [header, ...rows] = parse(await exported.text(), { bom: true }) as string[][];
            const row = rows.find((r) => r[0] === entry.id);
            if (row) texts.push(['export facts', row[header.indexOf('facts')]]);
          }
          for (const [field, text] of texts) {
            if (text == null || !String(text).includes('拒不履行')) continue; // a text this test did not write
            expect(text, `${role}: ${field} of ${entry.id}`).toBe(expected);
            if (!seen.has(field)) seen.set(field, new Set());
            seen.get(field)!.add(`${role}${purpose ? '+purpose' : ''}`);
          }
        }
      });
    }
  }

  it('was tried on every field', () => {
    expect([...seen.keys()].sort()).toEqual([...READ, 'export facts'].sort());
  });
});

describe("an objection's grounds, in the answers of the officer who accepts and decides it", () => {
  it('are masked as on the entry (the filer wrote them, not the officer), and registered when shown', async () => {
    const { entry, department } = entries[0];
    const officer = { role: 'officer', department, sub: 'officer-free-text-decides' } as const;
    const text = naming({ code: entry.creditCode, name: entry.subjectName });
    const agency = { role: 'agency', agency: '某局', sub: 'agency-free-text-files' } as const;
    const filed = await hub.queryAs(agency, `mutation($i: FileObjectionInput!) { ${department} { fileObjection(input: $i) { id } } }`, { i: { entryId: entry.id, kind: 'IMPLEMENTER_REPORT', grounds: text } });
    expect(filed.errors, JSON.stringify(filed.errors)).toBeUndefined();
    const id = filed.data[department].fileObjection.id;
    const masked = naming({ code: `${entry.creditCode.slice(0, 4)}${'*'.repeat(10)}${entry.creditCode.slice(-4)}`, name: `${[...entry.subjectName][0]}${'*'.repeat([...entry.subjectName].length - 1)}` });
    const accepted = await hub.queryAs(officer, `mutation { ${department} { acceptObjection(objectionId: "${id}", accept: true, reason: "受理") { grounds } } }`);
    expect(accepted.errors, JSON.stringify(accepted.errors)).toBeUndefined();
    expect(accepted.data[department].acceptObjection.grounds).toBe(masked);
    const decided = await hub.queryAs(officer, `mutation($i: DecideObjectionInput!) { ${department} { decideObjection(input: $i) { objection { grounds } } } }`, { i: { objectionId: id, upheld: false, finding: '经核查认定无误' } }, PURPOSE);
    expect(decided.errors, JSON.stringify(decided.errors)).toBeUndefined();
    expect(decided.data[department].decideObjection.objection.grounds).toBe(text);
    const rows = await hub.hub.subgraphs.get('platform')!.db(accessRegisterTable).where({ principal_id: officer.sub, subject_code: entry.creditCode });
    expect(rows.some((r: any) => String(r.fields).includes('Objection.grounds'))).toBe(true);
  });
});
