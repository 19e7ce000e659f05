/**
 * graphql-shield rules shared by every subgraph. Rules that read only the principal are
 * cached per request ('contextual'); the schema-wide fallback is deny, so a field
 * without a rule is never served.
 */
import { allow, rule } from 'graphql-shield';
import { ErrorCode, typedError } from '../errors.js';
import type { AuthContext } from './context.js';
import type { ListType } from '../lists/department.js';
import { coversListType as scopesCover, hasOneOfRoles, isAnonymous, mayReadHistory, mayWriteDepartmentLists, refusalForListType } from './policy.js';
import type { Principal, Role } from './principal.js';

type Ctx = AuthContext;

/** Forwarded by the gateway with a valid signed identity. */
export const viaGateway = rule({ cache: 'contextual' })((_parent, _args, ctx: Ctx) =>
  ctx.principal ? true : typedError(ErrorCode.UNAUTHENTICATED, `Not authenticated: ${ctx.authProblem ?? 'no identity'}`),
);

/** The public (no token) asking for what needs one: send a token, rather than "you may not". */
const needsToken = (who: string) =>
  typedError(ErrorCode.UNAUTHENTICATED, `Not authenticated: this needs a token of ${who}; send "Authorization: Bearer <JWT>"`);

/** Shield requires one instance per rule name: rules made by a factory are kept by name. */
const rulesByName = new Map<string, ReturnType<typeof rule> extends (f: any) => infer R ? R : never>();
function namedRule(name: string, make: () => any) {
  if (!rulesByName.has(name)) rulesByName.set(name, make());
  return rulesByName.get(name)!;
}

export const hasRole = (...roles: Role[]) =>
  namedRule(`hasRole-${roles.join('-')}`, () => rule(`hasRole-${roles.join('-')}`, { cache: 'contextual' })((_parent, _args, ctx: Ctx) => {
    if (!ctx.principal) return typedError(ErrorCode.UNAUTHENTICATED, `Not authenticated: ${ctx.authProblem ?? 'no identity'}`);
    if (isAnonymous(ctx.principal) && !roles.includes('PUBLIC')) return needsToken(roles.join(', ').toLowerCase());
    return hasOneOfRoles(ctx.principal, roles)
      ? true
      : typedError(ErrorCode.FORBIDDEN, `Only ${roles.join(', ').toLowerCase()} may read this; you are ${ctx.principal.role.toLowerCase()}`);
  }));

/** Officers of `department`, administrators and auditors: an entry's history names the officials who acted. */
export const canReadHistoryOf = (department: string) =>
  namedRule(`canReadHistory-${department}`, () => rule(`canReadHistory-${department}`, { cache: 'contextual' })((_parent, _args, ctx: Ctx) => {
    const principal = ctx.principal;
    if (!principal) return typedError(ErrorCode.UNAUTHENTICATED, `Not authenticated: ${ctx.authProblem ?? 'no identity'}`);
    if (mayReadHistory(principal, department)) return true;
    if (isAnonymous(principal)) return needsToken(`the ${department} department, an administrator or an auditor`);
    return typedError(ErrorCode.FORBIDDEN, `An entry's history and case file are for the ${department} department, administrators and auditors`);
  }));

/** Whether the principal's scopes cover a list type of `department` (the public sees published lists of every type). */
export const coversListType = (type: ListType, department: string) =>
  namedRule(`coversListType-${type}-${department}`, () => rule(`coversListType-${type}-${department}`, { cache: 'contextual' })((_parent, _args, ctx: Ctx) => {
    const principal = ctx.principal;
    if (!principal) return typedError(ErrorCode.UNAUTHENTICATED, `Not authenticated: ${ctx.authProblem ?? 'no identity'}`);
    return scopesCover(principal, type, department) ? true : typedError(ErrorCode.FORBIDDEN, refusalForListType(type));
  }));

/** What composition tooling and the gateway's query planner need. */
export const federationRules = {
  Query: { _service: allow },
  _Service: allow,
};

/** Who may change a department's lists: the one decision of `mayWriteDepartmentLists`. */
export const actsFor = (department: string) =>
  namedRule(`actsFor-${department}`, () =>
    rule(`actsFor-${department}`, { cache: 'contextual' })((_parent, _args, ctx: Ctx) => {
      const principal = ctx.principal;
      if (!principal) return typedError(ErrorCode.UNAUTHENTICATED, `Not authenticated: ${ctx.authProblem ?? 'no identity'}`);
      const decision = mayWriteDepartmentLists(principal, department);
      if (decision.allowed) return true;
      return isAnonymous(principal) ? needsToken(`an officer of the ${department} department`) : typedError(ErrorCode.FORBIDDEN, decision.reason);
    }),
  );

/**
 * A rule from one decision of the policy module (policy.ts): `allowed` says yes or no; the
 * public is told to send a token, anyone else why not.
 */
export const policyRule = (name: string, allowed: (principal: Principal) => boolean, who: string, refusal: string) =>
  namedRule(name, () =>
    rule(name, { cache: 'contextual' })((_parent, _args, ctx: Ctx) => {
      const principal = ctx.principal;
      if (!principal) return typedError(ErrorCode.UNAUTHENTICATED, `Not authenticated: ${ctx.authProblem ?? 'no identity'}`);
      if (allowed(principal)) return true;
      return isAnonymous(principal) ? needsToken(who) : typedError(ErrorCode.FORBIDDEN, refusal);
    }),
  );
