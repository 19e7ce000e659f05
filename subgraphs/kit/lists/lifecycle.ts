/**
 * The list lifecycle (名单管理), written once and configured per department: recognition,
 * publicity, exit in each of the ways the rules allow, escalation, expiry. Every
 * transition is one transaction {entry, history, outbox event}; rules that span
 * departments run on those events (see cross-department.ts), never by writing another
 * department's tables.
 *
 * Source sections are cited where each rule lives: "1798 (18)" is 发改财金规〔2017〕1798号
 * item (十八); "893 §3" is 发改办财金〔2018〕893号 part 三.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { GraphQLError } from 'graphql';
import { badInput, ErrorCode, isConcurrencyConflict, typedError } from '../errors.js';
import { addDays, toIsoDate, type Clock } from '../dates.js';
import { checkSubjectCode } from '../codes.js';
import { listDefinition, type DepartmentConfig, type ListDefinition, type ListType } from './department.js';
import type { Change, EntryStatus, LegalRepresentative, ListEntry, ListStore, Move, ReferencedAction } from './store.js';
import { exitApplicationsTable, foreignListingsTable, objectionsTable } from './tables.js';
import { inTransaction } from '../transactions.js';
import { openObjectionsOf } from './objections.js';
import { mayNameListing } from '../auth/policy.js';
import type { Principal } from '../auth/principal.js';
import { actionName, attempt, contentDigest, externalReferenceOf, referenceConflict, rereadAfterRace, sameDecision, withDefaults, type Outcome } from './references.js';
import { selectInChunks } from '../db.js';
import { checkLength, COLUMN_LIMITS, TEXT_LIMITS } from './limits.js';
import type { ConfirmInput, EscalateInput, ExitWay, RecogniseInput } from './__generated__/resolvers-types.js';

/** Stable codes of the errors a forbidden transition gets. */
const LifecycleError = ErrorCode;

/** The ways each list type may be left (1798 (18) black, (19) red; (16)–(18) key attention). */
const EXIT_WAYS: Record<ListType, ExitWay[]> = {
  BLACK: ['OBJECTION_UPHELD', 'CREDIT_REPAIR', 'VALIDITY_EXPIRED', 'STANDARD_CHANGED'],
  RED: ['OBJECTION_UPHELD', 'LISTED_FOR_DISHONESTY', 'INCENTIVE_ABUSE', 'VALIDITY_EXPIRED', 'STANDARD_CHANGED'],
  KEY_ATTENTION: ['OBJECTION_UPHELD', 'CREDIT_REPAIR', 'VALIDITY_EXPIRED', 'STANDARD_CHANGED', 'ESCALATED_TO_BLACK_LIST'],
};

/** Statuses an entry may be exited from: a preliminary or publicised entry may be withdrawn too. */
const EXITABLE: EntryStatus[] = ['PRELIMINARY', 'PUBLICITY', 'ACTIVE'];

/** What a department sends to recognise, confirm and escalate: the SDL's inputs (schema/shared/lists.graphql). */
export type { EscalateInput, RecogniseInput };
export type ConfirmRequest = ConfirmInput;

/** The legal representative as an entry keeps it: each field null when not given. */
const representativeOf = (input: RecogniseInput['legalRepresentative']): LegalRepresentative | null =>
  input ? { name: input.name ?? null, idDocumentType: input.idDocumentType ?? null, idDocumentNumber: input.idDocumentNumber ?? null } : null;

/**
 * The grounds each exit way stands on. There is no free `way`: an exit names its ground,
 * and the lifecycle checks the ground before anything changes (see `checkGrounds`).
 * 1798 (18): "一是经异议处理，“黑名单”主体认定有误的…删除；二是通过主动修复在“黑名单”有效期届满前提前退出，
 * 提前退出需经认定部门(单位)同意；三是待“黑名单”有效期届满自动退出；四是“黑名单”认定标准发生改变，
 * 对于不符合新认定标准的主体，将其从“黑名单”中删除。"
 * 1798 (19) for red: "二是有效期内被有关部门列入“黑名单”、重点关注名单或发现存在不当利用“红名单”奖励机制等不良行为的…删除".
 */
export type ExitGrounds =
  /** The validity has ended: the expiry worker, or an officer after `validUntil`. */
  | { way: 'VALIDITY_EXPIRED'; by: 'EXPIRY_WORKER' | 'OFFICER' }
  /** An approved early-exit application on a repairable entry (893 §13; 1798 (15)). */
  | { way: 'CREDIT_REPAIR'; applicationId: string }
  /** An objection upheld through `decideObjection` (1798 (21)–(23)). */
  | { way: 'OBJECTION_UPHELD'; objectionId: string }
  /** The recognition standard changed: which standard, in force from when. */
  | { way: 'STANDARD_CHANGED'; standardReference: string; standardEffectiveOn: string }
  /** Red only: the subject was put on a black or key-attention list (the cross-department rule). */
  | { way: 'LISTED_FOR_DISHONESTY'; listedEntryId: string }
  /** Red only: improper use of the incentives, with the evidence of it. */
  | { way: 'INCENTIVE_ABUSE'; evidenceRef: string }
  /** Key attention only: the black entry it was escalated to took effect (1798 (17)). */
  | { way: 'ESCALATED_TO_BLACK_LIST'; blackEntryId: string };

export interface ExitRequest {
  entryId: string;
  grounds: ExitGrounds;
  reason: string;
  evidenceRef?: string | null;
  /** Validity of the key-attention entry that follows a black-list exit (1798 (18)); the department default otherwise. */
  keyAttentionValidUntil?: string | null;
  /** The department's decision number of the exit (officers' exits; the hub's own rules have none). */
  externalReference?: string | null;
}

export interface ExitResult {
  exited: ListEntry;
  /** The key-attention entry the subject was put on, after a black-list exit other than a mistaken listing. */
  keyAttention: ListEntry | null;
}

const notFound = (id: string, department: string) =>
  typedError(LifecycleError.NOT_FOUND, `No entry "${id}" on the ${department} department's lists`, { entryId: id });

const invalidTransition = (entry: ListEntry, action: string, why: string) =>
  typedError(LifecycleError.INVALID_TRANSITION, `Cannot ${action} entry ${entry.id}: ${why}`, {
    entryId: entry.id,
    status: entry.status,
  });

const exitGroundsMissing = (entry: ListEntry, way: ExitWay, missingGround: string, why: string) =>
  typedError(LifecycleError.EXIT_GROUNDS_MISSING, `Entry ${entry.id} cannot exit by ${way}: ${why}`, {
    entryId: entry.id,
    way,
    missingGround,
  });

/** A legal representative's resident identity card number is checked against GB 11643 before anything is written. */
function checkLegalRepresentative(input: RecogniseInput): void {
  const representative = input.legalRepresentative;
  if (representative?.idDocumentType === 'RESIDENT_IDENTITY_CARD' && representative.idDocumentNumber) {
    const check = checkSubjectCode(representative.idDocumentNumber);
    if (!check.valid || check.kind !== 'NATURAL_PERSON') {
      throw badInput(`The legal representative's identity card number is not valid: ${check.valid ? 'it is an organisation code' : check.reason}`, {
        argument: 'input.legalRepresentative.idDocumentNumber',
      });
    }
  }
}

/** What a department sends about the subject fits its columns (limits.ts). */
function checkSubjectLengths(input: RecogniseInput): void {
  checkLength(input.subjectName, COLUMN_LIMITS.subjectName, 'input.subjectName');
  checkLength(input.lei, COLUMN_LIMITS.lei, 'input.lei');
  checkLength(input.legalRepresentative?.name, COLUMN_LIMITS.legalRepresentativeName, 'input.legalRepresentative.name');
  checkLength(input.legalRepresentative?.idDocumentNumber, COLUMN_LIMITS.legalRepresentativeIdNumber, 'input.legalRepresentative.idDocumentNumber');
}

/** The list types a red listing is refused and exited for (1798 (8)(19)). */
const DISQUALIFYING_FOR_RED: ListType[] = ['BLACK', 'KEY_ATTENTION'];

/**
 * The digest of what defines a recognition: what the department sent, its code normalised and
 * the defaults the recognition applies filled in (no publicity, the list's legal basis and
 * publication), so that a retry spelling out a default is the same decision. The reference
 * itself is the key, not content. `recognisedOn` is taken as applied (its default, today, moves):
 * a retry that omits it is compared with the recorded entry's date filled in (`sameDecision`).
 */
function recognitionDigest(list: ListDefinition, input: RecogniseInput & { creditCode: string }): string {
  return contentDigest({
    ...input,
    externalReference: null,
    publicityDays: input.publicityDays ?? 0,
    legalBasis: input.legalBasis ?? list.legalBasis,
    published: input.published ?? list.publishedByDefault,
  });
}

/** The digest recognitions were recorded under before defaults were filled in: their retries are still the same decision. */
const legacyRecognitionDigest = (input: RecogniseInput, creditCode: string) => contentDigest({ ...input, creditCode, externalReference: null });

/** What an exit asks, but its decision number: what its digest is taken over. */
function exitContent(request: ExitRequest): Record<string, unknown> {
  const { externalReference: _key, ...content } = request;
  return { action: 'EXIT', ...content };
}

export class ListLifecycle {
  constructor(
    readonly db: Knex,
    readonly department: DepartmentConfig,
    readonly store: ListStore,
    readonly clock: Clock,
  ) {}

  private today(): string {
    return toIsoDate(this.clock());
  }

  private now(): string {
    return this.clock().toISOString();
  }

  private requireList(kind: string): ListDefinition {
    const list = listDefinition(this.department, kind);
    if (!list) {
      throw badInput(
        `The ${this.department.name} department keeps no ${kind} list: choose one of ${this.department.lists.map((l) => l.kind).join(', ')}`,
        { argument: 'listKind' },
      );
    }
    return list;
  }

  private async requireEntry(id: string, trx: Knex.Transaction): Promise<ListEntry> {
    const entry = await this.store.findById(id, trx);
    if (!entry) throw notFound(id, this.department.name);
    return entry;
  }

  /**
   * Where is the subject ACTIVE on a list of these types, in any department, this one
   * included? (1798 (8) black; 1798 (19) key attention.) Domains by list type.
   */
  private async activeListingsAnywhere(creditCodes: readonly string[], types: ListType[], trx: Knex.Transaction): Promise<Map<string, Map<ListType, string[]>>> {
    const rows = await selectInChunks(creditCodes, (codes) =>
      trx(foreignListingsTable(this.department.name))
        .whereIn('credit_code', codes)
        .where('status', 'ACTIVE')
        .whereIn('list_type', types)
        .distinct('credit_code', 'domain', 'list_type'),
    );
    const found = new Map<string, Map<ListType, Set<string>>>();
    const add = (code: string, type: ListType, domain: string) => {
      const ofSubject = found.get(code) ?? found.set(code, new Map()).get(code)!;
      ofSubject.set(type, (ofSubject.get(type) ?? new Set()).add(domain));
    };
    for (const row of rows) add(row.credit_code, row.list_type, row.domain);
    for (const entry of await this.store.activeEntriesOfSubjects(creditCodes, types, trx)) add(entry.creditCode, entry.listType, this.department.domain);
    return new Map(
      [...found].map(([code, byType]) => [code, new Map([...byType].map(([type, domains]) => [type, [...domains].sort()]))]),
    );
  }

  /**
   * The checks of a recognition (认定), shared by `recognise` and escalation: validity
   * required and in the future; repair terms stated now (893 §2); a natural person
   * notified before listing (事前告知, 1798 (7)); red lists through publicity (1798 (8)).
   * Returns the new entry, not yet written.
   */
  private prepareRecognition(
    list: ListDefinition,
    subject: Pick<ListEntry, 'creditCode' | 'subjectName' | 'subjectType' | 'regionCode' | 'lei' | 'legalRepresentative'>,
    input: Omit<RecogniseInput, 'listKind' | 'creditCode' | 'subjectName' | 'lei' | 'legalRepresentative'>,
    argumentPrefix = 'input',
  ): ListEntry {
    const arg = (name: string) => `${argumentPrefix}.${name}`;
    if (!list.subjectTypes.includes(subject.subjectType)) {
      throw badInput(`The ${list.title} (${list.kind}) does not take ${subject.subjectType === 'NATURAL_PERSON' ? 'natural persons' : 'organisations'}`, {
        argument: arg('creditCode'),
      });
    }
    const today = this.today();
    const recognisedOn = input.recognisedOn ?? today;
    if (recognisedOn > today) throw badInput(`recognisedOn ${recognisedOn} is in the future`, { argument: arg('recognisedOn') });
    if (!input.validUntil) throw badInput('State until when the entry is valid (validUntil, a date in the future)', { argument: arg('validUntil') });
    if (!input.repair) {
      throw badInput('State whether and how the subject may repair its credit (repair: repairable, method) (893 §2)', { argument: arg('repair') });
    }
    if (input.validUntil <= today) {
      throw badInput(`validUntil ${input.validUntil} is not in the future: an entry needs a validity period that has not ended`, {
        argument: arg('validUntil'),
      });
    }
    if (!input.facts?.trim()) throw badInput('State the facts of the conduct (facts)', { argument: arg('facts') });
    checkLength(input.facts, TEXT_LIMITS.facts, arg('facts'));
    checkLength(input.legalBasis, COLUMN_LIMITS.legalBasis, arg('legalBasis'));
    checkLength(input.notification?.method, COLUMN_LIMITS.notificationMethod, arg('notification.method'));
    checkLength(input.repair.method, TEXT_LIMITS.repairMethod, arg('repair.method'));
    checkLength(input.evidenceRef, COLUMN_LIMITS.evidenceRef, arg('evidenceRef'));
    if (!subject.subjectName.trim()) throw badInput('State the subject name (subjectName)', { argument: arg('subjectName') });
    const publicityDays = input.publicityDays ?? 0;
    if (!Number.isInteger(publicityDays) || publicityDays < 0 || publicityDays > 90) {
      throw badInput('publicityDays must be a whole number of days from 0 to 90', { argument: arg('publicityDays') });
    }
    if (list.type === 'RED' && publicityDays < 1) {
      throw badInput('A red-list recognition goes through a publicity period first (1798 (8)): give publicityDays of at least 1', {
        argument: arg('publicityDays'),
      });
    }
    const publicityUntil = publicityDays > 0 ? addDays(today, publicityDays) : null;
    if (publicityUntil && publicityUntil >= input.validUntil) {
      // Case of a publicity outlasting validity: it could only be confirmed after validity ends.
      throw badInput(`The publicity period (until ${publicityUntil}) must end before validUntil ${input.validUntil}`, { argument: arg('publicityDays') });
    }
    if (subject.subjectType === 'NATURAL_PERSON' && list.type !== 'RED') {
      if (!input.notification) {
        throw typedError(
          LifecycleError.NOTIFICATION_REQUIRED,
          'A natural person is notified before listing (事前告知, 1798 (7)): record when and how in `notification`',
          { argument: arg('notification') },
        );
      }
      if (input.notification.notifiedOn > recognisedOn) {
        throw typedError(LifecycleError.NOTIFICATION_REQUIRED, `The notification (${input.notification.notifiedOn}) must come before recognition (${recognisedOn})`, {
          argument: arg('notification.notifiedOn'),
        });
      }
    }
    if (input.repair.repairable && !input.repair.method) {
      throw badInput('State how the subject can repair its credit (repair.method) when it may repair (893 §2)', { argument: arg('repair.method') });
    }
    if (input.repair.rectificationDeadline && input.repair.rectificationDeadline < recognisedOn) {
      throw badInput('The rectification deadline cannot be before recognition', { argument: arg('repair.rectificationDeadline') });
    }
    const now = this.now();
    return {
      id: randomUUID(),
      domain: this.department.domain,
      listKind: list.kind,
      listType: list.type,
      listName: list.title,
      creditCode: subject.creditCode,
      subjectName: subject.subjectName.trim(),
      subjectType: subject.subjectType,
      regionCode: subject.regionCode,
      lei: subject.lei ?? null,
      legalRepresentative: subject.legalRepresentative ?? null,
      facts: input.facts.trim(),
      recognisingAuthority: this.department.authority,
      legalBasis: input.legalBasis ?? list.legalBasis,
      recognisedOn,
      validFrom: recognisedOn,
      validUntil: input.validUntil,
      status: publicityDays > 0 ? 'PUBLICITY' : 'PRELIMINARY',
      published: input.published ?? list.publishedByDefault,
      publicityUntil,
      repair: {
        repairable: input.repair.repairable,
        method: input.repair.method ?? null,
        rectificationDeadline: input.repair.rectificationDeadline ?? null,
      },
      exit: null,
      // Recorded in the hub is shared: the platform collects it from the change event.
      sharedAt: now,
      notification: input.notification ?? null,
      followsEntryId: null,
      externalReference: null,
      externalDigest: null,
      createdAt: now,
      updatedAt: now,
    };
  }

  /**
   * Recognition (认定): a preliminary entry, or one in its publicity period when
   * `publicityDays` is given. A red-list candidate on any department's black or
   * key-attention list is refused (1798 (8)(19)).
   */
  async recognise(actor: string, input: RecogniseInput, reader?: Principal): Promise<ListEntry> {
    const [outcome] = await this.recogniseMany(actor, [input], reader);
    if (outcome.error) throw outcome.error;
    return outcome.value;
  }

  /**
   * The checks of one recognition that need no database: the entry to write, or a typed
   * error naming the field at fault. Pure: the same for a single recognition and a batch item.
   */
  checkRecognition(input: RecogniseInput): ListEntry {
    const list = this.requireList(input.listKind);
    const code = checkSubjectCode(input.creditCode);
    if (!code.valid) throw badInput(`"${code.code}" is not a valid credit code: ${code.reason}`, { argument: 'input.creditCode' });
    checkSubjectLengths(input);
    checkLegalRepresentative(input);
    const externalReference = externalReferenceOf(input.externalReference);
    const entry = this.prepareRecognition(
      list,
      {
        creditCode: code.code,
        subjectName: input.subjectName,
        subjectType: code.kind,
        regionCode: code.regionCode,
        lei: input.lei ?? null,
        legalRepresentative: representativeOf(input.legalRepresentative),
      },
      input,
    );
    const externalDigest = externalReference ? recognitionDigest(list, { ...input, creditCode: code.code, recognisedOn: entry.recognisedOn }) : null;
    return { ...entry, externalReference, externalDigest };
  }

  /**
   * Recognitions in bulk, answered in input order: each item through `checkRecognition` and the
   * red-list refusal, those that pass written together in one transaction (entries, history,
   * events in a few statements per 1,000), a refused item writing nothing. A decision number
   * already recorded, in the database or earlier in the batch, answers the recorded entry when the
   * content is the same and CONFLICT when it is not.
   */
  async recogniseMany(actor: string, inputs: readonly RecogniseInput[], reader?: Principal): Promise<Outcome<ListEntry>[]> {
    const checked = inputs.map((input) => attempt(() => this.checkRecognition(input)));
    const candidates = checked.flatMap((outcome) => (outcome.value ? [outcome.value] : []));
    const references = [...new Set(candidates.flatMap((entry) => (entry.externalReference ? [entry.externalReference] : [])))];
    const redCodes = [...new Set(candidates.filter((entry) => entry.listType === 'RED').map((entry) => entry.creditCode))];
    if (candidates.length === 0) return checked;
    return rereadAfterRace(() =>
      inTransaction(this.db, async (trx) => {
        const recorded = references.length ? await this.store.findByExternalReferences(references, trx) : new Map<string, ListEntry>();
        // One number, one decision: a number a confirmation or exit was recorded under is no recognition's.
        const actions = references.length ? await this.store.actionsByExternalReferences(references, trx) : new Map<string, ReferencedAction>();
        const listed = redCodes.length ? await this.activeListingsAnywhere(redCodes, DISQUALIFYING_FOR_RED, trx) : new Map();
        const toWrite: ListEntry[] = [];
        const outcomes = checked.map((outcome, index): Outcome<ListEntry> => {
          if (outcome.error) return outcome;
          const entry = outcome.value;
          const reference = entry.externalReference;
          const earlier = reference ? recorded.get(reference) : undefined;
          if (earlier) {
            const list = this.requireList(entry.listKind);
            const sent = { ...inputs[index], creditCode: entry.creditCode };
            const same =
              sameDecision(earlier.externalDigest, (content) => recognitionDigest(list, content as typeof sent), sent, { recognisedOn: earlier.recognisedOn }) ||
              sameDecision(earlier.externalDigest, (content) => legacyRecognitionDigest(content as RecogniseInput, entry.creditCode), inputs[index], { recognisedOn: earlier.recognisedOn });
            return same ? { value: earlier } : { error: referenceConflict(reference!, earlier.id, 'the recognition') };
          }
          const action = reference ? actions.get(reference) : undefined;
          if (action) return { error: referenceConflict(reference!, action.entryId, actionName(action.action)) };
          if (entry.listType === 'RED') {
            const refusal = this.redRefusal(entry.creditCode, listed.get(entry.creditCode), reader);
            if (refusal) return { error: refusal };
          }
          if (reference) recorded.set(reference, entry);
          toWrite.push(entry);
          return { value: entry };
        });
        await this.store.insertEntries(toWrite, actor, trx);
        return outcomes;
      }),
    );
  }

  /** Records in `listed` (as `activeListingsAnywhere` answers) that `entry` of this department is now in effect. */
  private addListing(listed: Map<string, Map<ListType, string[]>>, entry: ListEntry): void {
    const ofSubject = listed.get(entry.creditCode) ?? listed.set(entry.creditCode, new Map()).get(entry.creditCode)!;
    const domains = ofSubject.get(entry.listType) ?? [];
    if (!domains.includes(this.department.domain)) ofSubject.set(entry.listType, [...domains, this.department.domain].sort());
  }

  private async refuseRedWhileDisqualified(creditCode: string, trx: Knex.Transaction, reader?: Principal): Promise<void> {
    const listed = await this.activeListingsAnywhere([creditCode], DISQUALIFYING_FOR_RED, trx);
    const refusal = this.redRefusal(creditCode, listed.get(creditCode), reader);
    if (refusal) throw refusal;
  }

  /**
   * 1798 (8): "…黑名单主体不得列入红名单"; 1798 (19): a key-attention listing disqualifies too.
   * The refusal names only the listings `reader` may see (policy `mayNameListing`); without a
   * reader (the hub's own workers) it names them all. Null when the subject is listed nowhere.
   */
  private redRefusal(creditCode: string, listed: Map<ListType, string[]> | undefined, reader?: Principal): GraphQLError | null {
    if (!listed || listed.size === 0) return null;
    const own = { name: this.department.name, domain: this.department.domain };
    const nameable = (type: ListType) => (listed.get(type) ?? []).filter((domain) => !reader || mayNameListing(reader, type, domain, own));
    const blackIn = nameable('BLACK');
    const keyAttentionIn = nameable('KEY_ATTENTION');
    const hidden = [...listed.values()].reduce((n, domains) => n + domains.length, 0) > blackIn.length + keyAttentionIn.length;
    const where = [
      blackIn.length ? `the black list of ${blackIn.join(', ')}` : null,
      keyAttentionIn.length ? `the key-attention list of ${keyAttentionIn.join(', ')}` : null,
      hidden ? 'a list your scopes do not cover (an officer or agency whose scopes cover black and key-attention lists can say which)' : null,
    ].filter(Boolean);
    return typedError(
      LifecycleError.RED_LIST_BLOCKED,
      `${creditCode} is on ${where.join(' and ')}: a black-listed or key-attention subject does not enter a red list (1798 (8)(19))`,
      { creditCode, blackListedIn: blackIn, keyAttentionIn },
    );
  }

  /**
   * Final entry (正式认定): a preliminary entry, or one whose publicity period has ended
   * without an upheld objection, takes effect — within its validity only. A red entry is
   * checked against every black and key-attention list once more (1798 (8)(19)). A black
   * entry escalated from key attention takes the key-attention entry off as it takes
   * effect (1798 (17)).
   */
  async confirm(actor: string, request: ConfirmRequest, reader?: Principal): Promise<ListEntry> {
    const [outcome] = await this.confirmMany(actor, [request], reader);
    if (outcome.error) throw outcome.error;
    return outcome.value;
  }

  /**
   * Confirmations, one or many, answered in input order: every item through `confirmRefusal`
   * (the one guard of a confirmation), those that pass moved together in one transaction —
   * reads and writes in a few statements per 1,000, whatever the batch size. A decision number
   * already recorded answers the entry as it is now (same content) or CONFLICT (other content).
   */
  async confirmMany(actor: string, requests: readonly ConfirmRequest[], reader?: Principal): Promise<Outcome<ListEntry>[]> {
    const checked = requests.map((request) =>
      attempt(() => {
        checkLength(request.note, TEXT_LIMITS.reason, 'input.note');
        const externalReference = externalReferenceOf(request.externalReference);
        const externalDigest = externalReference ? contentDigest({ action: 'CONFIRM', entryId: request.entryId, note: request.note }) : null;
        return { request, externalReference, externalDigest };
      }),
    );
    return rereadAfterRace(() =>
      inTransaction(this.db, async (trx) => {
        const { recorded, recognised, current, ids } = await this.readActionBatch(trx, checked);
        const objections = await openObjectionsOf(trx, this.department.name, ids);
        const redCodes = [...new Set([...current.values()].filter((entry) => entry.listType === 'RED').map((entry) => entry.creditCode))];
        const listed = redCodes.length ? await this.activeListingsAnywhere(redCodes, DISQUALIFYING_FOR_RED, trx) : new Map<string, Map<ListType, string[]>>();
        const moves: Move[] = [];
        const outcomes = checked.map((item): Outcome<ListEntry> => {
          if (item.error) return item;
          const { request, externalReference: reference, externalDigest: digest } = item.value;
          const prior = reference ? recorded.get(reference) : undefined;
          if (prior) return prior.digest === digest ? { value: current.get(prior.entryId)! } : { error: referenceConflict(reference!, prior.entryId, actionName(prior.action)) };
          const recognition = reference ? recognised.get(reference) : undefined;
          if (recognition) return { error: referenceConflict(reference!, recognition.id, 'the recognition') };
          const entry = current.get(request.entryId);
          if (!entry) return { error: notFound(request.entryId, this.department.name) };
          const refusal = this.confirmRefusal(entry, objections.get(entry.id), listed.get(entry.creditCode), reader);
          if (refusal) return { error: refusal };
          const next: ListEntry = { ...entry, status: 'ACTIVE', updatedAt: this.now() };
          current.set(entry.id, next);
          // A black or key-attention entry taking effect disqualifies its subject for the red items after it, as a single confirmation after this one would see.
          if (DISQUALIFYING_FOR_RED.includes(next.listType)) this.addListing(listed, next);
          if (reference) recorded.set(reference, { entryId: entry.id, action: 'CONFIRM', digest });
          moves.push({
            from: entry,
            next,
            change: { action: 'CONFIRM', actor, eventType: 'ENTRY_ACTIVATED', reason: request.note ?? null, externalReference: reference, externalDigest: digest },
          });
          return { value: next };
        });
        await this.store.transitionMany(trx, moves);
        for (const { next } of moves) await this.exitEscalatedKeyAttention(trx, actor, next);
        return outcomes;
      }),
    );
  }

  /**
   * An exit already recorded under `reference`: the entry as it is now when the content is the
   * same, CONFLICT naming the entry when not; null for a new decision number.
   */
  private async entryOfRecordedAction(trx: Knex.Transaction, reference: string, same: (recorded: ReferencedAction) => boolean | Promise<boolean>): Promise<ListEntry | null> {
    const recorded = (await this.store.actionsByExternalReferences([reference], trx)).get(reference);
    if (!recorded) {
      const recognition = (await this.store.findByExternalReferences([reference], trx)).get(reference);
      if (recognition) throw referenceConflict(reference, recognition.id, 'the recognition');
      return null;
    }
    if (!(await same(recorded))) throw referenceConflict(reference, recorded.entryId, actionName(recorded.action));
    return this.requireEntry(recorded.entryId, trx);
  }

  /**
   * What a batch of confirmations or exits reads first: the actions already recorded under its
   * decision numbers, and, by id, the entries its items name or those actions concern — kept
   * as the batch leaves them, so that a second item on an entry sees the first one's change.
   */
  private async readActionBatch(trx: Knex.Transaction, items: readonly Outcome<{ request: { entryId: string }; externalReference: string | null }>[]) {
    const references = items.flatMap((item) => (item.value?.externalReference ? [item.value.externalReference] : []));
    const recorded = await this.store.actionsByExternalReferences(references, trx);
    // One number, one decision: the entries recognised under these numbers, to refuse them for a confirmation or exit.
    const recognised = references.length ? await this.store.findByExternalReferences(references, trx) : new Map<string, ListEntry>();
    const named = items.flatMap((item) => (item.value ? [item.value.request.entryId] : []));
    const ids = [...new Set([...named, ...[...recorded.values()].map((action) => action.entryId)])];
    return { recorded, recognised, current: await this.store.findByIdsIn(ids, trx), ids };
  }

  /**
   * Why an entry may not take effect now, or null: the guard of every confirmation, single or
   * batched, from what was read for it (its open objection, the subject's disqualifying listings).
   */
  private confirmRefusal(entry: ListEntry, openObjectionId: string | undefined, listed: Map<ListType, string[]> | undefined, reader?: Principal): GraphQLError | null {
    if (entry.status !== 'PRELIMINARY' && entry.status !== 'PUBLICITY') {
      return invalidTransition(entry, 'confirm', `it is ${entry.status}, only a PRELIMINARY or PUBLICITY entry can be confirmed`);
    }
    if (entry.status === 'PUBLICITY' && entry.publicityUntil && this.today() < entry.publicityUntil) {
      return typedError(LifecycleError.PUBLICITY_NOT_OVER, `The publicity period of entry ${entry.id} runs until ${entry.publicityUntil}`, { entryId: entry.id });
    }
    if (this.today() > entry.validUntil) {
      return typedError(
        LifecycleError.VALIDITY_ENDED,
        `Entry ${entry.id} was valid until ${entry.validUntil}: an entry whose validity has ended does not take effect; recognise anew if the grounds still hold`,
        { entryId: entry.id, validUntil: entry.validUntil },
      );
    }
    if (openObjectionId) {
      return typedError(LifecycleError.OBJECTION_PENDING, `Objection ${openObjectionId} against entry ${entry.id} is still open: decide it first (1798 (8))`, {
        entryId: entry.id,
      });
    }
    return entry.listType === 'RED' ? this.redRefusal(entry.creditCode, listed, reader) : null;
  }

  /** A black entry escalated from key attention takes the key-attention entry off as it takes effect (1798 (17)). */
  private async exitEscalatedKeyAttention(trx: Knex.Transaction, actor: string, confirmed: ListEntry): Promise<void> {
    if (confirmed.listType !== 'BLACK' || !confirmed.followsEntryId) return;
    const keyAttention = await this.store.findById(confirmed.followsEntryId, trx);
    if (keyAttention?.listType === 'KEY_ATTENTION' && keyAttention.status === 'ACTIVE') {
      await this.exitIn(trx, actor, {
        entryId: keyAttention.id,
        grounds: { way: 'ESCALATED_TO_BLACK_LIST', blackEntryId: confirmed.id },
        reason: `转入黑名单（条目 ${confirmed.id}）`,
        evidenceRef: `entry:${confirmed.id}`,
      });
    }
  }

  /**
   * Checks the ground an exit stands on, inside the exit's transaction; throws
   * EXIT_GROUNDS_MISSING (or REPAIR_NOT_ALLOWED) naming what is missing.
   */
  private async checkGrounds(trx: Knex.Transaction, entry: ListEntry, grounds: ExitGrounds): Promise<string | null> {
    const today = this.today();
    switch (grounds.way) {
      case 'VALIDITY_EXPIRED':
        // 1798 (18) 三: "待“黑名单”有效期届满自动退出".
        if (today <= entry.validUntil) {
          throw exitGroundsMissing(entry, grounds.way, 'validity ended', `its validity runs until ${entry.validUntil}; it exits on expiry only after that day`);
        }
        return null;
      case 'CREDIT_REPAIR': {
        // 1798 (15): "对可通过履行相关义务纠正失信行为的“黑名单”主体，可在履行相关义务后，向认定部门（单位）提交相关材料申请退出";
        // 1798 (18) 二: "提前退出需经认定部门(单位)同意".
        if (!entry.repair.repairable || entry.listType === 'RED') {
          throw typedError(LifecycleError.REPAIR_NOT_ALLOWED, `Entry ${entry.id} was listed as not repairable: it cannot exit by credit repair (893 §2)`, {
            entryId: entry.id,
            way: grounds.way,
            missingGround: 'repairable entry',
          });
        }
        if (entry.status !== 'ACTIVE') throw exitGroundsMissing(entry, grounds.way, 'active entry', `it is ${entry.status}; only an ACTIVE entry is repaired`);
        const application = await trx(exitApplicationsTable(this.department.name)).where({ id: grounds.applicationId, entry_id: entry.id }).first();
        if (application?.status !== 'APPROVED') {
          throw exitGroundsMissing(entry, grounds.way, 'approved early-exit application', 'credit repair exits only through an approved early-exit application (applyForEarlyExit, decideEarlyExit)');
        }
        return `exit-application:${application.id}`;
      }
      case 'OBJECTION_UPHELD': {
        const objection = await trx(objectionsTable(this.department.name)).where({ id: grounds.objectionId, entry_id: entry.id }).first();
        if (objection?.status !== 'UPHELD') {
          throw exitGroundsMissing(entry, grounds.way, 'upheld objection', 'a mistaken listing exits only through an objection upheld by decideObjection');
        }
        return `objection:${objection.id}`;
      }
      case 'STANDARD_CHANGED': {
        const reference = grounds.standardReference?.trim();
        if (!reference) throw exitGroundsMissing(entry, grounds.way, 'standard reference', 'name the new recognition standard (standardReference: its document number)');
        const effective = grounds.standardEffectiveOn;
        if (!/^\d{4}-\d{2}-\d{2}$/.test(effective ?? '')) {
          throw exitGroundsMissing(entry, grounds.way, 'standard effective date', 'give the date the new standard took effect (standardEffectiveOn)');
        }
        if (effective > today) {
          throw exitGroundsMissing(entry, grounds.way, 'standard in force', `the standard ${reference} takes effect on ${effective}, not yet`);
        }
        if (effective <= entry.recognisedOn) {
          throw exitGroundsMissing(
            entry,
            grounds.way,
            'standard changed after recognition',
            `the entry was recognised on ${entry.recognisedOn}, under the standard in force from ${effective}: the standard has not changed since`,
          );
        }
        // Recorded as the exit's evidence, `standard:<reference>@<date>`: a longer reference is refused, never cut.
        checkLength(reference, COLUMN_LIMITS.standardReference, 'input.grounds.standardReference');
        return `standard:${reference}@${effective}`;
      }
      case 'LISTED_FOR_DISHONESTY': {
        const listing = await trx(foreignListingsTable(this.department.name))
          .where({ entry_id: grounds.listedEntryId, credit_code: entry.creditCode, status: 'ACTIVE' })
          .whereIn('list_type', DISQUALIFYING_FOR_RED)
          .first();
        if (!listing) {
          throw exitGroundsMissing(entry, grounds.way, 'active black or key-attention listing', `no active black or key-attention listing ${grounds.listedEntryId} of this subject is known`);
        }
        return `listing:${grounds.listedEntryId}`;
      }
      case 'INCENTIVE_ABUSE':
        if (!grounds.evidenceRef?.trim()) {
          throw exitGroundsMissing(entry, grounds.way, 'evidence of the abuse', 'give the evidence of the improper use of the incentives (evidenceRef)');
        }
        return grounds.evidenceRef.trim();
      case 'ESCALATED_TO_BLACK_LIST': {
        const black = await this.store.findById(grounds.blackEntryId, trx);
        if (!black || black.listType !== 'BLACK' || black.status !== 'ACTIVE' || black.followsEntryId !== entry.id) {
          throw exitGroundsMissing(entry, grounds.way, 'black entry in effect', 'a key-attention entry exits as escalated only when the black entry recognised from it takes effect');
        }
        return `entry:${black.id}`;
      }
    }
  }

  /**
   * Exit (移出), one guarded transition per way (`ExitGrounds`). Black: the four ways of
   * 1798 (18), and after every way but a mistaken listing the subject goes on this
   * department's key-attention list at once ("“黑名单”主体退出名单后，应立即将其列入重点关注名单
   * (误列入“黑名单”的除外)"). Red: the ways of 1798 (19). A mistaken black listing is
   * purged, not exited (1798 (20)); see objections. Exited entries stay queryable with
   * their history and count for nothing (1798 (20)).
   */
  async exit(actor: string, request: ExitRequest, trx?: Knex.Transaction): Promise<ExitResult> {
    return trx ? this.exitIn(trx, actor, request) : rereadAfterRace(() => inTransaction(this.db, (tx) => this.exitIn(tx, actor, request)));
  }

  /**
   * Exits in bulk, answered in input order, in one transaction: every item through `exitGuard`
   * (the guard of a single exit), those that pass moved together (`transitionMany`) and the
   * key-attention entries that follow black exits written together. For the ways whose ground is
   * in the request and the entry (validity expired, standard changed, incentive abuse) the
   * guard reads nothing, so a batch takes a few statements per 1,000 items.
   */
  async exitMany(actor: string, requests: readonly ExitRequest[]): Promise<Outcome<ExitResult>[]> {
    const checked = requests.map((request) => attempt(() => ({ request, ...this.exitReference(request) })));
    return rereadAfterRace(() =>
      inTransaction(this.db, async (trx) => {
        const { recorded, recognised, current } = await this.readActionBatch(trx, checked);
        const followers = await this.store.keyAttentionFollowersOf([...recorded.values()].map((a) => a.entryId), trx);
        const moves: Move[] = [];
        const outcomes: Outcome<ExitResult>[] = [];
        for (const item of checked) {
          if (item.error) {
            outcomes.push(item);
            continue;
          }
          const { request, externalReference } = item.value;
          const prior = externalReference ? recorded.get(externalReference) : undefined;
          if (prior) {
            outcomes.push(
              this.sameExit(prior, request, followers.get(prior.entryId))
                ? { value: { exited: current.get(prior.entryId)!, keyAttention: followers.get(prior.entryId) ?? null } }
                : { error: referenceConflict(externalReference!, prior.entryId, actionName(prior.action)) },
            );
            continue;
          }
          const recognition = externalReference ? recognised.get(externalReference) : undefined;
          if (recognition) {
            outcomes.push({ error: referenceConflict(externalReference!, recognition.id, 'the recognition') });
            continue;
          }
          const entry = current.get(request.entryId);
          if (!entry) {
            outcomes.push({ error: notFound(request.entryId, this.department.name) });
            continue;
          }
          const guard = await this.exitGuard(trx, entry, request).then(
            (groundRef) => ({ groundRef }),
            (error) => (error instanceof GraphQLError ? { error } : Promise.reject(error)),
          );
          if ('error' in guard) {
            outcomes.push({ error: guard.error });
            continue;
          }
          const exited = this.exitedState(entry, request);
          const keyAttention = this.followsWithKeyAttention(entry, request) ? this.keyAttentionFollowing(exited, request.keyAttentionValidUntil) : null;
          const externalDigest = this.exitDigest(externalReference, request, guard.groundRef, keyAttention?.validUntil);
          current.set(entry.id, exited);
          if (externalReference) {
            recorded.set(externalReference, { entryId: entry.id, action: `EXIT_${request.grounds.way}`, digest: externalDigest, evidenceRef: request.evidenceRef ?? guard.groundRef });
          }
          if (keyAttention) followers.set(entry.id, keyAttention);
          moves.push({ from: entry, next: exited, change: this.exitChange(actor, request, guard.groundRef, externalReference, externalDigest) });
          outcomes.push({ value: { exited, keyAttention } });
        }
        await this.store.transitionMany(trx, moves);
        await this.store.insertEntries([...moves.flatMap((move) => (followers.has(move.next.id) ? [followers.get(move.next.id)!] : []))], actor, trx);
        return outcomes;
      }),
    );
  }

  /** The exit's decision number. */
  private exitReference(request: ExitRequest) {
    return { externalReference: externalReferenceOf(request.externalReference) };
  }

  /**
   * The digest of what an exit asks (everything but the number), with its defaults as applied:
   * the evidence (its ground's reference when not given) and the following key-attention
   * entry's validity (the department's default when not given).
   */
  private exitDigest(externalReference: string | null, request: ExitRequest, groundRef: string | null, keyAttentionValidUntil: string | undefined): string | null {
    if (!externalReference) return null;
    return contentDigest(withDefaults(exitContent(request), { evidenceRef: groundRef, keyAttentionValidUntil }));
  }

  /** Whether a retry of an exit is the one recorded: its omitted defaults as that exit applied them (`sameDecision`). */
  private sameExit(recorded: ReferencedAction, request: ExitRequest, keyAttention: ListEntry | null | undefined): boolean {
    const applied: Record<string, unknown> = { evidenceRef: recorded.evidenceRef };
    if (keyAttention) applied.keyAttentionValidUntil = keyAttention.validUntil;
    return sameDecision(recorded.digest, contentDigest, exitContent(request), applied);
  }

  /** The guard of every exit: an exitable status, a way the list allows, a reason, and the way's ground. Returns the ground's reference. */
  private async exitGuard(tx: Knex.Transaction, entry: ListEntry, input: ExitRequest): Promise<string | null> {
    const way = input.grounds.way;
    if (!EXITABLE.includes(entry.status)) throw invalidTransition(entry, 'exit', `it is already ${entry.status}`);
    if (!EXIT_WAYS[entry.listType].includes(way)) {
      throw typedError(LifecycleError.EXIT_GROUNDS_MISSING, `A ${entry.listType} entry cannot exit by ${way}: the ways are ${EXIT_WAYS[entry.listType].join(', ')}`, {
        entryId: entry.id,
        way,
        missingGround: `a ${entry.listType} exit way`,
      });
    }
    if (!input.reason?.trim()) throw badInput('State the reason for the exit (reason)', { argument: 'input.reason' });
    checkLength(input.reason, TEXT_LIMITS.reason, 'input.reason');
    checkLength(input.evidenceRef, COLUMN_LIMITS.evidenceRef, 'input.evidenceRef');
    if (input.grounds.way === 'INCENTIVE_ABUSE') checkLength(input.grounds.evidenceRef, COLUMN_LIMITS.evidenceRef, 'input.grounds.evidenceRef');
    if (input.keyAttentionValidUntil && input.keyAttentionValidUntil <= this.today()) {
      throw badInput('keyAttentionValidUntil must be in the future', { argument: 'input.keyAttentionValidUntil' });
    }
    return this.checkGrounds(tx, entry, input.grounds);
  }

  private exitedState(entry: ListEntry, input: ExitRequest): ListEntry {
    return { ...entry, status: 'EXITED', exit: { way: input.grounds.way, on: this.today(), reason: input.reason }, updatedAt: this.now() };
  }

  private exitChange(actor: string, input: ExitRequest, groundRef: string | null, externalReference: string | null, externalDigest: string | null) {
    return { action: `EXIT_${input.grounds.way}`, actor, eventType: 'ENTRY_EXITED', reason: input.reason, evidenceRef: input.evidenceRef ?? groundRef, externalReference, externalDigest };
  }

  /** 1798 (18): every black exit but a mistaken listing puts the subject on key attention at once. */
  private followsWithKeyAttention(entry: ListEntry, input: ExitRequest): boolean {
    return entry.listType === 'BLACK' && entry.status === 'ACTIVE' && input.grounds.way !== 'OBJECTION_UPHELD';
  }

  private async exitIn(tx: Knex.Transaction, actor: string, input: ExitRequest): Promise<ExitResult> {
    const { externalReference } = this.exitReference(input);
    if (externalReference) {
      let keyAttention: ListEntry | null = null;
      const recorded = await this.entryOfRecordedAction(tx, externalReference, async (action) => {
        keyAttention = (await this.store.followersOf(action.entryId, tx)).find((follower) => follower.listType === 'KEY_ATTENTION') ?? null;
        return this.sameExit(action, input, keyAttention);
      });
      if (recorded) return { exited: recorded, keyAttention };
    }
    const entry = await this.requireEntry(input.entryId, tx);
    const groundRef = await this.exitGuard(tx, entry, input);
    const { updatedAt, status, exit } = this.exitedState(entry, input);
    const follows = this.followsWithKeyAttention(entry, input);
    const externalDigest = this.exitDigest(externalReference, input, groundRef, follows ? this.keyAttentionValidity(input.keyAttentionValidUntil) : undefined);
    const exited = await this.store.transition(tx, entry, { status, exit, updatedAt }, this.exitChange(actor, input, groundRef, externalReference, externalDigest));
    if (!exited) throw invalidTransition(entry, 'exit', 'it changed meanwhile; read it again');
    if (!follows) return { exited, keyAttention: null };
    const keyAttention = this.keyAttentionFollowing(exited, input.keyAttentionValidUntil);
    await this.store.insertEntries([keyAttention], actor, tx);
    return { exited, keyAttention };
  }

  /** The validity of the key-attention entry after a black exit: as asked, or the department's default. */
  private keyAttentionValidity(validUntil?: string | null): string {
    return validUntil ?? addDays(this.today(), this.department.keyAttentionAfterBlackExit.validityDays);
  }

  /** 1798 (18): after a black-list exit the subject is put on the key-attention list at once: the entry to write. */
  private keyAttentionFollowing(exited: ListEntry, validUntil?: string | null): ListEntry {
    const { kind } = this.department.keyAttentionAfterBlackExit;
    const list = this.requireList(kind);
    const now = this.now();
    const today = this.today();
    return {
      ...exited,
      id: randomUUID(),
      listKind: list.kind,
      listType: 'KEY_ATTENTION',
      listName: list.title,
      facts: `移出${exited.listName}后列入重点关注（原条目 ${exited.id}）：${exited.facts}`,
      legalBasis: list.legalBasis,
      recognisedOn: today,
      validFrom: today,
      validUntil: this.keyAttentionValidity(validUntil),
      status: 'ACTIVE',
      published: list.publishedByDefault,
      publicityUntil: null,
      exit: null,
      sharedAt: now,
      followsEntryId: exited.id,
      // The exit's decision number stays with the exit: this entry is the hub's consequence of it.
      externalReference: null,
      externalDigest: null,
      createdAt: now,
      updatedAt: now,
    };
  }

  /**
   * Key attention → black (1798 (17)): "重点关注名单主体有效期内发生严重失信行为的，应按照“黑名单”认定标准，
   * 及时转入“黑名单”". So escalation is a black-list recognition like any other — a natural
   * person notified first (1798 (7)), publicity if the department wants it, repair terms
   * stated afresh (893 §2) — refused outside the key-attention entry's validity. The
   * black entry follows the key-attention entry; when it takes effect (confirm), the
   * key-attention entry exits as escalated.
   */
  async escalateToBlackList(actor: string, input: EscalateInput): Promise<{ black: ListEntry; keyAttention: ListEntry }> {
    const blackList = this.requireList(input.blackListKind);
    if (blackList.type !== 'BLACK') throw badInput(`${input.blackListKind} is not a black list`, { argument: 'input.blackListKind' });
    // The black recognition's decision number, as for `recognise`: a retry answers the black entry already recognised.
    const externalReference = externalReferenceOf(input.externalReference);
    // Its defaults, as for a recognition: no publicity, the black list's legal basis and publication.
    const sent = { ...input, externalReference: null };
    const defaults = { publicityDays: 0, legalBasis: blackList.legalBasis, published: blackList.publishedByDefault };
    const externalDigest = externalReference ? contentDigest(withDefaults(sent, defaults)) : null;
    return rereadAfterRace(() => inTransaction(this.db, async (trx) => {
      const recorded = externalReference ? (await this.store.findByExternalReferences([externalReference], trx)).get(externalReference) : undefined;
      if (recorded) {
        if (!sameDecision(recorded.externalDigest, contentDigest, sent, defaults) || !recorded.followsEntryId) throw referenceConflict(externalReference!, recorded.id, 'the recognition');
        return { black: recorded, keyAttention: await this.requireEntry(recorded.followsEntryId, trx) };
      }
      const entry = await this.requireEntry(input.entryId, trx);
      if (entry.listType !== 'KEY_ATTENTION' || entry.status !== 'ACTIVE') {
        throw invalidTransition(entry, 'escalate', 'only an ACTIVE key-attention entry is escalated to a black list');
      }
      if (this.today() > entry.validUntil) {
        throw typedError(
          LifecycleError.VALIDITY_ENDED,
          `Key-attention entry ${entry.id} was valid until ${entry.validUntil}: escalation is for serious dishonesty within its validity (1798 (17)); recognise a black entry directly`,
          { entryId: entry.id, validUntil: entry.validUntil },
        );
      }
      const pending = await this.store.followersOf(entry.id, trx);
      const open = pending.find((follower) => follower.listType === 'BLACK' && follower.status !== 'EXITED');
      if (open) throw invalidTransition(entry, 'escalate', `it is already escalated to black entry ${open.id}`);
      const black: ListEntry = {
        ...this.prepareRecognition(blackList, entry, { ...input, recognisedOn: null }),
        followsEntryId: entry.id,
        externalReference,
        externalDigest,
      };
      await this.store.insertEntries([black], actor, trx);
      return { black, keyAttention: entry };
    }));
  }

  /**
   * Automatic exit when validity ends (1798 (18)(19) way "validity expired"). Safe with
   * several replicas: each entry's exit is a conditional update, so of two schedulers
   * racing for it exactly one exits it, and none is missed (every run takes all that are due).
   */
  async expireDue(actor = 'scheduler'): Promise<number> {
    const today = this.today();
    let exited = 0;
    for (;;) {
      const due = await this.store.dueForExpiry(today, 200);
      if (due.length === 0) return exited;
      let progressed = false;
      for (const entry of due) {
        try {
          await this.exit(actor, {
            entryId: entry.id,
            grounds: { way: 'VALIDITY_EXPIRED', by: 'EXPIRY_WORKER' },
            reason: `有效期至 ${entry.validUntil} 届满，自动移出`,
          });
          exited++;
          progressed = true;
        } catch (error: any) {
          // Another replica exited it first, or holds it now and will: nothing to do here.
          if (error?.extensions?.code !== LifecycleError.INVALID_TRANSITION && !isConcurrencyConflict(error)) throw error;
        }
      }
      if (!progressed && due.length < 200) return exited;
    }
  }
}
