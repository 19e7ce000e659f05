/**
 * The stated purpose of use (x-credithub-purpose, x-credithub-reference): decoded first,
 * then validated, so what is registered is exactly the text that was checked.
 *
 * 1. HTTP header values reach Node as latin1 strings, one character per byte. A value with
 *    bytes above 0x7F is raw UTF-8 (as many clients send it): its bytes are decoded as
 *    UTF-8; bytes that are not UTF-8 are refused, saying how to send the text.
 * 2. Percent-encoding is decoded (`encodeURIComponent` on the client); a malformed escape is refused.
 * 3. The text is trimmed; blank (white space, invisible format characters), control
 *    characters (NUL included) and over-long values are refused.
 *
 * WebSocket connection params are already text: they skip step 1.
 */
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../subgraphs/kit/errors.js';
import { isWellFormedText, RECORDED_LENGTHS, type Purpose } from '../subgraphs/kit/auth/principal.js';

export const PURPOSE_HEADER = 'x-credithub-purpose';
export const REFERENCE_HEADER = 'x-credithub-reference';
/** As long as the access register records them. */
export const MAX_PURPOSE_LENGTH = RECORDED_LENGTHS.purpose;
export const MAX_REFERENCE_LENGTH = RECORDED_LENGTHS.reference;

const HOW_TO_SEND = 'send UTF-8 text percent-encoded (encodeURIComponent), e.g. x-credithub-purpose: %E8%A1%8C%E6%94%BF%E8%AE%B8%E5%8F%AF';

function refused(problem: string): GraphQLError {
  return new GraphQLError(`Purpose of use: ${problem}`, { extensions: { code: ErrorCode.BAD_USER_INPUT, http: { status: 400 } } });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A header value's bytes read as UTF-8 (ASCII stays as it is). */
function fromHeaderBytes(name: string, value: string): string {
  if (!/[^\x00-\x7F]/.test(value)) return value;
  try {
    return utf8.decode(Buffer.from(value, 'latin1'));
  } catch {
    throw refused(`${name} is neither ASCII nor UTF-8: ${HOW_TO_SEND}`);
  }
}

function percentDecoded(name: string, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw refused(`${name} has a "%" that is not a percent-encoded UTF-8 byte (write a literal % as %25): ${HOW_TO_SEND}`);
  }
}

// C0 and C1 control characters, DEL, and line/paragraph separators.
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/u;
// White space and invisible format characters (zero-width spaces, joiners, BOM, bidi marks).
const INVISIBLE = /[\s\p{Cf}]/gu;

function validated(name: string, text: string, maxLength: number): string {
  const trimmed = text.trim();
  // Connection params skip the UTF-8 step: a lone surrogate would be stored as U+FFFD, unlike what was checked.
  if (!isWellFormedText(trimmed)) throw refused(`${name} is not well-formed Unicode (a lone surrogate): ${HOW_TO_SEND}`);
  if (CONTROL.test(trimmed)) throw refused(`${name} contains a control character (NUL, line break, …): state the purpose as one line of text`);
  if (trimmed.replace(INVISIBLE, '') === '') throw refused(`${name} is blank: say why (purpose) and for which matter (reference)`);
  const length = [...trimmed].length;
  if (length > maxLength) throw refused(`${name} is at most ${maxLength} characters, this one has ${length}`);
  return trimmed;
}

function decode(name: string, raw: string, maxLength: number, fromHttpHeader: boolean): string {
  return validated(name, percentDecoded(name, fromHttpHeader ? fromHeaderBytes(name, raw) : raw), maxLength);
}

const present = (value: unknown): value is string => typeof value === 'string' && value !== '';

/**
 * The purpose of a request: both values or neither (null). `fromHttpHeader`: the values are
 * HTTP header values as Node gives them (latin1), rather than text.
 */
export function purposeFrom(purposeValue: unknown, referenceValue: unknown, fromHttpHeader: boolean): Purpose | null {
  if (Array.isArray(purposeValue) || Array.isArray(referenceValue)) throw refused(`send ${PURPOSE_HEADER} and ${REFERENCE_HEADER} once each`);
  if (!present(purposeValue) && !present(referenceValue)) return null;
  if (!present(purposeValue) || !present(referenceValue)) {
    throw refused(`state both ${PURPOSE_HEADER} (why) and ${REFERENCE_HEADER} (the matter it serves, e.g. an approval case number)`);
  }
  return {
    purpose: decode(PURPOSE_HEADER, purposeValue, MAX_PURPOSE_LENGTH, fromHttpHeader),
    reference: decode(REFERENCE_HEADER, referenceValue, MAX_REFERENCE_LENGTH, fromHttpHeader),
  };
}
