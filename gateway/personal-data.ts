/**
 * After a request: tells the client when personal data was masked and why.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { mayReadPersonalData } from '../subgraphs/kit/auth/policy.js';
import type { GatewayContext } from './context.js';
import { PURPOSE_HEADER, REFERENCE_HEADER } from './auth.js';

export function personalDataPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const { principal, purpose } = contextValue;
          if (mayReadPersonalData(principal, purpose)) return;
          const reason = ['ADMIN', 'OFFICER', 'AGENCY'].includes(principal.role)
            ? `No purpose of use was stated: personal data is masked. Send the ${PURPOSE_HEADER} and ${REFERENCE_HEADER} headers to read it.`
            : `Personal data is masked for the ${principal.role.toLowerCase()} role.`;
          response.body.singleResult.extensions = { ...response.body.singleResult.extensions, personalData: { masked: true, reason } };
        },
      };
    },
  };
}
