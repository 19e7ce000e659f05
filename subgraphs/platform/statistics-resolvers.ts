/**
 * GraphQL of the statistics. Each root field checks its period and filter once and hands
 * its fields a scope; each field asked runs its own aggregate, so a dashboard gets every
 * figure it shows in one request and pays only for the figures it asks for.
 */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { badInput } from '../kit/errors.js';
import { toIsoDate, type Clock } from '../kit/dates.js';
import type { SubgraphContext } from '../kit/server.js';
import {
  validateDimensions,
  validateQuery,
  type EntryDimension,
  type ListTypeName,
  type Period,
  type RegionLevel,
  type Statistics,
  type StatisticsFilter,
} from './statistics.js';

interface Scope extends Period {
  filter: StatisticsFilter;
  today: string;
}

interface ListedScope extends Scope {
  listType: ListTypeName;
  spread?: Promise<{ domains: number; subjects: number }[]>;
}

type Args = { from: string; to: string; filter?: StatisticsFilter | null };

export function statisticsResolvers(statistics: Statistics, clock: Clock): GraphQLResolverMap<SubgraphContext> {
  const scope = (args: Args): Scope => ({ from: args.from, to: args.to, filter: validateQuery(args, args.filter), today: toIsoDate(clock()) });
  const spread = (parent: ListedScope) => (parent.spread ??= statistics.subjectsByDomainCount(parent, parent.filter, parent.listType));
  return {
    Query: {
      entryStatistics: (_: unknown, args: Args) => scope(args),
      warningListStatistics: async (_: unknown, args: Args) => {
        const checked = scope(args);
        return { from: checked.from, to: checked.to, ...(await statistics.warningList(checked, checked.filter)) };
      },
      listedSubjectStatistics: (_: unknown, args: Args): ListedScope => {
        const checked = scope(args);
        return { ...checked, listType: checked.filter.listType ?? 'BLACK' };
      },
    },
    EntryStatistics: {
      recognised: (parent: Scope, args: { by?: EntryDimension[] }) =>
        statistics.entries('recognised', { period: parent }, parent.filter, validateDimensions(args.by, 'recognised')),
      exited: (parent: Scope, args: { by?: EntryDimension[] }) =>
        statistics.entries('exited', { period: parent }, parent.filter, validateDimensions(args.by, 'exited')),
      active: (parent: Scope, args: { on?: string | null; by?: EntryDimension[] }) => {
        if (args.on && args.on > parent.today) {
          throw badInput(`active(on: "${args.on}") is after today (${parent.today}): the figures count what happened, they do not forecast`, { argument: 'on' });
        }
        const on = args.on ?? (parent.to < parent.today ? parent.to : parent.today);
        return statistics.entries('active', { period: parent, on }, parent.filter, validateDimensions(args.by, 'active'));
      },
    },
    ListedSubjectStatistics: {
      subjects: async (parent: ListedScope) => (await spread(parent)).reduce((sum, row) => sum + row.subjects, 0),
      multiDomainSubjects: async (parent: ListedScope) => (await spread(parent)).filter((row) => row.domains >= 2).reduce((sum, row) => sum + row.subjects, 0),
      byDomainCount: (parent: ListedScope) => spread(parent),
      byRegion: (parent: ListedScope, args: { level?: RegionLevel | null }) =>
        statistics.subjectsByRegion(parent, parent.filter, parent.listType, args.level ?? 'PROVINCE'),
      byIndustry: (parent: ListedScope) => statistics.subjectsByIndustry(parent, parent.filter, parent.listType),
    },
  } as GraphQLResolverMap<SubgraphContext>;
}
