/**
 * Rules 9 and 12: who may see what (1798 (11)(24)(25), 893 §4). Personal data is masked
 * unless the role may read it and a purpose is stated; a denied field is a FORBIDDEN
 * error beside the rest of the answer; subgraphs trust only the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { postGraphQL, startTestHub, type TestHub } from './env.js';
import { mintDevelopmentToken, type TokenClaims } from '../scripts/token.js';
import { subgraphs } from '../subgraphs/catalog.js';
import { subgraphTypeDefs } from '../subgraphs/kit/schema.js';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { personalFields } from '../subgraphs/kit/auth/masking.js';

const PURPOSE = { purpose: '行政许可审批前核查', reference: 'XK-2026-0001' };
const AGENCY: TokenClaims = { role: 'agency', agency: '某市公共资源交易中心', region: '4403' };
const RED_ONLY_AGENCY: TokenClaims = { ...AGENCY, scopes: ['read:red'] };
const TAX_OFFICER: TokenClaims = { role: 'officer', department: 'tax' };
const AUDITOR: TokenClaims = { role: 'auditor' };
const PARTNER: TokenClaims = { role: 'partner', agency: '某银行' };
const ADMIN: TokenClaims = { role: 'admin' };

let hub: TestHub;
let person: { code: string; name: string };
let organisation: { code: string; legalRepName: string; legalRepId: string };

const PERSON_QUERY = `query($code: ID!) { subject(creditCode: $code) { creditCode name courts { entries { creditCode subjectName listType } } } }`;
const ORG_QUERY = `query($code: ID!) { subject(creditCode: $code) { name legalRepresentative { name idDocumentNumber }
  tax { blackListed entries { listType legalRepresentative { name idDocumentNumber } } } } }`;

beforeAll(async () => {
  hub = await startTestHub({ subjects: 400 });
  const courtEntries = hub.demo.entriesByDepartment.get('courts')!;
  const personEntry = courtEntries.find((e) => e.subjectType === 'NATURAL_PERSON' && e.listType === 'BLACK' && e.status === 'ACTIVE')!;
  person = { code: personEntry.creditCode, name: personEntry.subjectName };
  const orgEntry = hub.demo.entriesByDepartment.get('tax')!.find((e) => e.listType === 'BLACK' && e.status === 'ACTIVE' && e.legalRepresentative)!;
  organisation = { code: orgEntry.creditCode, legalRepName: orgEntry.legalRepresentative!.name!, legalRepId: orgEntry.legalRepresentative!.idDocumentNumber! };
});
afterAll(() => hub?.stop());

const masked = (id: string) => `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`;

describe('authentication at the gateway', () => {
  const profile = `{ subject(creditCode: "914403001922038216") { creditCode } }`;
  const withToken = (token: string) => postGraphQL(hub.url, profile, undefined, { authorization: `Bearer ${token}` });

  it('lets the public in without a token', async () => {
    const { data, errors } = await hub.queryAs(null, profile);
    expect(errors).toBeUndefined();
    expect(data.subject.creditCode).toBe('914403001922038216');
  });

  it.each([
    ['malformed', async () => 'not.a.jwt', /malformed/],
    ['expired', async () => mintDevelopmentToken(ADMIN, '-1m'), /expired/],
    ['wrongly signed', async () => new SignJWT({ role: 'admin', sub: 'x' }).setProtectedHeader({ alg: 'HS256' }).setAudience('credithub').setExpirationTime('1h').sign(new TextEncoder().encode('another-secret-another-secret-xx')), /signature/],
    ['for another audience', async () => new SignJWT({ role: 'admin', sub: 'x' }).setProtectedHeader({ alg: 'HS256' }).setAudience('elsewhere').setExpirationTime('1h').sign(new TextEncoder().encode(process.env.CREDITHUB_JWT_SECRET!)), /"aud"/],
  ])('refuses a %s token with UNAUTHENTICATED and the reason', async (_name, token, reason) => {
    const response = await withToken(await token());
    expect(response.status).toBe(401);
    expect(response.errors![0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(response.errors![0].message).toMatch(reason);
    expect(response.data ?? null).toBeNull();
  });

  it('refuses an officer token that names no department', async () => {
    const token = await new SignJWT({ role: 'officer', sub: 'x' }).setProtectedHeader({ alg: 'HS256' }).setAudience('credithub')
      .setExpirationTime('1h').sign(new TextEncoder().encode(process.env.CREDITHUB_JWT_SECRET!));
    const response = await withToken(token);
    expect(response.errors![0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(response.errors![0].message).toMatch(/department/);
  });
});

describe('subgraphs trust only the gateway', () => {
  it('answer _service to composition tooling', async () => {
    const { data } = await postGraphQL(hub.hub.subgraphs.get('tax')!.url, '{ _service { sdl } }');
    expect(data._service.sdl).toContain('taxEntries');
  });

  it('refuse everything else without the gateway-signed identity, or with a forged one or a plain role header', async () => {
    const url = hub.hub.subgraphs.get('tax')!.url;
    const forged = await new SignJWT({ principal: { role: 'ADMIN', id: 'x', scopes: [] } }).setProtectedHeader({ alg: 'HS256' })
      .setIssuer('credithub-gateway').setAudience('credithub-subgraph').setExpirationTime('1m').sign(new TextEncoder().encode('forged-secret-forged-secret-xxxx'));
    const attempts: Record<string, string>[] = [{}, { 'x-credithub-principal': forged }, { 'x-role': 'ADMIN' }];
    for (const headers of attempts) {
      const list = await postGraphQL(url, '{ taxEntries { totalCount } }', undefined, headers);
      expect(list.data ?? null).toBeNull();
      expect(list.errors![0].extensions?.code).toBe('UNAUTHENTICATED');
      // Entity fetches bypass Query rules: the fields themselves are guarded.
      const entities = await postGraphQL(
        url,
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on Subject { tax { entries { legalRepresentative { idDocumentNumber } } } } } }`,
        { r: [{ __typename: 'Subject', creditCode: organisation.code }] },
        headers,
      );
      expect(JSON.stringify(entities.data ?? null)).not.toContain(organisation.legalRepId.slice(4, 14));
      expect(entities.errors![0].extensions?.code).toBe('UNAUTHENTICATED');
    }
  });
});

describe('personal data: masked unless the role may read it and a purpose is stated', () => {
  // [caller, states purpose, sees unmasked]
  const matrix: [string, TokenClaims | null, boolean, boolean][] = [
    ['public', null, true, false],
    ['agency without purpose', AGENCY, false, false],
    ['agency with purpose', AGENCY, true, true],
    ['officer with purpose', TAX_OFFICER, true, true],
    ['auditor with purpose', AUDITOR, true, false],
    ['partner with purpose', PARTNER, true, false],
    ['administrator with purpose', ADMIN, true, true],
  ];

  it.each(matrix)('%s', async (_name, claims, withPurpose, unmasked) => {
    const personAnswer = await hub.queryAs(claims, PERSON_QUERY, { code: person.code }, withPurpose ? PURPOSE : undefined);
    expect(personAnswer.errors).toBeUndefined();
    const entry = personAnswer.data.subject.courts.entries[0];
    const orgAnswer = await hub.queryAs(claims, ORG_QUERY, { code: organisation.code }, withPurpose ? PURPOSE : undefined);
    const taxEntry = orgAnswer.data.subject.tax.entries.find((e: any) => e.listType === 'BLACK');
    if (unmasked) {
      expect(personAnswer.data.subject.name).toBe(person.name);
      expect(entry.subjectName).toBe(person.name);
      expect(entry.creditCode).toBe(person.code);
      expect(taxEntry.legalRepresentative.idDocumentNumber).toBe(organisation.legalRepId);
      expect(personAnswer.extensions?.personalData).toBeUndefined();
    } else {
      expect(personAnswer.data.subject.name).toBe(`${person.name[0]}${'*'.repeat(person.name.length - 1)}`);
      expect(entry.subjectName).not.toBe(person.name);
      expect(entry.creditCode).toBe(masked(person.code));
      expect(taxEntry.legalRepresentative.idDocumentNumber).toBe(masked(organisation.legalRepId));
      expect(JSON.stringify(orgAnswer)).not.toContain(organisation.legalRepId);
      expect(personAnswer.extensions?.personalData?.masked).toBe(true);
      expect(personAnswer.extensions?.personalData?.reason).toMatch(claims && ['agency'].includes(claims.role) ? /purpose/ : /role/);
    }
    // The legal representative's name on a published list is public.
    expect(taxEntry.legalRepresentative.name).toBe(organisation.legalRepName);
    // The code the caller asked for is echoed, never masked: the caller already holds it.
    expect(personAnswer.data.subject.creditCode).toBe(person.code);
  });

  it('marks every @personal field with a masking kind the matrix above exercises', () => {
    const covered = new Set(['LegalRepresentative.name', 'LegalRepresentative.idDocumentNumber', 'ListEntry.creditCode', 'ListEntry.subjectName', 'Subject.name',
      // checked in access-register.test.ts
      'AccessRecord.subjectCode', 'LateSharedEntry.creditCode',
      // checked in joint-measures.test.ts
      'JointMeasureCase.creditCode', 'EntryChange.creditCode',
      // checked in change-feed.test.ts
      'ChangeEvent.creditCode',
      // checked in personal-data-doors.test.ts (case 8)
      'Objection.filedBy',
      // checked in screening-codes.test.ts (every role, with and without a purpose)
      'ScreeningItem.creditCode']);
    for (const subgraph of subgraphs) {
      const schema = buildSubgraphSchema([{ typeDefs: subgraphTypeDefs(subgraph) }]);
      for (const field of personalFields(schema)) {
        expect(covered, `${subgraph.name}: ${field.type}.${field.field} is personal but no test checks it`).toContain(`${field.type}.${field.field}`);
      }
    }
  });
});

describe('which entries and fields each principal sees', () => {
  it('the public sees only published entries, never unpublished key-attention ones, and no history', async () => {
    const unpublished = hub.demo.entriesByDepartment.get('safety')!.find((e) => !e.published && e.status === 'ACTIVE')!;
    const { data, errors } = await hub.queryAs(null, `query($code: ID!) { subject(creditCode: $code) { safety { keyAttention entries { id published history { action } } } } }`, {
      code: unpublished.creditCode,
    });
    expect(data.subject.safety.entries.map((e: any) => e.id)).not.toContain(unpublished.id);
    expect(data.subject.safety.entries.every((e: any) => e === null || e.published)).toBe(true);
    const publicList = await hub.queryAs(null, `{ safetyEntries(first: 100, filter: { listKinds: [WORK_SAFETY_KEY_ATTENTION] }) { totalCount } }`);
    expect(publicList.data.safetyEntries.totalCount).toBe(0);
    if (data.subject.safety.entries.length) expect(errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('an agency sees the lists its scopes cover; outside them, FORBIDDEN beside the rest of the answer', async () => {
    const { data, errors } = await hub.queryAs(RED_ONLY_AGENCY, `query($code: ID!) { subject(creditCode: $code) { registered tax { redListed blackListed entries { listType } } } }`, {
      code: organisation.code,
    });
    expect(data.subject.registered).toBe(true);
    expect(data.subject.tax.entries.every((e: any) => e.listType === 'RED')).toBe(true);
    expect(errors).toHaveLength(1);
    expect(errors![0]).toMatchObject({ path: ['subject', 'tax', 'blackListed'], extensions: { code: 'FORBIDDEN' } });
    expect(errors![0].message).toContain('read:black');

    const refused = await hub.queryAs(RED_ONLY_AGENCY, `{ taxEntries(filter: { listTypes: [BLACK] }) { totalCount } }`);
    expect(refused.errors![0].extensions?.code).toBe('FORBIDDEN');
    expect(refused.errors![0].message).toContain('BLACK');
  });

  it('an officer reads its own department fully, history included, and other departments as an agency', async () => {
    const own = await hub.queryAs(TAX_OFFICER, `{ taxEntries(filter: { statuses: [EXITED] }, first: 1) { totalCount edges { node { history { action } } } } }`);
    expect(own.errors).toBeUndefined();
    const exitedInDemo = hub.demo.entriesByDepartment.get('tax')!.filter((e) => e.status === 'EXITED').length;
    expect(own.data.taxEntries.totalCount).toBe(exitedInDemo);

    const other = await hub.queryAs(TAX_OFFICER, `{ courtsEntries(first: 1) { edges { node { status history { action } } } } }`);
    expect(other.data.courtsEntries.edges[0].node.status).toBe('ACTIVE');
    expect(other.errors![0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    const otherExited = await hub.queryAs(TAX_OFFICER, `{ courtsEntries(filter: { statuses: [EXITED] }) { totalCount } }`);
    expect(otherExited.errors![0].extensions?.code).toBe('FORBIDDEN');
  });

  it('an auditor reads histories, not personal data values', async () => {
    const { data, errors } = await hub.queryAs(AUDITOR, `{ courtsEntries(first: 5) { edges { node { history { action } legalRepresentative { idDocumentNumber } } } } }`, undefined, PURPOSE);
    expect(errors).toBeUndefined();
    for (const { node } of data.courtsEntries.edges) {
      expect(node.history.length).toBeGreaterThan(0);
      if (node.legalRepresentative?.idDocumentNumber) expect(node.legalRepresentative.idDocumentNumber).toContain('*');
    }
  });
});
