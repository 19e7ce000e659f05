/**
 * GraphQL of the statistics. Each root field checks its period and filter once and hands
 * its fields a scope; each field asked runs its own aggregate, so a dashboard gets every
 * figure it shows in one request and pays only for the figures it asks for.
 */
import { badInput } from '../kit/errors.js';
import { toIsoDate, type Clock } from '../kit/dates.js';
import type { SubgraphContext } from '../kit/server.js';
import {
  validateDimensions,
  validateQuery,
  type ListTypeName,
  type Period,
  type Statistics,
  type StatisticsFilter,
} from './statistics.js';
import type { QueryEntryStatisticsArgs, Resolvers } from './__generated__/resolvers-types.js';

/** What a statistics query hands its fields: the checked period and filter, and today. */
export interface StatisticsScope extends Period {
  filter: StatisticsFilter;
  today: string;
}

export interface ListedScope extends StatisticsScope {
  listType: ListTypeName;
  spread?: Promise<{ domains: number; subjects: number }[]>;
}

export function statisticsResolvers(statistics: Statistics, clock: Clock): Resolvers<SubgraphContext> {
  const scope = (args: QueryEntryStatisticsArgs): StatisticsScope => ({ from: args.from, to: args.to, filter: validateQuery(args, args.filter), today: toIsoDate(clock()) });
  const spread = (parent: ListedScope) => (parent.spread ??= statistics.subjectsByDomainCount(parent, parent.filter, parent.listType));
  return {
    Query: {
      entryStatistics: (_, args) => scope(args),
      warningListStatistics: async (_, args) => {
        const checked = scope(args);
        return { from: checked.from, to: checked.to, ...(await statistics.warningList(checked, checked.filter)) };
      },
      listedSubjectStatistics: (_, args) => {
        const checked = scope(args);
        return { ...checked, listType: checked.filter.listType ?? 'BLACK' };
      },
    },
    EntryStatistics: {
      recognised: (parent, args) =>
        statistics.entries('recognised', { period: parent }, parent.filter, validateDimensions(args.by, 'recognised')),
      exited: (parent, args) =>
        statistics.entries('exited', { period: parent }, parent.filter, validateDimensions(args.by, 'exited')),
      active: (parent, args) => {
        if (args.on && args.on > parent.today) {
          throw badInput(`active(on: "${args.on}") is after today (${parent.today}): the figures count what happened, they do not forecast`, { argument: 'on' });
        }
        const on = args.on ?? (parent.to < parent.today ? parent.to : parent.today);
        return statistics.entries('active', { period: parent, on }, parent.filter, validateDimensions(args.by, 'active'));
      },
    },
    ListedSubjectStatistics: {
      subjects: async (parent) => (await spread(parent)).reduce((sum, row) => sum + row.subjects, 0),
      multiDomainSubjects: async (parent) => (await spread(parent)).filter((row) => row.domains >= 2).reduce((sum, row) => sum + row.subjects, 0),
      byDomainCount: (parent) => spread(parent),
      byRegion: (parent, args) =>
        statistics.subjectsByRegion(parent, parent.filter, parent.listType, args.level ?? 'PROVINCE'),
      byIndustry: (parent) => statistics.subjectsByIndustry(parent, parent.filter, parent.listType),
    },
  };
}
