/** GraphQL of a department's actions on its lists (`Mutation.<department>`). */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import { checkSubjectCode } from '../codes.js';
import { badInput } from '../errors.js';
import type { Principal } from '../auth/principal.js';
import type { DepartmentConfig } from './department.js';
import type { EscalateInput, ExitInput, ListLifecycle, RecogniseInput } from './lifecycle.js';
import type { ListContext } from './resolvers.js';

/** How an actor is written in an entry's history. */
export const actorOf = (principal: Principal) =>
  `${principal.role.toLowerCase()}:${principal.id}${principal.department ? `@${principal.department}` : ''}`;

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
  return {
    Mutation: {
      // The department's namespace: its fields carry the actions.
      [department.subjectField]: () => ({}),
    },
    DepartmentActions: {
      recognise(_: unknown, { input }: { input: RecogniseInput }, ctx: ListContext) {
        checkLegalRepresentative(input);
        return lifecycle.recognise(actorOf(ctx.principal!), input);
      },
      confirm: (_: unknown, args: { entryId: string; note?: string }, ctx: ListContext) =>
        lifecycle.confirm(actorOf(ctx.principal!), args.entryId, args.note),
      exit: (_: unknown, { input }: { input: ExitInput }, ctx: ListContext) => lifecycle.exit(actorOf(ctx.principal!), input),
      escalateToBlackList: (_: unknown, { input }: { input: EscalateInput }, ctx: ListContext) =>
        lifecycle.escalateToBlackList(actorOf(ctx.principal!), input),
    },
  } as GraphQLResolverMap<ListContext>;
}
