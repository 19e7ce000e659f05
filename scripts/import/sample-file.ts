/**
 * Valid import rows for the benchmark and the tests: courts' dishonest judgment debtors,
 * organisations with a legal representative, and some natural persons (notified first, as
 * 1798 (7) requires), with generated but valid codes (scripts/demo-data.ts).
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { stringify } from 'csv-stringify/sync';
import iconv from 'iconv-lite';
import { identityNumber, organisationCode, random } from '../demo-data.js';
import { COLUMNS } from './columns.js';

const REGIONS = ['110105', '310115', '440305', '330106', '510107', '420106'];
const NAMES = ['华信', '中诚', '恒远', '宏达', '鑫源', '锦程', '瑞丰', '东方'];
const PERSONS = ['王伟', '李娜', '张敏', '刘洋', '陈静', '杨磊'];

/** Row `i` of a sample file (by column name), deterministic for a seed. */
export function sampleRow(rng: ReturnType<typeof random>, i: number, referencePrefix: string): Record<string, string> {
  const region = rng.pick(REGIONS);
  const person = i % 10 === 9;
  const row: Record<string, string> = {
    externalReference: `${referencePrefix}-${String(i).padStart(7, '0')}`,
    listKind: 'DISHONEST_JUDGMENT_DEBTOR',
    creditCode: person ? identityNumber(rng, region) : organisationCode(rng, region),
    subjectName: person ? rng.pick(PERSONS) : `${rng.pick(NAMES)}${rng.pick(NAMES)}科技有限公司`,
    facts: '有履行能力而拒不履行生效法律文书确定义务',
    validUntil: '2029-12-31',
    repairable: 'true',
    repairMethod: '履行生效法律文书确定的义务',
    recognisedOn: '2026-11-20',
    evidenceRef: `（2026）执${i}号`,
  };
  if (person) Object.assign(row, { notifiedOn: '2026-11-10', notificationMethod: '书面告知书（直接送达）' });
  else Object.assign(row, { legalRepresentativeName: rng.pick(PERSONS), legalRepresentativeIdType: 'RESIDENT_IDENTITY_CARD', legalRepresentativeIdNumber: identityNumber(rng, region) });
  return row;
}

/** Writes `count` sample rows as CSV (UTF-8 or GB18030), streamed. `edit` may change a row (to make it wrong). */
export async function writeSampleCsv(
  path: string,
  count: number,
  options: { seed?: number; referencePrefix?: string; encoding?: 'utf-8' | 'gb18030'; edit?: (row: Record<string, string>, i: number) => void } = {},
): Promise<void> {
  const rng = random(options.seed ?? 18);
  const out = createWriteStream(path);
  const encode = (text: string) => (options.encoding === 'gb18030' ? iconv.encode(text, 'gb18030') : Buffer.from(text));
  out.write(encode(stringify([COLUMNS.map((c) => c.name)])));
  for (let i = 0; i < count; i++) {
    const row = sampleRow(rng, i, options.referencePrefix ?? 'IMPORT');
    options.edit?.(row, i);
    if (!out.write(encode(stringify([COLUMNS.map((c) => row[c.name] ?? '')])))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
