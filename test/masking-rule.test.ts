/**
 * One masking rule: `personalValue` decides every personal value the hub shows, and each
 * path takes the value's marking from the SDL — GraphQL fields from the built schema, paths
 * outside GraphQL (a webhook's body) from the SDL text. Both readings must agree on every
 * `@personal` field of every subgraph, and the rule must fail closed.
 */
import { describe, expect, it } from 'vitest';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { subgraphs } from '../subgraphs/catalog.js';
import { parseSdl, subgraphTypeDefs } from '../subgraphs/kit/schema.js';
import { personalField, personalFieldInSdl, personalFields, personalValue, personalValuesInText, type PersonalDataRead } from '../subgraphs/kit/auth/masking.js';
import { principalOf } from './roles.js';

const PURPOSE = { purpose: '政府采购供应商资格审查', reference: 'CG-2026-1202' };
const PERSON = '110105199001011237';

describe('the marking of a personal field', () => {
  for (const module of subgraphs) {
    it(`reads the same from ${module.name}'s SDL text as from its built schema, for every @personal field`, () => {
      const typeDefs = subgraphTypeDefs(module);
      const fields = personalFields(buildSubgraphSchema({ typeDefs }));
      expect(fields.length, module.name).toBeGreaterThan(0);
      for (const field of fields) expect(personalFieldInSdl(typeDefs, `${field.type}.${field.field}`)).toEqual(field);
    });
  }

  it("gives the webhook's body the change feed's marking of a code", () => {
    const platform = subgraphs.find((m) => m.name === 'platform')!;
    const built = personalField(buildSubgraphSchema({ typeDefs: subgraphTypeDefs(platform) }), 'ChangeEvent.creditCode');
    expect(personalFieldInSdl(parseSdl(['platform.graphql']), 'ChangeEvent.creditCode')).toEqual(built);
    expect(built).toMatchObject({ mask: 'IDENTITY_NUMBER', when: 'NATURAL_PERSON' });
  });

  it('refuses a field the SDL does not mark, rather than showing it unmasked', () => {
    expect(() => personalFieldInSdl(parseSdl(['platform.graphql']), 'ChangeEvent.listKind')).toThrow(/not marked @personal/);
  });
});

describe('personalValue', () => {
  const field = { type: 'ListEntry', field: 'creditCode', mask: 'IDENTITY_NUMBER', when: 'NATURAL_PERSON' } as const;
  const read = (principal: ReturnType<typeof principalOf> | null, purpose: typeof PURPOSE | null, parent: unknown) => {
    const ctx = { principal, purpose, personalDataReads: [] as PersonalDataRead[] };
    return { value: personalValue(field, 'courts', PERSON, parent, ctx), reads: ctx.personalDataReads };
  };
  const person = { creditCode: PERSON, subjectType: 'NATURAL_PERSON', published: true };

  it('shows a person\'s value to a reader with the right and a purpose, and notes the read', () => {
    expect(read(principalOf({ role: 'agency', agency: '某局', sub: 'a' }), PURPOSE, person)).toEqual({
      value: PERSON,
      reads: [{ subgraph: 'courts', creditCode: PERSON, field: 'ListEntry.creditCode' }],
    });
  });

  it('masks it without a purpose, without the right, with no principal, or when its owner is unknown — and notes nothing', () => {
    const agency = principalOf({ role: 'agency', agency: '某局', sub: 'a' });
    for (const [why, principal, purpose, parent] of [
      ['no purpose', agency, null, person],
      ['a partner', principalOf({ role: 'partner', agency: '某银行', sub: 'p' }), PURPOSE, person],
      ['the public', principalOf(null), PURPOSE, person],
      ['no principal', null, PURPOSE, person],
      ['an unknown subject type, to the public', principalOf(null), null, { creditCode: PERSON }],
      ['no owner', agency, PURPOSE, {}],
    ] as const) {
      expect(read(principal, purpose, parent), why).toEqual({ value: '1101**********1237', reads: [] });
    }
  });

  it("shows an organisation's code as it is to anyone, and notes nothing", () => {
    expect(read(principalOf(null), null, { creditCode: PERSON, subjectType: 'ORGANISATION' })).toEqual({ value: PERSON, reads: [] });
  });
});

describe('personal values in free text', () => {
  const courts = subgraphs.find((m) => m.name === 'courts')!;
  const schema = buildSubgraphSchema({ typeDefs: subgraphTypeDefs(courts) });
  const person = { creditCode: '37020219650517567X', subjectName: '罗秀霞', subjectType: 'NATURAL_PERSON', published: true };
  const noOne = { principal: principalOf(null), purpose: null, personalDataReads: [] as PersonalDataRead[] };
  const masked = '当事人罗**（3702**********567X）';
  for (const [how, text] of [
    ['as stored', '当事人罗秀霞（37020219650517567X）'],
    ['with a lower-case check character', '当事人罗秀霞（37020219650517567x）'],
    ['in full-width forms', '当事人罗秀霞（３７０２０２１９６５０５１７５６７Ｘ）'],
    ['spaced out', '当事人罗 秀 霞（370202 19650517 567X）'],
    ['without the check character', '当事人罗秀霞（37020219650517567）'],
  ] as const) {
    it(`are found and masked when written ${how}`, () => {
      expect(personalValuesInText(text, person, 'ListEntry.facts', schema, 'courts', noOne)).toBe(masked);
    });
  }

  it('are masked longest first, so a name inside a longer one leaves nothing of it showing', () => {
    const representative = (name: string) => ({ creditCode: '91110000100000000X', subjectName: '某公司', subjectType: 'ORGANISATION', published: false, legalRepresentative: { name, owner: { creditCode: '91110000100000000X', published: false } } });
    expect(personalValuesInText('法定代表人马强艳丰', [representative('马强艳'), representative('马强艳丰')], 'FileRecord.details', schema, 'courts', noOne)).toBe('法定代表人马***');
  });
});
