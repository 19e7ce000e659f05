/** Customs (海关): advanced-certified enterprises (red), dishonest enterprises (black) and key attention after a black-list exit. */
import { defineDepartment } from '../kit/lists/department.js';

export const department = defineDepartment({
  name: 'customs',
  domain: 'CUSTOMS',
  authority: '海关总署',
  description: 'customs (海关)',
  label: '海关 Customs',
  lists: [
    {
      kind: 'CUSTOMS_ADVANCED_CERTIFIED',
      type: 'RED',
      title: '海关高级认证企业名单',
      legalBasis: '《中华人民共和国海关企业信用管理办法》；《关于对海关高级认证企业实施联合激励的合作备忘录》（发改财金〔2016〕2190号）',
      defaultValidityDays: 3 * 365,
      // 海关 rates enterprises (企业信用管理): organisations only.
      subjectTypes: ['ORGANISATION'],
      publishedByDefault: true,
    },
    {
      kind: 'CUSTOMS_DISHONEST',
      type: 'BLACK',
      title: '海关失信企业名单',
      legalBasis: '《中华人民共和国海关企业信用管理办法》；《关于对海关失信企业实施联合惩戒的合作备忘录》（发改财金〔2017〕427号）',
      defaultValidityDays: 2 * 365,
      subjectTypes: ['ORGANISATION'],
      publishedByDefault: true,
    },
    {
      kind: 'CUSTOMS_KEY_ATTENTION',
      type: 'KEY_ATTENTION',
      title: '海关失信企业移出后重点关注名单',
      legalBasis: '《关于加强和规范守信联合激励和失信联合惩戒对象名单管理工作的指导意见》（发改财金规〔2017〕1798号）（十六）（十八）',
      defaultValidityDays: 730,
      subjectTypes: ['ORGANISATION'],
      publishedByDefault: false,
    },
  ],
  keyAttentionAfterBlackExit: { kind: 'CUSTOMS_KEY_ATTENTION', validityDays: 730 },
});
