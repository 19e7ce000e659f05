/** GraphQL of a department's actions on its lists (`Mutation.<department>`). */
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/index.js';
import type { GraphQLError } from 'graphql';
import { badInput } from '../errors.js';
import type { Principal } from '../auth/principal.js';
import type { DepartmentConfig } from './department.js';
import type { ConfirmRequest, EscalateInput, ExitRequest, ExitResult, ListLifecycle, RecogniseInput } from './lifecycle.js';
import { MAX_BATCH_ITEMS, type Outcome } from './references.js';
import type { ListEntry } from './store.js';
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
  externalReference?: string | null;
}
interface StandardChangeExitInput {
  entryId: string;
  standardReference: string;
  standardEffectiveOn: string;
  reason: string;
  evidenceRef?: string | null;
  keyAttentionValidUntil?: string | null;
  externalReference?: string | null;
}
interface IncentiveAbuseExitInput {
  entryId: string;
  reason: string;
  evidenceRef: string;
  externalReference?: string | null;
}

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

export function actionResolvers(department: DepartmentConfig, lifecycle: ListLifecycle): GraphQLResolverMap<ListContext> {
  const actor = (ctx: ListContext) => actorOf(ctx.principal!, department.name);
  return {
    Mutation: {
      // The department's namespace: its fields carry the actions.
      [department.subjectField]: () => ({}),
    },
    DepartmentActions: {
      recognise: (_: unknown, { input }: { input: RecogniseInput }, ctx: ListContext) => lifecycle.recognise(actor(ctx), input, ctx.principal!),
      async recogniseMany(_: unknown, { inputs }: { inputs: RecogniseInput[] }, ctx: ListContext) {
        requireBatchSize(inputs);
        return recognitionResults(await lifecycle.recogniseMany(actor(ctx), inputs, ctx.principal!));
      },
      confirm: (_: unknown, args: ConfirmRequest, ctx: ListContext) => lifecycle.confirm(actor(ctx), args, ctx.principal!),
      async confirmMany(_: unknown, { inputs }: { inputs: ConfirmRequest[] }, ctx: ListContext) {
        requireBatchSize(inputs);
        const outcomes = await lifecycle.confirmMany(actor(ctx), inputs, ctx.principal!);
        return actionResults(outcomes.map((outcome) => (outcome.error ? outcome : { value: { exited: outcome.value, keyAttention: null } })));
      },
      exitOnExpiry: (_: unknown, { input }: { input: ExpiryExitInput }, ctx: ListContext) => lifecycle.exit(actor(ctx), expiryExit(input)),
      async exitOnExpiryMany(_: unknown, { inputs }: { inputs: ExpiryExitInput[] }, ctx: ListContext) {
        requireBatchSize(inputs);
        return actionResults(await lifecycle.exitMany(actor(ctx), inputs.map(expiryExit)));
      },
      exitForChangedStandard: (_: unknown, { input }: { input: StandardChangeExitInput }, ctx: ListContext) => lifecycle.exit(actor(ctx), standardChangeExit(input)),
      async exitForChangedStandardMany(_: unknown, { inputs }: { inputs: StandardChangeExitInput[] }, ctx: ListContext) {
        requireBatchSize(inputs);
        return actionResults(await lifecycle.exitMany(actor(ctx), inputs.map(standardChangeExit)));
      },
      exitForIncentiveAbuse: (_: unknown, { input }: { input: IncentiveAbuseExitInput }, ctx: ListContext) =>
        lifecycle.exit(actor(ctx), {
          entryId: input.entryId,
          grounds: { way: 'INCENTIVE_ABUSE', evidenceRef: input.evidenceRef },
          reason: input.reason,
          externalReference: input.externalReference,
        }),
      escalateToBlackList: (_: unknown, { input }: { input: EscalateInput }, ctx: ListContext) => lifecycle.escalateToBlackList(actor(ctx), input),
    },
  } as GraphQLResolverMap<ListContext>;
}
