/** The people's courts (人民法院): dishonest judgment debtors (black). */
import { defineDepartment } from '../kit/lists/department.js';

export const department = defineDepartment({
  name: 'courts',
  domain: 'COURTS',
  authority: '最高人民法院',
  subjectField: 'courts',
  entriesQuery: 'courtsEntries',
  lists: [
    {
      kind: 'DISHONEST_JUDGMENT_DEBTOR',
      type: 'BLACK',
      title: '失信被执行人名单',
      legalBasis: '《最高人民法院关于公布失信被执行人名单信息的若干规定》；《关于印发对失信被执行人实施联合惩戒的合作备忘录的通知》（发改财金〔2016〕141号）',
      defaultValidityDays: 2 * 365,
      subjectTypes: ['ORGANISATION', 'NATURAL_PERSON'],
      publishedByDefault: true,
    },
  ],
});
