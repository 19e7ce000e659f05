/**
 * The policy module is the one place roles are declared: the README's table is rendered from
 * it, and its decisions follow its declarations for every role.
 */
import { readFileSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  entryVisibility, mayActFor, mayReadHistory, mayReadPersonalData, permissionTableMarkdown, ROLE_POLICY, ROLES, ALL_READ_SCOPES,
} from '../subgraphs/kit/auth/policy.js';
import type { Principal, Role } from '../subgraphs/kit/auth/principal.js';

const principalOf = (role: Role): Principal => ({ role, id: `p-${role}`, scopes: ALL_READ_SCOPES, department: role === 'OFFICER' ? 'tax' : undefined });

describe('the policy module', () => {
  it('renders the README\'s table of roles (regenerate it from permissionTableMarkdown() when a role changes)', () => {
    expect(readFileSync('README.md', 'utf8')).toContain(permissionTableMarkdown());
  });

  it.each(ROLES.map((role) => [role]))('%s: decisions follow the declaration', (role) => {
    const declared = ROLE_POLICY[role];
    const principal = principalOf(role);
    const own = entryVisibility(principal, 'tax');
    const other = entryVisibility(principal, 'courts');
    const expected = {
      ALL: [{ statuses: null, listTypes: null, publishedOnly: false }, { statuses: null, listTypes: null, publishedOnly: false }],
      PUBLISHED: [{ statuses: ['PUBLICITY', 'ACTIVE'], listTypes: null, publishedOnly: true }, { statuses: ['PUBLICITY', 'ACTIVE'], listTypes: null, publishedOnly: true }],
      SCOPED_ACTIVE: [{ statuses: ['ACTIVE'], listTypes: ['RED', 'BLACK', 'KEY_ATTENTION'], publishedOnly: false }, { statuses: ['ACTIVE'], listTypes: ['RED', 'BLACK', 'KEY_ATTENTION'], publishedOnly: false }],
      OWN_DEPARTMENT: [{ statuses: null, listTypes: null, publishedOnly: false }, { statuses: ['ACTIVE'], listTypes: ['RED', 'BLACK', 'KEY_ATTENTION'], publishedOnly: false }],
    }[declared.entries];
    expect([own, other]).toEqual(expected);
    expect(mayReadPersonalData(principal, { purpose: 'p', reference: 'r' })).toBe(declared.personalData);
    expect(mayReadPersonalData(principal, null)).toBe(false);
    expect([mayReadHistory(principal, 'tax'), mayReadHistory(principal, 'courts')]).toEqual(
      declared.history === 'OWN' ? [true, false] : [declared.history, declared.history],
    );
    // IF_GRANTED (administrators) writes nothing unless the deployment grants it: not set in tests.
    expect([mayActFor(principal, 'tax'), mayActFor(principal, 'courts')]).toEqual(declared.writes === 'OWN' ? [true, false] : [false, false]);
  });

  it('leaves no role string comparison outside the policy and the claims parser', () => {
    const hits = execSync(`grep -rnE "role ===? '|role !==? '|\\.role\\)" subgraphs gateway --include=*.ts || true`, { encoding: 'utf8' })
      .split('\n').filter((line: string) => line && !/__generated__|kit\/auth\/(policy|principal)\.ts/.test(line));
    expect(hits).toEqual([]);
  });
});
