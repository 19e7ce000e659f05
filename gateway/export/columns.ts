/**
 * The columns of each export, and the values they come from: a department's entries as the
 * department subgraph's export path gives them (`ENTRY_SELECTION`, the same values the
 * entries query gives), the platform's lists as the gateway's GraphQL execution gives them.
 */
export { ENTRY_SELECTION } from '../../subgraphs/kit/internal-routes.js';

export interface ExportColumn {
  name: string;
  /** The value in one row (a `ListEntry`, a list member) as the API returned it. */
  value: (row: any) => string | number | boolean | null;
}

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

const SUBJECT_SELECTION = 'subject { creditCode subjectType regionCode name }';
const subjectColumns: ExportColumn[] = [
  { name: 'creditCode', value: (member) => member.subject.creditCode },
  { name: 'subjectType', value: (member) => member.subject.subjectType },
  { name: 'regionCode', value: (member) => member.subject.regionCode },
  { name: 'subjectName', value: (member) => member.subject.name ?? null },
];
const domains: ExportColumn = { name: 'domains', value: (member) => member.domains.join(' ') };

/** `consolidatedList` members (the platform's 汇总名单). */
export const CONSOLIDATED_SELECTION = `${SUBJECT_SELECTION} domains entries listedSince`;
export const CONSOLIDATED_COLUMNS: ExportColumn[] = [...subjectColumns, domains, field('entries'), field('listedSince')];

/** `warningList` members (the big-data warning list). */
export const WARNING_LIST_SELECTION = `${SUBJECT_SELECTION} since domains`;
export const WARNING_LIST_COLUMNS: ExportColumn[] = [...subjectColumns, field('since'), domains];
