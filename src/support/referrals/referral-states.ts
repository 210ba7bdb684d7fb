import type { ReferralStatus } from './referrals.table.ts';

/**
 * A referral's life: a draft is sent to a partner's service; the partner accepts or declines it (with a
 * reason); an accepted referral is completed when the support ends. The referrer may revoke it at any point
 * before the partner has closed it (from draft, sent or accepted). Declined, completed and revoked are final.
 */
export type ReferralAction = 'send' | 'accept' | 'decline' | 'complete' | 'revoke';

/** Who may take each action: the referring link worker or the receiving partner. */
export const ACTION_SIDE: Record<ReferralAction, 'referrer' | 'partner'> = {
  send: 'referrer',
  accept: 'partner',
  decline: 'partner',
  complete: 'partner',
  revoke: 'referrer',
};

const MOVES: Record<ReferralAction, { from: readonly ReferralStatus[]; to: ReferralStatus }> = {
  send: { from: ['draft'], to: 'sent' },
  accept: { from: ['sent'], to: 'accepted' },
  decline: { from: ['sent'], to: 'declined' },
  complete: { from: ['accepted'], to: 'completed' },
  revoke: { from: ['draft', 'sent', 'accepted'], to: 'revoked' },
};

export const REFERRAL_STATUS_LABELS: Record<ReferralStatus, string> = {
  draft: 'Draft',
  sent: 'Sent',
  accepted: 'Accepted',
  declined: 'Declined',
  completed: 'Completed',
  revoked: 'Revoked',
};

export type ReferralCheck = { ok: true; to: ReferralStatus } | { ok: false; field: string; message: string };

/** Whether `action` may be taken on a referral in `from`; a decline needs a reason. */
export function checkReferralAction(
  from: ReferralStatus,
  action: ReferralAction,
  options: { reason?: string } = {},
): ReferralCheck {
  const move = MOVES[action];
  if (!move.from.includes(from)) {
    return {
      ok: false,
      field: 'action',
      message: `A referral that is ${REFERRAL_STATUS_LABELS[from].toLowerCase()} cannot be ${PAST[action]}`,
    };
  }
  if (action === 'decline' && !options.reason?.trim()) {
    return { ok: false, field: 'reason', message: 'Enter why the referral is declined' };
  }
  return { ok: true, to: move.to };
}

const PAST: Record<ReferralAction, string> = {
  send: 'sent',
  accept: 'accepted',
  decline: 'declined',
  complete: 'completed',
  revoke: 'revoked',
};

/** The actions open to each side in a status, for the buttons a page shows. */
export function actionsFor(from: ReferralStatus, side: 'referrer' | 'partner'): ReferralAction[] {
  return (Object.keys(MOVES) as ReferralAction[]).filter(
    (a) => ACTION_SIDE[a] === side && MOVES[a].from.includes(from),
  );
}

/** Statuses in which the partner may read the items the referral carries. */
export const ITEMS_TRAVEL_IN: readonly ReferralStatus[] = ['sent', 'accepted'];

/** Statuses the partner sees at all: never a draft. */
export const PARTNER_SEES: readonly ReferralStatus[] = [
  'sent',
  'accepted',
  'declined',
  'completed',
  'revoked',
];

/** The items a referral carries: what the link worker ticked, narrowed to what the decision allows. */
export function carriedItems(ticked: readonly string[], allowed: readonly string[]): string[] {
  const allow = new Set(allowed);
  return [...new Set(ticked)].filter((item) => allow.has(item));
}
