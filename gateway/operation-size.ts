/**
 * What an operation asks for, counted with its variables — before any subgraph is called.
 * graphql-armor's cost limit runs as a validation rule, without variables: 30 aliases of
 * `subjects(creditCodes: $c)` with 1,000 codes each in `$c` cost it nothing. Here:
 *
 * - **Codes per operation**: the `creditCodes` of every field, over every alias and
 *   fragment, together at most GRAPHQL_MAX_CODES (1,000: one full `subjects` or `screen`).
 * - **Batch items per operation**: the `inputs` of every batch mutation (recogniseMany,
 *   confirmMany, …), over every alias, together at most GRAPHQL_MAX_CODES (one full batch).
 * - **Any list argument** at most GRAPHQL_MAX_CODES elements.
 * - **Cost**: every field counts once per time it may be resolved: a field's subtree is
 *   multiplied by its `first` (given, from a variable, or its default), by the number of
 *   its `creditCodes` or of its `inputs` (one answer per item), nested multipliers compounding.
 *   At most GRAPHQL_MAX_COST.
 *
 * The limits were sized on the hub's largest real operations (see README, Configuration).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  getNamedType,
  isObjectType,
  isInterfaceType,
  valueFromASTUntyped,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { configuration } from '../subgraphs/kit/config/index.js';

export const OPERATION_LIMITS = {
  maxCodes: configuration().GRAPHQL_MAX_CODES,
  maxCost: configuration().GRAPHQL_MAX_COST,
};

const CODES_ARGUMENT = 'creditCodes';
/** Deepest nesting of lists and input objects in an argument's value. */
const MAX_INPUT_DEPTH = 20;

/** The items of a batch mutation: each is answered by one result. */
const BATCH_ARGUMENT = 'inputs';

export interface OperationSize {
  /** Credit codes in `creditCodes` arguments, over the whole operation. */
  codes: number;
  /** Items in batch mutations' `inputs`, over the whole operation. */
  items: number;
  /** The longest list given to any argument. */
  longestList: number;
  cost: number;
}

export function operationSize(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> = {},
): OperationSize {
  const size: OperationSize = { codes: 0, items: 0, longestList: 0, cost: 0 };
  // A variable the request leaves out takes its default, written in the document: it counts too.
  const defaults = Object.fromEntries(
    (operation.variableDefinitions ?? []).filter((definition) => definition.defaultValue).map((definition) => [definition.variable.name.value, valueFromASTUntyped(definition.defaultValue!)]),
  );
  const effective = { ...defaults, ...Object.fromEntries(Object.entries(variables ?? {}).filter(([, value]) => value !== undefined)) };
  const valueOf = (node: ValueNode): unknown => valueFromASTUntyped(node, effective);
  /**
   * The longest list inside an argument's value (input objects included), walked without
   * recursion: a client's value may be nested 100,000 deep or hold 500,000 lists. No input of
   * the schema nests deeper than a few levels, so a value nested deeper is refused.
   */
  const longestListIn = (argument: string, value: unknown): number => {
    let longest = 0;
    const pending: [unknown, number][] = [[value, 0]];
    while (pending.length) {
      const [item, depth] = pending.pop()!;
      if (!item || typeof item !== 'object') continue;
      if (depth > MAX_INPUT_DEPTH) {
        throw refused(`"${argument}" is nested deeper than ${MAX_INPUT_DEPTH} levels; no input of this API is: send the value the schema describes`, 'BAD_USER_INPUT', argument);
      }
      const children = Array.isArray(item) ? item : Object.values(item);
      if (Array.isArray(item)) longest = Math.max(longest, item.length);
      for (const child of children) if (child && typeof child === 'object') pending.push([child, depth + 1]);
    }
    return longest;
  };

  const visit = (selectionSet: SelectionSetNode | undefined, type: GraphQLNamedType | undefined, multiplier: number, spreads: Set<string>) => {
    if (!selectionSet) return;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typeCondition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        visit(selection.selectionSet, typeCondition ?? type, multiplier, spreads);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments[selection.name.value];
        if (!fragment || spreads.has(fragment.name.value)) continue;
        visit(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? type, multiplier, new Set([...spreads, fragment.name.value]));
        continue;
      }
      if (selection.name.value.startsWith('__')) continue;
      const field: GraphQLField<unknown, unknown> | undefined =
        type && (isObjectType(type) || isInterfaceType(type)) ? type.getFields()[selection.name.value] : undefined;
      size.cost += multiplier;
      let fieldMultiplier = 1;
      const given = new Map((selection.arguments ?? []).map((argument) => [argument.name.value, valueOf(argument.value)]));
      for (const [name, value] of given) {
        size.longestList = Math.max(size.longestList, longestListIn(name, value));
        if ((name === CODES_ARGUMENT || name === BATCH_ARGUMENT) && Array.isArray(value)) {
          size[name === CODES_ARGUMENT ? 'codes' : 'items'] += value.length * multiplier;
          fieldMultiplier = Math.max(fieldMultiplier, value.length);
        }
      }
      const first = given.has('first') ? given.get('first') : field?.args.find((a) => a.name === 'first')?.defaultValue;
      if (typeof first === 'number' && first > 0) fieldMultiplier = Math.max(fieldMultiplier, first);
      visit(selection.selectionSet, field ? getNamedType(field.type) : undefined, multiplier * fieldMultiplier, spreads);
    }
  };

  const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  visit(operation.selectionSet, root ?? undefined, 1, new Set());
  return size;
}

/** Too many codes or list elements: an argument the client can split (BAD_USER_INPUT); too costly: a query limit. */
function refused(message: string, code: 'BAD_USER_INPUT' | 'GRAPHQL_VALIDATION_FAILED', argument?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...(argument ? { argument } : {}), http: { status: 400 } } });
}

export function operationSizePlugin(limits = OPERATION_LIMITS): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const fragments = Object.fromEntries(
            document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
          );
          const size = operationSize(schema, operation, fragments, request.variables ?? {});
          if (size.codes > limits.maxCodes) {
            throw refused(
              `At most ${limits.maxCodes} codes per operation, over all its fields and aliases (GRAPHQL_MAX_CODES); got ${size.codes}: send the rest in further requests`,
              'BAD_USER_INPUT',
              CODES_ARGUMENT,
            );
          }
          if (size.items > limits.maxCodes) {
            throw refused(
              `At most ${limits.maxCodes} batch items per operation, over all its fields and aliases (GRAPHQL_MAX_CODES); got ${size.items}: send the rest in further requests`,
              'BAD_USER_INPUT',
              BATCH_ARGUMENT,
            );
          }
          if (size.longestList > limits.maxCodes) {
            throw refused(`A list argument has ${size.longestList} elements; at most ${limits.maxCodes} (GRAPHQL_MAX_CODES)`, 'BAD_USER_INPUT');
          }
          if (size.cost > limits.maxCost) {
            throw refused(
              `Query cost ${size.cost} is over the limit of ${limits.maxCost} (GRAPHQL_MAX_COST; lists count by their first or their number of codes): ask for fewer fields, smaller pages or fewer codes`,
              'GRAPHQL_VALIDATION_FAILED',
            );
          }
        },
      };
    },
  };
}
