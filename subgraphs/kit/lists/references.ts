/**
 * A department's own decision numbers (决定文书号 / 案号) as the key of an idempotent write.
 * A department's case system retries what it is not sure was received: the same number with
 * the same content answers what was recorded the first time; the same number with other
 * content is a CONFLICT naming the record, never a second record.
 */
import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { badInput, ErrorCode, typedError } from '../errors.js';
import { characters, COLUMN_LIMITS } from './limits.js';

const MAX_REFERENCE_LENGTH = COLUMN_LIMITS.externalReference;

/** The most items one batch mutation takes (the gateway refuses longer lists, GRAPHQL_MAX_CODES). */
export const MAX_BATCH_ITEMS = 1000;

/** One item's answer in a batch: its value, or the typed error that refused it (nothing of it written). */
export type Outcome<T> = { value: T; error?: undefined } | { value?: undefined; error: GraphQLError };

/** Runs the checks of one item; a typed refusal becomes its outcome, anything else is a fault and is thrown. */
export function attempt<T>(check: () => T): Outcome<T> {
  try {
    return { value: check() };
  } catch (error) {
    if (error instanceof GraphQLError) return { error };
    throw error;
  }
}

/**
 * A decision number as it is compared and stored: NFKC-normalised (full-width （２０２６） and
 * half-width (2026) are one number), trimmed, inner runs of spaces made one, letters upper-cased —
 * so that a case system retrying with another input method's rendering of the same number is
 * recognised, not recorded twice.
 */
export const referenceKey = (raw: string) => raw.normalize('NFKC').trim().replace(/\s+/g, ' ').toUpperCase();

/** The reference as stored (`referenceKey`), null when none is given; a blank or overlong one is refused. */
export function externalReferenceOf(raw: string | null | undefined, argument = 'input.externalReference'): string | null {
  if (raw == null) return null;
  const reference = referenceKey(raw);
  if (!reference || characters(reference) > MAX_REFERENCE_LENGTH) {
    throw badInput(`externalReference must be the department's decision number, 1 to ${MAX_REFERENCE_LENGTH} characters; got ${reference ? `${characters(reference)} characters` : 'a blank one'}`, {
      argument,
    });
  }
  return reference;
}

/** Absent and null are the same; text is compared trimmed; keys in a fixed order. */
function canonical(value: unknown): unknown {
  if (typeof value === 'string') return value.trim();
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const present = Object.keys(value)
      .filter((key) => (value as Record<string, unknown>)[key] != null)
      .sort();
    return Object.fromEntries(present.map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
  }
  return value;
}

/** The digest of what defines a decision, so that a retry is recognised whatever its key order or spacing. */
export function contentDigest(content: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(canonical(content))).digest('hex');
}

/** `content` with each field of `applied` it leaves out filled with that value: what a decision's digest is taken over. */
export const withDefaults = (content: Record<string, unknown>, applied: Record<string, unknown>) =>
  Object.fromEntries(Object.entries({ ...applied, ...content }).map(([key, value]) => [key, value ?? applied[key]]));

/**
 * Whether a retry is the decision recorded under its number. A field a call leaves out means
 * "as recorded": the retry is compared with each defaulted field it omits filled with the value
 * the first call was given or defaulted to (`applied`, read from what was recorded), so that
 * spelling a default out and leaving it out are the same decision, in either order. Digests
 * recorded before defaults were filled in (over the fields as sent) are still accepted: a field
 * the retry omits, or spells out as recorded, is also tried left out.
 */
export function sameDecision(
  recorded: string | null | undefined,
  digestOf: (content: Record<string, unknown>) => string,
  sent: Record<string, unknown>,
  applied: Record<string, unknown>,
): boolean {
  if (!recorded) return false;
  const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
  let variants: Record<string, unknown>[] = [sent];
  for (const [key, value] of Object.entries(applied)) {
    if (sent[key] != null && !same(sent[key], value)) continue; // spelled out otherwise: compared as sent
    variants = variants.flatMap((variant) => [{ ...variant, [key]: value }, { ...variant, [key]: null }]);
  }
  return variants.some((variant) => digestOf(variant) === recorded);
}

/** What a recorded action was, for a message: `CONFIRM` the confirmation, `EXIT_EXPIRED` the exit (EXPIRED), `RECOGNISE` the recognition. */
export function actionName(action: string): string {
  if (action === 'RECOGNISE') return 'the recognition';
  if (action === 'CONFIRM') return 'the confirmation';
  if (action.startsWith('EXIT_')) return `the exit (${action.slice('EXIT_'.length)})`;
  return `the ${action.toLowerCase().replace(/_/g, ' ')}`;
}

/**
 * A decision number already recorded, for another decision: `what` names the recorded one (from
 * its action, not from the request), so a confirmation's number reused for an exit says "the confirmation".
 */
export const referenceConflict = (reference: string, entryId: string, what: string) =>
  typedError(
    ErrorCode.CONFLICT,
    `Decision number "${reference}" was already used for ${what} of entry ${entryId}, with different content: resend exactly that content to read the entry, or give this decision its own number`,
    { entryId, externalReference: reference, argument: 'input.externalReference' },
  );

/** A unique index refused a row: another writer recorded the same decision number first. */
export function isDuplicateKey(error: unknown): boolean {
  const code = (error as any)?.code ?? (error as any)?.cause?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** A batch found an entry changed by another writer since it read it: nothing of the batch is kept. */
export class ChangedMeanwhile extends Error {
  constructor() {
    super('An entry of the batch changed meanwhile');
  }
}

/**
 * Runs a write again when a concurrent writer got there first — took one of its decision
 * numbers, or moved one of its entries: the next run reads what the winner wrote and answers
 * from it (idempotent) or refuses (CONFLICT, INVALID_TRANSITION).
 */
export async function rereadAfterRace<T>(write: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attemptNo = 1; ; attemptNo++) {
    try {
      return await write();
    } catch (error) {
      if (!isDuplicateKey(error) && !(error instanceof ChangedMeanwhile)) throw error;
      if (attemptNo >= attempts) {
        throw typedError(ErrorCode.CONFLICT, `Other writers kept changing the same entries or decision numbers (${attempts} attempts): retry in a moment`);
      }
    }
  }
}
