/** Work safety supervision (安全生产): joint punishment (black), joint incentive (red) and key attention. */
import { defineDepartment } from '../kit/lists/department.js';

export const department = defineDepartment({
  name: 'safety',
  domain: 'WORK_SAFETY',
  authority: '应急管理部',
  description: 'work safety supervision (应急管理/安全生产)',
  label: '应急管理 Work safety',
  lists: [
    {
      kind: 'WORK_SAFETY_BLACK',
      type: 'BLACK',
      title: '安全生产失信联合惩戒对象名单',
      legalBasis: '《关于对安全生产领域失信生产经营单位及其有关人员开展联合惩戒的合作备忘录》（发改财金〔2016〕1001号）',
      defaultValidityDays: 365,
      subjectTypes: ['ORGANISATION', 'NATURAL_PERSON'],
      publishedByDefault: true,
    },
    {
      kind: 'WORK_SAFETY_RED',
      type: 'RED',
      title: '安全生产守信联合激励对象名单',
      legalBasis: '《关于对安全生产领域守信生产经营单位及其有关人员开展联合激励的合作备忘录》（发改财金〔2017〕2219号）',
      defaultValidityDays: 3 * 365,
      subjectTypes: ['ORGANISATION'],
      publishedByDefault: true,
    },
    {
      kind: 'WORK_SAFETY_KEY_ATTENTION',
      type: 'KEY_ATTENTION',
      title: '安全生产重点关注名单',
      legalBasis: '《关于加强和规范守信联合激励和失信联合惩戒对象名单管理工作的指导意见》（发改财金规〔2017〕1798号）（十六）',
      defaultValidityDays: 365,
      // The black list's persons (有关人员) come here after leaving it (1798 (18)), so it takes them too.
      subjectTypes: ['ORGANISATION', 'NATURAL_PERSON'],
      publishedByDefault: false,
    },
  ],
  keyAttentionAfterBlackExit: { kind: 'WORK_SAFETY_KEY_ATTENTION', validityDays: 365 },
});
