/**
 * A screening names the codes it screened: a natural person's identity number among them is
 * personal data (`@personal` on ScreeningItem.creditCode), on `screen` and on `screening(id)`
 * alike — masked without the right and a stated purpose, registered when shown — for every
 * role that may read the screening (its screener, administrators); everyone else is refused it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './env.js';
import { everyRole } from './roles.js';
import { accessRegisterTable } from '../subgraphs/platform/access-register-tables.js';
import type { TokenClaims } from '../scripts/token.js';

const PURPOSE = { purpose: '政府采购供应商资格审查', reference: 'CG-2026-1203' };
const SCREENER: TokenClaims = { role: 'agency', agency: '某市财政局', sub: 'screener-of-screening-codes' };
const ITEMS = `items { creditCode valid }`;
const masked = (id: string) => `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`;

let hub: TestHub;
let person: string;
let organisation: string;
let screeningId: string;
beforeAll(async () => {
  hub = await startTestHub({ subjects: 60 });
  const all = [...hub.demo.entriesByDepartment.values()].flat();
  person = all.find((e) => e.subjectType === 'NATURAL_PERSON')!.creditCode;
  organisation = all.find((e) => e.subjectType === 'ORGANISATION')!.creditCode;
  const screened = await hub.queryAs(SCREENER, `mutation($c: [ID!]!) { screen(creditCodes: $c, scenario: GOVERNMENT_PROCUREMENT, reference: "ZB-7") { id ${ITEMS} } }`, { c: [person, organisation] });
  expect(screened.errors).toBeUndefined();
  // Its screener without a purpose: the person's number masked, the organisation's as it is.
  expect(screened.data.screen.items.map((i: any) => i.creditCode)).toEqual([masked(person), organisation]);
  screeningId = screened.data.screen.id;
});
afterAll(() => hub?.stop());

const registered = async (principalId: string) =>
  (await hub.hub.subgraphs.get('platform')!.db(accessRegisterTable).where({ principal_id: principalId, subject_code: person })).filter((r: any) => String(r.fields).includes('ScreeningItem.creditCode')).length;

describe('screening(id) names a person screened as the rule allows the reader', () => {
  const readers: [string, TokenClaims | null][] = [['its screener', SCREENER], ...everyRole('screening-codes')];
  for (const [role, claims] of readers) {
    for (const purpose of [undefined, PURPOSE]) {
      it(`to ${role}, ${purpose ? 'with' : 'without'} a stated purpose`, async () => {
        const before = claims ? await registered(claims.sub!) : 0;
        const response = await hub.queryAs(claims, `query($id: ID!) { screening(id: $id) { ${ITEMS} } }`, { id: screeningId }, purpose);
        const mayRead = claims === SCREENER || claims?.role === 'admin';
        if (!mayRead) {
          expect(response.data?.screening ?? null, role).toBeNull();
          expect(response.errors?.[0]?.extensions?.code, role).toMatch(/FORBIDDEN|UNAUTHENTICATED/);
          return;
        }
        expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
        const unmasked = Boolean(purpose);
        expect(response.data.screening.items.map((i: any) => i.creditCode), role).toEqual([unmasked ? person : masked(person), organisation]);
        expect((await registered(claims!.sub!)) > before, `${role}: registered`).toBe(unmasked);
      });
    }
  }
});
