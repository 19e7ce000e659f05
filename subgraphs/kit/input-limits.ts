/**
 * How long every String (and how many items every [String]) field of every GraphQL input type
 * may be: `Type.field` → limit, declared by each subgraph module for the inputs of its own SDL
 * (`SubgraphModule.inputLimits`) and taken from whoever owns the columns they go to — the list
 * engine's from `lists/limits.ts` (kit/lists/input-limits.ts), the platform's from the
 * constants its modules create their tables with (platform/input-limits.ts). The kit only
 * checks them: it does not import the platform (the platform imports the kit, and a department
 * subgraph must not load the platform's modules), so the platform hands its limits over with
 * its module instead. Every subgraph checks the arguments of every field against its module's
 * limits before the resolver runs (`inputLimitsMiddleware`): a longer value, or a list with more
 * items, is refused with BAD_USER_INPUT naming the field and the limit. A batch argument (a list
 * of input objects) is left to its resolver, which answers item by item with the same limits.
 * test/input-limits fails for a String input field of a subgraph that its module gives no limit.
 */
import { getNamedType, getNullableType, isInputObjectType, isListType, isScalarType, type GraphQLArgument, type GraphQLInputType } from 'graphql';
import { badInput } from './errors.js';
import { checkLength } from './lists/limits.js';

export interface InputLimit {
  /** Characters (Unicode code points) of the value, or of each item of a list. */
  length: number;
  /** Items of a list. */
  items?: number;
  /** The name the field has where the resolver records it, when not the input's own (`grounds.standardReference`). */
  as?: string;
}

/** `Type.field` → its limit. */
export type InputLimits = Record<string, InputLimit>;

/**
 * A region filter (a division code or its prefix, 2 to 6 digits): no column of its own. Its
 * shape check (period.ts, validateRegionPrefix) says what a value of the wrong shape is, naming
 * it, so this bound sits above the 6 digits — a 7-digit code is told it is not a division code —
 * and only keeps a long value out of that message.
 */
export const REGION_CODE: InputLimit = { length: 12 };

/** `{ field: limit }` of one input type as `{ 'Type.field': limit }`. */
export const fieldsOf = (type: string, limits: InputLimits): InputLimits => Object.fromEntries(Object.entries(limits).map(([field, limit]) => [`${type}.${field}`, limit]));

/** Checks `value` of input type `type` (at `argument`, e.g. `input.title`) against `limits`, nested inputs included. */
function checkValue(limits: InputLimits, value: unknown, type: GraphQLInputType, argument: string): void {
  if (value == null) return;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (Array.isArray(value)) value.forEach((item, index) => checkValue(limits, item, nullable.ofType, `${argument}[${index}]`));
    return;
  }
  if (!isInputObjectType(nullable)) return;
  for (const [name, field] of Object.entries(nullable.getFields())) {
    const given = (value as Record<string, unknown>)[name];
    if (given == null) continue;
    const limit = limits[`${nullable.name}.${name}`];
    const named = getNamedType(field.type);
    if (limit && isScalarType(named) && named.name === 'String') {
      const path = `${argument}.${limit.as ?? name}`;
      const items = Array.isArray(given) ? given : [given];
      if (limit.items !== undefined && Array.isArray(given) && given.length > limit.items) {
        throw badInput(`${path.replace(/^input\./, '')} takes at most ${limit.items} items; got ${given.length}: send fewer`, { argument: path });
      }
      items.forEach((item, index) => checkLength(item as string, limit.length, Array.isArray(given) ? `${path}[${index}]` : path));
    } else {
      checkValue(limits, given, field.type, `${argument}.${name}`);
    }
  }
}

/** Whether an argument is a batch (a list of input objects): its resolver answers item by item. */
const isBatch = (arg: GraphQLArgument) => {
  const nullable = getNullableType(arg.type);
  return isListType(nullable) && isInputObjectType(getNamedType(nullable));
};

/** graphql-middleware: every field's input-object arguments checked against a subgraph's `limits` before its resolver. */
export const inputLimitsMiddleware = (limits: InputLimits) => (resolve: any, parent: unknown, args: Record<string, unknown>, context: unknown, info: any) => {
  if (args && Object.keys(args).length) {
    const field = info.parentType.getFields()[info.fieldName];
    for (const arg of field?.args ?? []) {
      if (args[arg.name] != null && !isBatch(arg)) checkValue(limits, args[arg.name], arg.type, arg.name);
    }
  }
  return resolve(parent, args, context, info);
};
