/**
 * What the hub records of a caller — its id, its organisation, its stated purpose — goes into
 * columns of fixed length on MariaDB (SQLite checks none). The principal decides once how long
 * each may be (RECORDED_LENGTHS, MAX_PRINCIPAL_ID_LENGTH): a token at the longest, with
 * characters JSON has to escape, must work on every path that writes the caller down, and a
 * longer one is refused at the door, saying which claim and why — never by the database
 * halfway through a write, or as personal data withheld because the register could not record it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setEnv, startTestHub, type TestHub } from './env.js';
import type { TokenClaims } from '../scripts/token.js';
import { MAX_PRINCIPAL_ID_LENGTH, RECORDED_LENGTHS } from '../subgraphs/kit/auth/principal.js';
import { accessRegisterTable } from '../subgraphs/platform/access-register-tables.js';
import { identityNumber, random } from '../scripts/demo-data.js';
import { SignJWT } from 'jose';
import { DEVELOPMENT_ISSUER } from '../gateway/auth.js';
import { developmentJwtSecret } from '../subgraphs/kit/auth/secrets.js';
import { configuration } from '../subgraphs/kit/config/index.js';
import { postGraphQL } from '../scripts/client.js';
import { purposeFrom } from '../gateway/purpose.js';

/** `length` characters, half that JSON escapes (a quote, a backslash), half outside the BMP or CJK. */
const longest = (length: number, tag: string) => [...`${tag}${'"\\审𠀀'.repeat(length)}`].slice(0, length).join('');
const ID = (tag: string) => longest(MAX_PRINCIPAL_ID_LENGTH, tag);
const AGENCY: TokenClaims = { role: 'agency', agency: longest(RECORDED_LENGTHS.agency, '机关'), sub: ID('agency') };
const PARTNER: TokenClaims = { role: 'partner', agency: longest(RECORDED_LENGTHS.agency, '银行'), sub: ID('partner') };
const OFFICER: TokenClaims = { role: 'officer', department: 'courts', sub: ID('officer') };
const ADMIN: TokenClaims = { role: 'admin', sub: ID('admin') };
const PURPOSE = { purpose: longest(RECORDED_LENGTHS.purpose, '审批'), reference: longest(RECORDED_LENGTHS.reference, 'CG') };

let hub: TestHub;
beforeAll(async () => {
  setEnv({ CREDITHUB_ADMIN_WRITES: 'true', WEBHOOK_ALLOWED_TARGETS: '127.0.0.1' });
  hub = await startTestHub({ subjects: 60 });
});
afterAll(async () => {
  await hub?.stop();
  setEnv({ CREDITHUB_ADMIN_WRITES: undefined, WEBHOOK_ALLOWED_TARGETS: undefined });
});

const ok = (response: any, what: string) => {
  expect(response.errors, `${what}: ${JSON.stringify(response.errors)}`).toBeUndefined();
  return response.data;
};

describe('a caller at the longest the hub allows', () => {
  it('is written down whole on every path that records it', async () => {
    const code = identityNumber(random(161), '110105');
    const recognise = (claims: TokenClaims, department: string, creditCode: string) =>
      hub.queryAs(claims, `mutation($input: RecogniseInput!) { ${department} { recognise(input: $input) { id } } }`, {
        input: { listKind: department === 'courts' ? 'DISHONEST_JUDGMENT_DEBTOR' : 'MAJOR_TAX_VIOLATION', creditCode, subjectName: '某某', facts: '事实', validUntil: '2029-06-01',
          repair: { repairable: true, method: '履行义务', rectificationDeadline: '2029-01-01' }, ...(department === 'courts' ? { notification: { notifiedOn: '2026-11-20', method: '书面告知书' } } : {}) },
      });
    // An officer's history: recognition, a repair step, an objection decided.
    ok(await recognise(OFFICER, 'courts', code), 'officer recognises');
    const active = hub.demo.entriesByDepartment.get('courts')!.find((e) => e.status === 'ACTIVE' && e.repair.repairable)!;
    ok(await hub.queryAs(OFFICER, `mutation { courts { recordRepairStep(input: { entryId: "${active.id}", kind: RECTIFICATION, details: "整改" }) { id } } }`), 'officer records a repair step');
    // An agency's report on the entry (filed by it), decided by the officer.
    const report = ok(await hub.queryAs(AGENCY, `mutation { courts { fileObjection(input: { entryId: "${active.id}", kind: IMPLEMENTER_REPORT, grounds: "名称与代码不符" }) { id } } }`), 'agency files a report');
    ok(await hub.queryAs(OFFICER, `mutation { courts { acceptObjection(objectionId: "${report.courts.fileObjection.id}", accept: false, reason: "经核查无误") { id } } }`), 'officer decides it');
    // An administrator acting for a department, and changing the catalogue.
    ok(await recognise(ADMIN, 'tax', hub.demo.entriesByDepartment.get('tax')!.find((e) => e.subjectType === 'ORGANISATION')!.creditCode), 'admin acting for tax');
    ok(await hub.queryAs(ADMIN, `mutation { addMemorandum(input: { title: "长调用者备忘录", documentNumber: "发改财金〔2026〕999号", field: "测试", listTypes: ["BLACK"] }, effectiveFrom: "2099-01-01") { id } }`), "admin adds a memorandum");
    await hub.hub.settle();

    // An agency's screening, and its unmasked read with the longest purpose, registered whole.
    ok(await hub.queryAs(AGENCY, `mutation($c: [ID!]!) { screen(creditCodes: $c, scenario: GOVERNMENT_PROCUREMENT, reference: "ZB-1") { id } }`, { c: [code] }, PURPOSE), 'agency screens');
    const person = hub.demo.entriesByDepartment.get('courts')!.find((e) => e.subjectType === 'NATURAL_PERSON' && e.status === 'ACTIVE')!;
    const read = ok(await hub.queryAs(AGENCY, `query($c: ID!) { subject(creditCode: $c) { courts { entries { creditCode subjectName } } } }`, { c: person.creditCode }, PURPOSE), 'agency reads a person');
    expect(JSON.stringify(read)).toContain(person.subjectName);
    const rows = await hub.hub.subgraphs.get('platform')!.db(accessRegisterTable).where({ subject_code: person.creditCode, principal_id: AGENCY.sub });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows[0]).toMatchObject({ principal_id: AGENCY.sub, organisation: AGENCY.agency, purpose: PURPOSE.purpose, reference: PURPOSE.reference });

    // A partner's webhook, keyed by its owner.
    const webhook = ok(await hub.queryAs(PARTNER, `mutation($input: WebhookInput!) { registerWebhook(input: $input) { id } }`, {
      input: { url: 'http://127.0.0.1:9/hook', secret: 'a-webhook-secret-of-some-length', filter: { domains: ['COURTS'] } },
    }), 'partner registers a webhook');
    const mine = ok(await hub.queryAs(PARTNER, `{ webhooks { id } }`), 'partner lists its webhooks');
    expect(mine.webhooks.map((w: any) => w.id)).toContain(webhook.registerWebhook.id);
  });
});

describe('a longer claim, or one with a control character', () => {
  const refusals: [string, TokenClaims, RegExp][] = [
    ['a sub one character too long', { ...AGENCY, sub: ID('agency') + 'x' }, new RegExp(`"sub" is at most ${MAX_PRINCIPAL_ID_LENGTH} characters, this one has ${MAX_PRINCIPAL_ID_LENGTH + 1}`)],
    ['an agency one character too long', { ...AGENCY, agency: AGENCY.agency + 'x' }, new RegExp(`"agency" is at most ${RECORDED_LENGTHS.agency} characters`)],
    ['a sub with a line break', { ...OFFICER, sub: 'officer\nforged log line' }, /"sub" contains a control or invisible character/],
    ['an agency with a NUL', { ...PARTNER, agency: '某银行\u0000' }, /"agency" contains a control or invisible character/],
    ['a sub with a bidi override', { ...AGENCY, sub: 'agency-\u202Egnp.exe' }, /"sub" contains a control or invisible character/],
    ['a sub with a zero-width space', { ...AGENCY, sub: 'agency\u200B-1' }, /"sub" contains a control or invisible character/],
    // Stored as U+FFFD, it would no longer match its register record's hash, nor own its screenings.
    ['a sub with a lone surrogate', { ...AGENCY, sub: 'agency-\uD800-x' }, /"sub" is not well-formed Unicode/],
    ['an agency with a lone surrogate', { ...AGENCY, agency: '某局\uDC00' }, /"agency" is not well-formed Unicode/],
  ];
  for (const [what, claims, message] of refusals) {
    it(`is refused at the door: ${what}`, async () => {
      // Signed as the hub's issuer would, past the checks `npm run token` makes itself.
      const token = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256' }).setIssuer(DEVELOPMENT_ISSUER)
        .setAudience(configuration().JWT_AUDIENCE).setIssuedAt().setExpirationTime('5m').sign(developmentJwtSecret());
      const response = await postGraphQL(hub.url, `{ departments { name } }`, undefined, { authorization: `Bearer ${token}` });
      expect(response.status).toBe(401);
      expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(response.errors?.[0]?.message).toMatch(message);
    });
  }
});

describe("a webhook URL, measured as it is stored (the parser's percent-encoded form)", () => {
  const REGISTER = `mutation($input: WebhookInput!) { registerWebhook(input: $input) { id url } }`;
  const base = 'http://127.0.0.1:9/';
  // Each 审 is 9 characters once percent-encoded (%E5%AE%A1): the raw URL is far shorter than the stored one.
  const encodedTo = (length: number) => base + '审'.repeat(Math.floor((length - base.length) / 9)) + 'a'.repeat((length - base.length) % 9);
  const register = (url: string) => hub.queryAs(PARTNER, REGISTER, { input: { url, secret: 'a-webhook-secret-of-some-length' } });

  it('is taken at the column length, and stored whole', async () => {
    const url = encodedTo(2_000);
    expect(new URL(url).href.length).toBe(2_000);
    const registered = ok(await register(url), 'at the limit');
    expect(registered.registerWebhook.url).toBe(new URL(url).href);
  });

  it('is refused one character beyond, with its encoded length, not by the database', async () => {
    const url = encodedTo(2_001);
    expect(url.length).toBeLessThan(300);
    const response = await register(url);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input.url' });
    expect(response.errors?.[0]?.message).toBe('The webhook URL is 2001 characters once percent-encoded, more than 2000: shorten it');
  });
});

describe('a stated purpose', () => {
  it('with a lone surrogate (possible in connection params, which skip the UTF-8 step) is refused, not stored as U+FFFD', () => {
    expect(() => purposeFrom('审批\uD800', 'CG-1', false)).toThrow(/x-credithub-purpose is not well-formed Unicode/);
    expect(() => purposeFrom('审批', 'CG-\uDC00', false)).toThrow(/x-credithub-reference is not well-formed Unicode/);
    expect(purposeFrom('审批𠀀', 'CG-1', false)).toEqual({ purpose: '审批𠀀', reference: 'CG-1' });
  });
});

describe("a webhook's owner", () => {
  it('is matched exactly: a partner whose id differs only in case, accents or a trailing space sees none of its webhooks', async () => {
    const owner: TokenClaims = { role: 'partner', agency: '某银行', sub: 'Partner-Owner' };
    const registered = ok(await hub.queryAs(owner, `mutation($input: WebhookInput!) { registerWebhook(input: $input) { id } }`, {
      input: { url: 'http://127.0.0.1:9/owner', secret: 'a-webhook-secret-of-some-length' },
    }), 'the owner registers');
    for (const sub of ['partner-owner', 'Pártner-Owner', 'Partner-Owner ']) {
      const other = ok(await hub.queryAs({ ...owner, sub }, `{ webhooks { id } }`), sub);
      expect(other.webhooks.map((w: any) => w.id), JSON.stringify(sub)).not.toContain(registered.registerWebhook.id);
    }
    expect(ok(await hub.queryAs(owner, `{ webhooks { id } }`), 'the owner').webhooks.map((w: any) => w.id)).toContain(registered.registerWebhook.id);
  });
});
