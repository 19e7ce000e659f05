/**
 * The schema walk: finds the next open door by itself. From the composed schema (the
 * gateway's own), for every root query, the mutations that read (screen,
 * recordMeasureFeedback) and the subscription, for every principal of the matrix, with and
 * without a purpose, it builds one operation selecting every leaf reachable within a depth
 * (arguments from the demo data), runs it through the gateway and scans every value:
 * - no valid GB 11643 identity number and no demo natural person's name appears unmasked
 *   unless the principal may read personal data and stated a purpose (a code the caller
 *   itself gave, echoed back where the schema echoes it, excepted);
 * - every unmasked one has its record in the access register, under the person;
 * - no entry id appears that the policy (kit/auth/policy.ts) would not show the caller,
 *   computed from the departments' own tables.
 * Then every other mutation (they change state, so they run after every caller's reads), with
 * arguments from the demo data: its answer and its error messages are scanned the same way,
 * against the entries as they are after it. A new root field or type joins the walk without a
 * change here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { subscriptionSchema as gatewaySubscriptionSchema } from '../gateway/subscriptions.js';
import { readCheckedInSupergraph } from '../gateway/supergraph.js';
import {
  buildClientSchema, getIntrospectionQuery, getNamedType, isEnumType, isInputObjectType, isLeafType, isListType, isNonNullType,
  isObjectType, isAbstractType, type GraphQLArgument, type GraphQLField, type GraphQLInputType, type GraphQLNamedType, type GraphQLObjectType, type GraphQLSchema,
} from 'graphql';
import { callerHeaders, postGraphQL, setEnv, startTestHub, type TestHub } from './env.js';
import { identityNumber, random } from '../scripts/demo-data.js';
import { mintDevelopmentToken, type TokenClaims } from '../scripts/token.js';
import { departments } from '../subgraphs/catalog.js';
import { identityCheckCharacter } from '../subgraphs/kit/codes.js';
import { entryVisibility, exitNoticeVisibility, feedVisibility, isVisible, mayReadPersonalData } from '../subgraphs/kit/auth/policy.js';
import { PUBLIC_PRINCIPAL, principalFromClaims, type Principal } from '../subgraphs/kit/auth/principal.js';
import { accessRegisterTable } from '../subgraphs/platform/access-register-tables.js';

// Every log line of the walk (the hub runs in this process) goes to a file, read at the end.
const logDir = mkdtempSync(join(tmpdir(), 'credithub-walk-log-'));
setEnv({ LOG_DESTINATION: join(logDir, 'walk.log'), LOG_LEVEL: 'debug' });

const MAX_DEPTH = 7;
const PURPOSE = { purpose: '权限遍历核查', reference: 'WALK-1' };
/** Fields that echo a code the caller gave: not a disclosure when the value is one the caller sent. */
const ECHO_FIELDS = new Set(['Subject.creditCode', 'ScreeningItem.creditCode', 'CodeCheck.code']);
/** Root fields of the walk's mutations: they read, and change nothing another principal sees. */
const READING_MUTATIONS = ['screen', 'recordMeasureFeedback'];

interface Caller {
  name: string;
  claims: TokenClaims | null;
  purpose: boolean;
  principal: Principal;
}

const base: [string, TokenClaims | null][] = [
  ['public', null],
  ['agency-none', { role: 'agency', agency: '遍历机关', scopes: [] }],
  ['agency-red', { role: 'agency', agency: '遍历机关', scopes: ['read:red'] }],
  ['agency-black', { role: 'agency', agency: '遍历机关', scopes: ['read:black'] }],
  ['agency-all', { role: 'agency', agency: '遍历机关' }],
  ['partner', { role: 'partner', agency: '遍历银行' }],
  ['auditor', { role: 'auditor' }],
  ...departments.map((d): [string, TokenClaims] => [`officer-${d.name}`, { role: 'officer', department: d.name }]),
  ['admin', { role: 'admin' }],
];
const ALL = ['read:red', 'read:black', 'read:key_attention'];
const callers: Caller[] = base.flatMap(([name, claims]) =>
  [false, true].map((purpose) => {
    const sub = `walk-${name}-${purpose ? 'p' : 'n'}`;
    const withSub = claims && { ...claims, sub };
    const principal = withSub
      ? (principalFromClaims({ ...withSub, scopes: withSub.scopes ?? (['agency', 'partner'].includes(withSub.role) ? ALL : undefined) }, departments.map((d) => d.name)) as Principal)
      : PUBLIC_PRINCIPAL;
    return { name: `${name}${purpose ? '+purpose' : ''}`, claims: withSub, purpose, principal };
  }),
);

interface KnownEntry {
  id: string;
  department: string;
  status: string;
  listType: string;
  published: boolean;
  /** For an EXITED entry, the status it exited from (null: not ended). */
  previousStatus: string | null;
}

let hub: TestHub;
let schema: GraphQLSchema;
const subscriptionSchema = gatewaySubscriptionSchema(readCheckedInSupergraph());
let entries: Map<string, KnownEntry>;
/** Natural persons' names (none that is also a legal representative's: those are public on published lists). */
let personNames: Map<string, string[]>;
let person: string;
let organisation: string;
let adminScreening: { id: string; receipt: string };
let personEntry: string;
const counts = { operations: 0, mutationOperations: 0, values: 0, leaks: 0, unmaskedChecked: 0 };
/** Leaks found, per caller (its reads run beside others'). */
const leaks = new Map<string, string[]>();
const leaksOf = (caller: Caller) => leaks.get(caller.name) ?? [];

beforeAll(async () => {
  hub = await startTestHub({ subjects: 150 });
  // Natural persons on every list type and status they may be on: preliminary and publicity entries too.
  const rng = random(4711);
  for (const department of departments) {
    for (const list of department.lists.filter((l) => l.subjectTypes.includes('NATURAL_PERSON'))) {
      for (const publicityDays of [null, 5]) {
        const response = await hub.queryAs({ role: 'officer', department: department.name, sub: 'walk-seeder' },
          `mutation($input: RecogniseInput!) { ${department.subjectField} { recognise(input: $input) { id } } }`, {
            input: {
              listKind: list.kind, creditCode: identityNumber(rng, '110105'), subjectName: '欧阳遍历', facts: '事实', validUntil: '2029-06-01',
              publicityDays, notification: { notifiedOn: '2026-11-20', method: '书面告知' },
              repair: list.type === 'RED' ? { repairable: false } : { repairable: true, method: '整改', rectificationDeadline: '2029-01-01' },
            },
          });
        expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
      }
    }
  }
  await hub.hub.settle();
  const names = new Map<string, string[]>();
  const representatives = new Set<string>();
  for (const row of await loadEntries()) {
    if (row.subject_type === 'NATURAL_PERSON') names.set(row.subject_name, [...(names.get(row.subject_name) ?? []), row.credit_code]);
    if (row.legal_rep_name) representatives.add(row.legal_rep_name);
  }
  for (const subject of hub.demo.subjects) {
    if (subject.subjectType === 'NATURAL_PERSON') names.set(subject.name, [...(names.get(subject.name) ?? []), subject.creditCode]);
    if (subject.legalRepresentative?.name) representatives.add(subject.legalRepresentative.name);
  }
  for (const name of representatives) names.delete(name);
  personNames = names;
  const all = [...hub.demo.entriesByDepartment.values()].flat();
  // A natural person on an active black list whose measures restrict air and rail travel (the courts' 失信被执行人).
  const personal = all.find((e) => e.subjectType === 'NATURAL_PERSON' && e.status === 'ACTIVE' && e.listType === 'BLACK' && e.domain === 'COURTS')!;
  person = personal.creditCode;
  personEntry = personal.id;
  organisation = all.find((e) => e.subjectType === 'ORGANISATION' && e.status === 'ACTIVE' && e.legalRepresentative)!.creditCode;
  const screened = await hub.query(`mutation($c: [ID!]!) { screen(creditCodes: $c, scenario: AIR_RAIL_TRAVEL, reference: "WALK-ADMIN") { id receipt items { creditCode measures { measure { id } } } } }`, { c: [person, organisation] });
  adminScreening = screened.data.screen;
  // A published typical case of a natural person: every principal reads it.
  const measureId = screened.data.screen.items[0].measures[0].measure.id;
  const recorded = await hub.query(`mutation($input: FeedbackInput!) { recordMeasureFeedback(input: $input) { id } }`, {
    input: { screeningId: adminScreening.id, creditCode: person, measureId, outcome: 'APPLIED', caseReference: 'WALK-CASE', publish: true },
  });
  expect(recorded.errors).toBeUndefined();
  const introspection = await hub.query(getIntrospectionQuery());
  schema = buildClientSchema(introspection.data);
}, 120_000);
afterAll(async () => {
  await hub?.stop();
  rmSync(logDir, { recursive: true, force: true });
});

/** Every department's entries as its own tables hold them: the ground truth the policy is applied to. */
async function loadEntries(): Promise<any[]> {
  entries = new Map();
  const all: any[] = [];
  for (const department of departments) {
    const rows = await hub.hub.subgraphs.get(department.name)!.db(`${department.name}_entries`)
      .select('id', 'status', 'list_type', 'published', 'subject_type', 'subject_name', 'credit_code', 'legal_rep_name');
    // The status an ended entry had before its end (its history): the feed shows an exit where the entry could be seen before.
    const ends = await hub.hub.subgraphs.get(department.name)!.db(`${department.name}_entry_history`).where('to_status', 'EXITED').select('entry_id', 'from_status');
    const endedFrom = new Map(ends.map((row: any) => [row.entry_id, row.from_status ?? 'ACTIVE']));
    for (const row of rows) {
      entries.set(row.id, { id: row.id, department: department.name, status: row.status, listType: row.list_type, published: Boolean(row.published), previousStatus: endedFrom.get(row.id) ?? null });
    }
    all.push(...rows);
  }
  return all;
}

/** A value for a required argument, from its name and type. */
function valueFor(arg: GraphQLArgument | { name: string; type: GraphQLInputType }, context: { screeningId: string; codes: string[] }): unknown {
  const type = isNonNullType(arg.type) ? arg.type.ofType : arg.type;
  const named = getNamedType(type);
  const byName: Record<string, unknown> = {
    creditCode: context.codes[0], code: context.codes[0], creditCodes: context.codes, id: context.screeningId, screeningId: context.screeningId,
    receipt: adminScreening.receipt, from: '2020-01-01', to: '2026-12-31', reference: 'WALK-REF', webhookId: '1',
    entryId: personEntry, effectiveFrom: '2027-01-01',
  };
  if (arg.name in byName) return isListType(type) && !Array.isArray(byName[arg.name]) ? [byName[arg.name]] : byName[arg.name];
  if (isEnumType(named)) return isListType(type) ? [named.getValues()[0].value] : named.getValues()[0].value;
  if (isInputObjectType(named)) {
    return Object.fromEntries(Object.values(named.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined).map((f) => [f.name, valueFor(f, context)]));
  }
  if (named.name === 'Int') return 1;
  if (named.name === 'Boolean') return true;
  if (named.name === 'Date') return '2026-06-01';
  return 'WALK';
}

/** Every leaf of `type` within the depth, types not repeated along a path; arguments inline. */
function selectionOf(type: GraphQLNamedType, depth: number, path: string[], context: { screeningId: string; codes: string[] }): string | null {
  if (isAbstractType(type)) {
    const parts = schema.getPossibleTypes(type).map((t) => {
      const inner = selectionOf(t, depth, path, context);
      return inner ? `... on ${t.name} { ${inner} }` : '';
    });
    return `__typename ${parts.join(' ')}`;
  }
  if (!isObjectType(type)) return null;
  const fields: string[] = [];
  for (const field of Object.values((type as GraphQLObjectType).getFields())) {
    const args = argumentsOf(field, context);
    if (args === null) continue;
    const named = getNamedType(field.type);
    if (isLeafType(named)) fields.push(`${field.name}${args}`);
    else if (depth < MAX_DEPTH && !path.includes(named.name)) {
      const inner = selectionOf(named, depth + 1, [...path, named.name], context);
      if (inner) fields.push(`${field.name}${args} { ${inner} }`);
    }
  }
  return fields.length ? `__typename ${fields.join(' ')}` : null;
}

function argumentsOf(field: GraphQLField<unknown, unknown>, context: { screeningId: string; codes: string[] }): string | null {
  const required = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  if (!required.length) return '';
  return `(${required.map((a) => `${a.name}: ${literal(valueFor(a, context), a.type)}`).join(', ')})`;
}

function literal(value: unknown, type: GraphQLInputType): string {
  const named = getNamedType(type);
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, isListType(isNonNullType(type) ? type.ofType : type) ? (isNonNullType(type) ? type.ofType : type as any).ofType : type)).join(', ')}]`;
  if (isEnumType(named)) return String(value);
  if (value && typeof value === 'object') {
    const fields = isInputObjectType(named) ? named.getFields() : {};
    return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${literal(v, (fields as any)[k].type)}`).join(', ')} }`;
  }
  return JSON.stringify(value);
}

function isIdentityNumber(value: string): boolean {
  return /^\d{6}(19|20)\d{2}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d{3}[\dX]$/.test(value) && identityCheckCharacter(value.slice(0, 17)) === value[17];
}
const IDENTITY_IN_TEXT = /\d{17}[\dX]/g;

interface Found {
  /** Whose personal data it is: the person's code(s). */
  persons: string[];
  where: string;
}

/** Scans an answer: personal values unmasked, and entry ids outside what the caller may see. */
function scan(caller: Caller, value: unknown, typeName: string, path: string, supplied: Set<string>, door: Door, found: Found[]): void {
  const visit = (v: unknown, parentType: string | null, field: string, where: string) => {
    if (v == null) return;
    if (Array.isArray(v)) return v.forEach((item, i) => visit(item, parentType, field, `${where}[${i}]`));
    if (typeof v === 'object') {
      const objectType = (v as any).__typename ?? parentType;
      for (const [key, child] of Object.entries(v as object)) if (key !== '__typename') visit(child, objectType, key, `${where}.${key}`);
      return;
    }
    counts.values++;
    if (typeof v !== 'string') return;
    const coordinate = `${parentType}.${field}`;
    const echoed = ECHO_FIELDS.has(coordinate) && supplied.has(v);
    for (const candidate of v.match(IDENTITY_IN_TEXT) ?? []) {
      if (isIdentityNumber(candidate) && !echoed) found.push({ persons: [candidate], where: `${where} (${coordinate})` });
    }
    const named = personNames.get(v);
    if (named) found.push({ persons: named, where: `${where} (${coordinate})` });
    const entry = entries.get(v);
    if (entry && !mayShow(caller.principal, entry, door)) leak(caller, `${where} (${coordinate}): entry ${entry.id} (${entry.department} ${entry.listType} ${entry.status}${entry.published ? ' published' : ''}) is outside the caller's visibility`);
  };
  visit(value, typeName, '', path);
}

/** Which of the policy's visibilities a root field answers by; any other root field: the entries' (the strictest). */
type Door = 'feed' | 'entries' | 'exitNotices';
const DOOR_OF_ROOT: Record<string, Door> = { changes: 'feed', entryChanges: 'feed', exitNotices: 'exitNotices' };
const VISIBILITY_OF_DOOR = { feed: feedVisibility, entries: entryVisibility, exitNotices: exitNoticeVisibility };

/** What the caller may see of an entry: its own visibility, as the policy computes it. */
function mayShow(principal: Principal, entry: KnownEntry, door: Door): boolean {
  return isVisible(entry, VISIBILITY_OF_DOOR[door](principal, entry.department));
}

function leak(caller: Caller, message: string) {
  counts.leaks++;
  leaks.set(caller.name, [...leaksOf(caller), `${caller.name}: ${message}`]);
}

async function registeredPersons(principalId: string): Promise<Set<string>> {
  const rows = await hub.hub.subgraphs.get('platform')!.db(accessRegisterTable).where({ principal_id: principalId }).select('subject_code');
  return new Set(rows.map((row: any) => row.subject_code));
}

async function headersOf(caller: Caller) {
  return callerHeaders(caller.claims, caller.purpose ? PURPOSE : undefined);
}

/** Runs the operations of one caller and checks everything it got. */
async function walk(caller: Caller): Promise<void> {
  const headers = await headersOf(caller);
  const found: Found[] = [];
  const codes = [person, organisation];
  const supplied = new Set(codes);
  // The caller's own screening, for screening(id) and feedback; else the administrator's (refused to others).
  const own = caller.claims ? await postGraphQL(hub.url, `mutation($c: [ID!]!) { screen(creditCodes: $c, scenario: AIR_RAIL_TRAVEL, reference: "WALK") { id } }`, { c: codes }, headers) : null;
  const context = { screeningId: own?.data?.screen?.id ?? adminScreening.id, codes };
  const roots: [string, GraphQLObjectType, string[]][] = [
    ['query', schema.getQueryType()!, Object.keys(schema.getQueryType()!.getFields())],
    ['mutation', schema.getMutationType()!, READING_MUTATIONS],
  ];
  for (const [kind, rootType, names] of roots) {
    for (const name of names) {
      const field = rootType.getFields()[name];
      const args = argumentsOf(field, context);
      const named = getNamedType(field.type);
      const inner = isLeafType(named) ? '' : `{ ${selectionOf(named, 2, [named.name], context)} }`;
      const operation = `${kind} { ${name}${args} ${inner} }`;
      counts.operations++;
      const response = await postGraphQL(hub.url, operation, undefined, headers);
      const refused = response.errors?.find((e) => ['GRAPHQL_VALIDATION_FAILED', 'INTERNAL_SERVER_ERROR', 'GRAPHQL_PARSE_FAILED', 'SERVICE_UNAVAILABLE'].includes(e.extensions?.code));
      expect(refused, `${caller.name} ${name}: ${refused?.message}`).toBeUndefined();
      scan(caller, response.data, rootType.name, name, supplied, DOOR_OF_ROOT[name] ?? 'entries', found);
      if (response.errors) scan(caller, response.errors.map((e) => e.message), 'Error', `${name}.errors`, supplied, 'entries', found);
    }
  }
  if (caller.claims) await subscribeAndScan(caller, supplied, found);
  await check(caller, found);
}

async function subscribeAndScan(caller: Caller, supplied: Set<string>, found: Found[]): Promise<void> {
  // The gateway serves subscriptions beside Apollo Gateway, from its own schema.
  const field = subscriptionSchema.getSubscriptionType()!.getFields().changes;
  const token = await mintDevelopmentToken(caller.claims!);
  const client = createClient({
    url: hub.url.replace('http://', 'ws://'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true,
    connectionParams: { authorization: `Bearer ${token}`, ...(caller.purpose ? PURPOSE : {}) },
  });
  const inner = Object.values((getNamedType(field.type) as GraphQLObjectType).getFields()).map((f) => f.name).join(' ');
  counts.operations++;
  const events = await new Promise<unknown[]>((resolve) => {
    const received: unknown[] = [];
    let dispose = () => {};
    const done = () => (clearTimeout(timer), dispose(), resolve(received));
    const timer = setTimeout(done, 1500);
    dispose = client.subscribe({ query: `subscription { changes { ${inner} } }` }, {
      next: (message) => { received.push(message.data); if (received.length >= 300) done(); },
      error: (error) => (leak(caller, `the subscription failed: ${JSON.stringify(error)}`), done()),
      complete: () => done(),
    });
  });
  await client.dispose();
  scan(caller, events, 'Subscription', 'subscription.changes', supplied, 'feed', found);
}

async function check(caller: Caller, found: Found[]): Promise<void> {
  const allowed = mayReadPersonalData(caller.principal, caller.purpose ? PURPOSE : null);
  const registered = allowed ? await registeredPersons(caller.principal.id) : new Set<string>();
  for (const { persons, where } of found) {
    if (!allowed) leak(caller, `${where}: personal data of ${persons.join(' or ')} unmasked without the right and a purpose`);
    else {
      counts.unmaskedChecked++;
      if (!persons.some((p) => registered.has(p))) leak(caller, `${where}: personal data of ${persons.join(' or ')} read unmasked but not in the access register`);
    }
  }
}

/** Every other mutation, every leaf of its answer, with arguments from the demo data: answers and errors scanned. */
async function walkMutations(caller: Caller): Promise<void> {
  const headers = await headersOf(caller);
  const found: Found[] = [];
  const codes = [person, organisation];
  const context = { screeningId: adminScreening.id, codes };
  const mutation = schema.getMutationType()!;
  const answers: [string, unknown, unknown][] = [];
  for (const field of Object.values(mutation.getFields()).filter((f) => !READING_MUTATIONS.includes(f.name))) {
    const named = getNamedType(field.type);
    const inner = isLeafType(named) ? '' : `{ ${selectionOf(named, 2, [named.name], context)} }`;
    counts.operations++;
    counts.mutationOperations++;
    const response = await postGraphQL(hub.url, `mutation { ${field.name}${argumentsOf(field, context)} ${inner} }`, undefined, headers);
    const refused = response.errors?.find((e) => ['GRAPHQL_VALIDATION_FAILED', 'INTERNAL_SERVER_ERROR', 'GRAPHQL_PARSE_FAILED', 'SERVICE_UNAVAILABLE'].includes(e.extensions?.code));
    expect(refused, `${caller.name} ${field.name}: ${refused?.message}`).toBeUndefined();
    answers.push([field.name, response.data, response.errors?.map((e) => e.message)]);
  }
  await loadEntries(); // what the mutations recognised is checked against the policy too
  for (const [name, data, errors] of answers) {
    scan(caller, data, 'Mutation', name, new Set(codes), 'entries', found);
    scan(caller, errors, 'Error', `${name}.errors`, new Set(codes), 'entries', found);
  }
  await check(caller, found);
}

// Principals are independent: their reads run a few at a time.
describe.concurrent('the schema walk: reads', () => {
  it.each(callers.map((c) => [c.name, c] as const))('%s: every root field, every leaf — no personal data without right and purpose, every read registered, no entry outside its visibility', async (_name, caller) => {
    await walk(caller);
    expect(leaksOf(caller), leaksOf(caller).slice(0, 20).join('\n')).toEqual([]);
  }, 60_000);
});

describe('the schema walk: mutations, then the counts', () => {
  it.each(callers.map((c) => [c.name, c] as const))('%s: every other mutation (they change state: after the reads), answers and errors scanned', async (_name, caller) => {
    const before = leaksOf(caller).length;
    await walkMutations(caller);
    expect(leaksOf(caller).slice(before), leaksOf(caller).slice(before, before + 20).join('\n')).toEqual([]);
  }, 60_000);

  it('no log line of the whole walk carries a personal value: no natural person\'s name or ID number, no legal representative\'s ID number', () => {
    const lines = readFileSync(process.env.LOG_DESTINATION!, 'utf8').split('\n').filter(Boolean);
    const personal = new Set<string>();
    for (const [name, codes] of personNames) [name, ...codes].forEach((value) => personal.add(value));
    for (const subject of hub.demo.subjects) if (subject.legalRepresentative?.idDocumentNumber) personal.add(subject.legalRepresentative.idDocumentNumber);
    const leaking = lines.filter((line) => [...personal].some((value) => line.includes(value)));
    // The walk logged: one line per request at the gateway, one per subgraph call.
    expect(lines.filter((line) => JSON.parse(line).msg === 'request').length).toBeGreaterThanOrEqual(counts.operations - callers.length);
    expect(personal.size).toBeGreaterThan(50);
    expect(leaking.slice(0, 5)).toEqual([]);
  });

  it('walked every principal of the matrix', () => {
    const queries = Object.keys(schema.getQueryType()!.getFields()).length;
    const mutations = Object.keys(schema.getMutationType()!.getFields()).length;
    console.log(`permission walk: (${queries} queries + ${mutations} mutations) × ${callers.length} principals + 1 subscription × ${callers.filter((c) => c.claims).length} = ${counts.operations} operations; ${counts.values} values scanned; ${counts.unmaskedChecked} unmasked values checked against the register; ${counts.leaks} leaks`);
    expect(counts.operations).toBe(callers.length * (queries + mutations) + callers.filter((c) => c.claims).length);
    expect(counts.values).toBeGreaterThan(10_000);
    expect(counts.unmaskedChecked).toBeGreaterThan(0);
    expect(counts.leaks).toBe(0);
  });
});
