/** GraphQL of a department's actions on its lists (`Mutation.<department>`). */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { checkSubjectCode } from '../codes.js';
import { badInput } from '../errors.js';
import type { Principal } from '../auth/principal.js';
import type { DepartmentConfig } from './department.js';
import type { EscalateInput, ListLifecycle, RecogniseInput } from './lifecycle.js';
import { mayWriteDepartmentLists } from '../auth/policy.js';
import type { ListContext } from './resolvers.js';

/**
 * How an actor is written in an entry's history. An administrator writing a department's
 * lists (where the deployment grants it) is recorded as acting for that department.
 */
export const actorOf = (principal: Principal, department?: string) => {
  const actor = `${principal.role.toLowerCase()}:${principal.id}${principal.department ? `@${principal.department}` : ''}`;
  const actingFor = department ? mayWriteDepartmentLists(principal, department) : null;
  return actingFor?.allowed && actingFor.actingFor ? `${actor} acting for ${actingFor.actingFor}` : actor;
};

/** The exits an officer asks for directly; credit repair, upheld objections and escalation have their own actions. */
interface ExpiryExitInput {
  entryId: string;
  reason?: string | null;
  keyAttentionValidUntil?: string | null;
}
interface StandardChangeExitInput {
  entryId: string;
  standardReference: string;
  standardEffectiveOn: string;
  reason: string;
  evidenceRef?: string | null;
  keyAttentionValidUntil?: string | null;
}
interface IncentiveAbuseExitInput {
  entryId: string;
  reason: string;
  evidenceRef: string;
}

function checkLegalRepresentative(input: RecogniseInput): void {
  const representative = input.legalRepresentative;
  if (representative?.idDocumentType === 'RESIDENT_IDENTITY_CARD' && representative.idDocumentNumber) {
    const check = checkSubjectCode(representative.idDocumentNumber);
    if (!check.valid || check.kind !== 'NATURAL_PERSON') {
      throw badInput(`The legal representative's identity card number is not valid: ${check.valid ? 'it is an organisation code' : check.reason}`, {
        argument: 'input.legalRepresentative.idDocumentNumber',
      });
    }
  }
}

export function actionResolvers(department: DepartmentConfig, lifecycle: ListLifecycle): GraphQLResolverMap<ListContext> {
  const actor = (ctx: ListContext) => actorOf(ctx.principal!, department.name);
  return {
    Mutation: {
      // The department's namespace: its fields carry the actions.
      [department.subjectField]: () => ({}),
    },
    DepartmentActions: {
      recognise(_: unknown, { input }: { input: RecogniseInput }, ctx: ListContext) {
        checkLegalRepresentative(input);
        return lifecycle.recognise(actor(ctx), input, ctx.principal!);
      },
      confirm: (_: unknown, args: { entryId: string; note?: string }, ctx: ListContext) => lifecycle.confirm(actor(ctx), args.entryId, args.note, ctx.principal!),
      exitOnExpiry: (_: unknown, { input }: { input: ExpiryExitInput }, ctx: ListContext) =>
        lifecycle.exit(actor(ctx), {
          entryId: input.entryId,
          grounds: { way: 'VALIDITY_EXPIRED', by: 'OFFICER' },
          reason: input.reason?.trim() || '有效期届满移出',
          keyAttentionValidUntil: input.keyAttentionValidUntil,
        }),
      exitForChangedStandard: (_: unknown, { input }: { input: StandardChangeExitInput }, ctx: ListContext) =>
        lifecycle.exit(actor(ctx), {
          entryId: input.entryId,
          grounds: { way: 'STANDARD_CHANGED', standardReference: input.standardReference, standardEffectiveOn: input.standardEffectiveOn },
          reason: input.reason,
          evidenceRef: input.evidenceRef,
          keyAttentionValidUntil: input.keyAttentionValidUntil,
        }),
      exitForIncentiveAbuse: (_: unknown, { input }: { input: IncentiveAbuseExitInput }, ctx: ListContext) =>
        lifecycle.exit(actor(ctx), { entryId: input.entryId, grounds: { way: 'INCENTIVE_ABUSE', evidenceRef: input.evidenceRef }, reason: input.reason }),
      escalateToBlackList: (_: unknown, { input }: { input: EscalateInput }, ctx: ListContext) => lifecycle.escalateToBlackList(actor(ctx), input),
    },
  } as GraphQLResolverMap<ListContext>;
}
