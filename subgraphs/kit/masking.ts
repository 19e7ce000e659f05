/** Masking of personal data (1798 (11), 893 §4: 技术处理 before anything personal leaves the hub). */
import { checkSubjectCode } from './codes.js';

/** Masks an identity-like number, keeping the first 4 and last 4 characters: `1101**********1234`. */
export function maskIdentityNumber(value: string): string {
  if (value.length <= 8) return '*'.repeat(value.length);
  return value.slice(0, 4) + '*'.repeat(value.length - 8) + value.slice(-4);
}

/** Masks a person's name, keeping the family name (first character): `张**`. */
export function maskPersonName(value: string): string {
  const chars = Array.from(value);
  if (chars.length <= 1) return '*';
  return chars[0] + '*'.repeat(chars.length - 1);
}

/**
 * A credit code as it may appear where no one checks who reads it (error messages, receipts):
 * a valid organisation's code as it is, anything else — a natural person's identity number, or
 * a code that is not valid and may be a mistyped one — masked.
 */
export function codeForAnyone(code: string): string {
  // What a code is, as the hub decides it everywhere (an identity number is read as one first).
  const check = checkSubjectCode(code);
  return check.valid && check.kind === 'ORGANISATION' ? code : maskIdentityNumber(code);
}
