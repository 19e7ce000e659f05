/**
 * A recognising department (认定部门) is configuration of the list engine: which lists it
 * keeps, what they are called and on what legal basis. Everything else — storage,
 * validation, queries, lifecycle — is the engine's, written once.
 */

/** The catalogue's domains (subgraphs/departments.ts): one per department. */
export type { Domain } from '../../departments.js';
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

/** What a department's `department.ts` states; `defineDepartment` derives the rest. */
export interface DepartmentDefinition<D extends string = string> {
  /**
   * Subgraph name, table prefix and database-variable prefix: `tax` → `tax_entries`,
   * `TAX_DATABASE_URL`; also its fields: `Subject.tax`, `Query.taxEntries`, `Mutation.tax`.
   */
  name: string;
  /** Its value of the `Domain` enum (认定领域), upper case. */
  domain: D;
  /** The department's name as it recognises entries. */
  authority: string;
  /** Who keeps the lists, as the SDL describes them: "the tax authorities (税务)". */
  description: string;
  /** Short bilingual label (the dashboard's rows): "税务 Tax". */
  label: string;
  lists: ListDefinition[];
  /**
   * The key-attention list a subject is put on at once after leaving one of this
   * department's black lists in any way but a mistaken listing (1798 (18)), and for how
   * long unless the officer sets the validity.
   */
  keyAttentionAfterBlackExit: { kind: string; validityDays: number };
}

export interface DepartmentConfig<D extends string = string> extends DepartmentDefinition<D> {
  /** Field this department contributes to `Subject` (and `Mutation`): its name. */
  subjectField: string;
  /** Root query listing this department's entries: `<name>Entries`. */
  entriesQuery: string;
}

/** The root query listing a department's entries (the gateway's exports name it from the supergraph's graph names). */
export const entriesQueryOf = (name: string) => `${name}Entries`;

// At most 24 characters: it prefixes table names (64 at most in MySQL) and fits in a history's actor (RECORDED_LENGTHS.who).
const NAME = /^[a-z][a-z0-9]{0,23}$/;
const UPPER = /^[A-Z][A-Z0-9_]*$/;

export function defineDepartment<const D extends string>(definition: DepartmentDefinition<D>): DepartmentConfig<D> {
  const config: DepartmentConfig<D> = { ...definition, subjectField: definition.name, entriesQuery: entriesQueryOf(definition.name) };
  if (!NAME.test(config.name)) throw new Error(`Department "${config.name}": a name is 1 to 24 lower-case letters and digits, starting with a letter (it prefixes tables, variables and fields)`);
  if (!UPPER.test(config.domain)) throw new Error(`${config.name}: domain "${config.domain}" must be an upper-case GraphQL enum value, e.g. CUSTOMS`);
  const badKind = config.lists.find((list) => !UPPER.test(list.kind));
  if (badKind) throw new Error(`${config.name}: list kind "${badKind.kind}" must be an upper-case GraphQL enum value`);
  const kinds = new Set(config.lists.map((list) => list.kind));
  if (kinds.size !== config.lists.length) throw new Error(`${config.name}: list kinds must be unique`);
  const afterExit = listDefinition(config, config.keyAttentionAfterBlackExit.kind);
  if (afterExit?.type !== 'KEY_ATTENTION') {
    throw new Error(`${config.name}: keyAttentionAfterBlackExit must name one of its key-attention lists`);
  }
  // Whoever leaves a black list is put on this key-attention list (1798 (18)): it must take every kind of subject they can be.
  for (const black of config.lists.filter((list) => list.type === 'BLACK')) {
    const refused = black.subjectTypes.filter((type) => !afterExit.subjectTypes.includes(type));
    if (refused.length) {
      throw new Error(`${config.name}: ${black.kind} takes ${refused.join(', ')} but ${afterExit.kind}, where they go after leaving it, does not: add them to its subjectTypes`);
    }
  }
  return config;
}

export function listDefinition(config: DepartmentConfig, kind: string): ListDefinition | undefined {
  return config.lists.find((list) => list.kind === kind);
}
