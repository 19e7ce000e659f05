/**
 * Deterministic demo objections and credit repair, spread over the entries' lifetimes, so
 * the figures and the dashboard have something to count. The records follow the rules the
 * services enforce, and change the entries as the services would have:
 * - an objection upheld against an entry purged it, whatever its list (1798 (20)): the entry
 *   is gone (with the key attention that followed a black one), the correction (for black
 *   also the apology, for red the claw-back of incentives, 1798 (23)) are on the subject's file;
 * - an approved early-exit application exited its entry by CREDIT_REPAIR, after every step
 *   its list type requires (training of at least 3 class hours, a credit report from an agency
 *   of the register of qualified credit service agencies for black and key attention, 893 §11).
 * Rows are in each department's table layout, ready to insert.
 */
import { addDays } from '../subgraphs/kit/dates.js';
import type { ListEntry } from '../subgraphs/kit/lists/store.js';
import { keyAttentionAfterBlackExit, random, type DemoData } from './demo-data.js';
import { departments } from '../subgraphs/catalog.js';
import { DEMO_CREDIT_AGENCIES } from '../subgraphs/kit/lists/credit-agencies.js';

type Row = Record<string, string | number | boolean | null>;

export interface DemoCaseRecords {
  objections: Row[];
  repairSteps: Row[];
  exitApplications: Row[];
  subjectFile: Row[];
}

export interface DemoCaseOptions {
  seed?: number;
  /** The day the data is "as of": nothing is filed or decided after it. */
  asOf?: string;
}

/** The share of entries with an objection, and of repairable entries whose subject repairs. */
const OBJECTION_RATE = 0.04;
const REPAIR_RATE = 0.06;
/** Filed within this many days of `asOf`: still waiting for a decision. */
const OPEN_WINDOW_DAYS = 30;

const instant = (day: string, hour = 9) => `${day}T${String(hour).padStart(2, '0')}:00:00.000Z`;

/**
 * Generates the records for every department and applies their outcomes to
 * `data.entriesByDepartment` (purged entries removed, exited ones exited).
 */
export function generateDemoCases(data: DemoData, options: DemoCaseOptions = {}): Map<string, DemoCaseRecords> {
  const rng = random((options.seed ?? 20171208) ^ 0x5eed);
  const asOf = options.asOf ?? '2026-11-01';
  const records = new Map<string, DemoCaseRecords>();

  for (const [department, entries] of data.entriesByDepartment) {
    const out: DemoCaseRecords = { objections: [], repairSteps: [], exitApplications: [], subjectFile: [] };
    records.set(department, out);
    const purged = new Set<string>();
    const config = departments.find((d) => d.name === department)!;
    /** Key attention that follows black exits made here (1798 (18)), added after the walk. */
    const following: ListEntry[] = [];
    const file = (entry: ListEntry, kind: string, details: string, at: string) =>
      out.subjectFile.push({ credit_code: entry.creditCode, entry_id: null, kind, details, refused: false, recorded_at: at, recorded_by: `${department}-officer` });
    const exit = (entry: ListEntry, way: string, on: string, reason: string) => {
      entry.status = 'EXITED';
      entry.exit = { way, on, reason };
      entry.updatedAt = instant(on, 10);
    };

    for (const entry of entries) {
      if (purged.has(entry.id)) continue; // followed a purged black entry
      // Only what happened while the entry was on its list, and before asOf.
      const listedUntil = entry.status === 'EXITED' ? entry.exit!.on : asOf;
      const room = Math.floor((Date.parse(listedUntil) - Date.parse(entry.recognisedOn)) / 86_400_000);
      if (room < 10) continue;
      const roll = rng.next();

      if (roll < OBJECTION_RATE) {
        const filedOn = addDays(entry.recognisedOn, 1 + rng.int(Math.min(room - 1, 120)));
        const kind = entry.listType === 'BLACK' && rng.chance(0.6) ? 'SUBJECT_APPEAL' : rng.pick(['PUBLIC_OBJECTION', 'IMPLEMENTER_REPORT', 'SUBJECT_APPEAL']);
        const objection: Row = {
          id: rng.uuid(), entry_id: entry.id, credit_code: entry.creditCode, kind,
          filed_by: kind === 'IMPLEMENTER_REPORT' ? '某市公共资源交易中心' : kind === 'SUBJECT_APPEAL' ? entry.subjectName : '社会公众',
          grounds: kind === 'SUBJECT_APPEAL' ? '认定事实与实际不符，已提交相关证明材料' : '公示信息与主体实际情况不符',
          evidence_refs: JSON.stringify(kind === 'SUBJECT_APPEAL' ? [`证明材料-${filedOn}`] : []),
          status: 'FILED', filed_at: instant(filedOn), accepted_at: null, decided_at: null, decision: null,
          list_type: entry.listType, region_code: entry.regionCode,
        };
        out.objections.push(objection);
        const open = addDays(asOf, -OPEN_WINDOW_DAYS) < filedOn;
        if (open) {
          if (rng.chance(0.5)) objection.status = 'ACCEPTED';
          if (objection.status === 'ACCEPTED') objection.accepted_at = instant(addDays(filedOn, 2));
          continue;
        }
        const outcome = rng.next();
        if (outcome < 0.25) {
          Object.assign(objection, { status: 'REJECTED', decided_at: instant(addDays(filedOn, 3)), decision: '不属于本部门认定事项，不予受理' });
          continue;
        }
        const decidedOn = addDays(filedOn, 5 + rng.int(20));
        objection.accepted_at = instant(addDays(filedOn, 2));
        // Upheld only while the entry was still listed when decided.
        if (outcome < 0.45 && decidedOn < listedUntil) {
          Object.assign(objection, { status: 'UPHELD', decided_at: instant(decidedOn), decision: '经核实，认定信息有误' });
          // A mistaken listing is not kept, whatever its list (1798 (20)); neither is the key
          // attention its exit was followed by.
          purged.add(entry.id);
          for (const follower of entries) if (follower.followsEntryId === entry.id && follower.listType === 'KEY_ATTENTION') purged.add(follower.id);
          file(entry, 'CORRECTION', `认定信息有误，已更正（异议 ${objection.id} 成立，原列入记录已删除）`, instant(decidedOn));
          if (entry.listType === 'BLACK') file(entry, 'APOLOGY', '因认定错误给您造成的不便，特此致歉。', instant(decidedOn));
          if (entry.listType === 'RED') file(entry, 'INCENTIVE_CLAWBACK', `红名单认定有误（异议 ${objection.id} 成立）：已享受的激励措施应予追回`, instant(decidedOn));
        } else {
          Object.assign(objection, { status: 'DISMISSED', decided_at: instant(decidedOn), decision: '经核实，认定信息无误，维持原认定' });
        }
        continue;
      }

      if (roll < OBJECTION_RATE + REPAIR_RATE && entry.repair.repairable && entry.status === 'ACTIVE' && room > 60) {
        // Steps in the months after recognition, then (usually) an application.
        let day = addDays(entry.recognisedOn, 20 + rng.int(Math.min(room - 60, 300)));
        const step = (kind: string, details: string, extra: Row = {}) => {
          out.repairSteps.push({
            id: rng.uuid(), entry_id: entry.id, kind, details, class_hours: null, issuer: null, reference: null,
            recorded_at: instant(day), recorded_by: `${department}-officer`, ...extra,
          });
          day = addDays(day, 1 + rng.int(5));
        };
        step('RECTIFICATION', '已完成整改并提交整改报告');
        step('CREDIT_COMMITMENT', '已作出信用承诺并公示');
        const finishesTraining = rng.chance(0.85);
        step('TRAINING', '参加信用修复专题培训', { class_hours: finishesTraining ? 3 + rng.int(6) : 2 });
        // 893 §11: black and key-attention entries alike, from a qualified agency of the register.
        step('CREDIT_REPORT', '第三方信用服务机构出具信用报告', { issuer: rng.pick(DEMO_CREDIT_AGENCIES).name, reference: `XYBG-${day}` });
        if (!finishesTraining || day >= asOf) continue; // still working on it
        const appliedOn = day;
        const application: Row = {
          id: rng.uuid(), entry_id: entry.id, status: 'APPLIED', reference: `XF-${appliedOn}-${rng.int(10000)}`,
          applied_at: instant(appliedOn), decided_at: null, decision: null, list_type: entry.listType, region_code: entry.regionCode,
        };
        out.exitApplications.push(application);
        const decidedOn = addDays(appliedOn, 5 + rng.int(15));
        if (decidedOn >= asOf) continue;
        if (rng.chance(0.7)) {
          Object.assign(application, { status: 'APPROVED', decided_at: instant(decidedOn), decision: '修复条件已满足，准予提前移出' });
          exit(entry, 'CREDIT_REPAIR', decidedOn, '信用修复，提前移出');
          if (entry.listType === 'BLACK') following.push(keyAttentionAfterBlackExit(config, entry, decidedOn, asOf));
        } else {
          Object.assign(application, { status: 'REJECTED', decided_at: instant(decidedOn), decision: '整改材料不完整，不予移出' });
        }
      }
    }
    data.entriesByDepartment.set(department, [...entries.filter((entry) => !purged.has(entry.id)), ...following]);
  }
  return records;
}
