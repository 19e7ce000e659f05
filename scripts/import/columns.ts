/**
 * The documented column layout of an import file (CSV or XLSX, first worksheet): one
 * header row naming the columns, in any order, then one row per entry. Every column maps
 * to a field of `RecogniseInput`; `externalReference` is the row's idempotency key: the
 * hub creates one entry per reference, so rerunning a file creates nothing twice.
 */

export interface Column {
  name: string;
  required: boolean;
  /** Where the value goes in RecogniseInput (dots: nested); the server's ItemError.field names it. */
  inputPath: string;
  description: string;
  example: string;
}

export const COLUMNS: Column[] = [
  { name: 'externalReference', required: true, inputPath: 'externalReference', description: "Your own unique key of the row (case number, record id): rerunning a file never creates an entry twice", example: '（2026）京0105执1234号' },
  { name: 'listKind', required: true, inputPath: 'listKind', description: "One of the department's list kinds (e.g. DISHONEST_JUDGMENT_DEBTOR)", example: 'DISHONEST_JUDGMENT_DEBTOR' },
  { name: 'creditCode', required: true, inputPath: 'creditCode', description: 'Unified social credit code (GB 32100) or citizen identity number (GB 11643), 18 characters', example: '91110105MA01ABCD26' },
  { name: 'subjectName', required: true, inputPath: 'subjectName', description: "The organisation's or the person's name", example: '北京某某科技有限公司' },
  { name: 'facts', required: true, inputPath: 'facts', description: 'The facts of the (dis)honest conduct', example: '有履行能力而拒不履行生效法律文书确定义务' },
  { name: 'validUntil', required: true, inputPath: 'validUntil', description: 'End of validity, YYYY-MM-DD, in the future', example: '2029-12-31' },
  { name: 'repairable', required: true, inputPath: 'repair.repairable', description: 'Whether the subject may repair its credit: true or false (是/否)', example: 'true' },
  { name: 'repairMethod', required: false, inputPath: 'repair.method', description: 'How to repair; required when repairable', example: '履行生效法律文书确定的义务' },
  { name: 'rectificationDeadline', required: false, inputPath: 'repair.rectificationDeadline', description: 'Rectification deadline, YYYY-MM-DD', example: '2027-06-30' },
  { name: 'recognisedOn', required: false, inputPath: 'recognisedOn', description: 'Day of recognition, YYYY-MM-DD; default today', example: '2026-11-20' },
  { name: 'legalBasis', required: false, inputPath: 'legalBasis', description: "Default: the list's legal basis", example: '' },
  { name: 'publicityDays', required: false, inputPath: 'publicityDays', description: 'Days of notice / publicity before the entry takes effect (red lists: at least 1)', example: '' },
  { name: 'notifiedOn', required: false, inputPath: 'notification.notifiedOn', description: 'Natural persons on black / key-attention lists: day they were told, YYYY-MM-DD', example: '' },
  { name: 'notificationMethod', required: false, inputPath: 'notification.method', description: 'How they were told (with notifiedOn)', example: '' },
  { name: 'published', required: false, inputPath: 'published', description: "true or false; default the list's rule", example: '' },
  { name: 'legalRepresentativeName', required: false, inputPath: 'legalRepresentative.name', description: "An organisation's legal representative", example: '张三' },
  { name: 'legalRepresentativeIdType', required: false, inputPath: 'legalRepresentative.idDocumentType', description: 'RESIDENT_IDENTITY_CARD, PASSPORT, HONG_KONG_MACAO_PERMIT, TAIWAN_PERMIT, FOREIGN_PERMANENT_RESIDENCE or OTHER', example: 'RESIDENT_IDENTITY_CARD' },
  { name: 'legalRepresentativeIdNumber', required: false, inputPath: 'legalRepresentative.idDocumentNumber', description: 'Their document number (identity cards are checked, GB 11643)', example: '110105198001011238' },
  { name: 'lei', required: false, inputPath: 'lei', description: 'Legal entity identifier, 20 characters', example: '' },
  { name: 'evidenceRef', required: false, inputPath: 'evidenceRef', description: 'Reference of the decision or evidence', example: '（2026）京0105执1234号' },
];

export const REQUIRED_COLUMNS = COLUMNS.filter((column) => column.required).map((column) => column.name);

/** The column an input path (a server ItemError's `field`) comes from; the path itself when none does. */
export function columnOfInputPath(path: string | null | undefined): string {
  if (!path) return '';
  const found = COLUMNS.find((column) => column.inputPath === path || path.startsWith(`${column.inputPath}.`));
  return found?.name ?? COLUMNS.find((column) => column.inputPath.startsWith(`${path}.`))?.name ?? path;
}

/** What is wrong with a header row, or null: every required column present, no unknown or repeated one. */
export function headerProblem(header: string[]): string | null {
  const names = header.map((name) => name.trim());
  const missing = REQUIRED_COLUMNS.filter((name) => !names.includes(name));
  if (missing.length) return `row 1 (the header) lacks the required column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: see npm run import -- --template`;
  const unknown = names.filter((name) => name && !COLUMNS.some((column) => column.name === name));
  if (unknown.length) return `row 1 (the header) has unknown column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: the columns are ${COLUMNS.map((c) => c.name).join(', ')}`;
  const repeated = names.filter((name, i) => name && names.indexOf(name) !== i);
  if (repeated.length) return `row 1 (the header) names ${repeated[0]} twice`;
  return null;
}
