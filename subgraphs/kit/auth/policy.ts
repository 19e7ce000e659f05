/**
 * THE permission policy of the hub, written once: every read door (list queries, entity
 * resolution, the platform's collection views, the change feed, `entryChanges`,
 * subscriptions, webhooks, screening, joint-measure cases, statistics, warning and
 * consolidated lists, errors) asks these functions, and no other file compares role strings.
 * The README's table "Roles and what they may see" is rendered by `permissionTableMarkdown()`
 * and checked against the README by test/policy.test.ts.
 *
 * API
 * - Declarations: `ROLE_POLICY` (per role: which entries, personal data, writes), `LIST_TYPES`,
 *   and re-exported from principal.ts `ROLES`, `SCOPE_BY_LIST_TYPE`, `ALL_READ_SCOPES`.
 * - Entries: `entryVisibility(principal, department)` → `EntryVisibility` (a department is its
 *   subgraph name); `isVisible(entry, visibility)` (an unknown `published` fails closed);
 *   `entryVisibilityAcross(principal, departments)` for views across departments (the platform);
 *   `feedVisibility(principal, department)`: the change feed and `entryChanges` — what
 *   `entryVisibility` shows, plus the exit of an entry of a list type it may see;
 *   `feedVisibilityAcross(...)`; `coversListType(principal, type, department)`, `scopedListTypes(principal)`, `refusalForListType(type)`.
 * - Platform views: `visibleWarningListDomains(...)` (a warning-list stay names only the domains
 *   whose key-attention entries the caller may see), `caseVisibility(principal, departments)`
 *   (joint-measure cases), `consolidatedListTypes(principal)`.
 * - Case files and actions: `mayReadHistory(principal, department)`, `mayActFor(principal,
 *   department)`, `refusalToActFor(...)`, `mayFileObjection(principal, kind)`.
 * - Personal data: `mayReadPersonalData(principal, purpose)`, `roleMayReadPersonalData(principal)`,
 *   `DataOwner`, `isPersonalFor(when, owner)` — masking fails closed: an owner whose subject
 *   type or publication is unknown counts as a natural person on an unpublished record.
 * - Root fields' roles: `hasOneOfRoles(principal, roles)` (graphql-shield's `hasRole`).
 * - Ownership: `ownsRecord(principal, ownerId)` (screenings, by principal id; administrators any),
 *   `isAdministrator(principal)`, `isAnonymous(principal)`, `maySubscribe(principal)`, `isHubProcess(principal)`.
 */
import type { EntryStatus } from '../lists/store.js';
import type { ListType } from '../lists/department.js';
import { ALL_READ_SCOPES, ROLES, SCOPE_BY_LIST_TYPE, type Principal, type Purpose, type Role } from './principal.js';
import { configuration } from '../config/index.js';

export { ALL_READ_SCOPES, ROLES, SCOPE_BY_LIST_TYPE };
export type { Role };

export const LIST_TYPES: ListType[] = ['RED', 'BLACK', 'KEY_ATTENTION'];

/** Which entries a role sees, in one word each. */
export type EntryReach =
  /** Every entry of every department, every status. */
  | 'ALL'
  /** Published entries in publicity or active. */
  | 'PUBLISHED'
  /** Active entries of the list types the scopes cover. */
  | 'SCOPED_ACTIVE'
  /** Its own department's entries in every status; other departments as SCOPED_ACTIVE. */
  | 'OWN_DEPARTMENT';

export interface RolePolicy {
  /** How the README names the principal. */
  label: string;
  entries: EntryReach;
  /** May read personal data unmasked, with a stated purpose. */
  personalData: boolean;
  /** Reads an entry's history and case file: every department's (true), its own ('OWN'), none (false). */
  history: boolean | 'OWN';
  /**
   * Changes lists: its own department's ('OWN'); every department's where the deployment grants
   * it (`'IF_GRANTED'`: `CREDITHUB_ADMIN_WRITES=true`, acting for the department); none (false).
   */
  writes: false | 'OWN' | 'IF_GRANTED';
  /** Objection kinds it files itself, outside the departments it acts for. */
  files: string[];
  /** The README's words for each column. */
  readme: { entries: string; personalData: string; writes: string };
}

/** The one declaration of what each role may do. SYSTEM is the hub's own processes (event feeds). */
export const ROLE_POLICY: Record<Role, RolePolicy> = {
  PUBLIC: {
    label: 'public (no token)', entries: 'PUBLISHED', personalData: false, history: false, writes: false, files: [],
    readme: {
      entries: 'published entries in publicity or active; key-attention entries only where published; never an unpublished list',
      personalData: 'always masked', writes: '—',
    },
  },
  AGENCY: {
    label: 'implementing agency', entries: 'SCOPED_ACTIVE', personalData: true, history: false, writes: false, files: ['IMPLEMENTER_REPORT'],
    readme: {
      entries: 'active entries of the list types its scopes cover (`read:black`, `read:red`, `read:key_attention`) — in every view: lists, subjects, screening, cases, change feed, `entryChanges`, warning-list domains; a flag or filter outside them is `FORBIDDEN`',
      personalData: 'unmasked only with a stated purpose, masked otherwise; legal representatives\' names on published lists are public',
      writes: 'files `IMPLEMENTER_REPORT` objections against entries it may see',
    },
  },
  OFFICER: {
    label: 'department officer', entries: 'OWN_DEPARTMENT', personalData: true, history: 'OWN', writes: 'OWN', files: [],
    readme: {
      entries: 'its own department\'s entries in every status, with history and case file; other departments as an agency (change feed and subscriptions included)',
      personalData: 'as an agency (own department included)', writes: 'only its own department\'s lists',
    },
  },
  ADMIN: {
    label: 'platform administrator', entries: 'ALL', personalData: true, history: true, writes: 'IF_GRANTED', files: [],
    readme: {
      entries: 'everything', personalData: 'unmasked with a stated purpose',
      writes: 'departments\' lists only where the deployment grants it (`CREDITHUB_ADMIN_WRITES=true`), recorded on the entry\'s history as `admin:… acting for <department>`; read-only by default (谁认定、谁负责); the joint-measure catalogue',
    },
  },
  AUDITOR: {
    label: 'auditor', entries: 'ALL', personalData: false, history: true, writes: false, files: [],
    readme: { entries: 'every entry, histories, case files, the access register, the catalogue\'s changes, the sharing-deadline report', personalData: 'always masked', writes: '—' },
  },
  PARTNER: {
    label: 'integration partner', entries: 'SCOPED_ACTIVE', personalData: false, history: false, writes: false, files: [],
    readme: { entries: 'like an agency with its scopes', personalData: 'always masked', writes: '—' },
  },
  SYSTEM: {
    label: 'the hub\'s own processes', entries: 'ALL', personalData: false, history: false, writes: false, files: [],
    readme: { entries: 'the departments\' event feeds only', personalData: 'never', writes: '—' },
  },
};

/** The README's table of roles, rendered from `ROLE_POLICY` (SYSTEM is internal and left out). */
export function permissionTableMarkdown(): string {
  const rows = ROLES.filter((role) => role !== 'SYSTEM').map((role) => {
    const { label, readme } = ROLE_POLICY[role];
    return `| ${label} | ${readme.entries} | ${readme.personalData} | ${readme.writes} |`;
  });
  return ['| principal | entries it sees | personal data | writes |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** Which of a department's entries a principal may see; null means no restriction. */
export interface EntryVisibility {
  /** PURGED only in the change feed: a mistaken black listing removed (1798 (22)). */
  statuses: (EntryStatus | 'PURGED')[] | null;
  listTypes: ListType[] | null;
  publishedOnly: boolean;
  /**
   * The change feed only: an EXITED or PURGED event (or entry) is admitted only where the status
   * the entry had before it is one of these — where the reader could have seen the entry. Absent
   * or null: any. An unknown previous status (an event written before the feed carried it) fails closed.
   */
  exitsFrom?: EntryStatus[] | null;
}

/** A department as the platform knows it: its subgraph name and its domain. */
export interface DepartmentRef {
  name: string;
  domain: string;
}

const isOwnDepartment = (principal: Principal, department: string) =>
  ROLE_POLICY[principal.role].entries === 'OWN_DEPARTMENT' && principal.department === department;

export const isAdministrator = (principal: Principal) => principal.role === 'ADMIN';
/** Whether the principal has one of the roles a field's rule declares (permissions.ts: `hasRole(...)`). */
export const hasOneOfRoles = (principal: Principal, roles: readonly Role[]) => roles.includes(principal.role);
/** The hub's own processes: the only callers of the departments' event feeds. */
export const isHubProcess = (principal: Principal) => principal.role === 'SYSTEM';
/** The public: no token. Where a role is needed it is told to send one (UNAUTHENTICATED, HTTP 401). */
export const isAnonymous = (principal: Principal) => principal.role === 'PUBLIC';
/** Subscriptions (the change feed, live) are for every authenticated principal. */
export const maySubscribe = (principal: Principal) => !isAnonymous(principal);

export function scopedListTypes(principal: Principal): ListType[] {
  return LIST_TYPES.filter((type) => principal.scopes.includes(SCOPE_BY_LIST_TYPE[type]));
}

const EVERYTHING: EntryVisibility = { statuses: null, listTypes: null, publishedOnly: false };

export function entryVisibility(principal: Principal, department: string): EntryVisibility {
  const reach = ROLE_POLICY[principal.role].entries;
  if (reach === 'ALL' || isOwnDepartment(principal, department)) return EVERYTHING;
  // 1798 (11): published lists, for as long as they are valid; publicity notices are public too.
  if (reach === 'PUBLISHED') return { statuses: ['PUBLICITY', 'ACTIVE'], listTypes: null, publishedOnly: true };
  // Agencies, partners and officers of other departments: active entries their scopes cover.
  return { statuses: ['ACTIVE'], listTypes: scopedListTypes(principal), publishedOnly: false };
}

/**
 * Whether an entry is within a visibility. `published: null` (a view that does not know,
 * e.g. the platform's collection) fails closed where only published entries may be seen.
 */
export function isVisible(
  entry: { status: string | null; listType: string | null; published: boolean | null; previousStatus?: string | null },
  visibility: EntryVisibility,
): boolean {
  return (
    (!visibility.statuses || (entry.status != null && visibility.statuses.includes(entry.status as EntryStatus | 'PURGED'))) &&
    (!visibility.exitsFrom || !isEndStatus(entry.status) || (entry.previousStatus != null && visibility.exitsFrom.includes(entry.previousStatus as EntryStatus))) &&
    (!visibility.listTypes || (entry.listType != null && visibility.listTypes.includes(entry.listType as ListType))) &&
    (!visibility.publishedOnly || entry.published === true)
  );
}

/** The statuses that end an entry in the change feed: an exit, or a purge (a mistaken listing removed). */
export const END_STATUSES = ['EXITED', 'PURGED'] as const;
export const isEndStatus = (status: string | null | undefined) => (END_STATUSES as readonly (string | null | undefined)[]).includes(status);

/**
 * The change feed and `entryChanges`: what `entryVisibility` shows, plus an entry's exit or
 * purge (a mistaken black listing removed, 1798 (22)) where the reader may see active entries
 * of its list type and could have seen this one before it ended (`exitsFrom`: the statuses it
 * sees) — the end of an entry it was shown, so that it lifts its measures and erases its copy.
 * Never a preliminary entry outside one's department, nor its exit.
 */
export function feedVisibility(principal: Principal, department: string): EntryVisibility {
  const visibility = entryVisibility(principal, department);
  if (!visibility.statuses?.includes('ACTIVE')) return visibility;
  return { ...visibility, statuses: [...visibility.statuses, ...END_STATUSES], exitsFrom: visibility.statuses as EntryStatus[] };
}

/**
 * The statuses from which an exit is announced (exit notice or unit notice, 1798 (11)(20)):
 * an entry that had taken effect or was in publicity — the only ones ever shown outside the
 * recognising department. A preliminary entry's exit is announced to no one.
 */
export const ANNOUNCED_EXIT_FROM: EntryStatus[] = ['PUBLICITY', 'ACTIVE'];
export const exitIsAnnounced = (previousStatus: string | null | undefined) => ANNOUNCED_EXIT_FROM.includes(previousStatus as EntryStatus);

/**
 * Exit notices (名单退出公告), 1798 (20): "认定部门（单位）及时通过原发布渠道发布名单退出公告". Only
 * a published entry's exit becomes a notice, so the notice is as public as the listing was: a
 * principal that sees published entries only (the public) reads them; everyone reads the
 * notices of the list types its feed shows. Apply it to EXIT_NOTICE events only.
 */
export function exitNoticeVisibility(principal: Principal, department: string): EntryVisibility {
  return { ...feedVisibility(principal, department), publishedOnly: false };
}

/**
 * Whether the principal's scopes cover a list type of `department` for flags and filters (the
 * public, administrators, auditors and officers in their own department: the visibility
 * decides; officers elsewhere, like agencies, by their scopes).
 */
export function coversListType(principal: Principal, type: ListType, department: string): boolean {
  const reach = ROLE_POLICY[principal.role].entries;
  const scoped = reach === 'SCOPED_ACTIVE' || (reach === 'OWN_DEPARTMENT' && !isOwnDepartment(principal, department));
  return !scoped || scopedListTypes(principal).includes(type);
}

/**
 * Whether a refusal may name a subject's listing (a list type in a domain) to this principal:
 * where its scopes cover that list type there (`coversListType`; `own` is the department
 * refusing, whose officers see its lists in full). A red-list refusal (1798 (8)(19)) still
 * refuses; it names only what the caller may see.
 */
export function mayNameListing(principal: Principal, type: ListType, domain: string, own: DepartmentRef): boolean {
  return coversListType(principal, type, domain === own.domain ? own.name : '');
}

export const refusalForListType = (type: ListType) => `Your scopes do not cover ${type} lists: ask for the scope ${SCOPE_BY_LIST_TYPE[type]}`;

/** The list types a principal may see consolidated lists of, or null for every type. */
export function consolidatedListTypes(principal: Principal): ListType[] | null {
  return ROLE_POLICY[principal.role].entries === 'ALL' ? null : scopedListTypes(principal);
}

/**
 * The domains of a warning-list stay the caller may be told: those whose active key-attention
 * entries it may see. The collection does not know whether they are published, so for the
 * public (published entries only) no domain is named — membership itself is public (1798 (17)).
 */
export function visibleWarningListDomains(principal: Principal, departments: readonly DepartmentRef[], domains: readonly string[]): string[] {
  const across = entryVisibilityAcross(principal, departments);
  return domains.filter((domain) => isVisible({ status: 'ACTIVE', listType: 'KEY_ATTENTION', published: null }, across.of(domain)));
}

/**
 * An entry's history and case file: the department, administrators and auditors. The same
 * decision shows the department's own decision numbers (`ListEntry.externalReference`, a
 * transition's `externalReference`): not personal data, but the department's internal case
 * numbers, which name its case files as the history names its officials.
 */
export function mayReadHistory(principal: Principal, department: string): boolean {
  const history = ROLE_POLICY[principal.role].history;
  return history === true || (history === 'OWN' && principal.department === department);
}

/** Who may change a department's lists: its own officers, and administrators. */
/** Whether a principal may change `department`'s lists: `mayWriteDepartmentLists`, below, decides. */
export const mayActFor = (principal: Principal, department: string): boolean => mayWriteDepartmentLists(principal, department).allowed;

export function refusalToActFor(principal: Principal, department: string): string {
  const decision = mayWriteDepartmentLists(principal, department);
  return decision.allowed ? '' : decision.reason;
}

/**
 * Whether a principal may file an objection of `kind` with `department`: those who act for
 * the department record every kind; others only the kinds their role files (agencies:
 * IMPLEMENTER_REPORT) — and, like every read, only against entries they may see.
 */
export function mayFileObjection(principal: Principal, department: string, kind: string): boolean {
  return mayActFor(principal, department) || ROLE_POLICY[principal.role].files.includes(kind);
}

/** Joint-measure cases a principal sees: null for every case; else the conditions, any of which admits a case. */
export interface CaseVisibility {
  all: boolean;
  /** Cases of these domains (the recognising department's). */
  domains: string[];
  /** Cases recorded by this principal. */
  recordedBy: string | null;
  /** Published typical cases. */
  published: boolean;
}

export function caseVisibility(principal: Principal, departments: readonly DepartmentRef[]): CaseVisibility {
  const policy = ROLE_POLICY[principal.role];
  if (policy.entries === 'ALL') return { all: true, domains: [], recordedBy: null, published: true };
  const own = departments.filter((d) => isOwnDepartment(principal, d.name)).map((d) => d.domain);
  return { all: false, domains: own, recordedBy: policy.files.includes('IMPLEMENTER_REPORT') ? principal.id : null, published: true };
}

/** A record kept for whoever made it (a screening): its principal, or an administrator. */
export function ownsRecord(principal: Principal, ownerId: string): boolean {
  return principal.id === ownerId || isAdministrator(principal);
}

/** Whose data a personal field holds. */
export interface DataOwner {
  creditCode: string;
  /** Unknown (undefined/null) fails closed: treated as a natural person. */
  subjectType?: 'ORGANISATION' | 'NATURAL_PERSON' | string | null;
  /** Whether the record it sits on is published (a public list). Unknown fails closed: unpublished. */
  published?: boolean | null;
  /** Whose personal data it is when not the subject's: a legal representative's own document number. */
  person?: string | null;
  /** That person's kind for the access register (a legal representative: NATURAL_PERSON). */
  personType?: string;
}

/** Whether a `@personal(when: …)` value is personal data for its owner; unknown facts count against disclosure. */
export function isPersonalFor(when: 'ALWAYS' | 'NATURAL_PERSON' | 'UNPUBLISHED', owner: DataOwner | null): boolean {
  if (!owner) return true;
  if (when === 'NATURAL_PERSON') return owner.subjectType !== 'ORGANISATION';
  if (when === 'UNPUBLISHED') return owner.published !== true;
  return true;
}

/** Whether the role may ever read personal data unmasked (with a stated purpose): 1798 (24)(25). */
export const roleMayReadPersonalData = (principal: Principal) => ROLE_POLICY[principal.role].personalData;

/**
 * May this principal read personal data unmasked? Only with a stated purpose, and only:
 * administrators; officers, of their own department's records and, like agencies, of what
 * they may see elsewhere; agencies. Never the public, auditors or partners (1798 (24)(25)).
 */
export function mayReadPersonalData(principal: Principal, purpose: Purpose | null): boolean {
  return Boolean(purpose) && roleMayReadPersonalData(principal);
}

/**
 * A reader's visibility across departments, for views that hold every department's entries
 * (the platform): per domain, and whether nothing is restricted at all. A domain the platform
 * does not know a department for is seen as another department's.
 */
export interface CrossDepartmentVisibility {
  unrestricted: boolean;
  of(domain: string | null | undefined): EntryVisibility;
}

function acrossDepartments(
  principal: Principal,
  departments: readonly DepartmentRef[],
  visibilityIn: (principal: Principal, department: string) => EntryVisibility,
): CrossDepartmentVisibility {
  const byDomain = new Map(departments.map((d) => [d.domain, visibilityIn(principal, d.name)]));
  const elsewhere = visibilityIn(principal, '');
  const all = [elsewhere, ...byDomain.values()];
  return {
    unrestricted: all.every((v) => !v.statuses && !v.listTypes && !v.publishedOnly),
    of: (domain) => (domain && byDomain.get(domain)) || elsewhere,
  };
}

/** `entryVisibility` across departments: screening, the collection's views. */
export const entryVisibilityAcross = (principal: Principal, departments: readonly DepartmentRef[]) =>
  acrossDepartments(principal, departments, entryVisibility);

/** `feedVisibility` across departments: the change feed, `entryChanges`, subscriptions, webhooks. */
export const feedVisibilityAcross = (principal: Principal, departments: readonly DepartmentRef[]) =>
  acrossDepartments(principal, departments, feedVisibility);

/** `exitNoticeVisibility` across departments: the public channel of exit notices. */
export const exitNoticeVisibilityAcross = (principal: Principal, departments: readonly DepartmentRef[]) =>
  acrossDepartments(principal, departments, exitNoticeVisibility);
/** Whether this deployment lets platform administrators write departments' lists (`CREDITHUB_ADMIN_WRITES=true`); off by default. */
export const adminWritesGranted = (env?: NodeJS.ProcessEnv) => configuration(env).CREDITHUB_ADMIN_WRITES;

/** Who may write a department's list, and as whom the entry's history records it. */
export type ListWriteDecision = { allowed: true; actingFor: string | null } | { allowed: false; reason: string };

/**
 * May this principal change `department`'s lists? 谁认定、谁负责 (1798 (9)): the
 * recognising department's own officers. Platform administrators read everything but
 * write a department's lists only where the deployment grants it explicitly
 * (`CREDITHUB_ADMIN_WRITES=true`), and then act for the department (`actingFor`, written
 * on the entry's history). Every other principal: no.
 */
export function mayWriteDepartmentLists(principal: Principal, department: string, env?: NodeJS.ProcessEnv): ListWriteDecision {
  const writes = ROLE_POLICY[principal.role].writes;
  if (writes === 'OWN' && principal.department === department) return { allowed: true, actingFor: null };
  if (writes === 'IF_GRANTED') {
    return adminWritesGranted(env)
      ? { allowed: true, actingFor: department }
      : {
          allowed: false,
          reason: `Platform administrators read the ${department} department's lists; they change them only where the deployment grants it (CREDITHUB_ADMIN_WRITES=true) — 谁认定、谁负责`,
        };
  }
  return {
    allowed: false,
    reason:
      writes === 'OWN'
        ? `An officer of ${principal.department} cannot change the ${department} department's lists (谁认定、谁负责)`
        : `Only the ${department} department's officers change its lists`,
  };
}

/**
 * May this principal change the joint-measure catalogue (addMemorandum, addMeasure,
 * amendMeasure, withdrawMeasure)? Only the platform administrator. A memorandum is signed
 * jointly by many departments (联合签署, `003`), and its measures bind agencies of every
 * department; the platform's lead department organises the signing and keeps the catalogue
 * (做好联合奖惩备忘录签署, `000` §3, `003`). So the department whose lists trigger a measure
 * does not change it alone — not even its own: a measure such as 〔2018〕457号's acts on
 * every department's black lists. A department asks the administrator, who records it.
 */
export function mayChangeMeasureCatalogue(principal: Principal): boolean {
  return principal.role === 'ADMIN';
}
