/**
 * The purpose headers are decoded, then validated: what unmasks personal data and is
 * registered is the text that was checked. Raw UTF-8 is read as UTF-8; what is blank,
 * carries control characters, is not UTF-8 or is too long is refused with a typed error
 * that says how to send it — and nothing is registered.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerHeaders, startTestHub, type TestHub } from './env.js';

let hub: TestHub;
let person: string;
let authorization: string;

beforeAll(async () => {
  hub = await startTestHub({ subjects: 100 });
  person = hub.demo.subjects.find((s) => s.subjectType === 'NATURAL_PERSON')!.creditCode;
  authorization = (await callerHeaders({ role: 'admin', sub: 'purpose-admin' })).authorization;
}, 120_000);
afterAll(() => hub?.stop());

/** POSTs with header values written byte for byte (latin1: one byte per character), as a raw client would. */
function postRaw(headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const body = JSON.stringify({ query: `{ subject(creditCode: "${person}") { name } }` });
  return new Promise((resolve, reject) => {
    const req = request(hub.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
    });
    req.on('error', reject);
    // A Buffer: a string body would make Node write the headers in its encoding (UTF-8), not byte for byte.
    req.end(Buffer.from(body));
  });
}

/** The bytes of `text` in UTF-8, as a header value string. */
const rawUtf8 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

const registered = async () => {
  const { data } = await hub.queryAs({ role: 'auditor', sub: 'a' }, `query($c: ID) { accessRegister(filter: { subjectCode: $c }, first: 100) { edges { node { purpose reference } } } }`, { c: person });
  return data.accessRegister.edges.map((e: any) => e.node);
};

describe('refused, and nothing registered', () => {
  const cases: [string, string, string, RegExp][] = [
    ['percent-encoded spaces', '%20', '%20', /blank/],
    ['spaces around nothing', '%20%20%E3%80%80', 'XK-1', /blank/],
    ['a zero-width space', '%E2%80%8B', 'XK-1', /blank/],
    ['NUL', '%00', 'XK-1', /control character/],
    ['NUL inside', 'check%00it', 'XK-1', /control character/],
    ['a line break', 'check%0Ait', 'XK-1', /control character/],
    ['a bell in the reference', 'check', 'XK%07', /control character/],
    ['a malformed escape', '%E8%A1', 'XK-1', /percent-encoded.*encodeURIComponent/],
    ['bytes that are not UTF-8', '\xe9t\xe9', 'XK-1', /neither ASCII nor UTF-8.*encodeURIComponent/],
    ['an over-long purpose', encodeURIComponent('审'.repeat(201)), 'XK-1', /at most 200 characters, this one has 201/],
    ['an over-long reference', 'check', 'R'.repeat(101), /at most 100 characters/],
    ['a purpose without a reference', 'check', '', /state both/],
  ];
  it.each(cases)('%s', async (_label, purpose, reference, message) => {
    const before = (await registered()).length;
    const headers: Record<string, string> = { 'x-credithub-purpose': purpose };
    if (reference) headers['x-credithub-reference'] = reference;
    const { status, body } = await postRaw(headers);
    expect(body.errors?.[0].message).toMatch(message);
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toMatch(message);
    expect(body.data ?? null).toBeNull();
    expect((await registered()).length).toBe(before);
  });
});

describe('accepted and registered as the text that was meant', () => {
  it.each([
    ['raw UTF-8', rawUtf8('行政许可审批前核查'), rawUtf8('XK-2026-甲'), '行政许可审批前核查', 'XK-2026-甲'],
    ['percent-encoded', encodeURIComponent('行政许可审批前核查'), encodeURIComponent('XK-2026-乙'), '行政许可审批前核查', 'XK-2026-乙'],
    ['trimmed after decoding', '%20%20check%20', '%09XK-3%20', 'check', 'XK-3'],
    ['200 characters exactly', encodeURIComponent('审'.repeat(200)), 'XK-4', '审'.repeat(200), 'XK-4'],
  ])('%s', async (_label, purpose, reference, storedPurpose, storedReference) => {
    const { status, body } = await postRaw({ 'x-credithub-purpose': purpose, 'x-credithub-reference': reference });
    expect(body.errors).toBeUndefined();
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.extensions?.personalData?.masked).toBeUndefined();
    expect(await registered()).toContainEqual({ purpose: storedPurpose, reference: storedReference });
  });

  it('no headers at all: masked, nothing registered, no error', async () => {
    const before = (await registered()).length;
    const { status, body } = await postRaw({});
    expect(status).toBe(200);
    expect(body.extensions.personalData.masked).toBe(true);
    expect((await registered()).length).toBe(before);
  });
});
