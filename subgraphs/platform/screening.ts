/**
 * Pre-approval screening (逢报必查、逢办必查, 003 §2; 1798 (12)): up to 1,000 codes in one
 * request. For each code, in input order: whether it is valid (an invalid code is a
 * per-item answer, never a failed batch), its active entries in every department (from the
 * platform's collection), the warning-list flag, the measures in force that day for the
 * scenario with their legal basis and the entries that trigger them, and a verdict.
 * Every screening is recorded, and comes with a signed receipt.
 *
 * A fixed number of statements whatever the batch size: entries, warning list, measures,
 * memorandums, the data version, and one insert.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { badInput, ErrorCode, typedError } from '../kit/errors.js';
import { checkSubjectCode } from '../kit/codes.js';
import { toIsoDate, type Clock } from '../kit/dates.js';
import { RECORDED_LENGTHS, type Principal } from '../kit/auth/principal.js';
import { entryVisibilityAcross, isVisible, ownsRecord, type DataOwner, type DepartmentRef } from '../kit/auth/policy.js';
import { codeForAnyone } from '../kit/masking.js';
import { SCENARIOS, type Scenario } from './memorandum-catalogue.js';
import type { Measure, MeasureCatalogue, Memorandum } from './measures.js';
import type { ReceiptKeys } from './receipts.js';
import type { MutationScreenArgs, Verdict } from './__generated__/resolvers-types.js';
import { tableRef } from '../kit/db.js';
import { collectedOffsets, entryIndex, warningList } from './collection.js';

/** Screenings' table: this module's; corrections and feedback go through `screenings`. */
export const screeningsTable = 'platform_screenings';
export const screenings = tableRef(screeningsTable);

/** The screenings' table (created by platform_004_joint_measures, measures.ts). */
export async function createScreeningsTable(db: Knex): Promise<void> {
  // 逢报必查: every screening, with what it found and the data it saw.
  await db.schema.createTable(screeningsTable, (t) => {
    t.string('id', 36).primary();
    t.string('principal_id', RECORDED_LENGTHS.who).notNullable();
    t.string('role', 16).notNullable();
    t.string('agency', RECORDED_LENGTHS.agency).nullable();
    t.string('region', 6).nullable();
    t.string('scenario', 48).notNullable();
    t.string('reference', 200).notNullable();
    t.string('screened_at', 24).notNullable();
    t.integer('codes').notNullable();
    t.text('result', 'longtext').notNullable();
    t.text('data_version').notNullable();
    t.text('receipt', 'longtext').notNullable();
    t.index(['agency', 'screened_at'], 'platform_screenings_by_agency');
  });
}

export async function dropScreeningsTable(db: Knex): Promise<void> {
  await db.schema.dropTable(screeningsTable);
}

export const MAX_CODES_PER_SCREENING = 1000;

export type { Verdict };

export interface ScreenedEntry {
  entryId: string;
  domain: string;
  listKind: string;
  listType: string;
  recognisedOn: string;
  validUntil: string;
}

export interface TriggeredMeasure {
  measure: Measure;
  memorandum: Memorandum;
  /** Entry ids, or WARNING_LIST, that trigger the measure. */
  triggeredBy: string[];
}

/**
 * A screened code's owner as the hub reads the code. An invalid one (perhaps a mistyped
 * identity number) names no one a read could be registered under: its owner is unknown, so
 * it is masked for every reader (masking fails closed).
 */
export function screenedCodeOwner(code: string): DataOwner {
  const check = checkSubjectCode(code);
  return check.valid ? { creditCode: code, subjectType: check.kind } : { creditCode: '' };
}

export interface ScreeningItem {
  index: number;
  creditCode: string;
  /** Whose code it is, for `@personal` on `creditCode` (kit/auth/masking.ts): a natural person's is masked without a purpose. */
  owner: DataOwner;
  valid: boolean;
  reason: string | null;
  regionCode: string | null;
  verdict: Verdict | null;
  onWarningList: boolean;
  activeEntries: ScreenedEntry[];
  measures: TriggeredMeasure[];
}

export interface ScreeningRecord {
  id: string;
  principalId: string;
  agency: string | null;
  scenario: Scenario;
  reference: string;
  screenedAt: string;
  asOf: string;
  items: ScreeningItem[];
  /** Per department: the last change event the platform had applied when it screened. */
  dataVersion: Record<string, number>;
  receipt: string;
}

/** The gateway gave up on the request (its deadline passed, the caller went away): stop, record nothing. */
function stopIfGivenUp(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw typedError(ErrorCode.SERVICE_UNAVAILABLE, 'The request was given up before the screening was recorded; nothing was recorded: screen again');
  }
}

export class ScreeningService {
  constructor(
    readonly db: Knex,
    readonly clock: Clock,
    readonly catalogue: MeasureCatalogue,
    readonly receipts: ReceiptKeys,
    /** Whose entries the collection holds, so each is screened with the visibility of its department. */
    readonly departments: readonly DepartmentRef[] = [],
  ) {}

  /** `signal`: the gateway gave up on the request; then nothing is recorded (checked before reading and before committing). */
  async screen(
    principal: Principal,
    input: MutationScreenArgs,
    signal?: AbortSignal,
  ): Promise<ScreeningRecord> {
    if (!SCENARIOS.includes(input.scenario)) throw badInput(`Unknown scenario ${input.scenario}: use one of ${SCENARIOS.join(', ')}`, { argument: 'scenario' });
    if (input.creditCodes.length === 0) throw badInput('Give at least one code to screen', { argument: 'creditCodes' });
    if (input.creditCodes.length > MAX_CODES_PER_SCREENING) {
      throw badInput(`At most ${MAX_CODES_PER_SCREENING} codes per screening, got ${input.creditCodes.length}: split the batch`, { argument: 'creditCodes' });
    }
    if (!input.reference?.trim() || input.reference.length > 200) {
      throw badInput('Give the reference of the application being approved (1–200 characters)', { argument: 'reference' });
    }
    stopIfGivenUp(signal);
    const now = this.clock();
    const asOf = toIsoDate(now);
    const checks = input.creditCodes.map((code) => checkSubjectCode(code));
    const validCodes = [...new Set(checks.flatMap((check) => (check.valid ? [check.code] : [])))];

    const [entryRows, warningRows, measures, memorandums, offsets] = await Promise.all([
      // Only the columns the screening index holds (platform_008), and the warning list's by-subject index: no row visits.
      validCodes.length
        ? entryIndex(this.db)
            .select('entry_id', 'credit_code', 'domain', 'list_kind', 'list_type', 'recognised_on', 'valid_until')
            .whereIn('credit_code', validCodes)
            .andWhere('status', 'ACTIVE')
        : Promise.resolve([]),
      validCodes.length ? warningList(this.db).select('credit_code').whereIn('credit_code', validCodes).whereNull('left_at') : Promise.resolve([]),
      this.catalogue.measuresInForce(asOf),
      this.catalogue.memorandumsInForce(asOf),
      collectedOffsets(this.db).select('source', 'last_seq'),
    ]);
    const entriesByCode = new Map<string, ScreenedEntry[]>();
    // Only the entries the screener may see, as a subject query shows them: its scopes decide the verdict too.
    const visibility = entryVisibilityAcross(principal, this.departments);
    // 1798 (8)(19): a subject on a black or key-attention list anywhere enjoys no red-list
    // incentive, even before the red list's department has applied that listing (the event
    // path's lag, or the department down) — whether or not the screener may see the listing.
    const disqualified = new Set((entryRows as any[]).filter((row) => row.list_type === 'BLACK' || row.list_type === 'KEY_ATTENTION').map((row) => row.credit_code));
    for (const row of entryRows as any[]) {
      if (!isVisible({ status: 'ACTIVE', listType: row.list_type, published: null }, visibility.of(row.domain))) continue;
      const list = entriesByCode.get(row.credit_code) ?? [];
      list.push({ entryId: row.entry_id, domain: row.domain, listKind: row.list_kind, listType: row.list_type, recognisedOn: row.recognised_on, validUntil: row.valid_until });
      entriesByCode.set(row.credit_code, list);
    }
    const onWarningList = new Set((warningRows as any[]).map((row) => row.credit_code));
    const memorandumById = new Map(memorandums.map((m) => [m.id, m]));
    const scenarioMeasures = measures.filter((m) => m.scenarios.includes(input.scenario) && memorandumById.has(m.memorandumId));

    const items: ScreeningItem[] = checks.map((check, index) => {
      if (!check.valid) {
        return { index, creditCode: check.code, owner: screenedCodeOwner(check.code), valid: false, reason: check.reason, regionCode: null, verdict: null, onWarningList: false, activeEntries: [], measures: [] };
      }
      const active = entriesByCode.get(check.code) ?? [];
      const warned = onWarningList.has(check.code);
      const triggered: TriggeredMeasure[] = [];
      for (const measure of scenarioMeasures) {
        if (measure.kind === 'INCENTIVE' && disqualified.has(check.code)) continue;
        const by = active.filter((entry) => measure.triggers.includes(entry.listKind)).map((entry) => entry.entryId);
        if (warned && measure.triggers.includes('WARNING_LIST')) by.push('WARNING_LIST');
        if (by.length) triggered.push({ measure, memorandum: memorandumById.get(measure.memorandumId)!, triggeredBy: by });
      }
      const verdict: Verdict = triggered.some((t) => t.measure.kind === 'PUNISHMENT')
        ? 'RESTRICT'
        : triggered.some((t) => t.measure.kind === 'INCENTIVE')
          ? 'INCENTIVE'
          : 'CLEAR';
      return { index, creditCode: check.code, owner: screenedCodeOwner(check.code), valid: true, reason: null, regionCode: check.regionCode, verdict, onWarningList: warned, activeEntries: active, measures: triggered };
    });

    const id = randomUUID();
    const screenedAt = now.toISOString();
    const dataVersion = Object.fromEntries((offsets as any[]).map((row) => [row.source, Number(row.last_seq)]));
    const receipt = await this.receipts.sign(
      {
        scenario: input.scenario,
        reference: input.reference,
        agency: principal.agency ?? principal.department ?? principal.id,
        screenedAt,
        asOf,
        dataVersion,
        // A natural person's identity number is personal data, and a receipt is readable by whoever holds it:
        // it carries the masked form; the screener knows its input order and the numbers it screened.
        items: items.map((item) => ({ code: receiptCode(item), valid: item.valid, verdict: item.verdict })),
      },
      id,
    );
    const record: ScreeningRecord = {
      id, principalId: principal.id, agency: principal.agency ?? null, scenario: input.scenario, reference: input.reference,
      screenedAt, asOf, items, dataVersion, receipt,
    };
    await this.db.transaction(async (trx) => {
      await trx(screeningsTable).insert(this.screeningRow(record, principal, items));
      // The insert may have waited for a lock past the gateway's deadline: no one awaits this record.
      stopIfGivenUp(signal);
    });
    return record;
  }

  private screeningRow(record: ScreeningRecord, principal: Principal, items: ScreeningItem[]) {
    const { id, scenario, reference, screenedAt, dataVersion, receipt } = record;
    return {
      id,
      principal_id: principal.id,
      role: principal.role,
      agency: principal.agency ?? principal.department ?? null,
      region: principal.region ?? null,
      scenario,
      reference,
      screened_at: screenedAt,
      codes: items.length,
      result: JSON.stringify(items.map(storedItem)),
      data_version: JSON.stringify(dataVersion),
      receipt,
    };
  }

  /** A recorded screening as stored: codes, verdicts, triggering entries and measure versions. */
  async find(id: string): Promise<{ row: any; items: StoredItem[] } | null> {
    const row = await this.db(screeningsTable).where({ id }).first();
    return row ? { row, items: JSON.parse(row.result) } : null;
  }

  async verifyReceipt(receipt: string) {
    try {
      const claims = await this.receipts.verify(receipt);
      return { valid: true, problem: null, screeningId: String(claims.sub), claims: JSON.stringify(claims) };
    } catch (error) {
      return { valid: false, problem: (error as Error).message, screeningId: null, claims: null };
    }
  }

  /** A screening is its screener's (by principal id, never by a name a token claims), and administrators'. */
  requireOwnScreening(principal: Principal, stored: { row: any } | null, id: string): void {
    if (!stored) throw typedError(ErrorCode.NOT_FOUND, `No screening "${id}"`);
    if (!ownsRecord(principal, stored.row.principal_id)) throw typedError(ErrorCode.FORBIDDEN, `Screening ${id} belongs to another principal`);
  }
}

/** How a receipt names a screened code: as anyone may see it (`codeForAnyone`), for a receipt is shown to others. */
const receiptCode = (item: ScreeningItem): string => codeForAnyone(item.creditCode);

export interface StoredItem {
  code: string;
  valid: boolean;
  verdict: Verdict | null;
  regionCode: string | null;
  measures: { id: string; version: number; kind: string; triggeredBy: string[]; domains: string[] }[];
}

function storedItem(item: ScreeningItem): StoredItem {
  const domainOf = new Map(item.activeEntries.map((e) => [e.entryId, e.domain]));
  return {
    code: item.creditCode,
    valid: item.valid,
    verdict: item.verdict,
    regionCode: item.regionCode,
    measures: item.measures.map((t) => ({
      id: t.measure.id,
      version: t.measure.version,
      kind: t.measure.kind,
      triggeredBy: t.triggeredBy,
      domains: [...new Set(t.triggeredBy.map((by) => domainOf.get(by) ?? by))],
    })),
  };
}
