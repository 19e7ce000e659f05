/**
 * Before a response leaves the gateway: every read of unmasked personal data that the
 * subgraphs reported is written to the platform's access register. If it cannot be
 * written, the personal data is withheld (fail closed). When personal data was masked,
 * the response says why.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { mayReadPersonalData, roleMayReadPersonalData } from '../subgraphs/kit/auth/policy.js';
import { INTERNAL_TOKEN_HEADER } from '../subgraphs/kit/auth/internal-token.js';
import { ErrorCode } from '../subgraphs/kit/errors.js';
import type { GatewayContext } from './context.js';
import type { Principal, Purpose } from '../subgraphs/kit/auth/principal.js';
import { logger } from '../subgraphs/kit/observability/log.js';
import { accessRegisterRefusals, accessRegisterWriteDuration } from '../subgraphs/kit/observability/metrics.js';
import { PURPOSE_HEADER, REFERENCE_HEADER } from './auth.js';

/**
 * Writes reads of unmasked personal data to the platform's access register, with the
 * forwarded identity (and purpose) of the request that read them; throws if it cannot.
 * Every transport calls it before the data leaves: HTTP answers here, subscriptions' events.
 * A refusal is logged and counted here, once for every transport.
 */
export async function registerPersonalDataReads(accessRegisterUrl: string, internalToken: string, reads: unknown[], timeoutMs: number, requestId?: string): Promise<void> {
  const stopTimer = accessRegisterWriteDuration.startTimer();
  let reason: string;
  try {
    const response = await fetch(accessRegisterUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [INTERNAL_TOKEN_HEADER]: internalToken },
      body: JSON.stringify({ reads }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.ok) {
      stopTimer({ outcome: 'ok' });
      return;
    }
    reason = `HTTP ${response.status}`;
  } catch (error) {
    reason = (error as Error).name === 'TimeoutError' ? 'timeout' : 'unreachable';
  }
  stopTimer({ outcome: 'refused' });
  accessRegisterRefusals.inc({ reason });
  logger('gateway').error({ requestId, reads: reads.length, reason }, 'access register write failed: personal data withheld');
  throw new Error(`access register write failed (${reason})`);
}

/** What a caller is told when its reads of personal data could not be registered. */
export const WITHHELD = 'Personal data was withheld: its access could not be registered. Retry in a few seconds.';

/** Why personal data is masked for this caller; undefined when it is not. */
export function maskedBecause(principal: Principal, purpose: Purpose | null): string | undefined {
  if (mayReadPersonalData(principal, purpose)) return undefined;
  return roleMayReadPersonalData(principal)
    ? `No purpose of use was stated: personal data is masked. Send the ${PURPOSE_HEADER} and ${REFERENCE_HEADER} headers to read it.`
    : `Personal data is masked for the ${principal.role.toLowerCase()} role.`;
}

export function personalDataPlugin(accessRegisterUrl: string, timeoutMs: number): ApolloServerPlugin<GatewayContext> {
  const register = async (context: GatewayContext) =>
    registerPersonalDataReads(accessRegisterUrl, await context.internalToken, context.personalDataReads, timeoutMs, context.requestId);

  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const { principal, purpose } = contextValue;
          if (contextValue.personalDataReads.length > 0) {
            try {
              await register(contextValue);
            } catch {
              response.body.singleResult = {
                errors: [
                  new GraphQLError(WITHHELD, {
                    extensions: { code: ErrorCode.SERVICE_UNAVAILABLE },
                  }).toJSON(),
                ],
              };
              return;
            }
          }
          const reason = maskedBecause(principal, purpose);
          if (!reason) return;
          response.body.singleResult.extensions = { ...response.body.singleResult.extensions, personalData: { masked: true, reason } };
        },
      };
    },
  };
}
