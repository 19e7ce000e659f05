/**
 * Limits on what one request may ask, chosen for the hub's real operations: a profile of
 * a subject across every department is about depth 7; a 1,000-code batch passes its codes
 * as variables (or, inline, about 3,000 tokens). The cost of an operation and the codes it
 * asks for are counted with its variables, in operation-size.ts. Beyond these the query
 * is refused before any subgraph is called.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../subgraphs/kit/errors.js';
import { configuration } from '../subgraphs/kit/config/index.js';

export const QUERY_LIMITS = {
  maxDepth: configuration().GRAPHQL_MAX_DEPTH,
  maxAliases: configuration().GRAPHQL_MAX_ALIASES,
  maxTokens: configuration().GRAPHQL_MAX_TOKENS,
  maxDirectives: 50,
};

export function queryArmor(production: boolean) {
  const armor = new ApolloArmor({
    maxDepth: { n: QUERY_LIMITS.maxDepth, ignoreIntrospection: !production },
    maxAliases: { n: QUERY_LIMITS.maxAliases },
    // Counted by graphql-js's own parser (parseOptions below): over the limit is a syntax
    // error, HTTP 400 GRAPHQL_PARSE_FAILED. graphql-armor's token plugin turned it (and
    // every other syntax error) into a 500.
    maxTokens: { enabled: false },
    maxDirectives: { n: QUERY_LIMITS.maxDirectives },
    // Counted with the variables, lists multiplied by their size: operation-size.ts.
    costLimit: { enabled: false },
    // "Did you mean …?" tells a stranger the schema; hidden in production.
    // graphql-armor's mask misses enum suggestions; formatGatewayError cuts them all.
    blockFieldSuggestion: { enabled: production },
  }).protect();
  return { ...armor, parseOptions: { maxTokens: QUERY_LIMITS.maxTokens } };
}

/**
 * Trusted documents: when TRUSTED_DOCUMENTS_FILE names a JSON array of SHA-256 hashes of
 * the operations a deployment's clients send, every other operation is refused.
 */
export function trustedDocumentsPlugin(file: string | undefined): ApolloServerPlugin | null {
  if (!file) return null;
  const trusted = new Set<string>(JSON.parse(readFileSync(file, 'utf8')));
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ source }) {
          const hash = createHash('sha256').update(source).digest('hex');
          if (!trusted.has(hash)) {
            throw new GraphQLError(`This hub accepts only trusted documents; operation ${hash.slice(0, 12)}… is not one of them`, {
              extensions: { code: ErrorCode.FORBIDDEN, http: { status: 403 } },
            });
          }
        },
      };
    },
  };
}
