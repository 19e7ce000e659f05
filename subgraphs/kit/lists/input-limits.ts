/**
 * The limits of the list engine's input fields (shared/lists.graphql), which every department
 * subgraph checks before its resolvers (kit/input-limits.ts): the lengths of the columns they go
 * to and the caps on the text columns, all from `limits.ts`, where the tables take them too.
 */
import { REGION_CODE, type InputLimits } from '../input-limits.js';
import { COLUMN_LIMITS, TEXT_LIMITS } from './limits.js';

export const LIST_INPUT_LIMITS: InputLimits = {
  'CaseStatisticsFilter.regionCode': REGION_CODE,
  'ConfirmInput.note': { length: TEXT_LIMITS.reason },
  'ConfirmInput.externalReference': { length: COLUMN_LIMITS.externalReference },
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
  'FileObjectionInput.grounds': { length: TEXT_LIMITS.grounds },
  'FileObjectionInput.evidenceRefs': { length: COLUMN_LIMITS.evidenceRef, items: 50 },
  'IncentiveAbuseExitInput.reason': { length: TEXT_LIMITS.reason },
  'IncentiveAbuseExitInput.evidenceRef': { length: COLUMN_LIMITS.evidenceRef },
  'IncentiveAbuseExitInput.externalReference': { length: COLUMN_LIMITS.externalReference },
  'InterviewInput.notes': { length: TEXT_LIMITS.details },
  'LegalRepresentativeInput.name': { length: COLUMN_LIMITS.legalRepresentativeName },
  'LegalRepresentativeInput.idDocumentNumber': { length: COLUMN_LIMITS.legalRepresentativeIdNumber },
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
};
