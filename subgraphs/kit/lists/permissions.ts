/** The field rules of a department subgraph (graphql-shield; everything else is denied). */
import type { IRules } from 'graphql-shield';
import { allow } from 'graphql-shield';
import { actsFor, canReadHistoryOf, coversListType, viaGateway } from '../auth/rules.js';
import type { DepartmentConfig } from './department.js';

export function departmentPermissions(department: DepartmentConfig): IRules {
  return {
    Query: {
      _service: allow,
      // Entity fetches bypass Query rules: the types below guard every field they reach.
      _entities: viaGateway,
      [department.entriesQuery]: viaGateway,
    },
    _Service: allow,
    Mutation: { [department.subjectField]: viaGateway },
    DepartmentActions: actsFor(department.name),
    ExitResult: viaGateway,
    EscalationResult: viaGateway,
    Subject: viaGateway,
    DepartmentRecord: {
      '*': viaGateway,
      blackListed: coversListType('BLACK'),
      redListed: coversListType('RED'),
      keyAttention: coversListType('KEY_ATTENTION'),
    },
    ListEntry: { '*': viaGateway, history: canReadHistoryOf(department.name) },
    LegalRepresentative: viaGateway,
    RepairTerms: viaGateway,
    EntryExit: viaGateway,
    EntryTransition: viaGateway,
    ListEntryConnection: viaGateway,
    ListEntryEdge: viaGateway,
    PageInfo: viaGateway,
  };
}
