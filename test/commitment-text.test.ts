/**
 * A credit commitment is public (893 §9) and written in the person's own name, so its text
 * holds the very values `@personal` marks on its entry: the subject's code and name, the legal
 * representative's name and document number. For every role, with and without a stated
 * purpose, the text must show each value exactly as that value's own field shows it to the
 * same reader — masked where the field is masked, as written where it is not — and a value
 * the text shows unmasked is registered as a read of the commitment, under its person.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './env.js';
import { everyRole } from './roles.js';
import { departments } from '../subgraphs/catalog.js';
import type { ListEntry } from '../subgraphs/kit/lists/store.js';
import type { TokenClaims } from '../scripts/token.js';
import { accessRegisterTable } from '../subgraphs/platform/access-register-tables.js';

const PURPOSE = { purpose: '政府采购供应商资格审查', reference: 'CG-2026-1202' };
const ROLES = everyRole('commitment');

let hub: TestHub;
/** The entries tried: a natural person's, and an organisation's with a legal representative. */
let entries: { label: string; entry: ListEntry; department: string }[];
/** How many entries each reader saw, over both purposes. */
const triedBy = new Map<string, number>();

/** The commitment as its subject writes it, naming everything the entry masks. */
function commitmentText(values: { code: string; name: string; repName?: string | null; repNumber?: string | null }): string {
  const representative = values.repName || values.repNumber ? `，法定代表人${values.repName ?? ''}（证件号码${values.repNumber ?? ''}）` : '';
  return `本人${values.name}（统一社会信用代码或公民身份号码${values.code}）${representative}承诺在规定期限内整改到位`;
}

beforeAll(async () => {
  hub = await startTestHub({ subjects: 300 });
  const all = [...hub.demo.entriesByDepartment.values()].flat();
  const person = all.find((e) => e.subjectType === 'NATURAL_PERSON' && e.domain === 'COURTS' && e.status === 'ACTIVE' && e.published !== false && e.repair.repairable)!;
  const organisation = all.find((e) => e.subjectType === 'ORGANISATION' && e.domain === 'TAX' && e.status === 'ACTIVE' && e.repair.repairable && e.legalRepresentative?.idDocumentNumber && e.legalRepresentative?.name)!;
  const keyAttention = (published: boolean) => all.find((e) => e.listType === 'KEY_ATTENTION' && e.status === 'ACTIVE' && e.published === published && e.legalRepresentative?.idDocumentNumber)!;
  const departmentOf = (e: ListEntry) => departments.find((d) => d.domain === e.domain)!.name;
  entries = [
    { label: "a natural person's entry", entry: person, department: 'courts' },
    { label: "an organisation's entry with its legal representative", entry: organisation, department: 'tax' },
    // A representative's name is personal only on an unpublished record; readers without black scopes see these too.
    { label: 'a published key-attention entry', entry: keyAttention(true), department: departmentOf(keyAttention(true)) },
    { label: 'an unpublished key-attention entry', entry: keyAttention(false), department: departmentOf(keyAttention(false)) },
  ];
  for (const { entry, department } of entries) {
    expect(entry, department).toBeDefined();
    const details = commitmentText({ code: entry.creditCode, name: entry.subjectName, repName: entry.legalRepresentative?.name, repNumber: entry.legalRepresentative?.idDocumentNumber });
    const recorded = await hub.queryAs({ role: 'officer', department, sub: `officer-commitment-${department}` }, `mutation($input: RepairStepInput!) { ${department} { recordRepairStep(input: $input) { id } } }`, {
      input: { entryId: entry.id, kind: 'CREDIT_COMMITMENT', details, reference: `承诺书-${entry.creditCode}` },
    });
    expect(recorded.errors, JSON.stringify(recorded.errors)).toBeUndefined();
  }
});
afterAll(() => hub?.stop());

/** The reader's register records of `person` that name the commitment's text. */
async function commitmentReads(principalId: string, person: string): Promise<number> {
  const rows = await hub.hub.subgraphs.get('platform')!.db(accessRegisterTable).where({ principal_id: principalId, subject_code: person }).select('fields');
  return rows.filter((row: any) => String(row.fields).includes('CreditCommitment.details')).length;
}

describe('a credit commitment names its person as the entry shows them', () => {
  for (const [role, claims] of ROLES) {
    for (const purpose of [undefined, PURPOSE]) {
      it(`to ${role}, ${purpose ? 'with' : 'without'} a stated purpose`, async () => {
        let tried = 0;
        for (const { label, entry, department } of entries) {
          const query = `query($c: ID!) { subject(creditCode: $c) { ${department} { entries { id creditCode subjectName legalRepresentative { name idDocumentNumber } creditCommitments { details } } } } }`;
          const before = await Promise.all([entry.creditCode, entry.legalRepresentative?.idDocumentNumber].filter(Boolean).map((p) => commitmentReads((claims as TokenClaims | null)?.sub ?? '', p!)));
          const response = await hub.queryAs(claims, query, { c: entry.creditCode }, purpose);
          expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
          const shown = response.data.subject?.[department]?.entries?.find((e: any) => e.id === entry.id);
          if (!shown) continue; // this reader does not see the entry at all
          tried++;
          const [commitment] = shown.creditCommitments;
          expect(commitment, label).toBeDefined();
          // Each value in the text exactly as its own field shows it to this reader.
          const expected = commitmentText({ code: shown.creditCode, name: shown.subjectName, repName: shown.legalRepresentative?.name, repNumber: shown.legalRepresentative?.idDocumentNumber });
          expect(commitment.details, `${label}: ${role}`).toBe(expected);
          // Shown unmasked in the text, a personal value is registered; not shown, it is not.
          const unmasked = {
            subject: entry.subjectType === 'NATURAL_PERSON' && shown.creditCode === entry.creditCode,
            representative: Boolean(entry.legalRepresentative?.idDocumentNumber) && shown.legalRepresentative?.idDocumentNumber === entry.legalRepresentative?.idDocumentNumber,
          };
          if (!claims) continue; // the public is never registered, and never shown anything unmasked
          const after = await Promise.all([entry.creditCode, entry.legalRepresentative?.idDocumentNumber].filter(Boolean).map((p) => commitmentReads(claims.sub!, p!)));
          const registered = after.map((n, i) => n > before[i]);
          expect(registered[0], `${label}: ${role}, the subject`).toBe(unmasked.subject);
          if (entry.legalRepresentative?.idDocumentNumber) expect(registered[1], `${label}: ${role}, the representative`).toBe(unmasked.representative);
        }
        triedBy.set(role, (triedBy.get(role) ?? 0) + tried);
      });
    }
  }

  it('was tried on every reader but those whose scopes hold only the red list (commitments repair black and key-attention entries)', () => {
    const redOnly = ['agency without scopes', 'red-only agency', 'red-only partner'];
    for (const [role] of ROLES) {
      if (redOnly.includes(role)) expect(triedBy.get(role), role).toBe(0);
      else expect(triedBy.get(role), role).toBeGreaterThan(0);
    }
  });

  it('is read unmasked by someone: the enumeration above is not masking everything', async () => {
    const agency = ROLES.find(([role]) => role === 'agency')![1];
    const { entry, department } = entries[0];
    const response = await hub.queryAs(agency, `query($c: ID!) { subject(creditCode: $c) { ${department} { entries { id creditCommitments { details } } } } }`, { c: entry.creditCode }, PURPOSE);
    expect(JSON.stringify(response.data)).toContain(entry.creditCode);
    expect(JSON.stringify(response.data)).toContain(entry.subjectName);
  });
});
