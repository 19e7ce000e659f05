/**
 * Subject codes: the key of every `Subject`.
 *
 * - Organisations: Unified Social Credit Code (统一社会信用代码), GB 32100-2015.
 * - Natural persons: citizen identity number (公民身份号码), GB 11643-1999, ISO 7064 MOD 11-2.
 *
 * Validation never throws: it returns either the normalised code with what it tells
 * (kind, administrative division) or the reason it is wrong, so callers can turn a bad
 * code into a per-item error or a request error as their API requires.
 */

export type SubjectKind = 'ORGANISATION' | 'NATURAL_PERSON';

export type CodeCheck =
  | { valid: true; code: string; kind: SubjectKind; regionCode: string }
  | { valid: false; code: string; reason: string };

/** GB 32100 alphabet: digits and capitals without I, O, S, V, Z. */
const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS = '10X98765432';

export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(first17[i]) * USCC_WEIGHTS[i];
  return USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

export function identityCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i];
  return ID_CHECK_CHARS[sum % 11];
}

function isRealDate(yyyymmdd: string): boolean {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1900 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function checkUscc(code: string): CodeCheck {
  for (let i = 0; i < 18; i++) {
    if (!USCC_ALPHABET.includes(code[i])) {
      return {
        valid: false,
        code,
        reason: `character ${i + 1} "${code[i]}" is not allowed in a unified social credit code (allowed: ${USCC_ALPHABET})`,
      };
    }
  }
  const division = code.slice(2, 8);
  if (!/^\d{6}$/.test(division) || !(PROVINCES.has(division.slice(0, 2)) || division.startsWith('10'))) {
    return { valid: false, code, reason: `characters 3–8 "${division}" must be the six-digit administrative division code of a province, city or county` };
  }
  const expected = usccCheckCharacter(code);
  if (code[17] !== expected) {
    return { valid: false, code, reason: `check character should be "${expected}", not "${code[17]}" (GB 32100)` };
  }
  return { valid: true, code, kind: 'ORGANISATION', regionCode: code.slice(2, 8) };
}

function checkIdentityNumber(code: string): CodeCheck {
  if (!/^\d{17}[\dX]$/.test(code)) {
    return { valid: false, code, reason: 'an identity number is 17 digits followed by a digit or X' };
  }
  if (!isRealDate(code.slice(6, 14))) {
    return { valid: false, code, reason: `characters 7–14 "${code.slice(6, 14)}" are not a valid date of birth` };
  }
  const expected = identityCheckCharacter(code);
  if (code[17] !== expected) {
    return { valid: false, code, reason: `check character should be "${expected}", not "${code[17]}" (GB 11643)` };
  }
  return { valid: true, code, kind: 'NATURAL_PERSON', regionCode: code.slice(0, 6) };
}

/**
 * Province-level division codes (GB/T 2260): the first two digits of an identity number,
 * and of the division part of an organisation's code ("10" there: central level).
 */
const PROVINCES = new Set([
  '11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65',
  '71', '81', '82', '83',
]);

/** How much of an over-long invalid code an answer or a stored screening repeats. */
export const MAX_ECHOED_CODE_LENGTH = 24;

/**
 * Checks a subject code. Surrounding white space is ignored and letters are upper-cased.
 * A code that can be an identity number (18 characters, digits and a final X, starting
 * with a province code) is read as one first; failing that, as a GB 32100 code, whose
 * division part must start with a province code too. When both readings fail, the
 * explanation is the one of the reading the code looks like.
 */
export function checkSubjectCode(raw: unknown): CodeCheck {
  if (typeof raw !== 'string') return { valid: false, code: String(raw), reason: 'a code must be a string' };
  const code = raw.trim().toUpperCase();
  if (code.length !== 18) {
    // Never echoed (in errors, screenings, logs) longer than a code could be.
    const shown = code.length > MAX_ECHOED_CODE_LENGTH ? `${code.slice(0, MAX_ECHOED_CODE_LENGTH)}…` : code;
    return { valid: false, code: shown, reason: `a code has 18 characters, this one has ${code.length}` };
  }
  const asOrganisation = checkUscc(code);
  if (!/^\d{17}[\dX]$/.test(code) || !PROVINCES.has(code.slice(0, 2))) return asOrganisation;
  const asIdentity = checkIdentityNumber(code);
  if (asIdentity.valid) return asIdentity;
  return asOrganisation.valid ? asOrganisation : asIdentity;
}
