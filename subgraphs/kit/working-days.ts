/**
 * Working days (工作日) for sharing deadlines (1798 (10)): weekends and the holidays of a
 * configurable calendar are skipped. CREDITHUB_HOLIDAYS lists holiday dates
 * (YYYY-MM-DD, comma-separated) and CREDITHUB_WORKDAYS the weekend days worked instead
 * (调休), as the State Council's calendar says each year.
 */
import { addDays } from './dates.js';
import { configuration } from './config/index.js';

export interface WorkingCalendar {
  holidays: Set<string>;
  workedWeekendDays: Set<string>;
}

export const calendarFromEnv = (env?: NodeJS.ProcessEnv): WorkingCalendar => ({
  holidays: new Set(configuration(env).CREDITHUB_HOLIDAYS),
  workedWeekendDays: new Set(configuration(env).CREDITHUB_WORKDAYS),
});

export function isWorkingDay(date: string, calendar: WorkingCalendar): boolean {
  if (calendar.workedWeekendDays.has(date)) return true;
  if (calendar.holidays.has(date)) return false;
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** Working days after `from` up to and including `to` (0 when `to` is not after `from`). */
export function workingDaysBetween(from: string, to: string, calendar: WorkingCalendar): number {
  // The collection asks this of every event, mostly for the same few pairs of dates (a batch
  // recognised on one day, reaching the platform today): each pair is counted once per calendar.
  const known = counted.get(calendar) ?? counted.set(calendar, new Map()).get(calendar)!;
  const key = `${from}/${to}`;
  const cached = known.get(key);
  if (cached !== undefined) return cached;
  let count = 0;
  for (let day = addDays(from, 1); day <= to; day = addDays(day, 1)) if (isWorkingDay(day, calendar)) count++;
  if (known.size >= COUNTED_PAIRS) known.clear();
  known.set(key, count);
  return count;
}

/** Pairs of dates remembered per calendar (a calendar is read once from the configuration and not changed). */
const COUNTED_PAIRS = 10_000;
const counted = new WeakMap<WorkingCalendar, Map<string, number>>();
