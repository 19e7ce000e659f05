/**
 * The case file of an entry and a subject: objections, repair steps, file records — read
 * in batches per request, acted on through the department's actions.
 */
import DataLoader from 'dataloader';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { ErrorCode, typedError } from '../errors.js';
import { MAX_KEYS_PER_STATEMENT, type ListEntry } from './store.js';
import type { FileObjectionInput, DecideObjectionInput, Objection, Objections } from './objections.js';
import type { CreditRepair, FileRecord, RepairStep, RepairStepKind } from './repair.js';
import type { ListContext } from './resolvers.js';
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

export function caseFileResolvers(objections: Objections, repair: CreditRepair): GraphQLResolverMap<Context> {
  const actor = (ctx: Context) => actorOf(ctx.principal!, objections.prefix);
  return {
    ListEntry: {
      objections: (entry: ListEntry, _: unknown, ctx: Context) => ctx.loaders.objectionsByEntry.load(entry.id),
      repairSteps: (entry: ListEntry, _: unknown, ctx: Context) => ctx.loaders.repairStepsByEntry.load(entry.id),
    },
    DepartmentRecord: {
      file: (record: { creditCode: string }, _: unknown, ctx: Context) => ctx.loaders.fileBySubject.load(record.creditCode),
    },
    DepartmentActions: {
      async fileObjection(_: unknown, { input }: { input: FileObjectionInput }, ctx: Context) {
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
      acceptObjection: (_: unknown, args: { objectionId: string; accept: boolean; reason: string }, ctx: Context) =>
        objections.accept(actor(ctx), args.objectionId, args.accept, args.reason),
      decideObjection: (_: unknown, { input }: { input: DecideObjectionInput }, ctx: Context) => objections.decide(actor(ctx), input),
      recordRepairStep: (
        _: unknown,
        { input }: { input: { entryId: string; kind: RepairStepKind; details: string; classHours?: number; issuer?: string; reference?: string } },
        ctx: Context,
      ) => repair.recordStep(actor(ctx), input),
      recordInterview: (_: unknown, { input }: { input: { entryId: string; refused: boolean; notes: string } }, ctx: Context) =>
        repair.recordInterview(actor(ctx), input),
      applyForEarlyExit: (_: unknown, args: { entryId: string; reference?: string }, ctx: Context) => repair.applyForEarlyExit(actor(ctx), args),
      decideEarlyExit: (
        _: unknown,
        { input }: { input: { applicationId: string; approve: boolean; reason: string; keyAttentionValidUntil?: string } },
        ctx: Context,
      ) => repair.decideEarlyExit(actor(ctx), input),
    },
  } as GraphQLResolverMap<Context>;
}
