/**
 * The list actions as a department's officer takes them through the gateway, shared by the
 * rule tests: a settable test clock, fresh subjects, `act` (one department mutation), and
 * recognise → confirm for black/key-attention (`listActive`) and red (`listRed`, after its
 * publicity) entries.
 */
import { expect } from 'vitest';
import type { TestHub } from './env.js';
import { identityNumber, organisationCode, random } from '../scripts/demo-data.js';
import type { TokenClaims } from '../scripts/token.js';
import { entriesTable } from '../subgraphs/kit/lists/tables.js';

/** A clock the test moves: `clock` goes to startTestHub. */
export function testClock(start = '2026-11-23T02:00:00.000Z') {
  let now = new Date(start);
  return {
    clock: () => now,
    today: () => now.toISOString().slice(0, 10),
    set: (instant: string) => {
      now = new Date(instant);
    },
    advanceDays: (days: number) => {
      now = new Date(now.getTime() + days * 86_400_000);
    },
  };
}

export const officer = (department: string): TokenClaims => ({ role: 'officer', department, sub: `officer-of-${department}` });
export const errorOf = (result: { errors?: any[] }) => result.errors?.[0]?.extensions ?? null;
export const REPAIR = { repairable: true, method: '整改并作出信用承诺，参加信用修复培训，提交信用报告', rectificationDeadline: '2029-12-01' };
/** A tax black-list recognition (RecogniseInput) of `creditCode` under its decision number, valid, as a batch item. */
export const taxBlackRecognition = (creditCode: string, externalReference: string, overrides: Record<string, unknown> = {}) => ({
  listKind: 'MAJOR_TAX_VIOLATION',
  creditCode,
  subjectName: '示例主体有限公司',
  facts: '虚开增值税专用发票',
  validUntil: '2030-06-01',
  repair: REPAIR,
  externalReference,
  ...overrides,
});

export interface ListActionsOptions {
  /** The hub, once started (in beforeAll). */
  hub: () => TestHub;
  clock: ReturnType<typeof testClock>;
  /** The seed of the subjects' codes, so each file lists its own subjects. */
  seed: number;
  /** The entry fields the actions answer. */
  entry: string;
}

export function listActions({ hub, clock, seed, entry: ENTRY }: ListActionsOptions) {
  const rng = random(seed);
  const newOrganisation = () => organisationCode(rng, '320508');
  const newPerson = () => identityNumber(rng, '320508');

  async function act(department: string, field: string, signature: string, variables: Record<string, unknown>, selection: string, as: TokenClaims | null = officer(department)) {
    const args = signature.split(',').map((part) => part.trim().split(':')[0].slice(1)).map((name) => `${name}: $${name}`).join(', ');
    const response = await hub().queryAs(as, `mutation(${signature}) { ${department} { ${field}(${args}) { ${selection} } } }`, variables);
    return { data: response.data?.[department]?.[field], errors: response.errors };
  }
  const recognise = (department: string, input: Record<string, unknown>, as?: TokenClaims) =>
    act(department, 'recognise', '$input: RecogniseInput!', { input: { subjectName: '示例主体有限公司', facts: '事实', validUntil: '2030-06-01', repair: REPAIR, ...input } }, ENTRY, as);
  const confirm = (department: string, entryId: string) => act(department, 'confirm', '$entryId: ID!', { entryId }, ENTRY);

  async function recogniseAndConfirm(department: string, input: Record<string, unknown>, publicityDays = 0) {
    const recognised = await recognise(department, input);
    expect(recognised.errors, JSON.stringify(recognised.errors)).toBeUndefined();
    if (publicityDays > 0) clock.advanceDays(publicityDays + 1);
    const confirmed = await confirm(department, recognised.data.id);
    expect(confirmed.errors, JSON.stringify(confirmed.errors)).toBeUndefined();
    return confirmed.data;
  }
  /** A black or key-attention entry, ACTIVE at once. */
  const listActive = (department: string, listKind: string, creditCode = newOrganisation(), extra: Record<string, unknown> = {}) =>
    recogniseAndConfirm(department, { listKind, creditCode, ...extra });
  /** A red entry, ACTIVE after its 5 days of publicity (the clock moves 6 days). */
  const listRed = (department: string, listKind: string, creditCode = newOrganisation()) =>
    recogniseAndConfirm(department, { listKind, creditCode, publicityDays: 5, repair: { repairable: false } }, 5);
  /** The entry's row in its department's table, or null once purged. */
  async function entry(department: string, id: string) {
    return (await hub().hub.subgraphs.get(department)!.db(entriesTable(department)).where({ id }).first()) ?? null;
  }

  return { newOrganisation, newPerson, act, recognise, confirm, listActive, listRed, entry };
}
