/** GraphQL of a department's actions on its lists (`Mutation.<department>`). */
import type { GraphQLError } from 'graphql';
import { badInput } from '../errors.js';
import type { Principal } from '../auth/principal.js';
import type { DepartmentConfig } from './department.js';
import type { ExitRequest, ExitResult, ListLifecycle } from './lifecycle.js';
import { MAX_BATCH_ITEMS, type Outcome } from './references.js';
import type { ListEntry } from './store.js';
import { mayWriteDepartmentLists } from '../auth/policy.js';
import type { ListContext } from './resolvers.js';
import type { ExpiryExitInput, Resolvers, StandardChangeExitInput } from './__generated__/resolvers-types.js';

/**
 * How an actor is written in an entry's history. An administrator writing a department's
 * lists (where the deployment grants it) is recorded as acting for that department.
 */
export const actorOf = (principal: Principal, department?: string) => {
  const actor = `${principal.role.toLowerCase()}:${principal.id}${principal.department ? `@${principal.department}` : ''}`;
  const actingFor = department ? mayWriteDepartmentLists(principal, department) : null;
  return actingFor?.allowed && actingFor.actingFor ? `${actor} acting for ${actingFor.actingFor}` : actor;
};

/** `Mutation.<department>` is a namespace: its fields, the actions, need nothing from it. */
export type DepartmentActionsParent = Record<string, never>;

/** The exits an officer asks for directly; credit repair, upheld objections and escalation have their own actions. */
const expiryExit = (input: ExpiryExitInput): ExitRequest => ({
  entryId: input.entryId,
  grounds: { way: 'VALIDITY_EXPIRED', by: 'OFFICER' },
  reason: input.reason?.trim() || '有效期届满移出',
  keyAttentionValidUntil: input.keyAttentionValidUntil,
  externalReference: input.externalReference,
});

const standardChangeExit = (input: StandardChangeExitInput): ExitRequest => ({
  entryId: input.entryId,
  grounds: { way: 'STANDARD_CHANGED', standardReference: input.standardReference, standardEffectiveOn: input.standardEffectiveOn },
  reason: input.reason,
  evidenceRef: input.evidenceRef,
  keyAttentionValidUntil: input.keyAttentionValidUntil,
  externalReference: input.externalReference,
});

/** A batch longer than the gateway lets through can still reach a subgraph directly: refused whole, before any work. */
function requireBatchSize(inputs: readonly unknown[]): void {
  if (inputs.length > MAX_BATCH_ITEMS) {
    throw badInput(`At most ${MAX_BATCH_ITEMS} items per request; got ${inputs.length}: send the rest in further requests`, { argument: 'inputs' });
  }
}

/**
 * A batch item's refusal as the client sees it: the single call's code, the message naming
 * the item (`inputs[3].creditCode: …`), the field inside the item, the entry concerned.
 */
export function itemError(index: number, error: GraphQLError) {
  const argument = typeof error.extensions.argument === 'string' ? error.extensions.argument : null;
  const field = argument ? argument.replace(/^input\./, '') : null;
  return {
    code: String(error.extensions.code ?? 'BAD_USER_INPUT'),
    message: `inputs[${index}]${field ? `.${field}` : ''}: ${error.message}`,
    field,
    entryId: typeof error.extensions.entryId === 'string' ? error.extensions.entryId : null,
  };
}

const recognitionResults = (outcomes: Outcome<ListEntry>[]) =>
  outcomes.map((outcome, index) => (outcome.error ? { index, entry: null, error: itemError(index, outcome.error) } : { index, entry: outcome.value, error: null }));

const actionResults = (outcomes: Outcome<ExitResult>[]) =>
  outcomes.map((outcome, index) =>
    outcome.error
      ? { index, entry: null, keyAttention: null, error: itemError(index, outcome.error) }
      : { index, entry: outcome.value.exited, keyAttention: outcome.value.keyAttention, error: null },
  );

export function actionResolvers(department: DepartmentConfig, lifecycle: ListLifecycle): Resolvers<ListContext> {
  const actor = (ctx: ListContext) => actorOf(ctx.principal!, department.name);
  return {
    Mutation: {
      // The department's namespace: its fields carry the actions.
      department: () => ({}),
    },
    DepartmentActions: {
      recognise: (_, { input }, ctx) => lifecycle.recognise(actor(ctx), input, ctx.principal!),
      async recogniseMany(_, { inputs }, ctx) {
        requireBatchSize(inputs);
        return recognitionResults(await lifecycle.recogniseMany(actor(ctx), inputs, ctx.principal!));
      },
      confirm: (_, args, ctx) => lifecycle.confirm(actor(ctx), args, ctx.principal!),
      async confirmMany(_, { inputs }, ctx) {
        requireBatchSize(inputs);
        const outcomes = await lifecycle.confirmMany(actor(ctx), inputs, ctx.principal!);
        return actionResults(outcomes.map((outcome) => (outcome.error ? outcome : { value: { exited: outcome.value, keyAttention: null } })));
      },
      exitOnExpiry: (_, { input }, ctx) => lifecycle.exit(actor(ctx), expiryExit(input)),
      async exitOnExpiryMany(_, { inputs }, ctx) {
        requireBatchSize(inputs);
        return actionResults(await lifecycle.exitMany(actor(ctx), inputs.map(expiryExit)));
      },
      exitForChangedStandard: (_, { input }, ctx) => lifecycle.exit(actor(ctx), standardChangeExit(input)),
      async exitForChangedStandardMany(_, { inputs }, ctx) {
        requireBatchSize(inputs);
        return actionResults(await lifecycle.exitMany(actor(ctx), inputs.map(standardChangeExit)));
      },
      exitForIncentiveAbuse: (_, { input }, ctx) =>
        lifecycle.exit(actor(ctx), {
          entryId: input.entryId,
          grounds: { way: 'INCENTIVE_ABUSE', evidenceRef: input.evidenceRef },
          reason: input.reason,
          externalReference: input.externalReference,
        }),
      escalateToBlackList: (_, { input }, ctx) => lifecycle.escalateToBlackList(actor(ctx), input),
    },
  };
}
