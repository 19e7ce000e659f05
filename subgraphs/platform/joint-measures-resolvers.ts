/** GraphQL of the joint measures: catalogue, screening, receipts, feedback, statistics, directed push. */
import DataLoader from 'dataloader';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { pageSize } from '../kit/cursor.js';
import { toIsoDate, type Clock } from '../kit/dates.js';
import type { SubgraphContext } from '../kit/server.js';
import { validateRegionPrefix } from '../kit/period.js';
import { validateQuery, type StatisticsFilter } from './statistics.js';
import type { Collection } from './collection.js';
import type { Feedback, FeedbackInput } from './feedback.js';
import type { Measure, MeasureCatalogue, MeasureChangesInput, MeasureInput, Memorandum, MemorandumInput } from './measures.js';
import type { ReceiptKeys } from './receipts.js';
import { publishedKey } from '../kit/auth/signing-keys.js';
import type { ScreeningItem, ScreeningRecord, ScreeningService } from './screening.js';
import type { Scenario } from './memorandum-catalogue.js';
import { feedVisibilityAcross, type DepartmentRef } from '../kit/auth/policy.js';
import { subjectOf } from './resolvers.js';
import { catalogueActor, catalogueChangesPage } from './catalogue-changes.js';

export interface JointMeasureLoaders {
  measuresInForce: DataLoader<string, Measure[]>;
}

type Context = SubgraphContext & { loaders: JointMeasureLoaders };

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
}): GraphQLResolverMap<Context> {
  const { catalogue, screenings, feedback, collection, receipts, clock, departments } = deps;
  const actor = (ctx: Context) => catalogueActor(ctx.principal!);
  const toScreening = (record: ScreeningRecord) => ({ ...record, dataVersion: JSON.stringify(record.dataVersion) });
  return {
    Query: {
      async memorandums(_: unknown, args: { asOf?: string }) {
        const asOf = args.asOf ?? toIsoDate(clock());
        return (await catalogue.memorandumsInForce(asOf)).map((m) => ({ ...m, asOf }));
      },
      async screening(_: unknown, args: { id: string }, ctx: Context) {
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
            index, creditCode: item.code, valid: item.valid, reason: item.valid ? null : 'not a valid credit code', verdict: item.verdict,
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
      async catalogueChanges(_: unknown, args: { measureId?: string; memorandumId?: string; first?: number; after?: string }) {
        return catalogueChangesPage(catalogue.db, args, pageSize(args.first, 100), args.after);
      },
      receiptKey: () => publishedKey(receipts),
      verifyScreeningReceipt: (_: unknown, args: { receipt: string }) => screenings.verifyReceipt(args.receipt),
      async jointMeasureCases(_: unknown, args: { domain?: string; measureId?: string; first?: number; after?: string }, ctx: Context) {
        return feedback.page(ctx.principal!, args, pageSize(args.first, 100), args.after);
      },
      async jointMeasureStatistics(_: unknown, args: { from: string; to: string; filter?: StatisticsFilter | null }) {
        const period = { from: args.from, to: args.to };
        const stats = await feedback.statistics(period, validateQuery(period, args.filter));
        return { ...stats, nationalTarget: stats.targets.national, localTarget: stats.targets.local };
      },
      async entryChanges(_: unknown, args: { scenarios?: Scenario[]; regionCode?: string; after?: string; first?: number }, ctx: Context) {
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
      async screen(_: unknown, args: { creditCodes: string[]; scenario: Scenario; reference: string }, ctx: Context) {
        return toScreening(await screenings.screen(ctx.principal!, args, ctx.signal));
      },
      recordMeasureFeedback: (_: unknown, { input }: { input: FeedbackInput }, ctx: Context) => feedback.record(ctx.principal!, input),
      addMemorandum: (_: unknown, args: { input: MemorandumInput; effectiveFrom: string }, ctx: Context) =>
        catalogue.addMemorandum(actor(ctx), args.input, args.effectiveFrom),
      addMeasure: (_: unknown, args: { memorandumId: string; input: MeasureInput; effectiveFrom: string }, ctx: Context) =>
        catalogue.addMeasure(actor(ctx), args.memorandumId, args.input, args.effectiveFrom),
      amendMeasure: (_: unknown, args: { measureId: string; changes: MeasureChangesInput; effectiveFrom: string }, ctx: Context) =>
        catalogue.amendMeasure(actor(ctx), args.measureId, args.changes, args.effectiveFrom),
      withdrawMeasure: (_: unknown, args: { measureId: string; effectiveFrom: string }, ctx: Context) =>
        catalogue.withdrawMeasure(actor(ctx), args.measureId, args.effectiveFrom),
    },
    Memorandum: {
      async measures(memorandum: Memorandum & { asOf: string }, args: { scenario?: Scenario }, ctx: Context) {
        const measures = await ctx.loaders.measuresInForce.load(memorandum.asOf);
        return measures.filter((m) => m.memorandumId === memorandum.id && (!args.scenario || m.scenarios.includes(args.scenario)));
      },
    },
    ScreeningItem: {
      // The subject with what its code tells (its type), so that its personal fields are masked and registered as they should.
      subject: (item: ScreeningItem) => (item.valid ? subjectOf(item.creditCode) : null),
    },
    TriggeredMeasure: {
      memorandum: (triggered: { memorandum: Memorandum }, _: unknown, _ctx: Context) => ({ ...triggered.memorandum, asOf: toIsoDate(clock()) }),
    },
  } as GraphQLResolverMap<Context>;
}
