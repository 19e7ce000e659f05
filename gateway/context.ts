/** What the gateway knows about one request. */
import type { Principal, Purpose } from '../subgraphs/kit/auth/principal.js';
import type { PersonalDataRead } from '../subgraphs/kit/auth/masking.js';

export interface GatewayContext {
  requestId: string;
  principal: Principal;
  purpose: Purpose | null;
  /** The signed identity forwarded to every subgraph of this request (signed once). */
  internalToken: Promise<string>;
  /** Unmasked personal data the subgraphs report having served, for the access register. */
  personalDataReads: PersonalDataRead[];
  /** The subgraphs this request called (its log line names them). */
  subgraphsCalled: Set<string>;
}
