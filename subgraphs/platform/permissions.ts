/** The platform's field rules (graphql-shield; everything else is denied). */
import { allow, type IRules } from 'graphql-shield';
import { viaGateway } from '../kit/auth/rules.js';

export const permissions: IRules = {
  Query: {
    _service: allow,
    _entities: viaGateway,
    subject: viaGateway,
    subjects: viaGateway,
    checkCreditCode: viaGateway,
  },
  _Service: allow,
  Subject: viaGateway,
  Industry: viaGateway,
  LegalRepresentative: viaGateway,
  CodeCheck: viaGateway,
};
