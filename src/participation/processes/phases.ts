/** Phases and what they open, as pure functions of a date (no I/O). */

export type ParticipationAction = 'propose' | 'support' | 'comment' | 'vote';

export const ACTIONS: readonly ParticipationAction[] = ['propose', 'support', 'comment', 'vote'];

export const ACTION_LABELS: Record<ParticipationAction, string> = {
  propose: 'Proposals',
  support: 'Supports',
  comment: 'Comments',
  vote: 'Voting',
};

export interface Phase {
  id: string;
  position: number;
  name: string;
  description: string;
  /** Inclusive dates, YYYY-MM-DD, in the place's own time (Europe/London). */
  startsOn: string;
  endsOn: string;
  allows: Record<ParticipationAction, boolean>;
}

export type ProcessStatus = 'upcoming' | 'active' | 'past';

const UK_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' });

const HOUR = 3_600_000;
// The UK's date changes only on a whole hour of UTC (its offset is 0 or 1 hour), so one formatting
// serves the whole hour: every page that checks a phase or a voting window asks for today.
let lastHour = Number.NaN;
let lastDay = '';

/** Today's date in the UK, as YYYY-MM-DD. */
export function today(now: Date = new Date()): string {
  const hour = Math.floor(now.getTime() / HOUR);
  if (hour !== lastHour) {
    lastDay = UK_DATE.format(now);
    lastHour = hour;
  }
  return lastDay;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function currentPhase(phases: readonly Phase[], on: string): Phase | undefined {
  return phases.find((p) => p.startsOn <= on && on <= p.endsOn);
}

export function processStatus(phases: readonly Phase[], on: string): ProcessStatus {
  if (phases.length === 0) return 'upcoming';
  const starts = phases.map((p) => p.startsOn).sort()[0]!;
  const ends = phases
    .map((p) => p.endsOn)
    .sort()
    .at(-1)!;
  if (on < starts) return 'upcoming';
  if (on > ends) return 'past';
  return 'active';
}

/** Problems with a set of phases: each must end on or after it starts, and they must not overlap. */
export function phaseProblems(phases: readonly Pick<Phase, 'name' | 'startsOn' | 'endsOn'>[]): string[] {
  const problems: string[] = [];
  const sorted = [...phases].sort((a, b) => a.startsOn.localeCompare(b.startsOn));
  for (const p of phases)
    if (p.endsOn < p.startsOn) problems.push(`${p.name} must end on or after the day it starts`);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.startsOn <= sorted[i - 1]!.endsOn) {
      problems.push(`${sorted[i]!.name} must start after ${sorted[i - 1]!.name} ends`);
    }
  }
  return problems;
}
