/**
 * The case file of an entry and a subject: objections, repair steps, file records — read
 * in batches per request, acted on through the department's actions.
 */
import DataLoader from 'dataloader';
import { ErrorCode, typedError } from '../errors.js';
import { MAX_KEYS_PER_STATEMENT } from './store.js';
import type { Objection, Objections } from './objections.js';
import type { CreditRepair, FileRecord, RepairStep } from './repair.js';
import type { ListContext } from './resolvers.js';
import type { Resolvers } from './__generated__/resolvers-types.js';
import { actorOf } from './actions.js';
import { entryVisibility, isVisible, mayActFor, mayFileObjection } from '../auth/policy.js';

export interface CaseFileLoaders {
  objectionsByEntry: DataLoader<string, Objection[]>;
  repairStepsByEntry: DataLoader<string, RepairStep[]>;
  fileBySubject: DataLoader<string, FileRecord[]>;
}

type Context = ListContext & { loaders: CaseFileLoaders };

export const createCaseFileLoaders = (objections: Objections, repair: CreditRepair): CaseFileLoaders => ({
  objectionsByEntry: new DataLoader((ids) => objections.ofEntries(ids), { maxBatchSize: MAX_KEYS_PER_STATEMENT }),
  repairStepsByEntry: new DataLoader((ids) => repair.stepsOf(ids), { maxBatchSize: MAX_KEYS_PER_STATEMENT }),
  fileBySubject: new DataLoader((codes) => repair.fileOf(codes), { maxBatchSize: MAX_KEYS_PER_STATEMENT }),
});

export function caseFileResolvers(objections: Objections, repair: CreditRepair): Resolvers<Context> {
  const actor = (ctx: Context) => actorOf(ctx.principal!, objections.prefix);
  return {
    // Each record carries what it is about: its free text is masked as the entry's fields are (`@mentionsSubject`).
    ListEntry: {
      objections: async (entry, _, ctx) => (await ctx.loaders.objectionsByEntry.load(entry.id)).map((objection) => ({ ...objection, about: entry })),
      repairSteps: async (entry, _, ctx) => (await ctx.loaders.repairStepsByEntry.load(entry.id)).map((step) => ({ ...step, about: entry })),
    },
    DepartmentRecord: {
      // A subject's file is about all its entries with the department (visible to this reader or not: their values are only masked).
      async file(record, _, ctx) {
        const [records, entries] = await Promise.all([ctx.loaders.fileBySubject.load(record.creditCode), ctx.loaders.entriesBySubject.load(record.creditCode)]);
        const about = entries.length ? entries : [{ creditCode: record.creditCode }];
        return records.map((fileRecord) => ({ ...fileRecord, about }));
      },
    },
    DepartmentActions: {
      async fileObjection(_, { input }, ctx) {
        // An agency reports what it found while applying measures; appeals and objections
        // reach the department and are recorded by its officers.
        const principal = ctx.principal!;
        const department = objections.prefix;
        if (!mayFileObjection(principal, department, input.kind)) {
          throw typedError(ErrorCode.FORBIDDEN, 'An implementing agency files IMPLEMENTER_REPORT objections', { argument: 'input.kind' });
        }
        if (!mayActFor(principal, department)) {
          // Only against an entry it may see: an unseen entry is not found, whether it exists or not.
          const entry = await objections.store.findById(String(input.entryId));
          if (!entry || !isVisible(entry, entryVisibility(principal, department))) {
            throw typedError(ErrorCode.NOT_FOUND, `No entry "${input.entryId}" on the ${department} department's lists`, { argument: 'input.entryId' });
          }
        }
        return objections.file(actor(ctx), input);
      },
      // The objection's grounds were written by whoever filed it, not by the officer answering:
      // they are masked as on the entry (`@mentionsSubject`), read before a decision may purge it.
      async acceptObjection(_, args, ctx) {
        const objection = await objections.accept(actor(ctx), args.objectionId, args.accept, args.reason);
        return { ...objection, about: await objections.store.findById(objection.entryId) };
      },
      async decideObjection(_, { input }, ctx) {
        const about = await objections.entryOf(String(input.objectionId));
        const decision = await objections.decide(actor(ctx), input);
        return { ...decision, objection: { ...decision.objection, about } };
      },
      recordRepairStep: (_, { input }, ctx) => repair.recordStep(actor(ctx), input),
      recordInterview: (_, { input }, ctx) => repair.recordInterview(actor(ctx), input),
      applyForEarlyExit: (_, args, ctx) => repair.applyForEarlyExit(actor(ctx), args),
      decideEarlyExit: (_, { input }, ctx) => repair.decideEarlyExit(actor(ctx), input),
    },
  };
}
