/**
 * How the gateway talks to one subgraph: with a timeout, forwarding the request id, and
 * turning a failed or timed-out call into an error that names the unavailable domain,
 * so the answer carries every other department's data (each contribution is nullable).
 */
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../subgraphs/kit/errors.js';
import type { GatewayContext } from './context.js';
import { INTERNAL_TOKEN_HEADER } from '../subgraphs/kit/auth/internal-token.js';
import { domainUnavailable, subgraphFetchDuration, subgraphFetchErrors } from '../subgraphs/kit/observability/metrics.js';

export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    readonly subgraphName: string,
    url: string,
    readonly timeoutMs: number,
  ) {
    super({ url });
    // Node's fetch with a deadline: a hung subgraph must not hang the request. Timed per call.
    this.fetcher = (async (input: any, init: any) => {
      const stopTimer = subgraphFetchDuration.startTimer({ subgraph: subgraphName });
      try {
        const response = await fetch(input, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
        stopTimer({ outcome: response.ok ? 'ok' : 'error' });
        return response;
      } catch (error) {
        stopTimer({ outcome: 'error' });
        throw error;
      }
    }) as any;
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    if (!context?.internalToken) return; // composition tooling: no identity, only _service answers
    context.subgraphsCalled.add(this.subgraphName);
    request.http?.headers.set(INTERNAL_TOKEN_HEADER, await context.internalToken);
  }

  override async didReceiveResponse({ response, context }: any) {
    const reads = response?.extensions?.personalDataReads;
    if (Array.isArray(reads) && context?.personalDataReads) context.personalDataReads.push(...reads);
    if (response?.extensions) delete response.extensions.personalDataReads;
    return response;
  }

  override didEncounterError(error: any): never {
    if (error instanceof GraphQLError && error.extensions?.code !== ErrorCode.INTERNAL_SERVER_ERROR && !error.extensions?.response) {
      subgraphFetchErrors.inc({ subgraph: this.subgraphName, code: String(error.extensions?.code ?? 'UNKNOWN') });
      throw error;
    }
    const status = error?.extensions?.response?.status;
    // A 4xx with GraphQL errors is the subgraph refusing the request (a bad variable, say):
    // the client gets that typed error, not "unavailable".
    const refusal = status >= 400 && status < 500 ? error.extensions.response.body?.errors?.[0] : undefined;
    if (refusal?.message) {
      subgraphFetchErrors.inc({ subgraph: this.subgraphName, code: String(refusal.extensions?.code ?? `HTTP_${status}`) });
      throw new GraphQLError(refusal.message, { extensions: { ...refusal.extensions, domain: this.subgraphName } });
    }
    const timedOut = error?.name === 'TimeoutError' || error?.cause?.name === 'TimeoutError';
    const why = timedOut ? `it did not answer within ${this.timeoutMs} ms` : status ? `it answered HTTP ${status}` : 'it could not be reached';
    subgraphFetchErrors.inc({ subgraph: this.subgraphName, code: ErrorCode.DOMAIN_UNAVAILABLE });
    domainUnavailable.inc({ subgraph: this.subgraphName });
    throw new GraphQLError(
      `The ${this.subgraphName} subgraph is unavailable (${why}); its fields are null in this answer and everything else was answered. Retry later for a full answer.`,
      { extensions: { code: ErrorCode.DOMAIN_UNAVAILABLE, domain: this.subgraphName } },
    );
  }
}
