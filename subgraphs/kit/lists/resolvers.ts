/**
 * The list engine's GraphQL resolvers, configured per department: the department's
 * field on `Subject`, its entries query, and the shared list types.
 */
import { badInput, ErrorCode, typedError } from '../errors.js';
import { entryVisibility, isVisible, type EntryVisibility } from '../auth/policy.js';
import type { AuthContext } from '../auth/context.js';
import type { Principal } from '../auth/principal.js';
import { pageSize } from '../cursor.js';
import { checkSubjectCode } from '../codes.js';
import type { SubgraphContext } from '../server.js';
import type { DepartmentConfig, Domain, ListType } from './department.js';
import type { EntryFilter, ListEntry, ListStore } from './store.js';
import type { ListLoaders } from './loaders.js';
import type { EntryFilter as EntryFilterInput, ExitWay, PageInfo, QueryDepartmentEntriesArgs, Resolvers } from './__generated__/resolvers-types.js';

/** What the list engine's resolvers see of a request. */
export type ListContext = SubgraphContext & AuthContext & { loaders: ListLoaders };
type Context = ListContext;

/** A subject as a department's subgraph resolves it: its key, nothing looked up. */
export interface SubjectParent {
  creditCode: string;
}

/** The parent of `DepartmentRecord` fields: the subject it is about. */
export interface DepartmentRecordParent {
  creditCode: string;
}

/** What an entries query hands on: `totalCount` is a function, so the count runs only when asked for. */
export interface ListEntryConnectionParent {
  edges: { cursor: string; node: ListEntry }[];
  pageInfo: PageInfo;
  totalCount: () => Promise<number>;
}

/** The arguments of every department's entries query (`taxEntries`, `marketEntries`, …): the template department's. */
export type EntriesQueryArgs = QueryDepartmentEntriesArgs;

export const MAX_PAGE_SIZE = 100;

/** Normalises and checks a subject code, or throws a BAD_USER_INPUT error naming it. */
export function requireValidCode(raw: unknown, argument: string): string {
  const check = checkSubjectCode(raw);
  if (!check.valid) {
    throw badInput(`"${check.code}" is not a valid credit code: ${check.reason}`, { argument, creditCode: check.code });
  }
  return check.code;
}

function validateFilter(filter: EntryFilterInput | null | undefined): EntryFilter {
  if (!filter) return {};
  if (filter.regionCode != null && !/^\d{2,6}$/.test(filter.regionCode)) {
    throw badInput(`"${filter.regionCode}" is not an administrative division code: give 2 to 6 digits, e.g. "44" or "440305"`, {
      argument: 'filter.regionCode',
    });
  }
  if (filter.recognisedFrom && filter.recognisedTo && filter.recognisedFrom > filter.recognisedTo) {
    throw badInput(`recognisedFrom (${filter.recognisedFrom}) is after recognisedTo (${filter.recognisedTo})`, {
      argument: 'filter',
    });
  }
  return { ...filter, creditCode: filter.creditCode == null ? null : requireValidCode(filter.creditCode, 'filter.creditCode') };
}

/** The subject's own active entry of a list type; linked entries of organisations it represents do not count. */
const isActive = (entry: ListEntry, type: ListType) => entry.listType === type && entry.status === 'ACTIVE' && !entry.linkedAs;

/** Refuses a filter that asks for entries the principal may not see, rather than silently answering less. */
function requireWithinVisibility(filter: EntryFilter, visibility: EntryVisibility): void {
  const outsideTypes = visibility.listTypes && filter.listTypes?.filter((type) => !visibility.listTypes!.includes(type));
  if (outsideTypes?.length) {
    throw typedError(ErrorCode.FORBIDDEN, `Your scopes do not cover ${outsideTypes.join(', ')} lists: ask for the scope read:${outsideTypes[0].toLowerCase()}`, {
      argument: 'filter.listTypes',
    });
  }
  const outsideStatuses = visibility.statuses && filter.statuses?.filter((status) => !visibility.statuses!.includes(status));
  if (outsideStatuses?.length) {
    throw typedError(ErrorCode.FORBIDDEN, `You may see entries that are ${visibility.statuses!.join(' or ')}, not ${outsideStatuses.join(', ')}`, {
      argument: 'filter.statuses',
    });
  }
}

/**
 * One page of a department's entries for a principal: the filter checked, refused where it
 * asks for more than the principal may see, keyset-paged within its visibility. The entries
 * query (pages up to MAX_PAGE_SIZE) and the export (larger pages) both read through here.
 */
export async function entriesPage(
  department: DepartmentConfig,
  store: ListStore,
  principal: Principal,
  args: EntriesQueryArgs,
  maxPageSize: number,
): Promise<ListEntryConnectionParent> {
  const filter = validateFilter(args.filter);
  const visibility = entryVisibility(principal, department.name);
  requireWithinVisibility(filter, visibility);
  const first = pageSize(args.first, maxPageSize);
  const page = await store.page(filter, visibility, first, args.after);
  return {
    edges: page.edges,
    pageInfo: page.pageInfo,
    // Counted only when asked for.
    totalCount: () => store.count(filter, visibility),
  };
}

/** The template department's fields (kit/lists/department-fields.ts): `forDepartment` names them after the department. */
export function departmentResolvers(department: DepartmentConfig, store: ListStore): Resolvers<Context> {
  const visibilityOf = (ctx: Context) => entryVisibility(ctx.principal!, department.name);
  /** The subject's entries this principal may see. */
  const entriesOf = async (record: DepartmentRecordParent, ctx: Context) => {
    const visibility = visibilityOf(ctx);
    return (await ctx.loaders.entriesBySubject.load(record.creditCode)).filter((entry) => isVisible(entry, visibility));
  };

  return {
    Query: {
      departmentEntries: (_, args, ctx) => entriesPage(department, store, ctx.principal!, args, MAX_PAGE_SIZE),
    },
    Subject: {
      // The gateway sends one representation per occurrence: no database work here,
      // the department's field batches through the per-request loader.
      __resolveReference: (reference) => ({ creditCode: requireValidCode(reference.creditCode, 'representations') }),
      department: (subject) => ({ creditCode: subject.creditCode }),
    },
    DepartmentRecord: {
      // A catalogue's department's domain is one of the catalogue's (a test's own catalogue adds its own).
      domain: () => department.domain as Domain,
      async entries(record, args, ctx) {
        const entries = await entriesOf(record, ctx);
        return entries.filter(
          (entry) =>
            (!args.listTypes?.length || args.listTypes.includes(entry.listType)) &&
            (!args.statuses?.length || args.statuses.includes(entry.status)),
        );
      },
      blackListed: async (record, _, ctx) => (await entriesOf(record, ctx)).some((entry) => isActive(entry, 'BLACK')),
      redListed: async (record, _, ctx) => (await entriesOf(record, ctx)).some((entry) => isActive(entry, 'RED')),
      keyAttention: async (record, _, ctx) => (await entriesOf(record, ctx)).some((entry) => isActive(entry, 'KEY_ATTENTION')),
    },
    ListEntry: {
      // Each carries the entry it is about: their free text is masked as the entry's fields are (`@mentionsSubject`).
      history: async (entry, _, ctx) => (await ctx.loaders.historyByEntry.load(entry.id)).map((transition) => ({ ...transition, about: entry })),
      exit: (entry) => (entry.exit ? { ...entry.exit, way: entry.exit.way as ExitWay, about: entry } : null),
    },
  };
}
