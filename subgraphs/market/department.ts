/** Market supervision (市场监管): serious illegal and dishonest enterprises (black), abnormal operations (key attention). */
import { defineDepartment } from '../kit/lists/department.js';

export const department = defineDepartment({
  name: 'market',
  domain: 'MARKET_SUPERVISION',
  authority: '国家市场监督管理总局',
  description: 'market supervision (市场监管)',
  label: '市场监管 Market',
  lists: [
    {
      kind: 'SERIOUS_ILLEGAL_DISHONEST_ENTERPRISE',
      type: 'BLACK',
      title: '严重违法失信企业名单',
      legalBasis: '《严重违法失信企业名单管理暂行办法》；《失信企业协同监管和联合惩戒合作备忘录》（发改财金〔2015〕2045号）',
      defaultValidityDays: 5 * 365,
      subjectTypes: ['ORGANISATION'],
      publishedByDefault: true,
    },
    {
      kind: 'ABNORMAL_OPERATIONS',
      type: 'KEY_ATTENTION',
      title: '经营异常名录',
      legalBasis: '《企业经营异常名录管理暂行办法》',
      defaultValidityDays: 3 * 365,
      subjectTypes: ['ORGANISATION'],
      publishedByDefault: true,
    },
  ],
  keyAttentionAfterBlackExit: { kind: 'ABNORMAL_OPERATIONS', validityDays: 365 },
});
