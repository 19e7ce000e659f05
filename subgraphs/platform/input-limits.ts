/**
 * The limits of the platform's input fields (platform.graphql), handed to the kit with the
 * platform's module (`SubgraphModule.inputLimits`, kit/input-limits.ts): each length is the one
 * the owning module creates its column with, imported from it, so it is written once. The kit
 * never imports this file — the platform imports the kit, not the other way round, and a
 * department subgraph must not load the platform's modules.
 */
import { fieldsOf, REGION_CODE, type InputLimit, type InputLimits } from '../kit/input-limits.js';
import { TEXT_LIMITS } from '../kit/lists/limits.js';
import { ACCESS_REGISTER_COLUMNS } from './access-register-tables.js';
import { CASE_COLUMNS } from './feedback.js';
import { MEASURE_COLUMNS, MEMORANDUM_COLUMNS } from './measures.js';
import { WEBHOOK_COLUMNS } from './webhooks.js';

/** List types named in a filter or a memorandum (`RED`, `BLACK`, `KEY_ATTENTION`): no column of their own (a memorandum's go to a JSON list, checked against the list types there are in measures.ts). */
const LIST_TYPES: InputLimit = { length: 30, items: 10 };
/**
 * An industry section (one letter of GB/T 4754): no column of its own, matched against the
 * registry's `industry_code`. Its shape check (consolidated-list.ts) names a value of the wrong
 * shape, so this bound only keeps a long value out of that message, as REGION_CODE does.
 */
const INDUSTRY_SECTION: InputLimit = { length: 12 };
/** A measure's text, as added (MeasureInput) and as amended (MeasureChanges). */
const MEASURE_TEXT: InputLimits = {
  description: { length: MEASURE_COLUMNS.description },
  appliedBy: { length: MEASURE_COLUMNS.appliedBy },
  triggers: { length: MEASURE_COLUMNS.trigger, items: MEASURE_COLUMNS.triggers },
};

export const PLATFORM_INPUT_LIMITS: InputLimits = {
  'AccessRecordFilter.principalId': { length: ACCESS_REGISTER_COLUMNS.principalId },
  'ChangeFilter.listTypes': LIST_TYPES,
  'ChangeFilter.regionCode': REGION_CODE,
  'ConsolidatedListFilter.regionCode': REGION_CODE,
  'ConsolidatedListFilter.industryCode': INDUSTRY_SECTION,
  // feedback: `reason` a TEXT column capped as an exit's reason
  'FeedbackInput.reason': { length: TEXT_LIMITS.reason },
  'FeedbackInput.caseReference': { length: CASE_COLUMNS.caseReference },
  ...fieldsOf('MeasureChanges', MEASURE_TEXT),
  ...fieldsOf('MeasureInput', MEASURE_TEXT),
  'MemorandumInput.title': { length: MEMORANDUM_COLUMNS.title },
  'MemorandumInput.documentNumber': { length: MEMORANDUM_COLUMNS.documentNumber },
  'MemorandumInput.field': { length: MEMORANDUM_COLUMNS.field },
  'MemorandumInput.listTypes': LIST_TYPES,
  'StatisticsFilter.regionCode': REGION_CODE,
  'WebhookInput.url': { length: WEBHOOK_COLUMNS.url },
  'WebhookInput.secret': { length: WEBHOOK_COLUMNS.secret },
};
