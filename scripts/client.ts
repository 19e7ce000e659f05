/**
 * A client of the hub over HTTP, as the tests, the cluster scenarios and the benchmarks talk
 * to it: a caller's headers (a development token and a stated purpose) and a GraphQL POST.
 */
import { mintDevelopmentToken, type TokenClaims } from './token.js';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  extensions?: Record<string, any>;
}

/** Headers of a caller: a development token for `claims` (none: the public), and a stated purpose. */
export async function callerHeaders(
  claims: TokenClaims | null,
  purpose?: { purpose: string; reference: string },
  departmentNames?: readonly string[],
): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  if (claims) headers.authorization = `Bearer ${await mintDevelopmentToken(claims, undefined, departmentNames)}`;
  if (purpose) {
    headers['x-credithub-purpose'] = encodeURIComponent(purpose.purpose);
    headers['x-credithub-reference'] = encodeURIComponent(purpose.reference);
  }
  return headers;
}

export async function postGraphQL<T = any>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  return { status: response.status, ...body };
}
