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
import { badInput, ErrorCode, isConcurrencyConflict, typedError } from '../errors.js';
import { addDays, toIsoDate, type Clock } from '../dates.js';
import { checkSubjectCode } from '../codes.js';
import { listDefinition, type DepartmentConfig, type ListDefinition, type ListType } from './department.js';
import type { EntryStatus, LegalRepresentative, ListEntry, ListStore } from './store.js';
import { foreignListingsTable, objectionsTable } from './tables.js';
import { inTransaction } from '../transactions.js';

/** Stable codes of the errors a forbidden transition gets. */
const LifecycleError = ErrorCode;

export type ExitWay =
  | 'OBJECTION_UPHELD'
  | 'CREDIT_REPAIR'
  | 'VALIDITY_EXPIRED'
  | 'STANDARD_CHANGED'
  | 'LISTED_FOR_DISHONESTY'
  | 'INCENTIVE_ABUSE'
  | 'ESCALATED_TO_BLACK_LIST';

/** The ways each list type may be left (1798 (18) black, (19) red; (16)–(18) key attention). */
const EXIT_WAYS: Record<ListType, ExitWay[]> = {
  BLACK: ['OBJECTION_UPHELD', 'CREDIT_REPAIR', 'VALIDITY_EXPIRED', 'STANDARD_CHANGED'],
  RED: ['OBJECTION_UPHELD', 'LISTED_FOR_DISHONESTY', 'INCENTIVE_ABUSE', 'VALIDITY_EXPIRED', 'STANDARD_CHANGED'],
  KEY_ATTENTION: ['OBJECTION_UPHELD', 'CREDIT_REPAIR', 'VALIDITY_EXPIRED', 'STANDARD_CHANGED', 'ESCALATED_TO_BLACK_LIST'],
};

/** Statuses an entry may be exited from: a preliminary or publicised entry may be withdrawn too. */
const EXITABLE: EntryStatus[] = ['PRELIMINARY', 'PUBLICITY', 'ACTIVE'];

export interface RecogniseInput {
  listKind: string;
  creditCode: string;
  subjectName: string;
  lei?: string | null;
  legalRepresentative?: Omit<LegalRepresentative, 'owner'> | null;
  facts: string;
  legalBasis?: string | null;
  recognisedOn?: string | null;
  validUntil: string;
  /** Days of notice / publicity (公示) before the entry takes effect; red lists need at least one (1798 (8)). */
  publicityDays?: number | null;
  notification?: { notifiedOn: string; method: string } | null;
  repair: { repairable: boolean; method?: string | null; rectificationDeadline?: string | null };
  published?: boolean | null;
  evidenceRef?: string | null;
}

export interface ExitInput {
  entryId: string;
  way: ExitWay;
  reason: string;
  evidenceRef?: string | null;
  /** Validity of the key-attention entry that follows a black-list exit (1798 (18)); the department default otherwise. */
  keyAttentionValidUntil?: string | null;
}

export interface ExitResult {
  exited: ListEntry;
  /** The key-attention entry the subject was put on, after a black-list exit other than a mistaken listing. */
  keyAttention: ListEntry | null;
}

export interface EscalateInput {
  entryId: string;
  blackListKind: string;
  facts: string;
  validUntil: string;
  evidenceRef?: string | null;
}

const notFound = (id: string, department: string) =>
  typedError(LifecycleError.NOT_FOUND, `No entry "${id}" on the ${department} department's lists`, { entryId: id });

const invalidTransition = (entry: ListEntry, action: string, why: string) =>
  typedError(LifecycleError.INVALID_TRANSITION, `Cannot ${action} entry ${entry.id}: ${why}`, {
    entryId: entry.id,
    status: entry.status,
  });

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

  /** Is the subject on an active black list of any department, this one included? (1798 (8)) */
  private async blackListedAnywhere(creditCode: string, trx: Knex.Transaction): Promise<string[]> {
    const rows = await trx(foreignListingsTable(this.department.name))
      .where({ credit_code: creditCode, list_type: 'BLACK', status: 'ACTIVE' })
      .distinct('domain');
    const own = (await this.store.entriesOfSubject(creditCode, trx)).some((e) => e.listType === 'BLACK' && e.status === 'ACTIVE');
    const domains = new Set(rows.map((row: any) => row.domain as string));
    if (own) domains.add(this.department.domain);
    return [...domains];
  }

  /**
   * Recognition (认定): a preliminary entry, or one in its publicity period when
   * `publicityDays` is given. Validity is required; the repair terms are stated now
   * (893 §2); a natural person is notified before listing (事前告知, 1798 (7)); a red-list
   * candidate on any department's black list is refused (1798 (8)).
   */
  async recognise(actor: string, input: RecogniseInput): Promise<ListEntry> {
    const list = this.requireList(input.listKind);
    const code = checkSubjectCode(input.creditCode);
    if (!code.valid) throw badInput(`"${code.code}" is not a valid credit code: ${code.reason}`, { argument: 'input.creditCode' });
    if (!list.subjectTypes.includes(code.kind)) {
      throw badInput(`The ${list.title} (${list.kind}) does not take ${code.kind === 'NATURAL_PERSON' ? 'natural persons' : 'organisations'}`, {
        argument: 'input.creditCode',
      });
    }
    const today = this.today();
    const recognisedOn = input.recognisedOn ?? today;
    if (recognisedOn > today) throw badInput(`recognisedOn ${recognisedOn} is in the future`, { argument: 'input.recognisedOn' });
    if (input.validUntil <= today) {
      throw badInput(`validUntil ${input.validUntil} is not in the future: an entry needs a validity period that has not ended`, {
        argument: 'input.validUntil',
      });
    }
    if (!input.facts.trim()) throw badInput('State the facts of the conduct (facts)', { argument: 'input.facts' });
    if (!input.subjectName.trim()) throw badInput('State the subject name (subjectName)', { argument: 'input.subjectName' });
    const publicityDays = input.publicityDays ?? 0;
    if (!Number.isInteger(publicityDays) || publicityDays < 0 || publicityDays > 90) {
      throw badInput('publicityDays must be a whole number of days from 0 to 90', { argument: 'input.publicityDays' });
    }
    if (list.type === 'RED' && publicityDays < 1) {
      throw badInput('A red-list recognition goes through a publicity period first (1798 (8)): give publicityDays of at least 1', {
        argument: 'input.publicityDays',
      });
    }
    if (code.kind === 'NATURAL_PERSON' && list.type !== 'RED') {
      if (!input.notification) {
        throw typedError(
          LifecycleError.NOTIFICATION_REQUIRED,
          'A natural person is notified before listing (事前告知, 1798 (7)): record when and how in `notification`',
          { argument: 'input.notification' },
        );
      }
      if (input.notification.notifiedOn > recognisedOn) {
        throw typedError(LifecycleError.NOTIFICATION_REQUIRED, `The notification (${input.notification.notifiedOn}) must come before recognition (${recognisedOn})`, {
          argument: 'input.notification.notifiedOn',
        });
      }
    }
    if (input.repair.repairable && !input.repair.method) {
      throw badInput('State how the subject can repair its credit (repair.method) when it may repair (893 §2)', { argument: 'input.repair.method' });
    }
    if (input.repair.rectificationDeadline && input.repair.rectificationDeadline < recognisedOn) {
      throw badInput('The rectification deadline cannot be before recognition', { argument: 'input.repair.rectificationDeadline' });
    }

    return inTransaction(this.db, async (trx) => {
      if (list.type === 'RED') await this.refuseRedWhileBlack(code.code, trx);
      const now = this.now();
      const entry: ListEntry = {
        id: randomUUID(),
        domain: this.department.domain,
        listKind: list.kind,
        listType: list.type,
        listName: list.title,
        creditCode: code.code,
        subjectName: input.subjectName.trim(),
        subjectType: code.kind,
        regionCode: code.regionCode,
        lei: input.lei ?? null,
        legalRepresentative: input.legalRepresentative ?? null,
        facts: input.facts.trim(),
        recognisingAuthority: this.department.authority,
        legalBasis: input.legalBasis ?? list.legalBasis,
        recognisedOn,
        validFrom: recognisedOn,
        validUntil: input.validUntil,
        status: publicityDays > 0 ? 'PUBLICITY' : 'PRELIMINARY',
        published: input.published ?? list.publishedByDefault,
        publicityUntil: publicityDays > 0 ? addDays(today, publicityDays) : null,
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
        createdAt: now,
        updatedAt: now,
      };
      await this.store.insertEntries([entry], actor, trx);
      return entry;
    });
  }

  private async refuseRedWhileBlack(creditCode: string, trx: Knex.Transaction): Promise<void> {
    const blackIn = await this.blackListedAnywhere(creditCode, trx);
    if (blackIn.length > 0) {
      throw typedError(
        LifecycleError.RED_LIST_BLOCKED,
        `${creditCode} is on the black list of ${blackIn.join(', ')}: a black-listed subject never enters a red list (1798 (8))`,
        { creditCode, blackListedIn: blackIn },
      );
    }
  }

  /**
   * Final entry (正式认定): a preliminary entry, or one whose publicity period has ended
   * without an upheld objection, takes effect. A red entry is checked against every
   * black list once more (1798 (8)).
   */
  async confirm(actor: string, entryId: string, note?: string | null): Promise<ListEntry> {
    return inTransaction(this.db, async (trx) => {
      const entry = await this.requireEntry(entryId, trx);
      if (entry.status !== 'PRELIMINARY' && entry.status !== 'PUBLICITY') {
        throw invalidTransition(entry, 'confirm', `it is ${entry.status}, only a PRELIMINARY or PUBLICITY entry can be confirmed`);
      }
      if (entry.status === 'PUBLICITY' && entry.publicityUntil && this.today() < entry.publicityUntil) {
        throw typedError(LifecycleError.PUBLICITY_NOT_OVER, `The publicity period of entry ${entry.id} runs until ${entry.publicityUntil}`, {
          entryId: entry.id,
        });
      }
      const openObjection = await trx(objectionsTable(this.department.name)).where({ entry_id: entry.id }).whereIn('status', ['FILED', 'ACCEPTED']).first();
      if (openObjection) {
        throw typedError(LifecycleError.OBJECTION_PENDING, `Objection ${openObjection.id} against entry ${entry.id} is still open: decide it first (1798 (8))`, {
          entryId: entry.id,
        });
      }
      if (entry.listType === 'RED') await this.refuseRedWhileBlack(entry.creditCode, trx);
      const confirmed = await this.store.transition(
        trx,
        entry,
        { status: 'ACTIVE', updatedAt: this.now() },
        { action: 'CONFIRM', actor, eventType: 'ENTRY_ACTIVATED', reason: note ?? null },
      );
      if (!confirmed) throw invalidTransition(entry, 'confirm', 'it changed meanwhile; read it again');
      return confirmed;
    });
  }

  /**
   * Exit (移出). Black: the four ways of 1798 (18), and after every way but a mistaken
   * listing, the subject goes on this department's key-attention list at once. Red: the
   * ways of 1798 (19). A mistaken black listing (objection upheld) is removed and not kept
   * (1798 (20)); see objections for that path. Exited entries stay queryable with their
   * history and count for nothing (1798 (20)).
   */
  async exit(actor: string, input: ExitInput, trx?: Knex.Transaction): Promise<ExitResult> {
    const run = async (tx: Knex.Transaction): Promise<ExitResult> => {
      const entry = await this.requireEntry(input.entryId, tx);
      if (!EXITABLE.includes(entry.status)) throw invalidTransition(entry, 'exit', `it is already ${entry.status}`);
      if (!EXIT_WAYS[entry.listType].includes(input.way)) {
        throw badInput(`A ${entry.listType} entry cannot exit by ${input.way}: the ways are ${EXIT_WAYS[entry.listType].join(', ')}`, {
          argument: 'input.way',
        });
      }
      if (!input.reason?.trim()) throw badInput('State the reason for the exit (reason)', { argument: 'input.reason' });
      if (input.keyAttentionValidUntil && input.keyAttentionValidUntil <= this.today()) {
        throw badInput('keyAttentionValidUntil must be in the future', { argument: 'input.keyAttentionValidUntil' });
      }
      const today = this.today();
      const exited = await this.store.transition(
        tx,
        entry,
        { status: 'EXITED', exit: { way: input.way, on: today, reason: input.reason }, updatedAt: this.now() },
        { action: `EXIT_${input.way}`, actor, eventType: 'ENTRY_EXITED', reason: input.reason, evidenceRef: input.evidenceRef },
      );
      if (!exited) throw invalidTransition(entry, 'exit', 'it changed meanwhile; read it again');
      const followsWithKeyAttention =
        entry.listType === 'BLACK' && entry.status === 'ACTIVE' && input.way !== 'OBJECTION_UPHELD';
      const keyAttention = followsWithKeyAttention ? await this.keyAttentionAfterExit(tx, actor, exited, input.keyAttentionValidUntil) : null;
      return { exited, keyAttention };
    };
    return trx ? run(trx) : inTransaction(this.db, run);
  }

  /** 1798 (18): after a black-list exit the subject is put on the key-attention list at once. */
  private async keyAttentionAfterExit(trx: Knex.Transaction, actor: string, exited: ListEntry, validUntil?: string | null): Promise<ListEntry> {
    const { kind, validityDays } = this.department.keyAttentionAfterBlackExit;
    const list = this.requireList(kind);
    const now = this.now();
    const today = this.today();
    const entry: ListEntry = {
      ...exited,
      id: randomUUID(),
      listKind: list.kind,
      listType: 'KEY_ATTENTION',
      listName: list.title,
      facts: `移出${exited.listName}后列入重点关注（原条目 ${exited.id}）：${exited.facts}`,
      legalBasis: list.legalBasis,
      recognisedOn: today,
      validFrom: today,
      validUntil: validUntil ?? addDays(today, validityDays),
      status: 'ACTIVE',
      published: list.publishedByDefault,
      publicityUntil: null,
      exit: null,
      sharedAt: now,
      followsEntryId: exited.id,
      createdAt: now,
      updatedAt: now,
    };
    await this.store.insertEntries([entry], actor, trx);
    return entry;
  }

  /**
   * Key attention → black (1798 (17)): serious dishonesty within the key-attention
   * validity puts the subject on a black list; the key-attention entry exits, escalated.
   */
  async escalateToBlackList(actor: string, input: EscalateInput): Promise<{ black: ListEntry; keyAttention: ListEntry }> {
    const blackList = this.requireList(input.blackListKind);
    if (blackList.type !== 'BLACK') throw badInput(`${input.blackListKind} is not a black list`, { argument: 'input.blackListKind' });
    return inTransaction(this.db, async (trx) => {
      const entry = await this.requireEntry(input.entryId, trx);
      if (entry.listType !== 'KEY_ATTENTION' || entry.status !== 'ACTIVE') {
        throw invalidTransition(entry, 'escalate', 'only an ACTIVE key-attention entry is escalated to a black list');
      }
      if (input.validUntil <= this.today()) throw badInput('validUntil must be in the future', { argument: 'input.validUntil' });
      const { exited } = await this.exit(actor, { entryId: entry.id, way: 'ESCALATED_TO_BLACK_LIST', reason: input.facts, evidenceRef: input.evidenceRef }, trx);
      const now = this.now();
      const today = this.today();
      const black: ListEntry = {
        ...entry,
        id: randomUUID(),
        listKind: blackList.kind,
        listType: 'BLACK',
        listName: blackList.title,
        facts: input.facts,
        legalBasis: blackList.legalBasis,
        recognisedOn: today,
        validFrom: today,
        validUntil: input.validUntil,
        status: 'ACTIVE',
        published: blackList.publishedByDefault,
        publicityUntil: null,
        exit: null,
        sharedAt: now,
        followsEntryId: entry.id,
        createdAt: now,
        updatedAt: now,
      };
      await this.store.insertEntries([black], actor, trx);
      return { black, keyAttention: exited };
    });
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
          await this.exit(actor, { entryId: entry.id, way: 'VALIDITY_EXPIRED', reason: `有效期至 ${entry.validUntil} 届满，自动移出` });
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
