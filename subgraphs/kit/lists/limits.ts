/**
 * How long the free text of a list entry may be, in characters: declared once, used by the
 * tables (`tables.ts` declares its columns with these lengths), by the lifecycle's checks
 * (a longer value is refused item by item with BAD_USER_INPUT naming its field) and by the
 * import tool's row check. A length is counted in Unicode code points, as MariaDB counts a
 * utf8mb4 VARCHAR.
 */
import { badInput } from '../errors.js';

/** Lengths of the VARCHAR columns that take what a department sends. */
export const COLUMN_LIMITS = {
  subjectName: 200,
  lei: 20,
  legalRepresentativeName: 100,
  legalRepresentativeIdNumber: 40,
  legalBasis: 500,
  notificationMethod: 200,
  /** History `evidence_ref`: an exit's or a recognition's evidence, an objection's or application's `reference`. */
  evidenceRef: 200,
  externalReference: 100,
  /** A repair step's issuer (a credit report's agency). */
  issuer: 200,
  /** An exit for a changed standard names it; recorded as the evidence `standard:<reference>@<YYYY-MM-DD>` (20 more characters). */
  standardReference: 180,
} as const;

/**
 * Caps on what goes into TEXT columns, which have no length of their own: a MariaDB TEXT
 * holds 65,535 bytes, 16,383 four-byte characters, so these stay well below it whatever the script.
 */
export const TEXT_LIMITS = {
  facts: 10_000,
  repairMethod: 2_000,
  /** An exit's reason, a confirmation's note (history `reason`, entry `exit_reason`); an objection's acceptance, finding, correction and apology; an early exit's decision. */
  reason: 2_000,
  /** An objection's grounds. */
  grounds: 10_000,
  /** A repair step's details, an interview's notes (the subject's file). */
  details: 5_000,
} as const;

export const characters = (text: string) => [...text].length;

/** Throws BAD_USER_INPUT naming `argument` when `text` is longer than `limit` characters. */
export function checkLength(text: string | null | undefined, limit: number, argument: string): void {
  if (text == null) return;
  const length = characters(text);
  if (length > limit) {
    const name = argument.replace(/^input\./, '');
    throw badInput(`${name} is at most ${limit} characters; got ${length}: shorten it`, { argument });
  }
}
