/**
 * One date representation for SQLite and MySQL alike: calendar dates as `YYYY-MM-DD`
 * and instants as ISO 8601 UTC `YYYY-MM-DDTHH:mm:ss.sssZ`, both stored as strings, so
 * they compare and sort the same in both dialects and never shift with a server time zone.
 */

/** Where "now" comes from; tests and schedulers inject their own. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

export const toIsoDate = (date: Date): string => date.toISOString().slice(0, 10);
export const toIsoInstant = (date: Date): string => date.toISOString();

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True when `value` is a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return toIsoDate(date) === value;
}

export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00.000Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return toIsoDate(date);
}
