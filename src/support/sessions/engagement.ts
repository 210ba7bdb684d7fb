import type { AttendanceStatus } from './sessions.table.ts';

/** How many of a child's most recent sessions engagement looks back over. */
export const ENGAGEMENT_WINDOW = 10;

export interface Engagement {
  attended: number;
  expected: number;
  /** Whole per cent, or null when no session was expected of the child yet. */
  percent: number | null;
}

/**
 * Engagement over the last sessions whose register was taken, newest first: present and late count as
 * attended; excused sessions were not expected of the child, so they count on neither side; sessions whose
 * register is not taken yet ('expected') are left out.
 */
export function engagement(statuses: readonly AttendanceStatus[], window = ENGAGEMENT_WINDOW): Engagement {
  const marked = statuses.filter((s) => s !== 'expected').slice(0, window);
  const expected = marked.filter((s) => s !== 'excused').length;
  const attended = marked.filter((s) => s === 'present' || s === 'late').length;
  return {
    attended,
    expected,
    percent: expected === 0 ? null : Math.round((attended * 100) / expected),
  };
}

export const ATTENDANCE_LABELS: Record<AttendanceStatus, string> = {
  expected: 'Not marked yet',
  present: 'Present',
  late: 'Late',
  absent: 'Absent',
  excused: 'Excused',
};
