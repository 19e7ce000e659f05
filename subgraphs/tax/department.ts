/** Tax authorities (税务): A-grade taxpayers (red) and major tax violations (black). */
import { defineDepartment } from '../kit/lists/department.js';

export const department = defineDepartment({
  name: 'tax',
  domain: 'TAX',
  authority: '国家税务总局',
  description: 'the tax authorities (税务)',
  label: '税务 Tax',
  lists: [
    {
      kind: 'A_GRADE_TAXPAYER',
      type: 'RED',
      title: '纳税信用A级纳税人名单',
      legalBasis: '《纳税信用管理办法（试行）》；《关于对纳税信用A级纳税人实施联合激励措施的合作备忘录》（发改财金〔2016〕1467号）',
      defaultValidityDays: 365,
      subjectTypes: ['ORGANISATION'],
      publishedByDefault: true,
    },
    {
      kind: 'MAJOR_TAX_VIOLATION',
      type: 'BLACK',
      title: '重大税收违法失信主体名单',
      legalBasis: '《重大税收违法失信案件信息公布办法》；《关于对重大税收违法案件当事人实施联合惩戒措施的合作备忘录（2016版）》（发改财金〔2016〕2798号）',
      defaultValidityDays: 3 * 365,
      subjectTypes: ['ORGANISATION', 'NATURAL_PERSON'],
      publishedByDefault: true,
    },
    {
      kind: 'TAX_KEY_ATTENTION',
      type: 'KEY_ATTENTION',
      title: '税收违法失信重点关注名单',
      legalBasis: '《关于加强和规范守信联合激励和失信联合惩戒对象名单管理工作的指导意见》（发改财金规〔2017〕1798号）（十六）（十八）',
      defaultValidityDays: 730,
      subjectTypes: ['ORGANISATION', 'NATURAL_PERSON'],
      publishedByDefault: false,
    },
  ],
  keyAttentionAfterBlackExit: { kind: 'TAX_KEY_ATTENTION', validityDays: 730 },
});
