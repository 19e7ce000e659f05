/**
 * The one declaration of how long every String (and how many items every [String]) field of
 * every GraphQL input type may be: `Type.field` → limit. The list engine's fields take their
 * lengths from `lists/limits.ts` (its columns); the platform's from its tables. Every subgraph
 * checks the arguments of every field against it before the resolver runs
 * (`inputLimitsMiddleware`): a longer value, or a list with more items, is refused with
 * BAD_USER_INPUT naming the field and the limit. A batch argument (a list of input objects) is
 * left to its resolver, which answers item by item with the same limits. test/input-limits
 * fails for a String input field of the supergraph that has no limit here.
 */
import { getNamedType, getNullableType, isInputObjectType, isListType, isScalarType, type GraphQLArgument, type GraphQLInputType } from 'graphql';
import { badInput } from './errors.js';
import { checkLength, COLUMN_LIMITS, TEXT_LIMITS } from './lists/limits.js';

export interface InputLimit {
  /** Characters (Unicode code points) of the value, or of each item of a list. */
  length: number;
  /** Items of a list. */
  items?: number;
  /** The name the field has where the resolver records it, when not the input's own (`grounds.standardReference`). */
  as?: string;
}

const REGION_CODE = { length: 12 };
const LIST_TYPES = { length: 30, items: 10 };
/** A measure's text, as added (MeasureInput) and as amended (MeasureChanges). */
const MEASURE_TEXT = { description: { length: 5_000 }, appliedBy: { length: 200 }, triggers: { length: 100, items: 50 } };
const fieldsOf = (type: string, limits: Record<string, InputLimit>) => Object.fromEntries(Object.entries(limits).map(([field, limit]) => [`${type}.${field}`, limit]));

export const INPUT_LIMITS: Record<string, InputLimit> = {
  'AccessRecordFilter.principalId': { length: 200 },
  'CaseStatisticsFilter.regionCode': REGION_CODE,
  'ChangeFilter.listTypes': LIST_TYPES,
  'ChangeFilter.regionCode': REGION_CODE,
  'ConfirmInput.note': { length: TEXT_LIMITS.reason },
  'ConfirmInput.externalReference': { length: COLUMN_LIMITS.externalReference },
  'ConsolidatedListFilter.regionCode': REGION_CODE,
  'ConsolidatedListFilter.industryCode': { length: 12 },
  'DecideObjectionInput.finding': { length: TEXT_LIMITS.reason },
  'DecideObjectionInput.correction': { length: TEXT_LIMITS.reason },
  'DecideObjectionInput.apology': { length: TEXT_LIMITS.reason },
  'EarlyExitDecisionInput.reason': { length: TEXT_LIMITS.reason },
  'EntryFilter.regionCode': REGION_CODE,
  'EscalateInput.facts': { length: TEXT_LIMITS.facts },
  'EscalateInput.legalBasis': { length: COLUMN_LIMITS.legalBasis },
  'EscalateInput.evidenceRef': { length: COLUMN_LIMITS.evidenceRef },
  'EscalateInput.externalReference': { length: COLUMN_LIMITS.externalReference },
  'ExpiryExitInput.reason': { length: TEXT_LIMITS.reason },
  'ExpiryExitInput.externalReference': { length: COLUMN_LIMITS.externalReference },
  // feedback: `reason` a TEXT column, `case_reference` VARCHAR(200)
  'FeedbackInput.reason': { length: TEXT_LIMITS.reason },
  'FeedbackInput.caseReference': { length: 200 },
  'FileObjectionInput.grounds': { length: TEXT_LIMITS.grounds },
  'FileObjectionInput.evidenceRefs': { length: COLUMN_LIMITS.evidenceRef, items: 50 },
  'IncentiveAbuseExitInput.reason': { length: TEXT_LIMITS.reason },
  'IncentiveAbuseExitInput.evidenceRef': { length: COLUMN_LIMITS.evidenceRef },
  'IncentiveAbuseExitInput.externalReference': { length: COLUMN_LIMITS.externalReference },
  'InterviewInput.notes': { length: TEXT_LIMITS.details },
  'LegalRepresentativeInput.name': { length: COLUMN_LIMITS.legalRepresentativeName },
  'LegalRepresentativeInput.idDocumentNumber': { length: COLUMN_LIMITS.legalRepresentativeIdNumber },
  // measures: `description` TEXT, `applied_by` VARCHAR(200), `triggers` TEXT (a JSON list)
  ...fieldsOf('MeasureChanges', MEASURE_TEXT),
  ...fieldsOf('MeasureInput', MEASURE_TEXT),
  // memoranda: `title` VARCHAR(300), `document_number` VARCHAR(100), `field` VARCHAR(100), `list_types` TEXT (a JSON list)
  'MemorandumInput.title': { length: 300 },
  'MemorandumInput.documentNumber': { length: 100 },
  'MemorandumInput.field': { length: 100 },
  'MemorandumInput.listTypes': LIST_TYPES,
  'NotificationInput.method': { length: COLUMN_LIMITS.notificationMethod },
  'RecogniseInput.subjectName': { length: COLUMN_LIMITS.subjectName },
  'RecogniseInput.lei': { length: COLUMN_LIMITS.lei },
  'RecogniseInput.facts': { length: TEXT_LIMITS.facts },
  'RecogniseInput.legalBasis': { length: COLUMN_LIMITS.legalBasis },
  'RecogniseInput.evidenceRef': { length: COLUMN_LIMITS.evidenceRef },
  'RecogniseInput.externalReference': { length: COLUMN_LIMITS.externalReference },
  'RepairStepInput.details': { length: TEXT_LIMITS.details },
  'RepairStepInput.issuer': { length: COLUMN_LIMITS.issuer },
  'RepairStepInput.reference': { length: COLUMN_LIMITS.evidenceRef },
  'RepairTermsInput.method': { length: TEXT_LIMITS.repairMethod },
  'StandardChangeExitInput.standardReference': { length: COLUMN_LIMITS.standardReference, as: 'grounds.standardReference' },
  'StandardChangeExitInput.reason': { length: TEXT_LIMITS.reason },
  'StandardChangeExitInput.evidenceRef': { length: COLUMN_LIMITS.evidenceRef },
  'StandardChangeExitInput.externalReference': { length: COLUMN_LIMITS.externalReference },
  'StatisticsFilter.regionCode': REGION_CODE,
  // webhooks: `url` VARCHAR(2000), `secret` VARCHAR(200)
  'WebhookInput.url': { length: 2_000 },
  'WebhookInput.secret': { length: 200 },
};

/** Checks `value` of input type `type` (at `argument`, e.g. `input.title`) against INPUT_LIMITS, nested inputs included. */
function checkValue(value: unknown, type: GraphQLInputType, argument: string): void {
  if (value == null) return;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (Array.isArray(value)) value.forEach((item, index) => checkValue(item, nullable.ofType, `${argument}[${index}]`));
    return;
  }
  if (!isInputObjectType(nullable)) return;
  for (const [name, field] of Object.entries(nullable.getFields())) {
    const given = (value as Record<string, unknown>)[name];
    if (given == null) continue;
    const limit = INPUT_LIMITS[`${nullable.name}.${name}`];
    const named = getNamedType(field.type);
    if (limit && isScalarType(named) && named.name === 'String') {
      const path = `${argument}.${limit.as ?? name}`;
      const items = Array.isArray(given) ? given : [given];
      if (limit.items !== undefined && Array.isArray(given) && given.length > limit.items) {
        throw badInput(`${path.replace(/^input\./, '')} takes at most ${limit.items} items; got ${given.length}: send fewer`, { argument: path });
      }
      items.forEach((item, index) => checkLength(item as string, limit.length, Array.isArray(given) ? `${path}[${index}]` : path));
    } else {
      checkValue(given, field.type, `${argument}.${name}`);
    }
  }
}

/** Whether an argument is a batch (a list of input objects): its resolver answers item by item. */
const isBatch = (arg: GraphQLArgument) => {
  const nullable = getNullableType(arg.type);
  return isListType(nullable) && isInputObjectType(getNamedType(nullable));
};

/** graphql-middleware: every field's input-object arguments checked against INPUT_LIMITS before its resolver. */
export const inputLimitsMiddleware = (resolve: any, parent: unknown, args: Record<string, unknown>, context: unknown, info: any) => {
  if (args && Object.keys(args).length) {
    const field = info.parentType.getFields()[info.fieldName];
    for (const arg of field?.args ?? []) {
      if (args[arg.name] != null && !isBatch(arg)) checkValue(args[arg.name], arg.type, arg.name);
    }
  }
  return resolve(parent, args, context, info);
};
