/** Calendar periods for participation over time: months, or ISO weeks (starting Monday) for short processes. */
export type Granularity = 'month' | 'week';

/** Processes that run for at most this many days are shown by week. */
export const WEEKLY_UP_TO_DAYS = 84;

export function granularityFor(startsOn: string | null, endsOn: string | null): Granularity {
  if (!startsOn || !endsOn) return 'month';
  const days = (Date.parse(`${endsOn}T00:00:00Z`) - Date.parse(`${startsOn}T00:00:00Z`)) / 86_400_000;
  return days <= WEEKLY_UP_TO_DAYS ? 'week' : 'month';
}

/** The first day of the period holding `day` (YYYY-MM-DD). */
export function periodStart(day: string, granularity: Granularity): string {
  if (granularity === 'month') return `${day.slice(0, 7)}-01`;
  const date = new Date(`${day}T00:00:00Z`);
  const sinceMonday = (date.getUTCDay() + 6) % 7;
  date.setUTCDate(date.getUTCDate() - sinceMonday);
  return date.toISOString().slice(0, 10);
}

/** Every period from the one holding `from` to the one holding `to`, inclusive, as first days. */
export function periodsBetween(from: string, to: string, granularity: Granularity): string[] {
  const out: string[] = [];
  let current = periodStart(from, granularity);
  const last = periodStart(to, granularity);
  while (current <= last && out.length < 1000) {
    out.push(current);
    const date = new Date(`${current}T00:00:00Z`);
    if (granularity === 'month') date.setUTCMonth(date.getUTCMonth() + 1);
    else date.setUTCDate(date.getUTCDate() + 7);
    current = date.toISOString().slice(0, 10);
  }
  return out;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "March 2027", or "Week of 1 March 2027". */
export function periodLabel(start: string, granularity: Granularity): string {
  const [y, m, d] = start.split('-').map(Number) as [number, number, number];
  return granularity === 'month' ? `${MONTHS[m - 1]} ${y}` : `Week of ${d} ${MONTHS[m - 1]} ${y}`;
}
