/**
 * The columns of an export of a department's lists, and the GraphQL selection they come
 * from. Exports read through the gateway's own GraphQL execution, so each value is exactly
 * what the API would give the caller: masked the same way, registered the same way.
 */

export interface ExportColumn {
  name: string;
  /** The value in one `ListEntry` as the API returned it. */
  value: (entry: any) => string | number | boolean | null;
}

export const ENTRY_SELECTION = `id listKind listName listType creditCode subjectName subjectType regionCode status published
  recognisedOn validFrom validUntil publicityUntil recognisingAuthority legalBasis facts
  legalRepresentative { name idDocumentType idDocumentNumber } repair { repairable method rectificationDeadline } sharedAt`;

const field = (name: string): ExportColumn => ({ name, value: (entry) => entry[name] ?? null });

export const ENTRY_COLUMNS: ExportColumn[] = [
  ...['id', 'listKind', 'listName', 'listType', 'creditCode', 'subjectName', 'subjectType', 'regionCode', 'status', 'published'].map(field),
  ...['recognisedOn', 'validFrom', 'validUntil', 'publicityUntil', 'recognisingAuthority', 'legalBasis', 'facts'].map(field),
  { name: 'legalRepresentativeName', value: (entry) => entry.legalRepresentative?.name ?? null },
  { name: 'legalRepresentativeIdType', value: (entry) => entry.legalRepresentative?.idDocumentType ?? null },
  { name: 'legalRepresentativeIdNumber', value: (entry) => entry.legalRepresentative?.idDocumentNumber ?? null },
  { name: 'repairable', value: (entry) => entry.repair?.repairable ?? null },
  { name: 'repairMethod', value: (entry) => entry.repair?.method ?? null },
  { name: 'rectificationDeadline', value: (entry) => entry.repair?.rectificationDeadline ?? null },
  field('sharedAt'),
];
