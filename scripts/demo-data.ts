/**
 * Deterministic demo data: the same options give the same subjects and entries, byte for
 * byte. Codes are valid (GB 32100 / GB 11643) but generated: no real company or person is
 * ever put on a list by the demo.
 */
import { createHash } from 'node:crypto';
import { identityCheckCharacter, usccCheckCharacter } from '../subgraphs/kit/codes.js';
import { addDays } from '../subgraphs/kit/dates.js';
import type { DepartmentConfig, ListDefinition } from '../subgraphs/kit/lists/department.js';
import type { ListEntry } from '../subgraphs/kit/lists/store.js';
import type { RegisteredSubject } from '../subgraphs/platform/registry.js';

/** mulberry32: small, fast, seedable. */
export function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number) => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  const chance = (p: number) => next() < p;
  const uuid = () => {
    const hex = Array.from({ length: 32 }, () => int(16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  };
  return { next, int, pick, chance, uuid };
}
type Random = ReturnType<typeof random>;

const REGIONS: [string, string][] = [
  ['110105', '北京朝阳'], ['110108', '北京海淀'], ['310115', '上海浦东'], ['310104', '上海徐汇'],
  ['440305', '深圳南山'], ['440306', '深圳宝安'], ['440106', '广州天河'], ['330106', '杭州西湖'],
  ['320505', '苏州虎丘'], ['410102', '郑州中原'], ['410105', '郑州金水'], ['510107', '成都武侯'],
  ['420106', '武汉武昌'], ['610113', '西安雁塔'], ['370202', '青岛市南'], ['500103', '重庆渝中'],
];
const INDUSTRIES: [string, string, string][] = [
  ['C', '制造业', '制造'], ['E', '建筑业', '建设工程'], ['F', '批发和零售业', '商贸'], ['G', '交通运输、仓储和邮政业', '物流'],
  ['I', '信息传输、软件和信息技术服务业', '科技'], ['K', '房地产业', '置业'], ['B', '采矿业', '矿业'], ['H', '住宿和餐饮业', '餐饮管理'],
];
const NAME_WORDS = ['华信', '中诚', '恒远', '宏达', '鑫源', '锦程', '瑞丰', '东方', '天合', '盛世', '永泰', '安顺', '金桥', '博远', '新元', '广汇', '泰和', '正德', '长兴', '嘉禾'];
const FAMILY_NAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '罗', '高'];
const GIVEN_CHARS = ['伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀', '霞', '平', '刚', '桂'];
const CODE_BODY = '0123456789ABCDEFGHJKLMNPQRTUWXY';

const FACTS: Record<string, string[]> = {
  A_GRADE_TAXPAYER: ['年度纳税信用评价为A级', '连续三年纳税信用评价为A级'],
  MAJOR_TAX_VIOLATION: ['虚开增值税专用发票，涉案税额较大', '逃避缴纳税款，经税务机关追缴后仍未缴纳', '骗取出口退税'],
  SERIOUS_ILLEGAL_DISHONEST_ENTERPRISE: ['被列入经营异常名录届满3年仍未履行相关义务', '提交虚假材料取得公司登记，被撤销登记'],
  ABNORMAL_OPERATIONS: ['未按规定期限公示年度报告', '通过登记的住所或者经营场所无法联系', '公示企业信息隐瞒真实情况、弄虚作假'],
  DISHONEST_JUDGMENT_DEBTOR: ['有履行能力而拒不履行生效法律文书确定义务', '以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行', '违反限制消费令'],
  WORK_SAFETY_BLACK: ['发生较大生产安全责任事故', '非法违法组织生产经营建设且拒不整改', '瞒报、谎报生产安全事故'],
  WORK_SAFETY_RED: ['安全生产标准化一级达标，连续三年未发生生产安全事故'],
  WORK_SAFETY_KEY_ATTENTION: ['一年内两次被责令停产整顿', '重大事故隐患未按期整改'],
  CUSTOMS_ADVANCED_CERTIFIED: ['经海关认证为高级认证企业（AEO），内部控制、财务状况、守法规范和贸易安全均达标'],
  CUSTOMS_DISHONEST: ['走私违法，被海关行政处罚', '拖欠应缴税款、应缴罚没款项', '提供虚假资料骗取海关认证'],
};

export function organisationCode(rng: Random, regionCode: string): string {
  const body = Array.from({ length: 8 }, () => CODE_BODY[rng.int(10)]).join('');
  // GB 11714 check character of the organisation code (position 17).
  const weights = [3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((acc, ch, i) => acc + Number(ch) * weights[i], 0);
  const c = 11 - (sum % 11);
  const orgCheck = c === 10 ? 'X' : c === 11 ? '0' : String(c);
  // 'X' is not in the GB 32100 alphabet: such organisation codes are skipped.
  if (!CODE_BODY.includes(orgCheck)) return organisationCode(rng, regionCode);
  const first17 = `91${regionCode}${body}${orgCheck}`;
  return first17 + usccCheckCharacter(first17);
}

export function identityNumber(rng: Random, regionCode: string): string {
  const birth = new Date(Date.UTC(1955 + rng.int(45), rng.int(12), 1 + rng.int(28))).toISOString().slice(0, 10).replaceAll('-', '');
  const first17 = `${regionCode}${birth}${String(rng.int(1000)).padStart(3, '0')}`;
  return first17 + identityCheckCharacter(first17);
}

const personName = (rng: Random) => rng.pick(FAMILY_NAMES) + rng.pick(GIVEN_CHARS) + (rng.chance(0.6) ? rng.pick(GIVEN_CHARS) : '');

export interface DemoData {
  subjects: RegisteredSubject[];
  entriesByDepartment: Map<string, ListEntry[]>;
}

export interface DemoOptions {
  subjects: number;
  seed?: number;
  /** The day the data is "as of": entries past their validity are exited by then. */
  asOf?: string;
}

/**
 * Profiles: most subjects are clean; some are red-listed (never while black-listed,
 * 1798 (8)); some black-listed in one to three domains; some on key-attention lists;
 * a few exited entries keep their history (1798 (20)).
 */
export function generateDemoData(departments: DepartmentConfig[], options: DemoOptions): DemoData {
  const rng = random(options.seed ?? 20171208);
  const asOf = options.asOf ?? '2026-11-01';
  const subjects: RegisteredSubject[] = [];
  const entriesByDepartment = new Map<string, ListEntry[]>(departments.map((d) => [d.name, []]));
  const listsOfType = (type: string) =>
    departments.flatMap((department) => department.lists.filter((list) => list.type === type).map((list) => ({ department, list })));
  const black = listsOfType('BLACK');
  const red = listsOfType('RED');
  const keyAttention = listsOfType('KEY_ATTENTION');
  const seen = new Set<string>();

  for (let i = 0; i < options.subjects; i++) {
    const [regionCode, place] = rng.pick(REGIONS);
    const isPerson = rng.chance(0.12);
    let code = isPerson ? identityNumber(rng, regionCode) : organisationCode(rng, regionCode);
    while (seen.has(code)) code = isPerson ? identityNumber(rng, regionCode) : organisationCode(rng, regionCode);
    seen.add(code);
    const [industryCode, industryName, industryWord] = rng.pick(INDUSTRIES);
    const registeredAt = `${addDays('2010-01-01', rng.int(5000))}T08:00:00.000Z`;
    const representative = personName(rng);
    const subject: RegisteredSubject = isPerson
      ? {
          creditCode: code, subjectType: 'NATURAL_PERSON', name: representative, regionCode,
          industry: null, legalRepresentative: null, registeredAt, updatedAt: registeredAt,
        }
      : {
          creditCode: code, subjectType: 'ORGANISATION',
          name: `${place}${rng.pick(NAME_WORDS)}${rng.pick(NAME_WORDS)}${industryWord}有限公司`,
          regionCode, industry: { code: industryCode, name: industryName },
          legalRepresentative: { name: representative, idDocumentType: 'RESIDENT_IDENTITY_CARD', idDocumentNumber: identityNumber(rng, regionCode) },
          registeredAt, updatedAt: registeredAt,
        };
    subjects.push(subject);

    const roll = rng.next();
    const chosen: { department: DepartmentConfig; list: ListDefinition }[] = [];
    if (isPerson) {
      // Natural persons: mostly failed judgment debtors, some tax or work-safety black lists.
      const personal = black.filter(({ list }) => list.subjectTypes.includes('NATURAL_PERSON'));
      if (roll < 0.3) chosen.push(personal.find(({ list }) => list.kind === 'DISHONEST_JUDGMENT_DEBTOR') ?? personal[0]);
      if (roll < 0.08) chosen.push(rng.pick(personal.filter((p) => !chosen.includes(p))));
    } else if (roll < 0.14) {
      // Black-listed, in one to three domains.
      const domains = 1 + (rng.chance(0.3) ? 1 : 0) + (rng.chance(0.25) ? 1 : 0);
      for (const candidate of shuffle(rng, black).slice(0, domains)) chosen.push(candidate);
      if (rng.chance(0.3)) chosen.push(rng.pick(keyAttention));
    } else if (roll < 0.26) {
      chosen.push(rng.pick(keyAttention));
      if (rng.chance(0.25)) chosen.push(...keyAttention.filter((k) => !chosen.includes(k)));
    } else if (roll < 0.38) {
      chosen.push(rng.pick(red));
      if (rng.chance(0.3)) chosen.push(...red.filter((r) => !chosen.includes(r)));
    }
    for (const { department, list } of chosen) {
      const entry = makeEntry(rng, department, list, subject, asOf, entriesByDepartment.get(department.name)!.length + 1);
      entriesByDepartment.get(department.name)!.push(entry);
      // 1798 (18): a black entry that expired was followed at once by key attention.
      if (entry.listType === 'BLACK' && entry.status === 'EXITED') {
        entriesByDepartment.get(department.name)!.push(keyAttentionAfterBlackExit(department, entry, entry.exit!.on, asOf));
      }
    }
  }
  return { subjects, entriesByDepartment };
}

/**
 * The key-attention entry a black entry's exit puts the subject on at once (1798 (18):
 * "“黑名单”主体退出名单后，应立即将其列入重点关注名单(误列入“黑名单”的除外)"), for the
 * department's default validity — expired too when that has passed by `asOf`. Its id is
 * derived from the black entry's, so the demo stays the same byte for byte.
 */
export function keyAttentionAfterBlackExit(department: DepartmentConfig, black: ListEntry, exitedOn: string, asOf: string): ListEntry {
  const { kind, validityDays } = department.keyAttentionAfterBlackExit;
  const list = department.lists.find((l) => l.kind === kind)!;
  const validUntil = addDays(exitedOn, validityDays);
  const expired = validUntil < asOf;
  const hex = createHash('sha256').update(`key-attention-after:${black.id}`).digest('hex');
  const at = `${exitedOn}T10:00:00.000Z`;
  return {
    ...black,
    id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`,
    listKind: list.kind,
    listType: 'KEY_ATTENTION',
    listName: list.title,
    facts: `移出${black.listName}后列入重点关注（原条目 ${black.id}）：${black.facts}`,
    legalBasis: list.legalBasis,
    recognisedOn: exitedOn,
    validFrom: exitedOn,
    validUntil,
    status: expired ? 'EXITED' : 'ACTIVE',
    published: list.publishedByDefault,
    publicityUntil: null,
    exit: expired ? { way: 'VALIDITY_EXPIRED', on: validUntil, reason: '有效期届满自动移出' } : null,
    sharedAt: at,
    followsEntryId: black.id,
    // The hub's consequence of the exit, not a decision of its own.
    externalReference: null,
    externalDigest: null,
    createdAt: at,
    updatedAt: expired ? `${validUntil}T00:00:00.000Z` : at,
  };
}

function shuffle<T>(rng: Random, items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** `serial`: the entry's number within its department, for its decision number (unique per department). */
function makeEntry(rng: Random, department: DepartmentConfig, list: ListDefinition, subject: RegisteredSubject, asOf: string, serial: number): ListEntry {
  const recognisedOn = addDays(asOf, -(1 + rng.int(6 * 365)));
  const validUntil = addDays(recognisedOn, list.defaultValidityDays);
  const expired = validUntil < asOf;
  // Entered into the hub when shared: usually within days of recognition, now and then late (1798 (10)).
  const sharedAt = `${addDays(recognisedOn, rng.chance(0.9) ? rng.int(10) : 14 + rng.int(20))}T10:00:00.000Z`;
  const at = sharedAt;
  return {
    id: rng.uuid(),
    domain: department.domain,
    listKind: list.kind,
    listType: list.type,
    listName: list.title,
    creditCode: subject.creditCode,
    subjectName: subject.name,
    subjectType: subject.subjectType,
    regionCode: subject.regionCode,
    lei: null,
    legalRepresentative: subject.legalRepresentative,
    facts: rng.pick(FACTS[list.kind] ?? ['—']),
    recognisingAuthority: department.authority,
    legalBasis: list.legalBasis,
    recognisedOn,
    validFrom: recognisedOn,
    validUntil,
    status: expired ? 'EXITED' : 'ACTIVE',
    published: list.publishedByDefault,
    publicityUntil: list.type === 'RED' ? addDays(recognisedOn, -7) : null,
    repair: {
      repairable: list.type !== 'RED',
      method: list.type === 'RED' ? null : '整改到位并作出信用承诺，参加信用修复培训（不少于3学时），提交信用报告',
      rectificationDeadline: list.type === 'RED' ? null : addDays(recognisedOn, 90),
    },
    exit: expired ? { way: 'VALIDITY_EXPIRED', on: validUntil, reason: '有效期届满自动移出' } : null,
    sharedAt,
    notification: subject.subjectType === 'NATURAL_PERSON' ? { notifiedOn: addDays(recognisedOn, -15), method: '书面告知（邮寄送达）' } : null,
    followsEntryId: null,
    // The department's decision number (决定文书号); recorded without a recognition's content digest, so a
    // recognise sent with a demo number is a CONFLICT naming the demo entry.
    externalReference: `${department.name.toUpperCase()}-DEMO〔${recognisedOn.slice(0, 4)}〕${serial}号`,
    externalDigest: null,
    createdAt: at,
    updatedAt: expired ? `${validUntil}T00:00:00.000Z` : at,
  };
}
