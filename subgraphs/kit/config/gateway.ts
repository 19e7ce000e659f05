/** What the gateway accepts from one request, and how long it waits for a subgraph. */
import { integer, text, url } from './variable.js';

export const gateway = {
  GRAPHQL_MAX_DEPTH: integer({ min: 1, max: 100, default: 12, doc: 'deepest query (graphql-armor), sized so the deepest real query passes' }),
  GRAPHQL_MAX_ALIASES: integer({ min: 1, max: 1000, default: 30, doc: 'aliases in one query (graphql-armor)' }),
  GRAPHQL_MAX_TOKENS: integer({ min: 100, max: 1_000_000, default: 10_000, doc: 'tokens of one query, counted by the parser; 1,000 codes written inline pass' }),
  GRAPHQL_MAX_CODES: integer({ min: 1, max: 100_000, default: 1000, doc: 'credit codes per operation, counted with the variables over every field, alias and fragment (`subjects` and `screen` together); batch items (`inputs` of `recogniseMany`, `confirmMany`, …) per operation, the same way; and elements of any one list argument: `BAD_USER_INPUT` beyond' }),
  GRAPHQL_MAX_COST: integer({ min: 1, max: 100_000_000, default: 200_000, doc: 'cost of an operation, counted with the variables: each field once per time it may resolve, a subtree multiplied by its `first` (or default), its number of codes or its batch items. Measured: `recogniseMany` of 1,000 answering every entry field 49,002, 1,000 full profiles 156,001, `screen` of 1,000 23,001, a 100-entry page with every field and history 4,701, the dashboard\'s first load 445 (five departments), a profile 157 (`test/operation-size.test.ts`)' }),
  EXPORT_PAGE_SIZE: integer({ min: 1, max: 5000, default: 2000, doc: 'entries the gateway reads from a department subgraph at once for an export (`GET /export/<department>.csv|.xlsx`); one page more is read while one is written' }),
  SUBGRAPH_TIMEOUT_MS: integer({ min: 100, max: 600_000, default: 10_000, unit: 'ms', doc: 'per-subgraph deadline at the gateway' }),
  TRUSTED_DOCUMENTS_FILE: text({ allowed: 'a file path', doc: 'JSON array of SHA-256 hashes: only those operations are accepted' }),
  // One for every subgraph of the catalogue: PLATFORM_SUBGRAPH_URL, TAX_SUBGRAPH_URL, …
  '<NAME>_SUBGRAPH_URL': url({ schemes: ['http:', 'https:'], defaultText: 'the supergraph\'s', doc: 'where the gateway (and the consumers) reach one subgraph; with replicas, a load balancer\'s URL' }),
};
