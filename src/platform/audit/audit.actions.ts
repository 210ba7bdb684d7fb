/** Every kind of event the audit trail records. Add to this list; never rename. */
export const AUDIT_ACTIONS = [
  'account.registered',
  'account.email_verified',
  'account.signed_in',
  'account.signed_in_by_link',
  'account.sign_in_failed',
  'account.signed_out',
  'account.signed_out_everywhere',
  'account.password_reset_requested',
  'account.password_reset',
  'account.magic_link_requested',
  'account.name_changed',
  'account.email_change_requested',
  'account.email_changed',
  'account.password_changed',
  'account.data_exported',
  'account.deleted',
  'place.created',
  'place.updated',
  'role.granted',
  'role.revoked',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
