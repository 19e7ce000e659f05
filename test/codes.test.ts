/**
 * Rule: every Subject is keyed by a code that validates (GB 32100 for organisations,
 * GB 11643 for natural persons), and a wrong code is refused with a reason that says
 * what is wrong. The demo generator only ever produces valid, made-up codes.
 */
import { describe, expect, it } from 'vitest';
import { checkSubjectCode, identityCheckCharacter, usccCheckCharacter } from '../subgraphs/kit/codes.js';
import { generateDemoData, identityNumber, organisationCode, random } from '../scripts/demo-data.js';
import { departments } from '../subgraphs/catalog.js';
import { checkDemoRecognitions } from '../scripts/seed.js';
import { connect } from '../subgraphs/kit/db.js';

/** Real, published unified social credit codes. */
const REAL_CODES = ['914403001922038216', '91440300708461136T'];
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
/** The division codes the demo uses, and a few more. */
const REGIONS = ['110105', '110108', '310115', '310104', '440305', '440306', '440106', '330106', '320505', '410102', '510107', '500103', '650102'];

describe('unified social credit codes (GB 32100)', () => {
  it('accepts real published codes and tells what they are', () => {
    expect(checkSubjectCode('914403001922038216')).toEqual({ valid: true, code: '914403001922038216', kind: 'ORGANISATION', regionCode: '440300' });
    expect(checkSubjectCode('91440300708461136T')).toEqual({ valid: true, code: '91440300708461136T', kind: 'ORGANISATION', regionCode: '440300' });
    expect(usccCheckCharacter('91440300192203821')).toBe('6');
    expect(usccCheckCharacter('91440300708461136')).toBe('T');
  });

  it('rejects every wrong check character and names the expected one', () => {
    for (const real of REAL_CODES) {
      const expected = real[17];
      let tried = 0;
      for (const wrong of USCC_ALPHABET) {
        if (wrong === expected) continue;
        const check = checkSubjectCode(real.slice(0, 17) + wrong);
        expect(check.valid, `${real.slice(0, 17)}${wrong}`).toBe(false);
        expect(check.valid === false && check.reason).toBe(`check character should be "${expected}", not "${wrong}" (GB 32100)`);
        tried++;
      }
      expect(tried).toBe(30);
    }
  });

  it('normalises lower case and surrounding white space', () => {
    expect(checkSubjectCode('91440300708461136t')).toMatchObject({ valid: true, code: '91440300708461136T' });
    expect(checkSubjectCode('  914403001922038216\n')).toMatchObject({ valid: true, code: '914403001922038216' });
    expect(checkSubjectCode('\t91440300708461136t ')).toMatchObject({ valid: true, code: '91440300708461136T', regionCode: '440300' });
  });

  it('rejects the letters I, O, S, V and Z, naming the position', () => {
    const real = '91440300708461136T';
    for (const letter of ['I', 'O', 'S', 'V', 'Z']) {
      for (const position of [1, 10, 18]) {
        const code = real.slice(0, position - 1) + letter + real.slice(position);
        const check = checkSubjectCode(code);
        expect(check.valid, code).toBe(false);
        expect(check.valid === false && check.reason).toContain(`character ${position} "${letter}" is not allowed`);
      }
      // Lower case is upper-cased first, then refused the same way.
      const lower = checkSubjectCode(`9144030070846113${letter.toLowerCase()}T`);
      expect(lower.valid === false && lower.reason).toContain(`character 17 "${letter}" is not allowed`);
    }
  });

  it('rejects codes of the wrong length or type, saying so', () => {
    expect(checkSubjectCode('91440300708461136')).toMatchObject({ valid: false, reason: 'a code has 18 characters, this one has 17' });
    expect(checkSubjectCode('91440300708461136TT')).toMatchObject({ valid: false, reason: 'a code has 18 characters, this one has 19' });
    expect(checkSubjectCode(914403001922038216)).toMatchObject({ valid: false, reason: 'a code must be a string' });
    expect(checkSubjectCode('91ABCDEF708461136T')).toMatchObject({ valid: false, reason: expect.stringContaining('six-digit administrative division') });
  });
});

describe('citizen identity numbers (GB 11643)', () => {
  it('accepts a number ending in X, in either case, as a natural person', () => {
    expect(checkSubjectCode('11010519491231002X')).toEqual({ valid: true, code: '11010519491231002X', kind: 'NATURAL_PERSON', regionCode: '110105' });
    expect(checkSubjectCode(' 11010519491231002x ')).toEqual({ valid: true, code: '11010519491231002X', kind: 'NATURAL_PERSON', regionCode: '110105' });
    expect(identityCheckCharacter('11010519491231002')).toBe('X');
  });

  it('rejects a wrong check character and names the expected one', () => {
    expect(checkSubjectCode('110105194912310021')).toMatchObject({
      valid: false,
      reason: 'check character should be "X", not "1" (GB 11643)',
    });
    // A number whose check is a digit, given X instead.
    const valid = `44030519800101123${identityCheckCharacter('44030519800101123')}`;
    expect(valid.endsWith('X')).toBe(false);
    expect(checkSubjectCode(valid)).toMatchObject({ valid: true, kind: 'NATURAL_PERSON' });
    expect(checkSubjectCode(`${valid.slice(0, 17)}X`)).toMatchObject({
      valid: false,
      reason: `check character should be "${valid[17]}", not "X" (GB 11643)`,
    });
  });

  it('rejects numbers whose characters 7–14 are not a real date of birth', () => {
    for (const birth of ['19490230', '20231301', '19000000', '18991231']) {
      const first17 = `110105${birth}001`;
      // With the check character computed for the number: only the date is wrong.
      const code = first17 + identityCheckCharacter(first17);
      expect(checkSubjectCode(code).valid, code).toBe(false);
    }
  });

  // A code that looks like an identity number is explained as one.
  it('explains an impossible date of birth as such', () => {
    const first17 = '11010519490230001';
    const check = checkSubjectCode(first17 + identityCheckCharacter(first17));
    expect(check.valid === false && check.reason).toContain('"19490230" are not a valid date of birth');
  });

  // A mistyped identity number must not pass as an organisation whose GB 32100 check happens to fit.
  it('never accepts a mistyped identity number as an organisation', () => {
    // 11010519830115981 has identity check "6"; "9" is a typo, but is its GB 32100 check.
    expect(identityCheckCharacter('11010519830115981')).toBe('6');
    expect(checkSubjectCode('110105198301159819').valid).toBe(false);
  });
});

describe('demo codes are generated valid', () => {
  it('organisation codes and identity numbers validate over 10,000 draws each', () => {
    const rng = random(42);
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const region = REGIONS[i % REGIONS.length];
      const org = organisationCode(rng, region);
      const orgCheck = checkSubjectCode(org);
      expect(orgCheck, org).toEqual({ valid: true, code: org, kind: 'ORGANISATION', regionCode: region });
      const person = identityNumber(rng, region);
      const personCheck = checkSubjectCode(person);
      expect(personCheck, person).toEqual({ valid: true, code: person, kind: 'NATURAL_PERSON', regionCode: region });
      seen.add(org);
      seen.add(person);
    }
    // They are drawn, not constant.
    expect(seen.size).toBeGreaterThan(19_000);
  });

  // No identity number starts with 9: such codes are organisations even when a birth date seems to fit.
  it('tells organisations in division 110119 are organisations', () => {
    const rng = random(5);
    for (let i = 0; i < 10_000; i++) {
      const org = organisationCode(rng, '110119');
      expect(checkSubjectCode(org), org).toMatchObject({ valid: true, kind: 'ORGANISATION', regionCode: '110119' });
    }
  });
});

describe('demo data is deterministic and lists no real company', () => {
  const asJson = (data: ReturnType<typeof generateDemoData>) =>
    JSON.stringify({ subjects: data.subjects, entries: [...data.entriesByDepartment] });

  it('gives the same subjects and entries, byte for byte, for the same options', () => {
    const a = asJson(generateDemoData(departments, { subjects: 500, seed: 7, asOf: '2026-01-01' }));
    const b = asJson(generateDemoData(departments, { subjects: 500, seed: 7, asOf: '2026-01-01' }));
    expect(a).toBe(b);
    expect(JSON.parse(a).subjects).toHaveLength(500);
    // Options matter: another seed or another day gives other data.
    expect(asJson(generateDemoData(departments, { subjects: 500, seed: 8, asOf: '2026-01-01' }))).not.toBe(a);
    expect(asJson(generateDemoData(departments, { subjects: 500, seed: 7, asOf: '2025-01-01' }))).not.toBe(a);
  });

  it("holds every demo recognition to the hub's recognition checks as of when it was shared, and names one the hub would refuse", async () => {
    const db = connect('sqlite::memory:');
    try {
      for (const seed of [undefined, 1]) {
        const data = generateDemoData(departments, { subjects: 2000, seed });
        for (const department of departments) expect(() => checkDemoRecognitions(db, department, data.entriesByDepartment.get(department.name)!)).not.toThrow();
      }
      const entries = generateDemoData(departments, { subjects: 300 }).entriesByDepartment.get('tax')!;
      const broken = entries.find((entry) => !entry.followsEntryId)!;
      // Shared a day after its validity ended: a recognition then is refused.
      const late = { ...broken, createdAt: `${broken.validUntil}T12:00:00.000Z` };
      expect(() => checkDemoRecognitions(db, departments.find((d) => d.name === 'tax')!, [late])).toThrow(
        new RegExp(`tax entry ${broken.id} .*validUntil ${broken.validUntil} is not in the future`),
      );
    } finally {
      await db.destroy();
    }
  });

  it('gives every subject a unique valid code and never lists the real codes', () => {
    for (const seed of [undefined, 1, 2, 3]) {
      const data = generateDemoData(departments, { subjects: 2000, seed });
      const codes = data.subjects.map((s) => s.creditCode);
      expect(new Set(codes).size).toBe(codes.length);
      for (const subject of data.subjects) {
        expect(checkSubjectCode(subject.creditCode), subject.creditCode).toMatchObject({ valid: true, kind: subject.subjectType, regionCode: subject.regionCode });
      }
      const listed = [...data.entriesByDepartment.values()].flat().map((e) => e.creditCode);
      expect(listed.length).toBeGreaterThan(100);
      for (const real of REAL_CODES) {
        expect(codes).not.toContain(real);
        expect(listed).not.toContain(real);
      }
      // Every listed subject is a demo subject.
      const known = new Set(codes);
      expect(listed.filter((code) => !known.has(code))).toEqual([]);
    }
  });
});
