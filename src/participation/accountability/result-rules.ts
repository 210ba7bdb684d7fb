import type { ResultStatus } from './decisions.table.ts';

export const RESULT_STATUSES: readonly ResultStatus[] = ['not_started', 'in_progress', 'done', 'dropped'];

export const STATUS_LABELS: Record<ResultStatus, { text: string; classes: string }> = {
  not_started: { text: 'Not started', classes: 'govuk-tag--grey' },
  in_progress: { text: 'In progress', classes: 'govuk-tag--blue' },
  done: { text: 'Done', classes: 'govuk-tag--green' },
  dropped: { text: 'Dropped', classes: 'govuk-tag--red' },
};

export interface Tracking {
  status: ResultStatus;
  progress: number;
  dropReason: string | null;
}

export type TrackingCheck = { ok: true; tracking: Tracking } | { ok: false; field: string; message: string };

/**
 * The status rules, in one place:
 * - "not started" means no progress yet, so its progress must be 0;
 * - "done" means finished, so progress becomes 100 whatever was typed;
 * - "dropped" needs a reason, shown to the public; progress stays where the work stopped;
 * - any other status clears an earlier reason for dropping.
 */
export function checkTracking(input: {
  status: ResultStatus;
  progress: number;
  dropReason: string;
}): TrackingCheck {
  const reason = input.dropReason.trim();
  switch (input.status) {
    case 'not_started':
      if (input.progress !== 0) {
        return {
          ok: false,
          field: 'progress',
          message: 'Progress must be 0 for a result that has not started, or choose “In progress”',
        };
      }
      return { ok: true, tracking: { status: 'not_started', progress: 0, dropReason: null } };
    case 'in_progress':
      return { ok: true, tracking: { status: 'in_progress', progress: input.progress, dropReason: null } };
    case 'done':
      return { ok: true, tracking: { status: 'done', progress: 100, dropReason: null } };
    case 'dropped':
      if (!reason) return { ok: false, field: 'dropReason', message: 'Say why this result was dropped' };
      return { ok: true, tracking: { status: 'dropped', progress: input.progress, dropReason: reason } };
  }
}
