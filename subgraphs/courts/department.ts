/** The people's courts (人民法院): dishonest judgment debtors (black). */
import { defineDepartment } from '../kit/lists/department.js';

export const department = defineDepartment({
  name: 'courts',
  domain: 'COURTS',
  authority: '最高人民法院',
  description: "the people's courts (人民法院)",
  label: '法院 Courts',
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
    {
      kind: 'JUDGMENT_DEBTOR_KEY_ATTENTION',
      type: 'KEY_ATTENTION',
      title: '失信被执行人移出后重点关注名单',
      legalBasis: '《关于加强和规范守信联合激励和失信联合惩戒对象名单管理工作的指导意见》（发改财金规〔2017〕1798号）（十八）',
      defaultValidityDays: 365,
      subjectTypes: ['ORGANISATION', 'NATURAL_PERSON'],
      publishedByDefault: false,
    },
  ],
  keyAttentionAfterBlackExit: { kind: 'JUDGMENT_DEBTOR_KEY_ATTENTION', validityDays: 365 },
});
