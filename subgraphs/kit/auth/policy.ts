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
