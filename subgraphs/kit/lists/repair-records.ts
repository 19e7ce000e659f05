/**
 * Repair records others rely on (893 §3, §9):
 * - credit commitments are public like the entry they belong to — 893 §9: "信用承诺书通过
 *   “信用中国”网站向社会公开，记入相关主体信用记录" — so `ListEntry.creditCommitments` is
 *   served to whoever may see the entry (the public: published entries), without the
 *   officials who recorded them; the other repair steps stay with the department, the
 *   platform's administrators and auditors (`ListEntry.repairSteps`);
 * - interviews due — 893 §3: "对在规定期限内整改不到位的重点关注名单主体主要负责人进行一次提示性约谈，
 *   对在规定期限内整改不到位的黑名单主体主要负责人进行一次警示性约谈": ACTIVE black and
 *   key-attention entries whose rectification deadline has passed with no rectification
 *   recorded by then and no interview recorded yet.
 */
import type { Knex } from 'knex';
import { toIsoDate, type Clock } from '../dates.js';
import { pageSize } from '../cursor.js';
import type { DepartmentConfig } from './department.js';
import type { ListEntry, ListStore } from './store.js';
import type { CaseFileLoaders } from './case-file.js';
import type { ListContext } from './resolvers.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { entriesTable, repairStepsTable, subjectFileTable } from './tables.js';

export const INTERVIEW_KINDS = ['WARNING_INTERVIEW', 'REMINDER_INTERVIEW'];

/** Whether the subject rectified by the deadline: then no interview is held (893 §2, §3). */
export async function rectifiedInTime(db: Knex | Knex.Transaction, prefix: string, entryId: string, deadline: string): Promise<boolean> {
  return Boolean(
    await db(repairStepsTable(prefix)).where({ entry_id: entryId, kind: 'RECTIFICATION' }).where('recorded_at', '<', `${deadline}T24`).first(),
  );
}

export async function interviewsDue(db: Knex, prefix: string, store: ListStore, clock: Clock, limit: number): Promise<ListEntry[]> {
  const entries = entriesTable(prefix);
  const today = toIsoDate(clock());
  const ids = await db(entries)
    .where(`${entries}.status`, 'ACTIVE')
    .whereIn(`${entries}.list_type`, ['BLACK', 'KEY_ATTENTION'])
    .whereNotNull(`${entries}.rectification_deadline`)
    .where(`${entries}.rectification_deadline`, '<', today)
    .whereNotExists((q) =>
      q.select(db.raw('1')).from(repairStepsTable(prefix))
        .whereRaw(`${repairStepsTable(prefix)}.entry_id = ${entries}.id`)
        .where(`${repairStepsTable(prefix)}.kind`, 'RECTIFICATION')
        .whereRaw(`SUBSTR(${repairStepsTable(prefix)}.recorded_at, 1, 10) <= ${entries}.rectification_deadline`),
    )
    .whereNotExists((q) =>
      q.select(db.raw('1')).from(subjectFileTable(prefix))
        .whereRaw(`${subjectFileTable(prefix)}.entry_id = ${entries}.id`)
        .whereIn(`${subjectFileTable(prefix)}.kind`, INTERVIEW_KINDS),
    )
    .orderBy([{ column: `${entries}.rectification_deadline` }, { column: `${entries}.id` }])
    .limit(limit)
    .pluck(`${entries}.id`);
  const byId = new Map((await store.findByIds(ids)).map((entry) => [entry.id, entry]));
  return ids.map((id: string) => byId.get(id)!).filter(Boolean);
}

type Context = ListContext & { loaders: CaseFileLoaders };

export function repairRecordResolvers(department: DepartmentConfig, db: Knex, store: ListStore, clock: Clock): Resolvers<Context> {
  return {
    Query: {
      departmentInterviewsDue: (_, args) => interviewsDue(db, department.name, store, clock, pageSize(args.first, 500)),
    },
    ListEntry: {
      creditCommitments: async (entry, _, ctx) =>
        (await ctx.loaders.repairStepsByEntry.load(entry.id))
          .filter((step) => step.kind === 'CREDIT_COMMITMENT')
          .map((step) => ({
            // Written in the person's own name (本人…承诺): masked by `@mentionsSubject` as the entry's own fields are.
            details: step.details,
            reference: step.reference,
            about: entry,
            recordedAt: step.recordedAt,
          })),
    },
  };
}
