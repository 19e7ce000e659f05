/**
 * Errors a client can trust: a request the client got wrong is a 4xx with a documented
 * code, never a 500 that looks like the hub's fault.
 *
 * - A syntax error, and a document over the token limit (counted by graphql-js's parser,
 *   `parseOptions.maxTokens`), is HTTP 400 `GRAPHQL_PARSE_FAILED`.
 * - An `operationName` the document does not define is HTTP 400 `OPERATION_RESOLUTION_FAILURE`.
 * - An automatic persisted query whose `sha256Hash` is not the query's is HTTP 400 `BAD_REQUEST`.
 * - A request without a token that reaches only fields needing one is HTTP 401 `UNAUTHENTICATED`.
 * - In production, "Did you mean …?" (fields, types, enum values) is cut from every message.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../subgraphs/kit/errors.js';

export const OPERATION_RESOLUTION_FAILURE = 'OPERATION_RESOLUTION_FAILURE';

/** graphql-js's suggestion sentences: `Did you mean "x"?`, `Did you mean the enum value "BLACK"?`, `… "a", "b", or "c"?`. */
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

export function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '').trim();
}

/** The HTTP status Apollo Server attached to an error, if any. */
const httpStatusOf = (error: unknown): number | undefined => ((error as GraphQLError | undefined)?.extensions as { http?: { status?: number } } | undefined)?.http?.status;

/**
 * The code of an error Apollo Server raised without one (the APQ hash check), from the
 * status it gave it; null when the error is not a client error.
 */
export function clientErrorWithoutCode(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError | null {
  if ((error as GraphQLError | undefined)?.extensions?.code) return null;
  const status = httpStatusOf(error);
  if (status === undefined || status < 400 || status >= 500) return null;
  const message = /sha does not match/.test(formatted.message)
    ? 'The persisted query\'s sha256Hash is not the SHA-256 of the query sent: hash the exact query text (hex, lower case)'
    : formatted.message;
  return { message, extensions: { code: 'BAD_REQUEST' } };
}

const isUnauthenticated = (error: GraphQLFormattedError) => error.extensions?.code === ErrorCode.UNAUTHENTICATED;

export function clientErrorsPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request }) {
          if (operation) return;
          const names = request.operationName ? `no operation named "${request.operationName}"` : 'several operations and no operationName';
          throw new GraphQLError(`The document has ${names}: send the name of one of its operations in "operationName"`, {
            extensions: { code: OPERATION_RESOLUTION_FAILURE, http: { status: 400 } },
          });
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          const nothingAnswered = data == null || Object.values(data).every((value) => value === null);
          if (nothingAnswered && errors?.length && errors.every(isUnauthenticated)) response.http.status = 401;
        },
      };
    },
  };
}
