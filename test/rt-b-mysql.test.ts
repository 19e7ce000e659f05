import { afterAll, beforeAll, describe, it } from 'vitest';
import { startTestHub, dialect, type TestHub } from './env.js';
import { REPAIR, officer, testClock } from './list-actions.js';
import { organisationCode, random } from '../scripts/demo-data.js';
import { entriesTable } from '../subgraphs/kit/lists/tables.js';
const clock = testClock('2026-11-23T02:00:00.000Z');
const rng = random(8123);
const org = () => organisationCode(rng, '320508');
let hub: TestHub;
const log = (l: string, v: unknown) => console.log(`@@ ${l}: ${JSON.stringify(v).slice(0, 900)}`);
beforeAll(async () => { hub = await startTestHub({ subjects: 10, clock: clock.clock }); }, 120000);
afterAll(async () => { await hub?.stop(); });
const item = (o: any = {}) => ({ listKind: 'MAJOR_TAX_VIOLATION', creditCode: org(), subjectName: '示例主体有限公司', facts: '事实', validUntil: '2030-06-01', repair: REPAIR, ...o });
const Q = 'mutation($inputs: [RecogniseInput!]!) { tax { recogniseMany(inputs: $inputs) { index entry { id } error { code message field } } } }';
const count = async () => Number((await hub.hub.subgraphs.get('tax')!.db(entriesTable('tax')).count({ n: '*' }))[0].n);
describe('mysql', () => {
  it('overlong column in one item', async () => {
    log('dialect', dialect);
    for (const [label, o] of [['subjectName 201', { subjectName: '名'.repeat(201) }], ['legalBasis 501', { legalBasis: 'b'.repeat(501) }], ['lei 300', { lei: 'L'.repeat(300) }], ['legalRep name 300', { legalRepresentative: { name: 'n'.repeat(300), idDocumentType: 'PASSPORT', idDocumentNumber: 'x'.repeat(300) } }], ['repair method 5000', { repair: { ...REPAIR, method: 'm'.repeat(5000) } }], ['notification method 2000', { notification: { notifiedOn: '2026-11-01', method: 'm'.repeat(2000) } }], ['evidenceRef 2000', { evidenceRef: 'e'.repeat(2000) }], ['emoji name', { subjectName: '😀公司' }]] as [string, any][]) {
      const before = await count();
      const r = await hub.queryAs(officer('tax'), Q, { inputs: [item(), item(o), item()] });
      log(label, { status: r.status, data: r.data?.tax?.recogniseMany?.map((x: any) => x.error?.code ?? 'ok'), errors: r.errors?.map((e) => [e.extensions?.code, e.message.slice(0, 150)]), written: (await count()) - before });
    }
    const r2 = await hub.queryAs(officer('tax'), 'mutation($i: RecogniseInput!) { tax { recognise(input: $i) { id } } }', { i: item({ subjectName: '名'.repeat(201) }) });
    log('single overlong', { errors: r2.errors?.map((e) => [e.extensions?.code, e.message.slice(0, 150)]) });
  }, 120000);
});
