/**
 * The internal HTTP routes one process of the hub calls on another, with the identity the hub
 * signs (kit/auth/internal-token.ts): a contract shared by the gateway and the subgraphs, so
 * that neither imports the other's code for a path or a page's shape.
 */
import type { PersonalDataRead } from './auth/masking.js';

/** A department's outbox events in order (kit/events/feed.ts): `?after=<position>&limit=<n>`. */
export const EVENTS_ROUTE = '/internal/events';

/** The platform's access register, written by the gateway before personal data leaves (platform/access-register-resolvers.ts). */
export const ACCESS_REGISTER_ROUTE = '/internal/access-register';

/** The platform's change-feed head, read before a snapshot (platform/change-feed.ts): `{ "cursor": "…" }`. */
export const FEED_POSITION_ROUTE = '/internal/feed-position';

/** A department's entries for an export in large pages (kit/lists/export.ts): `?first=&after=&filter=`. */
export const EXPORT_ROUTE = '/internal/export';

/** One page of `EXPORT_ROUTE`: entries as GraphQL would answer them, and the personal data read for the register. */
export interface ExportEntriesPage {
  entries: Record<string, unknown>[];
  personalDataReads: PersonalDataRead[];
  endCursor: string | null;
  hasNextPage: boolean;
}

/** The `ListEntry` fields an export holds, as a GraphQL selection: the gateway's columns read these. */
export const ENTRY_SELECTION = `id listKind listName listType creditCode subjectName subjectType regionCode status published
  recognisedOn validFrom validUntil publicityUntil recognisingAuthority legalBasis facts
  legalRepresentative { name idDocumentType idDocumentNumber } repair { repairable method rectificationDeadline } sharedAt`;
