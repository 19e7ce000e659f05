/** GraphQL of the joint measures: catalogue, screening, receipts, feedback, statistics, directed push. */
import DataLoader from 'dataloader';
import { pageSize } from '../kit/cursor.js';
import { toIsoDate, type Clock } from '../kit/dates.js';
import type { SubgraphContext } from '../kit/server.js';
import { validateRegionPrefix } from '../kit/period.js';
import { validateQuery } from './statistics.js';
import type { Collection } from './collection.js';
import type { Feedback } from './feedback.js';
import type { Measure, MeasureCatalogue, Memorandum } from './measures.js';
import type { ReceiptKeys } from './receipts.js';
import { publishedKey } from '../kit/auth/signing-keys.js';
import { screenedCodeOwner, type ScreeningRecord, type ScreeningService } from './screening.js';
import { feedVisibilityAcross, type DepartmentRef } from '../kit/auth/policy.js';
import { subjectOf } from './resolvers.js';
import { catalogueActor, catalogueChangesPage } from './catalogue-changes.js';
import type { Resolvers } from './__generated__/resolvers-types.js';

export interface JointMeasureLoaders {
  measuresInForce: DataLoader<string, Measure[]>;
}

type Context = SubgraphContext & { loaders: JointMeasureLoaders };

/** A memorandum with the day its `measures` are in force on. */
export type MemorandumParent = Memorandum & { asOf: string };

export const createJointMeasureLoaders = (catalogue: MeasureCatalogue): JointMeasureLoaders => ({
  measuresInForce: new DataLoader((days) => Promise.all(days.map((day) => catalogue.measuresInForce(day)))),
});

export function jointMeasureResolvers(deps: {
  catalogue: MeasureCatalogue;
  screenings: ScreeningService;
  feedback: Feedback;
  collection: Collection;
  receipts: ReceiptKeys;
  clock: Clock;
  departments: readonly DepartmentRef[];
}): Resolvers<Context> {
  const { catalogue, screenings, feedback, collection, receipts, clock, departments } = deps;
  const actor = (ctx: Context) => catalogueActor(ctx.principal!);
  const toScreening = (record: ScreeningRecord) => ({ ...record, dataVersion: JSON.stringify(record.dataVersion) });
  return {
    Query: {
      async memorandums(_, args) {
        const asOf = args.asOf ?? toIsoDate(clock());
        return (await catalogue.memorandumsInForce(asOf)).map((m) => ({ ...m, asOf }));
      },
      async screening(_, args, ctx) {
        const stored = await screenings.find(args.id);
        screenings.requireOwnScreening(ctx.principal!, stored, args.id);
        const row = stored!.row;
        const asOf = row.screened_at.slice(0, 10);
        // As recorded: the verdicts, and the measure versions shown that day.
        const shown = await catalogue.versions(stored!.items.flatMap((item) => item.measures));
        const memorandums = new Map((await catalogue.memorandumsInForce(asOf)).map((m) => [m.id, m]));
        const measureOf = new Map(shown.map((m) => [`${m.id}@${m.version}`, m]));
        return {
          id: row.id, scenario: row.scenario, reference: row.reference, agency: row.agency, screenedAt: row.screened_at,
          asOf, dataVersion: row.data_version, receipt: row.receipt,
          items: stored!.items.map((item, index) => ({
            index, creditCode: item.code, owner: screenedCodeOwner(item.code), valid: item.valid, reason: item.valid ? null : 'not a valid credit code', verdict: item.verdict,
            onWarningList: item.measures.some((m) => m.triggeredBy.includes('WARNING_LIST')),
            regionCode: item.regionCode,
            activeEntries: [],
            measures: item.measures.flatMap((m) => {
              const measure = measureOf.get(`${m.id}@${m.version}`);
              const memorandum = measure && memorandums.get(measure.memorandumId);
              return measure && memorandum ? [{ measure, memorandum, triggeredBy: m.triggeredBy }] : [];
            }),
          })),
        };
      },
      async catalogueChanges(_, args) {
        return catalogueChangesPage(catalogue.db, args, pageSize(args.first, 100), args.after);
      },
      receiptKey: () => publishedKey(receipts),
      verifyScreeningReceipt: (_, args) => screenings.verifyReceipt(args.receipt),
      async jointMeasureCases(_, args, ctx) {
        return feedback.page(ctx.principal!, args, pageSize(args.first, 100), args.after);
      },
      async jointMeasureStatistics(_, args) {
        const period = { from: args.from, to: args.to };
        const stats = await feedback.statistics(period, validateQuery(period, args.filter));
        return { ...stats, nationalTarget: stats.targets.national, localTarget: stats.targets.local };
      },
      async entryChanges(_, args, ctx) {
        const regionPrefix = args.regionCode ?? ctx.principal!.region ?? null;
        validateRegionPrefix(regionPrefix, 'regionCode');
        let listKinds: string[] | null = null;
        if (args.scenarios?.length) {
          const measures = await catalogue.measuresInForce(toIsoDate(clock()));
          listKinds = [...new Set(measures.filter((m) => m.scenarios.some((s) => args.scenarios!.includes(s))).flatMap((m) => m.triggers))];
        }
        const visibility = feedVisibilityAcross(ctx.principal!, departments);
        return collection.changesSince(args.after, pageSize(args.first, 500, 100), { listKinds, regionPrefix }, visibility);
      },
    },
    Mutation: {
      async screen(_, args, ctx) {
        return toScreening(await screenings.screen(ctx.principal!, args, ctx.signal));
      },
      recordMeasureFeedback: (_, { input }, ctx) => feedback.record(ctx.principal!, input),
      // Its measures as they will be in force from the day it takes effect.
      addMemorandum: async (_, args, ctx) => ({ ...(await catalogue.addMemorandum(actor(ctx), args.input, args.effectiveFrom)), asOf: args.effectiveFrom }),
      addMeasure: (_, args, ctx) =>
        catalogue.addMeasure(actor(ctx), args.memorandumId, args.input, args.effectiveFrom),
      amendMeasure: (_, args, ctx) =>
        catalogue.amendMeasure(actor(ctx), args.measureId, args.changes, args.effectiveFrom),
      withdrawMeasure: (_, args, ctx) =>
        catalogue.withdrawMeasure(actor(ctx), args.measureId, args.effectiveFrom),
    },
    Memorandum: {
      async measures(memorandum, args, ctx) {
        const measures = await ctx.loaders.measuresInForce.load(memorandum.asOf);
        return measures.filter((m) => m.memorandumId === memorandum.id && (!args.scenario || m.scenarios.includes(args.scenario)));
      },
    },
    ScreeningItem: {
      // The subject with what its code tells (its type), so that its personal fields are masked and registered as they should.
      subject: (item) => (item.valid ? subjectOf(item.creditCode) : null),
    },
    TriggeredMeasure: {
      memorandum: (triggered) => ({ ...triggered.memorandum, asOf: toIsoDate(clock()) }),
    },
  };
}
