/**
 * Errors a client can trust: what the client got wrong is a 4xx with a documented code;
 * every path to a Subject answers every one of its leaves; a request without a token that
 * needs one is told to send one (401); production never suggests names; an over-long code
 * is neither echoed nor stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { createHash } from 'node:crypto';
import { postGraphQL, startTestHub, type TestHub } from './env.js';
import { startGateway, type RunningGateway } from '../gateway/server.js';

let hub: TestHub;
let production: RunningGateway;
let schema: GraphQLSchema;

beforeAll(async () => {
  hub = await startTestHub({ subjects: 300 });
  await hub.hub.settle();
  const subgraphUrls = Object.fromEntries([...hub.hub.subgraphs].map(([name, s]) => [name, s.url]));
  production = await startGateway({ subgraphUrls, production: true });
  schema = buildClientSchema((await hub.query(getIntrospectionQuery())).data);
}, 120_000);
afterAll(async () => {
  await production?.stop();
  await hub?.stop();
});

const post = async (url: string, body: unknown) => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, ...(await response.json()) };
};

describe('client errors are 4xx with their documented codes', () => {
  it('a syntax error is HTTP 400 GRAPHQL_PARSE_FAILED', async () => {
    for (const url of [hub.url, production.url]) {
      const response = await post(url, { query: '{ subject( }' });
      expect(response.status).toBe(400);
      expect(response.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
      expect(response.errors[0].message).toMatch(/Syntax Error/);
    }
  });

  it('a document over the token limit is HTTP 400 GRAPHQL_PARSE_FAILED', async () => {
    const codes = Array.from({ length: 11_000 }, () => '"914403001922038216"').join(',');
    const response = await post(hub.url, { query: `{ subjects(creditCodes: [${codes}]) { creditCode } }` });
    expect(response.status).toBe(400);
    expect(response.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(response.errors[0].message).toMatch(/tokens/);
  });

  it('an unknown operationName, or none among several operations, is HTTP 400 OPERATION_RESOLUTION_FAILURE', async () => {
    const unknown = await post(hub.url, { query: 'query A { __typename }', operationName: 'B' });
    expect(unknown.status).toBe(400);
    expect(unknown.errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
    expect(unknown.errors[0].message).toMatch(/"B".*operationName/);
    const ambiguous = await post(hub.url, { query: 'query A { __typename } query B { __typename }' });
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
  });

  it('a persisted query with a wrong hash is HTTP 400 BAD_REQUEST; an unknown hash PERSISTED_QUERY_NOT_FOUND', async () => {
    const query = '{ __typename }';
    const wrong = await post(hub.url, { query, extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } });
    expect(wrong.status).toBe(400);
    expect(wrong.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(wrong.errors[0].message).toMatch(/sha256Hash/);
    const hash = createHash('sha256').update('{ checkCreditCode(code: "x") { valid } }').digest('hex');
    const unknown = await post(hub.url, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(unknown.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const right = await post(hub.url, { query, extensions: { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') } } });
    expect(right.status).toBe(200);
    expect(right.data.__typename).toBe('Query');
  });
});

/** Every Subject leaf: its scalar fields, and the scalar fields of its object fields, where no argument is required. */
function subjectLeaves(): string {
  const subject = schema.getType('Subject') as GraphQLObjectType;
  const noRequiredArgs = (field: GraphQLField<unknown, unknown>) => field.args.every((a) => !isNonNullType(a.type) || a.defaultValue !== undefined);
  const scalarsOf = (type: GraphQLObjectType) =>
    Object.values(type.getFields()).filter((f) => noRequiredArgs(f) && !isObjectType(getNamedType(f.type))).map((f) => f.name);
  return Object.values(subject.getFields())
    .filter(noRequiredArgs)
    .map((field) => {
      const type = getNamedType(field.type);
      return isObjectType(type) ? `${field.name} { ${scalarsOf(type).join(' ')} }` : field.name;
    })
    .join(' ');
}

/** Every path from a root field to a field of type Subject, as [root, ...fields]. */
function pathsToSubject(root: GraphQLObjectType): string[][] {
  const paths: string[][] = [];
  const walk = (type: GraphQLObjectType, path: string[], seen: Set<string>) => {
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (!isObjectType(named)) continue;
      if (named.name === 'Subject') paths.push([...path, field.name]);
      else if (!seen.has(named.name) && path.length < 6) walk(named, [...path, field.name], new Set([...seen, named.name]));
    }
  };
  walk(root, [root.name], new Set());
  return paths;
}

describe('every path to a Subject answers every Subject leaf', () => {
  it('screen, screening, warningList, consolidatedList, subject, subjects — as the administrator, no error and no null', async () => {
    const code = hub.demo.subjects[0].creditCode;
    const screen = await hub.query(`mutation { screen(creditCodes: ["${code}"], scenario: GOVERNMENT_PROCUREMENT, reference: "R-1") { id } }`);
    const args: Record<string, string> = {
      'Query.subject': `(creditCode: "${code}")`,
      'Query.subjects': `(creditCodes: ["${code}"])`,
      'Query.warningList': '(first: 3)',
      'Query.consolidatedList': '(first: 3)',
      'Query.screening': `(id: "${screen.data.screen.id}")`,
      'Mutation.screen': `(creditCodes: ["${code}"], scenario: GOVERNMENT_PROCUREMENT, reference: "R-2")`,
    };
    const paths = [...pathsToSubject(schema.getQueryType()!), ...pathsToSubject(schema.getMutationType()!)];
    const roots = new Set(paths.map(([type, field]) => `${type}.${field}`));
    // A new path to a Subject must be added here, with arguments that reach a subject.
    expect([...roots].sort()).toEqual(Object.keys(args).sort());
    const leaves = subjectLeaves();
    expect(leaves).toMatch(/subjectType/);
    expect(leaves).toMatch(/regionCode/);
    for (const [type, ...fields] of paths) {
      const selection = fields.reduceRight((inner, field, i) => `${field}${i === 0 ? args[`${type}.${field}`] : ''} { ${inner} }`, leaves);
      for (const leaf of [leaves, 'subjectType', 'regionCode']) {
        const query = `${type === 'Mutation' ? 'mutation ' : ''}{ ${selection.replace(leaves, leaf)} }`;
        const { status, data, errors } = await hub.query(query);
        expect({ path: [type, ...fields].join('.'), leaf, status, errors }).toEqual({ path: [type, ...fields].join('.'), leaf, status: 200, errors: undefined });
        expect(data[fields[0]]).not.toBeNull();
        expect(JSON.stringify(data)).toMatch(/"subjectType":"(ORGANISATION|NATURAL_PERSON)"|"regionCode":"\d{6}"/);
      }
    }
  });
});

/** A value of `type` that passes validation and coercion (what it is does not matter: permissions run first). */
function dummy(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return dummy(type.ofType);
  if (isListType(type)) return [dummy(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0].value;
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((f) => isNonNullType(f.type) && f.defaultValue === undefined)
        .map((f) => [f.name, dummy(f.type)]),
    );
  }
  if (isScalarType(type)) {
    return { Int: 1, Float: 1, Boolean: true, Date: '2027-01-01', DateTime: '2027-01-01T00:00:00Z' }[type.name] ?? 'x';
  }
  throw new Error(`no dummy for ${String(type)}`);
}

/** Every mutation: each root field, and each action under a root field that groups actions (`tax { recognise }`). */
function everyMutation(): { name: string; query: string; variables: Record<string, unknown> }[] {
  const call = (field: GraphQLField<unknown, unknown>) => {
    const variables = Object.fromEntries(field.args.filter((a) => isNonNullType(a.type)).map((a) => [a.name, dummy(a.type)]));
    const declared = field.args.filter((a) => a.name in variables).map((a) => `$${a.name}: ${String(a.type)}`);
    const passed = field.args.filter((a) => a.name in variables).map((a) => `${a.name}: $${a.name}`);
    const selection = isObjectType(getNamedType(field.type)) ? ' { __typename }' : '';
    return { declared, text: `${field.name}${passed.length ? `(${passed.join(', ')})` : ''}${selection}`, variables };
  };
  const operations = [];
  for (const root of Object.values(schema.getMutationType()!.getFields())) {
    const type = getNamedType(root.type);
    if (isObjectType(type) && root.args.length === 0) {
      for (const action of Object.values(type.getFields())) {
        const { declared, text, variables } = call(action);
        operations.push({ name: `${root.name}.${action.name}`, query: `mutation${declared.length ? `(${declared.join(', ')})` : ''} { ${root.name} { ${text} } }`, variables });
      }
    } else {
      const { declared, text, variables } = call(root);
      operations.push({ name: root.name, query: `mutation${declared.length ? `(${declared.join(', ')})` : ''} { ${text} }`, variables });
    }
  }
  return operations;
}

describe('a mutation without a token', () => {
  it('is UNAUTHENTICATED with HTTP 401 and says to send a token — every mutation', async () => {
    const operations = everyMutation();
    expect(operations.length).toBeGreaterThan(20);
    for (const { name, query, variables } of operations) {
      const response = await postGraphQL(hub.url, query, variables);
      expect({ name, status: response.status, codes: response.errors?.map((e) => e.extensions?.code) }).toEqual({
        name,
        status: 401,
        codes: [expect.stringMatching(/^UNAUTHENTICATED$/)],
      });
      expect(response.errors![0].message).toMatch(/Bearer/);
    }
  });

  it('a query the public may make still answers 200', async () => {
    const response = await postGraphQL(hub.url, '{ checkCreditCode(code: "914403001922038216") { valid } }');
    expect(response.status).toBe(200);
  });
});

describe('production suggests no names', () => {
  it('no "Did you mean" for fields, enum values in the document or in variables', async () => {
    const cases: [string, Record<string, unknown>?][] = [
      ['{ subjekt(creditCode: "914403001922038216") { creditCode } }'],
      ['{ taxEntries(filter: { listTypes: [BLAK] }) { totalCount } }'],
      ['query($t: [ListType!]) { taxEntries(filter: { listTypes: $t }) { totalCount } }', { t: ['BLAK'] }],
      ['{ taxEntries(filter: { listTipes: [BLACK] }) { totalCount } }'],
    ];
    for (const [query, variables] of cases) {
      const development = await hub.query(query, variables);
      expect(development.errors![0].message).toMatch(/Did you mean/);
      const response = await postGraphQL(production.url, query, variables);
      expect(response.status).toBe(400);
      expect(response.errors![0].extensions?.code).toMatch(/GRAPHQL_VALIDATION_FAILED|BAD_USER_INPUT/);
      expect(JSON.stringify(response)).not.toMatch(/Did you mean|BLACK"/);
    }
  });
});

describe('an over-long code', () => {
  it('is not echoed: a 900 KB invalid code answers in under 1 KB', async () => {
    const huge = 'X'.repeat(900 * 1024);
    const response = await fetch(hub.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await import('./env.js').then((m) => m.callerHeaders({ role: 'admin' }))) },
      body: JSON.stringify({
        query: 'query($c: ID!, $s: String!) { subject(creditCode: $c) { name } checkCreditCode(code: $s) { code valid } }',
        variables: { c: huge, s: huge },
      }),
    });
    const text = await response.text();
    expect(text.length).toBeLessThan(1024);
    const body = JSON.parse(text);
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toMatch(/this one has 921600/);
    expect(body.data.checkCreditCode.valid).toBe(false);
  });

  it('a screening of 1,000 invalid 1,000-character codes stores and answers kilobytes, not megabytes', async () => {
    const codes = Array.from({ length: 1000 }, (_, i) => `${i}`.padEnd(1000, 'Q'));
    const response = await hub.query(
      'mutation($c: [ID!]!) { screen(creditCodes: $c, scenario: GOVERNMENT_PROCUREMENT, reference: "R-LONG") { id items { creditCode valid reason } } }',
      { c: codes },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data.screen.items.every((item: any) => !item.valid && item.creditCode.length <= 25)).toBe(true);
    expect(JSON.stringify(response).length).toBeLessThan(400_000);
    const platform = hub.hub.subgraphs.get('platform')!.db;
    const rows = await platform('platform_screenings').where({ id: response.data.screen.id });
    expect(rows).toHaveLength(1);
    // The codes alone are 1,000,000 characters: what is stored is the item's verdict and a prefix of its code.
    expect(JSON.stringify(rows[0]).length).toBeLessThan(400_000);
  });
});
