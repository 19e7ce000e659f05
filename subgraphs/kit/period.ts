/** The period every statistics query takes (from and to, both days included), and its region filter. */
import { badInput } from './errors.js';
import { addDays } from './dates.js';

/** The longest period a statistics query takes. */
export const MAX_PERIOD_YEARS = 10;

export interface Period {
  from: string;
  to: string;
}

/** Checks a period; throws BAD_USER_INPUT naming the argument and how to fix it. */
export function validatePeriod(period: Period): Period {
  if (period.from > period.to) {
    throw badInput(`from (${period.from}) is after to (${period.to}): give the earlier day first`, { argument: 'from' });
  }
  if (addDays(period.from, 366 * MAX_PERIOD_YEARS) < period.to) {
    throw badInput(`The period from ${period.from} to ${period.to} is longer than ${MAX_PERIOD_YEARS} years: ask for a shorter one`, { argument: 'to' });
  }
  return period;
}

/** The period as instants: [from 00:00, the day after to 00:00), UTC. */
export const periodInstants = (period: Period) => ({ start: `${period.from}T00:00:00.000Z`, end: `${addDays(period.to, 1)}T00:00:00.000Z` });

/** Checks a region filter: a division code or its prefix (2, 4 or 6 digits). */
export function validateRegionPrefix(regionCode: string | null | undefined, argument = 'filter.regionCode'): void {
  if (regionCode != null && !/^\d{2,6}$/.test(regionCode)) {
    throw badInput(`"${regionCode}" is not an administrative division code or prefix: give 2 to 6 digits, e.g. "44" (a province), "4403" (a city) or "440305"`, {
      argument,
    });
  }
}
