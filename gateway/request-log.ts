/**
 * One log line and the metrics of every GraphQL request at the gateway: request id, who
 * asked (principal id and role), operation name, duration, subgraphs called and error
 * codes. Never variables, never data: what a request asked for or got stays out of logs.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from './context.js';
import { loggedOperationName, logger } from '../subgraphs/kit/observability/log.js';
import { operationLabel, requestDuration, requestsTotal } from '../subgraphs/kit/observability/metrics.js';
import { tagRequest } from '../subgraphs/kit/observability/tracing.js';

export function requestLogPlugin(): ApolloServerPlugin<GatewayContext> {
  const log = logger('gateway');
  return {
    async requestDidStart({ contextValue }) {
      const started = performance.now();
      tagRequest(contextValue.requestId);
      return {
        async willSendResponse({ response, operation, operationName }) {
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const errorCodes = [...new Set(errors.map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))];
          const seconds = (performance.now() - started) / 1000;
          const label = operationLabel(operation);
          requestsTotal.inc({ operation: label, outcome: errorCodes[0] ?? 'ok' });
          requestDuration.observe({ operation: label }, seconds);
          const { principal } = contextValue;
          log.info(
            {
              requestId: contextValue.requestId,
              principal: { id: principal.id, role: principal.role },
              // The name of the operation run (none when the request named one the document lacks), never the raw request field.
              operation: loggedOperationName(operationName),
              rootField: label,
              durationMs: Math.round(seconds * 10_000) / 10,
              status: response.http.status ?? 200,
              subgraphs: [...contextValue.subgraphsCalled],
              errorCodes,
            },
            'request',
          );
        },
      };
    },
  };
}
