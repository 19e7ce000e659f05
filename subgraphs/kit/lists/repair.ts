/**
 * Credit repair (信用修复, 893 §2, §3, §9–§13; 1798 (14)(15)):
 * - the repair terms are stated at listing (see lifecycle.recognise);
 * - a missed rectification deadline leads to a reminder interview (key attention) or a
 *   warning interview (black), recorded on the subject's file — refusals too (893 §3);
 * - repair steps: rectification, a public credit commitment (信用承诺), repair training
 *   (at least 3 class hours to count, 893 §11), a credit report from a qualified agency
 *   (893 §12), public-interest service;
 * - the subject applies to exit early; the department approves (exit by credit repair,
 *   with the key attention that follows a black exit) or rejects.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { badInput, ErrorCode, typedError } from '../errors.js';
import { checkLength, COLUMN_LIMITS, TEXT_LIMITS } from './limits.js';
import { toIsoDate, type Clock } from '../dates.js';
import type { ExitResult, ListLifecycle } from './lifecycle.js';
import type { ListEntry, ListStore } from './store.js';
import { exitApplicationsTable, repairStepsTable, subjectFileTable } from './tables.js';
import { groupByKey } from '../group.js';
import { isQualifiedIssuer, requireQualifiedIssuer } from './credit-agencies.js';
import { rectifiedInTime } from './repair-records.js';
import { inTransaction } from '../transactions.js';
import type {
  DepartmentActionsApplyForEarlyExitArgs,
  EarlyExitDecisionInput,
  InterviewInput,
  RepairStepInput,
  RepairStepKind,
} from './__generated__/resolvers-types.js';

export type { RepairStepKind };

/** 893 §11: repair training counts from 3 class hours. */
export const MIN_TRAINING_HOURS = 3;

export interface RepairStep {
  id: string;
  entryId: string;
  kind: RepairStepKind;
  details: string;
  classHours: number | null;
  issuer: string | null;
  reference: string | null;
  recordedAt: string;
  recordedBy: string;
  /** Whether the step counts towards an early exit. */
  counts: boolean;
}

export interface ExitApplication {
  id: string;
  entryId: string;
  status: 'APPLIED' | 'APPROVED' | 'REJECTED';
  reference: string | null;
  appliedAt: string;
  decidedAt: string | null;
  decision: string | null;
}

export interface FileRecord {
  kind: string;
  entryId: string | null;
  details: string;
  refused: boolean;
  recordedAt: string;
  recordedBy: string;
}

/**
 * What an early exit needs, by list type: rectified, committed, trained, and a credit
 * report for black and key-attention entries alike — 893 §11: "失信主体被列入黑名单或重点关注名单后，
 * 应于申请退出黑名单或重点关注名单时主动提交信用报告…信用报告由具有资质的信用服务机构出具".
 */
const REQUIRED_STEPS: Record<string, RepairStepKind[]> = {
  BLACK: ['RECTIFICATION', 'CREDIT_COMMITMENT', 'TRAINING', 'CREDIT_REPORT'],
  KEY_ATTENTION: ['RECTIFICATION', 'CREDIT_COMMITMENT', 'TRAINING', 'CREDIT_REPORT'],
};

export class CreditRepair {
  constructor(
    readonly db: Knex,
    readonly prefix: string,
    readonly store: ListStore,
    readonly lifecycle: ListLifecycle,
    readonly clock: Clock,
  ) {}

  private async repairableEntry(entryId: string, trx: Knex.Transaction): Promise<ListEntry> {
    const entry = await this.store.findById(entryId, trx);
    if (!entry) throw typedError(ErrorCode.NOT_FOUND, `No entry "${entryId}" on the ${this.prefix} department's lists`);
    if (entry.status !== 'ACTIVE') throw typedError(ErrorCode.INVALID_TRANSITION, `Entry ${entry.id} is ${entry.status}: only an ACTIVE entry is repaired`);
    if (!entry.repair.repairable || entry.listType === 'RED') {
      throw typedError(ErrorCode.REPAIR_NOT_ALLOWED, `Entry ${entry.id} was listed as not repairable: its credit cannot be repaired (893 §2)`);
    }
    return entry;
  }

  async stepsOf(entryIds: readonly string[]): Promise<RepairStep[][]> {
    const rows = await this.db(repairStepsTable(this.prefix)).whereIn('entry_id', entryIds as string[]).orderBy('recorded_at');
    return groupByKey(entryIds, rows, (row: any) => row.entry_id, toStep);
  }

  async fileOf(creditCodes: readonly string[]): Promise<FileRecord[][]> {
    const rows = await this.db(subjectFileTable(this.prefix)).whereIn('credit_code', creditCodes as string[]).orderBy('id');
    return groupByKey(creditCodes, rows, (row: any) => row.credit_code, (row: any) => ({
      kind: row.kind,
      entryId: row.entry_id,
      details: row.details,
      refused: Boolean(row.refused),
      recordedAt: row.recorded_at,
      recordedBy: row.recorded_by,
    }));
  }

  async recordStep(
    actor: string,
    input: RepairStepInput,
  ): Promise<RepairStep> {
    if (!input.details?.trim()) throw badInput('Describe the step (details)', { argument: 'input.details' });
    checkLength(input.details, TEXT_LIMITS.details, 'input.details');
    checkLength(input.issuer, COLUMN_LIMITS.issuer, 'input.issuer');
    checkLength(input.reference, COLUMN_LIMITS.evidenceRef, 'input.reference');
    if (input.kind === 'TRAINING' && (input.classHours == null || !(input.classHours > 0) || input.classHours > 200)) {
      throw badInput('Repair training states its class hours (classHours, more than 0)', { argument: 'input.classHours' });
    }
    if (input.kind === 'CREDIT_REPORT' && !input.issuer?.trim()) {
      throw badInput('A credit report names the credit service agency that issued it (issuer)', { argument: 'input.issuer' });
    }
    const issuer = input.kind === 'CREDIT_REPORT' ? requireQualifiedIssuer(input.issuer, toIsoDate(this.clock())).name : (input.issuer ?? null);
    return inTransaction(this.db, async (trx) => {
      await this.repairableEntry(input.entryId, trx);
      const step: RepairStep = {
        id: randomUUID(),
        entryId: input.entryId,
        kind: input.kind,
        details: input.details.trim(),
        classHours: input.kind === 'TRAINING' ? Number(input.classHours) : null,
        issuer,
        reference: input.reference ?? null,
        recordedAt: this.clock().toISOString(),
        recordedBy: actor,
        counts: input.kind !== 'TRAINING' || Number(input.classHours) >= MIN_TRAINING_HOURS,
      };
      await trx(repairStepsTable(this.prefix)).insert({
        id: step.id,
        entry_id: step.entryId,
        kind: step.kind,
        details: step.details,
        class_hours: step.classHours,
        issuer: step.issuer,
        reference: step.reference,
        recorded_at: step.recordedAt,
        recorded_by: step.recordedBy,
      });
      return step;
    });
  }

  /**
   * 893 §3: when the rectification deadline has passed, the department holds a reminder
   * interview (key attention) or a warning interview (black) and records it on the
   * subject's file, a refusal to attend too.
   */
  async recordInterview(actor: string, input: InterviewInput): Promise<FileRecord> {
    if (!input.notes?.trim()) throw badInput('Record what was said, or how the subject refused (notes)', { argument: 'input.notes' });
    checkLength(input.notes, TEXT_LIMITS.details, 'input.notes');
    return inTransaction(this.db, async (trx) => {
      const entry = await this.store.findById(input.entryId, trx);
      if (!entry) throw typedError(ErrorCode.NOT_FOUND, `No entry "${input.entryId}" on the ${this.prefix} department's lists`);
      if (entry.status !== 'ACTIVE' || entry.listType === 'RED') {
        throw typedError(ErrorCode.INVALID_TRANSITION, `Interviews are for ACTIVE black or key-attention entries; entry ${entry.id} is ${entry.status} ${entry.listType}`);
      }
      const today = toIsoDate(this.clock());
      const deadline = entry.repair.rectificationDeadline;
      if (!deadline || today <= deadline) {
        throw typedError(ErrorCode.DEADLINE_NOT_PASSED, deadline ? `The rectification deadline ${deadline} has not passed` : `Entry ${entry.id} has no rectification deadline`);
      }
      // 893 §3: the interview is for subjects that did not rectify in time ("在规定期限内整改不到位").
      if (await rectifiedInTime(trx, this.prefix, entry.id, deadline)) {
        throw typedError(ErrorCode.INVALID_TRANSITION, `Entry ${entry.id} was rectified by its deadline ${deadline}: no interview is held for it (893 §3)`, { entryId: entry.id });
      }
      const record: FileRecord = {
        kind: entry.listType === 'BLACK' ? 'WARNING_INTERVIEW' : 'REMINDER_INTERVIEW',
        entryId: entry.id,
        details: input.notes.trim(),
        refused: input.refused,
        recordedAt: this.clock().toISOString(),
        recordedBy: actor,
      };
      await trx(subjectFileTable(this.prefix)).insert({
        credit_code: entry.creditCode,
        entry_id: entry.id,
        kind: record.kind,
        details: record.details,
        refused: record.refused,
        recorded_at: record.recordedAt,
        recorded_by: actor,
      });
      return record;
    });
  }

  /** The subject applies to exit early; refused at once when a required step is missing. */
  async applyForEarlyExit(_actor: string, input: DepartmentActionsApplyForEarlyExitArgs): Promise<ExitApplication> {
    checkLength(input.reference, COLUMN_LIMITS.evidenceRef, 'input.reference');
    return inTransaction(this.db, async (trx) => {
      const entry = await this.repairableEntry(input.entryId, trx);
      const steps = (await trx(repairStepsTable(this.prefix)).where({ entry_id: entry.id })).map(toStep);
      const done = new Set(steps.filter((step) => step.counts).map((step) => step.kind));
      const missing = (REQUIRED_STEPS[entry.listType] ?? []).filter((kind) => !done.has(kind));
      if (missing.length > 0) {
        throw typedError(
          ErrorCode.REPAIR_INCOMPLETE,
          `Entry ${entry.id} cannot exit early yet: missing ${missing.join(', ')}${missing.includes('TRAINING') ? ` (training counts from ${MIN_TRAINING_HOURS} class hours)` : ''}`,
          { missing },
        );
      }
      const open = await trx(exitApplicationsTable(this.prefix)).where({ entry_id: entry.id, status: 'APPLIED' }).first();
      if (open) throw typedError(ErrorCode.INVALID_TRANSITION, `Entry ${entry.id} already has an application waiting for a decision (${open.id})`);
      const application: ExitApplication = {
        id: randomUUID(),
        entryId: entry.id,
        status: 'APPLIED',
        reference: input.reference ?? null,
        appliedAt: this.clock().toISOString(),
        decidedAt: null,
        decision: null,
      };
      await trx(exitApplicationsTable(this.prefix)).insert({
        id: application.id,
        entry_id: application.entryId,
        status: application.status,
        reference: application.reference,
        applied_at: application.appliedAt,
        decided_at: null,
        decision: null,
        list_type: entry.listType,
        region_code: entry.regionCode,
      });
      return application;
    });
  }

  /** The department approves (exit by credit repair) or rejects an application. */
  async decideEarlyExit(
    actor: string,
    input: EarlyExitDecisionInput,
  ): Promise<{ application: ExitApplication; exit: ExitResult | null }> {
    if (!input.reason?.trim()) throw badInput('State the reason for the decision', { argument: 'input.reason' });
    checkLength(input.reason, TEXT_LIMITS.reason, 'input.reason');
    return inTransaction(this.db, async (trx) => {
      const row = await trx(exitApplicationsTable(this.prefix)).where({ id: input.applicationId }).first();
      if (!row) throw typedError(ErrorCode.NOT_FOUND, `No exit application "${input.applicationId}" with the ${this.prefix} department`);
      if (row.status !== 'APPLIED') throw typedError(ErrorCode.INVALID_TRANSITION, `Application ${row.id} was already ${row.status}`);
      const now = this.clock().toISOString();
      const status = input.approve ? 'APPROVED' : 'REJECTED';
      if (input.approve) {
        // 893 §11: the department relies on the credit report; its issuer must still be qualified today.
        const reports = await trx(repairStepsTable(this.prefix)).where({ entry_id: row.entry_id, kind: 'CREDIT_REPORT' });
        const entry = await this.store.findById(row.entry_id, trx);
        if (entry && REQUIRED_STEPS[entry.listType]?.includes('CREDIT_REPORT')) {
          const today = toIsoDate(this.clock());
          if (!reports.some((report: any) => isQualifiedIssuer(report.issuer, today))) {
            requireQualifiedIssuer(reports.at(-1)?.issuer ?? '', today, 'input.applicationId');
          }
        }
      }
      await trx(exitApplicationsTable(this.prefix)).where({ id: row.id, status: 'APPLIED' }).update({ status, decided_at: now, decision: `${actor}: ${input.reason}` });
      const exit = input.approve
        ? await this.lifecycle.exit(
            actor,
            { entryId: row.entry_id, grounds: { way: 'CREDIT_REPAIR', applicationId: row.id }, reason: input.reason, keyAttentionValidUntil: input.keyAttentionValidUntil },
            trx,
          )
        : null;
      return {
        application: { id: row.id, entryId: row.entry_id, status, reference: row.reference, appliedAt: row.applied_at, decidedAt: now, decision: `${actor}: ${input.reason}` },
        exit,
      };
    });
  }
}

function toStep(row: any): RepairStep {
  const classHours = row.class_hours == null ? null : Number(row.class_hours);
  return {
    id: row.id,
    entryId: row.entry_id,
    kind: row.kind,
    details: row.details,
    classHours,
    issuer: row.issuer,
    reference: row.reference,
    recordedAt: row.recorded_at,
    recordedBy: row.recorded_by,
    counts: row.kind !== 'TRAINING' || (classHours ?? 0) >= MIN_TRAINING_HOURS,
  };
}
