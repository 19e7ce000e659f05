/** The field rules of a department subgraph (graphql-shield; everything else is denied). */
import type { IRules } from 'graphql-shield';
import { allow, or } from 'graphql-shield';
import { actsFor, canReadHistoryOf, coversListType, hasRole, viaGateway } from '../auth/rules.js';
import type { DepartmentConfig } from './department.js';
import { interviewsDueQueryOf, statisticsQueryOf } from './department-fields.js';

export function departmentPermissions(department: DepartmentConfig): IRules {
  return {
    Query: {
      _service: allow,
      // Entity fetches bypass Query rules: the types below guard every field they reach.
      _entities: viaGateway,
      [department.entriesQuery]: viaGateway,
      // Aggregate figures, no personal data.
      [statisticsQueryOf(department)]: viaGateway,
      // Entries due for an interview (893 §3): the department's case work, for it, administrators and auditors.
      [interviewsDueQueryOf(department)]: canReadHistoryOf(department.name),
    },
    _Service: allow,
    Mutation: { [department.subjectField]: viaGateway },
    DepartmentActions: { '*': actsFor(department.name), fileObjection: or(actsFor(department.name), hasRole('AGENCY')) },
    ExitResult: viaGateway,
    RecognitionResult: viaGateway,
    EntryActionResult: viaGateway,
    ItemError: viaGateway,
    EscalationResult: viaGateway,
    Objection: viaGateway,
    ObjectionDecision: viaGateway,
    RepairStep: viaGateway,
    FileRecord: viaGateway,
    ExitApplication: viaGateway,
    EarlyExitDecision: viaGateway,
    Subject: viaGateway,
    DepartmentRecord: {
      '*': viaGateway,
      blackListed: coversListType('BLACK', department.name),
      redListed: coversListType('RED', department.name),
      keyAttention: coversListType('KEY_ATTENTION', department.name),
      file: canReadHistoryOf(department.name),
    },
    ListEntry: {
      '*': viaGateway,
      history: canReadHistoryOf(department.name),
      // The department's own case numbers: for it, administrators and auditors, like its history (policy mayReadHistory).
      externalReference: canReadHistoryOf(department.name),
      objections: canReadHistoryOf(department.name),
      repairSteps: canReadHistoryOf(department.name),
      // 893 §9: commitments are public, to whoever may see the entry.
      creditCommitments: viaGateway,
    },
    CreditCommitment: viaGateway,
    LegalRepresentative: viaGateway,
    RepairTerms: viaGateway,
    EntryExit: viaGateway,
    EntryTransition: viaGateway,
    ListEntryConnection: viaGateway,
    ListEntryEdge: viaGateway,
    PageInfo: viaGateway,
    ObjectionAndRepairStatistics: viaGateway,
    KeyCount: viaGateway,
  };
}
