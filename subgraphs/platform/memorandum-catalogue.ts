/**
 * The joint memorandums (联合奖惩合作备忘录) as the platform first loads them: the 47 of
 * 郑信用办〔2018〕22号 (seeds 003, attachment), each with its document number, the field it
 * covers and the list types it acts on, and — for the memorandums that act on the hub's
 * departments' lists and on procurement, public resource trading and bidding — their
 * measures, in the approval scenarios where an implementing agency applies them.
 * Departments and the platform amend all of this through mutations; this is version 1.
 *
 * The titles and document numbers follow the attachment of seeds 003; the measures are this
 * project's summaries of each memorandum's measures for the hub's scenarios, not quotations: the
 * seeds hold no memorandum's own text (for the customs memorandums 10 and 18 — 发改财金〔2016〕2190号
 * and 〔2017〕427号 — only their titles and numbers, items 10 and 18 of that attachment).
 *
 * A seed is applied to every database once (catalogue-seeds.ts): a measure is known by its id,
 * `measure-<memorandum number>-<position>`, so a new measure goes at the end of its memorandum's
 * list, never between, and one that is no longer wanted is withdrawn through the catalogue
 * mutations, not deleted here. A change to a seed reaches existing databases as a new version,
 * field by field, unless an administrator changed that field.
 */

import { Scenario, type MeasureKind } from './__generated__/resolvers-types.js';
import { departments } from '../departments.js';

export type { Scenario };

/** Every approval scenario, in the order of the `Scenario` enum of schema/platform.graphql. */
export const SCENARIOS: Scenario[] = Object.values(Scenario);

export interface MeasureSeed {
  kind: MeasureKind;
  description: string;
  /** Which kind of implementing agency applies it. */
  appliedBy: string;
  scenarios: Scenario[];
  /** The list kinds (or WARNING_LIST) that trigger it. */
  triggers: string[];
}

export interface MemorandumSeed {
  number: number;
  title: string;
  documentNumber: string;
  /** The field (领域) whose lists it acts on. */
  field: string;
  listTypes: ('RED' | 'BLACK' | 'KEY_ATTENTION' | 'WARNING_LIST')[];
  measures?: MeasureSeed[];
}

const JUDGMENT_DEBTORS = ['DISHONEST_JUDGMENT_DEBTOR'];
const TAX_VIOLATORS = ['MAJOR_TAX_VIOLATION'];
const SAFETY_BLACK = ['WORK_SAFETY_BLACK'];
const DISHONEST_ENTERPRISES = ['SERIOUS_ILLEGAL_DISHONEST_ENTERPRISE'];
const CUSTOMS_DISHONEST = ['CUSTOMS_DISHONEST'];
const CUSTOMS_CERTIFIED = ['CUSTOMS_ADVANCED_CERTIFIED'];
/**
 * Every black list of every department of the catalogue (departments.ts): the general
 * memorandums — public resource trading (39), government procurement and subsidies (43) — act
 * on every joint-punishment object, whichever department recognised it, so a department added
 * to the catalogue (customs' 海关失信企业名单, CUSTOMS_DISHONEST) triggers them too.
 */
const ALL_BLACK = departments.flatMap((department) => department.lists.filter((list) => list.type === 'BLACK').map((list) => list.kind));

export const MEMORANDUM_CATALOGUE: MemorandumSeed[] = [
  {
    number: 1, title: '失信企业协同监管和联合惩戒合作备忘录', documentNumber: '发改财金〔2015〕2045号', field: '市场监管', listTypes: ['BLACK'],
    measures: [
      { kind: 'PUNISHMENT', description: '限制参与政府采购活动', appliedBy: '财政部门', scenarios: ['GOVERNMENT_PROCUREMENT'], triggers: DISHONEST_ENTERPRISES },
      { kind: 'PUNISHMENT', description: '限制参与工程招投标', appliedBy: '招标投标行政监督部门', scenarios: ['BIDDING'], triggers: DISHONEST_ENTERPRISES },
      { kind: 'PUNISHMENT', description: '限制取得政府供应土地', appliedBy: '自然资源部门', scenarios: ['PUBLIC_RESOURCE_TRADING'], triggers: DISHONEST_ENTERPRISES },
      { kind: 'PUNISHMENT', description: '限制授予相关荣誉称号', appliedBy: '各评比表彰主管部门', scenarios: ['HONOURS_AWARDS'], triggers: DISHONEST_ENTERPRISES },
      { kind: 'PUNISHMENT', description: '在行政许可审批中作为重要参考，列为重点监管对象', appliedBy: '行政审批部门', scenarios: ['ADMINISTRATIVE_LICENSING', 'MARKET_ACCESS'], triggers: DISHONEST_ENTERPRISES },
    ],
  },
  { number: 2, title: '关于对违法失信上市公司相关责任主体实施联合惩戒的合作备忘录', documentNumber: '发改财金〔2015〕3062号', field: '证券', listTypes: ['BLACK'] },
  {
    number: 3, title: '关于在招标投标活动中对失信被执行人实施联合惩戒的通知', documentNumber: '法〔2016〕285号', field: '招标投标', listTypes: ['BLACK'],
    measures: [
      { kind: 'PUNISHMENT', description: '限制失信被执行人作为投标人、招标代理机构、评标专家参与招标投标活动', appliedBy: '招标投标行政监督部门', scenarios: ['BIDDING', 'PUBLIC_RESOURCE_TRADING'], triggers: JUDGMENT_DEBTORS },
    ],
  },
  {
    number: 4, title: '关于印发对失信被执行人实施联合惩戒的合作备忘录的通知', documentNumber: '发改财金〔2016〕141号', field: '司法（执行）', listTypes: ['BLACK'],
    measures: [
      { kind: 'PUNISHMENT', description: '限制参与政府采购活动', appliedBy: '财政部门', scenarios: ['GOVERNMENT_PROCUREMENT'], triggers: JUDGMENT_DEBTORS },
      { kind: 'PUNISHMENT', description: '限制高消费及非生活和工作必需的消费行为', appliedBy: '人民法院及相关部门', scenarios: ['HIGH_CONSUMPTION'], triggers: JUDGMENT_DEBTORS },
      { kind: 'PUNISHMENT', description: '限制乘坐飞机、列车软卧、G字头动车组列车全部座位及其他动车组一等以上座位', appliedBy: '民航、铁路部门', scenarios: ['AIR_RAIL_TRAVEL'], triggers: JUDGMENT_DEBTORS },
      { kind: 'PUNISHMENT', description: '从严审核申请政府补贴性资金和社会保障资金支持', appliedBy: '发展改革、财政等部门', scenarios: ['SUBSIDIES'], triggers: JUDGMENT_DEBTORS },
      { kind: 'PUNISHMENT', description: '在融资授信时作为审慎性参考', appliedBy: '银行业金融机构', scenarios: ['FINANCING_CREDIT'], triggers: JUDGMENT_DEBTORS },
      { kind: 'PUNISHMENT', description: '限制担任国有企业法定代表人、董事、监事，限制招录为公务员或事业单位工作人员', appliedBy: '组织人事部门、国资监管部门', scenarios: ['CIVIL_SERVICE_EMPLOYMENT'], triggers: JUDGMENT_DEBTORS },
    ],
  },
  {
    number: 5, title: '关于对安全生产领域失信生产经营单位及其有关人员开展联合惩戒的合作备忘录', documentNumber: '发改财金〔2016〕1001号', field: '安全生产', listTypes: ['BLACK'],
    measures: [
      { kind: 'PUNISHMENT', description: '依法暂停审批新的重大项目申报、核准新的工程建设项目', appliedBy: '发展改革等项目审批部门', scenarios: ['ADMINISTRATIVE_LICENSING'], triggers: SAFETY_BLACK },
      { kind: 'PUNISHMENT', description: '限制参加工程建设项目招投标，限制参与政府采购', appliedBy: '招标投标行政监督部门、财政部门', scenarios: ['BIDDING', 'GOVERNMENT_PROCUREMENT'], triggers: SAFETY_BLACK },
      { kind: 'PUNISHMENT', description: '限制或停止财政资金支持', appliedBy: '财政部门', scenarios: ['SUBSIDIES'], triggers: SAFETY_BLACK },
      { kind: 'PUNISHMENT', description: '在金融机构融资授信时从严审核', appliedBy: '银行业金融机构', scenarios: ['FINANCING_CREDIT'], triggers: SAFETY_BLACK },
    ],
  },
  {
    number: 6, title: '关于对纳税信用A级纳税人实施联合激励措施的合作备忘录', documentNumber: '发改财金〔2016〕1467号', field: '税务', listTypes: ['RED'],
    measures: [
      { kind: 'INCENTIVE', description: '行政审批“绿色通道”，容缺受理、优先办理', appliedBy: '行政审批部门', scenarios: ['ADMINISTRATIVE_LICENSING', 'MARKET_ACCESS'], triggers: ['A_GRADE_TAXPAYER'] },
      { kind: 'INCENTIVE', description: '融资授信中给予优惠利率、优先授信等便利', appliedBy: '银行业金融机构', scenarios: ['FINANCING_CREDIT'], triggers: ['A_GRADE_TAXPAYER'] },
      { kind: 'INCENTIVE', description: '在政府采购、招投标中作为评审加分或优先参考', appliedBy: '财政部门、招标投标行政监督部门', scenarios: ['GOVERNMENT_PROCUREMENT', 'BIDDING'], triggers: ['A_GRADE_TAXPAYER'] },
      { kind: 'INCENTIVE', description: '海关通关便利：优先办理进出口手续', appliedBy: '海关', scenarios: ['CUSTOMS_CLEARANCE'], triggers: ['A_GRADE_TAXPAYER'] },
      { kind: 'INCENTIVE', description: '纳税服务便利：按需领用发票、绿色通道办税', appliedBy: '税务部门', scenarios: ['TAX_SERVICES'], triggers: ['A_GRADE_TAXPAYER'] },
    ],
  },
  { number: 7, title: '关于对环境保护领域失信生产经营单位及其有关人员开展联合惩戒的合作备忘录', documentNumber: '发改财金〔2016〕1580号', field: '环境保护', listTypes: ['BLACK'] },
  { number: 8, title: '关于对食品药品生产经营严重失信者开展联合惩戒的合作备忘录', documentNumber: '发改财金〔2016〕1962号', field: '食品药品', listTypes: ['BLACK'] },
  { number: 9, title: '关于实施优秀青年志愿者守信联合激励加快推进青年信用体系建设的行动计划', documentNumber: '发改财金〔2016〕2012号', field: '青年志愿者', listTypes: ['RED'] },
  {
    number: 10, title: '关于对海关高级认证企业实施联合激励的合作备忘录', documentNumber: '发改财金〔2016〕2190号', field: '海关', listTypes: ['RED'],
    measures: [
      { kind: 'INCENTIVE', description: '适用较低进出口货物查验率，优先办理通关手续，设立海关协调员', appliedBy: '海关', scenarios: ['CUSTOMS_CLEARANCE'], triggers: CUSTOMS_CERTIFIED },
      { kind: 'INCENTIVE', description: '办理出口退（免）税时优先办理', appliedBy: '税务部门', scenarios: ['TAX_SERVICES'], triggers: CUSTOMS_CERTIFIED },
      { kind: 'INCENTIVE', description: '行政审批“绿色通道”，容缺受理、优先办理', appliedBy: '行政审批部门', scenarios: ['ADMINISTRATIVE_LICENSING', 'MARKET_ACCESS'], triggers: CUSTOMS_CERTIFIED },
      { kind: 'INCENTIVE', description: '在财政资金安排、补贴中同等条件下优先支持', appliedBy: '财政部门', scenarios: ['SUBSIDIES'], triggers: CUSTOMS_CERTIFIED },
      { kind: 'INCENTIVE', description: '融资授信中给予优惠利率、优先授信等便利', appliedBy: '银行业金融机构', scenarios: ['FINANCING_CREDIT'], triggers: CUSTOMS_CERTIFIED },
    ],
  },
  { number: 11, title: '关于对严重质量违法失信行为当事人实施联合惩戒的合作备忘录', documentNumber: '发改财金〔2016〕2202号', field: '质量', listTypes: ['BLACK'] },
  { number: 12, title: '关于对电子商务及分享经济领域炒信行为相关失信主体实施联合惩戒的行动计划', documentNumber: '发改财金〔2016〕2370号', field: '电子商务', listTypes: ['BLACK'] },
  { number: 13, title: '关于对财政性资金管理使用领域相关失信责任主体实施联合惩戒的合作备忘录', documentNumber: '发改财金〔2016〕2641号', field: '财政性资金', listTypes: ['BLACK'] },
  { number: 14, title: '关于对统计领域严重失信企业及其有关人员开展联合惩戒的合作备忘录', documentNumber: '发改财金〔2016〕2796号', field: '统计', listTypes: ['BLACK'] },
  {
    number: 15, title: '关于对重大税收违法案件当事人实施联合惩戒措施的合作备忘录（2016版）', documentNumber: '发改财金〔2016〕2798号', field: '税务', listTypes: ['BLACK'],
    measures: [
      { kind: 'PUNISHMENT', description: '限制参与政府采购活动', appliedBy: '财政部门', scenarios: ['GOVERNMENT_PROCUREMENT'], triggers: TAX_VIOLATORS },
      { kind: 'PUNISHMENT', description: '限制参与工程招投标、限制取得政府供应土地', appliedBy: '招标投标行政监督部门、自然资源部门', scenarios: ['BIDDING', 'PUBLIC_RESOURCE_TRADING'], triggers: TAX_VIOLATORS },
      { kind: 'PUNISHMENT', description: '从严审核发行企业债券、融资授信', appliedBy: '发展改革部门、银行业金融机构', scenarios: ['FINANCING_CREDIT'], triggers: TAX_VIOLATORS },
      { kind: 'PUNISHMENT', description: '限制取得政府补贴、财政资金支持', appliedBy: '财政部门', scenarios: ['SUBSIDIES'], triggers: TAX_VIOLATORS },
      { kind: 'PUNISHMENT', description: '阻止出境、限制乘坐飞机和列车软卧等高消费', appliedBy: '公安、民航、铁路部门', scenarios: ['AIR_RAIL_TRAVEL', 'HIGH_CONSUMPTION'], triggers: TAX_VIOLATORS },
    ],
  },
  { number: 16, title: '关于对严重违法失信超限超载运输车辆相关责任主体实施联合惩戒的合作备忘录', documentNumber: '发改财金〔2017〕274号', field: '交通运输', listTypes: ['BLACK'] },
  { number: 17, title: '关于对农资领域严重失信生产经营单位及其有关人员开展联合惩戒的合作备忘录', documentNumber: '发改财金〔2017〕346号', field: '农资', listTypes: ['BLACK'] },
  {
    number: 18, title: '关于对海关失信企业实施联合惩戒的合作备忘录', documentNumber: '发改财金〔2017〕427号', field: '海关', listTypes: ['BLACK'],
    measures: [
      { kind: 'PUNISHMENT', description: '适用较高进出口货物查验率，加强单证审核和稽查', appliedBy: '海关', scenarios: ['CUSTOMS_CLEARANCE'], triggers: CUSTOMS_DISHONEST },
      { kind: 'PUNISHMENT', description: '限制参与政府采购活动', appliedBy: '财政部门', scenarios: ['GOVERNMENT_PROCUREMENT'], triggers: CUSTOMS_DISHONEST },
      { kind: 'PUNISHMENT', description: '限制参与工程招投标、限制取得政府供应土地', appliedBy: '招标投标行政监督部门、自然资源部门', scenarios: ['BIDDING', 'PUBLIC_RESOURCE_TRADING'], triggers: CUSTOMS_DISHONEST },
      { kind: 'PUNISHMENT', description: '限制取得政府补贴、财政资金支持', appliedBy: '财政部门', scenarios: ['SUBSIDIES'], triggers: CUSTOMS_DISHONEST },
      { kind: 'PUNISHMENT', description: '从严审核融资授信，在授信中作为重要参考', appliedBy: '银行业金融机构', scenarios: ['FINANCING_CREDIT'], triggers: CUSTOMS_DISHONEST },
      { kind: 'PUNISHMENT', description: '限制授予相关荣誉称号', appliedBy: '各评比表彰主管部门', scenarios: ['HONOURS_AWARDS'], triggers: CUSTOMS_DISHONEST },
    ],
  },
  { number: 19, title: '关于对涉金融严重失信人实施联合惩戒的合作备忘录', documentNumber: '发改财金〔2017〕454号', field: '金融', listTypes: ['BLACK'] },
  { number: 20, title: '关于在电子认证服务行业实施守信联合激励和失信联合惩戒的合作备忘录', documentNumber: '发改财金〔2017〕844号', field: '电子认证', listTypes: ['RED', 'BLACK'] },
  { number: 21, title: '关于对电力行业严重违法失信市场主体及其有关人员实施联合惩戒的合作备忘录', documentNumber: '发改运行〔2017〕946号', field: '电力', listTypes: ['BLACK'] },
  { number: 22, title: '关于对盐行业生产经营严重失信者开展联合惩戒的合作备忘录', documentNumber: '发改经体〔2017〕1164号', field: '盐业', listTypes: ['BLACK'] },
  { number: 23, title: '关于对房地产领域相关失信责任主体实施联合惩戒的合作备忘录', documentNumber: '发改财金〔2017〕1206号', field: '房地产', listTypes: ['BLACK'] },
  { number: 24, title: '关于对石油天然气行业严重违法失信主体实施联合惩戒的合作备忘录', documentNumber: '发改运行〔2017〕1455号', field: '石油天然气', listTypes: ['BLACK'] },
  { number: 25, title: '关于对运输物流行业严重违法失信市场主体及其有关人员实施联合惩戒的合作备忘录', documentNumber: '发改运行〔2017〕1553号', field: '运输物流', listTypes: ['BLACK'] },
  { number: 26, title: '关于对保险领域违法失信相关责任主体实施联合惩戒的合作备忘录', documentNumber: '发改财金〔2017〕1579号', field: '保险', listTypes: ['BLACK'] },
  { number: 27, title: '关于对对外经济合作领域严重失信主体开展联合惩戒的合作备忘录', documentNumber: '发改外资〔2017〕1894号', field: '对外经济合作', listTypes: ['BLACK'] },
  { number: 28, title: '关于对国内贸易流通领域严重违法失信主体开展联合惩戒的合作备忘录', documentNumber: '发改财金〔2017〕1943号', field: '国内贸易流通', listTypes: ['BLACK'] },
  { number: 29, title: '关于对严重拖欠农民工工资用人单位及其有关人员开展联合惩戒的合作备忘录', documentNumber: '发改财金〔2017〕2058号', field: '劳动保障', listTypes: ['BLACK'] },
  {
    number: 30, title: '关于对安全生产领域守信生产经营单位及其有关人员开展联合激励的合作备忘录', documentNumber: '发改财金〔2017〕2219号', field: '安全生产', listTypes: ['RED'],
    measures: [
      { kind: 'INCENTIVE', description: '行政许可办理中给予便利，适当减少监督检查频次', appliedBy: '应急管理及行政审批部门', scenarios: ['ADMINISTRATIVE_LICENSING'], triggers: ['WORK_SAFETY_RED'] },
      { kind: 'INCENTIVE', description: '在财政资金安排、补贴中优先支持', appliedBy: '财政部门', scenarios: ['SUBSIDIES'], triggers: ['WORK_SAFETY_RED'] },
      { kind: 'INCENTIVE', description: '评优评先、授予荣誉时优先考虑', appliedBy: '各评比表彰主管部门', scenarios: ['HONOURS_AWARDS'], triggers: ['WORK_SAFETY_RED'] },
    ],
  },
  { number: 31, title: '关于对出入境检验检疫企业实施守信联合激励和失信联合惩戒的合作备忘录', documentNumber: '发改财金〔2018〕176号', field: '出入境检验检疫', listTypes: ['RED', 'BLACK'] },
  { number: 32, title: '关于对家政服务领域相关失信责任主体实施联合惩戒的合作备忘录', documentNumber: '发改财金〔2018〕277号', field: '家政服务', listTypes: ['BLACK'] },
  { number: 33, title: '关于对慈善捐赠领域相关主体实施守信联合激励和失信联合惩戒的合作备忘录', documentNumber: '发改财金〔2018〕331号', field: '慈善捐赠', listTypes: ['RED', 'BLACK'] },
  { number: 34, title: '关于对婚姻登记严重失信当事人开展联合惩戒的合作备忘录', documentNumber: '发改财金〔2018〕342号', field: '婚姻登记', listTypes: ['BLACK'] },
  {
    number: 35, title: '关于对失信被执行人实施限制不动产交易惩戒措施的通知', documentNumber: '发改财金〔2018〕370号', field: '司法（执行）', listTypes: ['BLACK'],
    measures: [
      { kind: 'PUNISHMENT', description: '限制不动产交易', appliedBy: '不动产登记机构', scenarios: ['REAL_ESTATE'], triggers: JUDGMENT_DEBTORS },
    ],
  },
  { number: 36, title: '关于对交通运输工程建设领域守信典型企业实施联合激励的合作备忘录', documentNumber: '发改财金〔2018〕377号', field: '交通运输工程建设', listTypes: ['RED'] },
  {
    number: 37, title: '关于在一定期限内适当限制特定严重失信人乘坐火车 推动社会信用体系建设的意见', documentNumber: '发改财金〔2018〕384号', field: '铁路', listTypes: ['BLACK'],
    measures: [
      { kind: 'PUNISHMENT', description: '一定期限内限制乘坐火车', appliedBy: '铁路运输企业', scenarios: ['AIR_RAIL_TRAVEL'], triggers: [...JUDGMENT_DEBTORS, ...TAX_VIOLATORS] },
    ],
  },
  {
    number: 38, title: '关于在一定期限内适当限制特定严重失信人乘坐民用航空器推动社会信用体系建设的意见', documentNumber: '发改财金〔2018〕385号', field: '民航', listTypes: ['BLACK'],
    measures: [
      { kind: 'PUNISHMENT', description: '一定期限内限制乘坐民用航空器', appliedBy: '民航部门', scenarios: ['AIR_RAIL_TRAVEL'], triggers: [...JUDGMENT_DEBTORS, ...TAX_VIOLATORS] },
    ],
  },
  {
    number: 39, title: '关于对公共资源交易领域严重失信主体开展联合惩戒的备忘录', documentNumber: '发改法规〔2018〕457号', field: '公共资源交易', listTypes: ['BLACK', 'WARNING_LIST'],
    measures: [
      { kind: 'PUNISHMENT', description: '依法限制参与公共资源交易活动', appliedBy: '公共资源交易监管部门', scenarios: ['PUBLIC_RESOURCE_TRADING', 'BIDDING'], triggers: ALL_BLACK },
      { kind: 'PUNISHMENT', description: '列为重点监管对象，增加检查频次（大数据警示名单）', appliedBy: '公共资源交易监管部门', scenarios: ['PUBLIC_RESOURCE_TRADING'], triggers: ['WARNING_LIST'] },
    ],
  },
  { number: 40, title: '关于对旅游领域严重失信相关责任主体实施联合惩戒的合作备忘录', documentNumber: '发改财金〔2018〕737号', field: '旅游', listTypes: ['BLACK'] },
  { number: 41, title: '关于对严重危害正常医疗秩序的失信行为责任人实施联合惩戒合作备忘录', documentNumber: '发改财金〔2018〕1399号', field: '医疗', listTypes: ['BLACK'] },
  { number: 42, title: '关于对科研领域相关失信责任主体实施联合惩戒的合作备忘录', documentNumber: '发改财金〔2018〕1600号', field: '科研', listTypes: ['BLACK'] },
  {
    number: 43, title: '关于对政府采购领域严重违法失信主体开展联合惩戒的合作备忘录', documentNumber: '发改财金〔2018〕1614号', field: '政府采购', listTypes: ['BLACK'],
    measures: [
      { kind: 'PUNISHMENT', description: '在一定期限内禁止参加政府采购活动', appliedBy: '财政部门、采购人及采购代理机构', scenarios: ['GOVERNMENT_PROCUREMENT'], triggers: ALL_BLACK },
      { kind: 'PUNISHMENT', description: '限制取得政府补贴性资金和社会保障资金支持', appliedBy: '财政部门', scenarios: ['SUBSIDIES'], triggers: ALL_BLACK },
    ],
  },
  { number: 44, title: '关于对知识产权（专利）领域严重失信主体开展联合惩戒的合作备忘录', documentNumber: '发改财金〔2018〕1702号', field: '知识产权（专利）', listTypes: ['BLACK'] },
  { number: 45, title: '关于对社会保险领域严重失信企业及其有关人员实施联合惩戒的合作备忘录', documentNumber: '发改财金〔2018〕1704号', field: '社会保险', listTypes: ['BLACK'] },
  { number: 46, title: '关于对会计领域违法失信相关责任主体实施联合惩戒的合作备忘录', documentNumber: '发改财金〔2018〕1777号', field: '会计', listTypes: ['BLACK'] },
  { number: 47, title: '关于对统计领域严重失信企业及其有关人员开展联合惩戒的合作备忘录（修订版）', documentNumber: '发改财金〔2018〕1862号', field: '统计', listTypes: ['BLACK'] },
];
