/**
 * The permission matrix, written once for every subgraph: which entries a principal
 * sees and who may read personal data unmasked. The README's matrix table mirrors it.
 */
import type { EntryStatus } from '../lists/store.js';
import type { ListType } from '../lists/department.js';
import { SCOPE_BY_LIST_TYPE, type Principal, type Purpose } from './principal.js';

const LIST_TYPES: ListType[] = ['RED', 'BLACK', 'KEY_ATTENTION'];

/** Which of a department's entries a principal may see; null means no restriction. */
export interface EntryVisibility {
  statuses: EntryStatus[] | null;
  listTypes: ListType[] | null;
  publishedOnly: boolean;
}

const isOwnDepartment = (principal: Principal, department: string) => principal.role === 'OFFICER' && principal.department === department;

export function scopedListTypes(principal: Principal): ListType[] {
  return LIST_TYPES.filter((type) => principal.scopes.includes(SCOPE_BY_LIST_TYPE[type]));
}

export function entryVisibility(principal: Principal, department: string): EntryVisibility {
  if (principal.role === 'ADMIN' || principal.role === 'AUDITOR' || isOwnDepartment(principal, department)) {
    return { statuses: null, listTypes: null, publishedOnly: false };
  }
  if (principal.role === 'PUBLIC') {
    // 1798 (11): published lists, for as long as they are valid; publicity notices are public too.
    return { statuses: ['PUBLICITY', 'ACTIVE'], listTypes: null, publishedOnly: true };
  }
  // Agencies, partners and officers of other departments: active entries their scopes cover.
  return { statuses: ['ACTIVE'], listTypes: scopedListTypes(principal), publishedOnly: false };
}

export function isVisible(entry: { status: EntryStatus; listType: ListType; published: boolean }, visibility: EntryVisibility): boolean {
  return (
    (!visibility.statuses || visibility.statuses.includes(entry.status)) &&
    (!visibility.listTypes || visibility.listTypes.includes(entry.listType)) &&
    (!visibility.publishedOnly || entry.published)
  );
}

/** Whose data a personal field holds. */
export interface DataOwner {
  creditCode: string;
  subjectType: 'ORGANISATION' | 'NATURAL_PERSON';
  /** Whether the record it sits on is published (a public list). */
  published: boolean;
}

/**
 * May this principal read personal data of `department`'s records unmasked? Only with a
 * stated purpose, and only: administrators; officers, of their own department's records
 * and, like agencies, of what they may see elsewhere; agencies. Never the public,
 * auditors or partners (1798 (24)(25)).
 */
export function mayReadPersonalData(principal: Principal, purpose: Purpose | null): boolean {
  if (!purpose) return false;
  return principal.role === 'ADMIN' || principal.role === 'OFFICER' || principal.role === 'AGENCY';
}

/** Whether this deployment lets platform administrators write departments' lists (`CREDITHUB_ADMIN_WRITES=true`); off by default. */
export const adminWritesGranted = (env: NodeJS.ProcessEnv = process.env) => env.CREDITHUB_ADMIN_WRITES === 'true';

/** Who may write a department's list, and as whom the entry's history records it. */
export type ListWriteDecision = { allowed: true; actingFor: string | null } | { allowed: false; reason: string };

/**
 * May this principal change `department`'s lists? 谁认定、谁负责 (1798 (9)): the
 * recognising department's own officers. Platform administrators read everything but
 * write a department's lists only where the deployment grants it explicitly
 * (`CREDITHUB_ADMIN_WRITES=true`), and then act for the department (`actingFor`, written
 * on the entry's history). Every other principal: no.
 */
export function mayWriteDepartmentLists(principal: Principal, department: string, env: NodeJS.ProcessEnv = process.env): ListWriteDecision {
  if (isOwnDepartment(principal, department)) return { allowed: true, actingFor: null };
  if (principal.role === 'ADMIN') {
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
      principal.role === 'OFFICER'
        ? `An officer of ${principal.department} cannot change the ${department} department's lists (谁认定、谁负责)`
        : `Only the ${department} department's officers change its lists`,
  };
}
