/** The identity part of a subgraph request's context. */
import type { IncomingMessage } from 'node:http';
import { forwardedIdentityOf } from './internal-token.js';
import type { Principal, Purpose } from './principal.js';
import type { PersonalDataRead } from './masking.js';

export interface AuthContext {
  /** Null when the request did not come through the gateway: only `_service` answers then. */
  principal: Principal | null;
  purpose: Purpose | null;
  /** Why there is no principal. */
  authProblem?: string;
  /** Unmasked personal data this request read, for the access register. */
  personalDataReads: PersonalDataRead[];
}

export async function authenticateForwarded(req: IncomingMessage, secret: Uint8Array): Promise<AuthContext & { requestId?: string }> {
  const identity = await forwardedIdentityOf(req, secret);
  if ('problem' in identity) return { principal: null, purpose: null, authProblem: identity.problem, personalDataReads: [] };
  return { principal: identity.principal, purpose: identity.purpose, requestId: identity.requestId, personalDataReads: [] };
}
