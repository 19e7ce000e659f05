/** The platform's field rules (graphql-shield; everything else is denied). */
import { allow, type IRules } from 'graphql-shield';
import { hasRole, viaGateway } from '../kit/auth/rules.js';

export const permissions: IRules = {
  Query: {
    _service: allow,
    _entities: viaGateway,
    subject: viaGateway,
    subjects: viaGateway,
    checkCreditCode: viaGateway,
    warningList: viaGateway,
    lateSharedEntries: hasRole('OFFICER', 'ADMIN', 'AUDITOR'),
    accessRegister: hasRole('AUDITOR', 'ADMIN'),
    verifyAccessRegister: hasRole('AUDITOR', 'ADMIN'),
  },
  AccessRecord: hasRole('AUDITOR', 'ADMIN'),
  AccessRecordEdge: viaGateway,
  AccessRecordConnection: viaGateway,
  RegisterVerification: viaGateway,
  _Service: allow,
  Subject: viaGateway,
  Industry: viaGateway,
  WarningListStatus: viaGateway,
  LateSharedEntry: viaGateway,
  LateSharedEntryEdge: viaGateway,
  LateSharedEntryConnection: viaGateway,
  WarningListMember: viaGateway,
  WarningListEdge: viaGateway,
  WarningListConnection: viaGateway,
  PageInfo: viaGateway,
  LegalRepresentative: viaGateway,
  CodeCheck: viaGateway,
};
