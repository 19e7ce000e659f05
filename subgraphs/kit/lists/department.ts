/**
 * A recognising department (认定部门) is configuration of the list engine: which lists it
 * keeps, what they are called and on what legal basis. Everything else — storage,
 * validation, queries, lifecycle — is the engine's, written once.
 */

export type Domain = 'TAX' | 'MARKET_SUPERVISION' | 'COURTS' | 'WORK_SAFETY';
export type ListType = 'RED' | 'BLACK' | 'KEY_ATTENTION';

export interface ListDefinition {
  /** Stable identifier, one value of the `ListKind` enum. */
  kind: string;
  type: ListType;
  /** The list's name in the source documents. */
  title: string;
  /** Default legal basis cited on entries of this list. */
  legalBasis: string;
  /** Default validity in days when the department states none. */
  defaultValidityDays: number;
  /** Whether entries may be published to the public (key-attention lists only selectively). */
  publishedByDefault: boolean;
  /** Who can be put on this list: organisations, natural persons, or both. */
  subjectTypes: ('ORGANISATION' | 'NATURAL_PERSON')[];
}

export interface DepartmentConfig {
  /** Subgraph name, table prefix and database-variable prefix: `tax` → `tax_entries`, `TAX_DATABASE_URL`. */
  name: string;
  domain: Domain;
  /** The department's name as it recognises entries. */
  authority: string;
  /** Field this department contributes to `Subject`. */
  subjectField: string;
  /** Root query listing this department's entries. */
  entriesQuery: string;
  lists: ListDefinition[];
  /**
   * The key-attention list a subject is put on at once after leaving one of this
   * department's black lists in any way but a mistaken listing (1798 (18)), and for how
   * long unless the officer sets the validity.
   */
  keyAttentionAfterBlackExit: { kind: string; validityDays: number };
}

export function defineDepartment(config: DepartmentConfig): DepartmentConfig {
  const kinds = new Set(config.lists.map((list) => list.kind));
  if (kinds.size !== config.lists.length) throw new Error(`${config.name}: list kinds must be unique`);
  if (listDefinition(config, config.keyAttentionAfterBlackExit.kind)?.type !== 'KEY_ATTENTION') {
    throw new Error(`${config.name}: keyAttentionAfterBlackExit must name one of its key-attention lists`);
  }
  return config;
}

export function listDefinition(config: DepartmentConfig, kind: string): ListDefinition | undefined {
  return config.lists.find((list) => list.kind === kind);
}
