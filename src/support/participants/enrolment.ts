import type { ParticipantStatus } from '../support.table.ts';

export const STATUS_LABELS: Record<ParticipantStatus, string> = {
  identified: 'Identified',
  not_taken_forward: 'Not taken forward',
  approached: 'Approached',
  agreed: 'Agreed',
  enrolled: 'Enrolled',
  active: 'Active',
  exited: 'Exited',
};

/** Where each status may go next. Exit is possible from approached onwards; the ends go nowhere. */
export const NEXT: Record<ParticipantStatus, readonly ParticipantStatus[]> = {
  identified: ['approached', 'not_taken_forward'],
  approached: ['agreed', 'exited'],
  agreed: ['enrolled', 'exited'],
  enrolled: ['active', 'exited'],
  active: ['exited'],
  exited: [],
  not_taken_forward: [],
};

export interface TransitionContext {
  reason: string;
  /** An agreement to the service that has not been withdrawn. */
  hasLiveAgreement: boolean;
}

export type TransitionCheck = { ok: true } | { ok: false; field: 'to' | 'reason'; message: string };

/** Whether a participant may move from one status to another, and if not, why in plain words. */
export function checkTransition(
  from: ParticipantStatus,
  to: ParticipantStatus,
  context: TransitionContext,
): TransitionCheck {
  if (!NEXT[from].includes(to)) {
    const allowed = NEXT[from].map((s) => STATUS_LABELS[s].toLowerCase());
    return {
      ok: false,
      field: 'to',
      message:
        allowed.length === 0
          ? `${STATUS_LABELS[from]} is final: the record cannot move to ${STATUS_LABELS[to].toLowerCase()}`
          : `A participant who is ${STATUS_LABELS[from].toLowerCase()} can only move to ${allowed.join(' or ')}, not ${STATUS_LABELS[to].toLowerCase()}`,
    };
  }
  if (to === 'exited' && context.reason.trim() === '') {
    return { ok: false, field: 'reason', message: 'Enter the reason for the exit' };
  }
  if (to === 'agreed' && !context.hasLiveAgreement) {
    return {
      ok: false,
      field: 'to',
      message: 'Record the agreement to the service before moving to agreed',
    };
  }
  return { ok: true };
}

/** Statuses a person can still be worked with in: past review, before exit. */
export function isOpen(status: ParticipantStatus): boolean {
  return status === 'approached' || status === 'agreed' || status === 'enrolled' || status === 'active';
}
