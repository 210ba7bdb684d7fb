import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actionsFor, carriedItems, checkReferralAction } from './referral-states.ts';

describe('referral states', () => {
  it('sends a draft, then the partner accepts and completes it', () => {
    assert.deepEqual(checkReferralAction('draft', 'send'), { ok: true, to: 'sent' });
    assert.deepEqual(checkReferralAction('sent', 'accept'), { ok: true, to: 'accepted' });
    assert.deepEqual(checkReferralAction('accepted', 'complete'), { ok: true, to: 'completed' });
  });

  it('declines only with a reason', () => {
    const refused = checkReferralAction('sent', 'decline', { reason: '  ' });
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.field, 'reason');
    assert.deepEqual(checkReferralAction('sent', 'decline', { reason: 'Full until spring' }), {
      ok: true,
      to: 'declined',
    });
  });

  it('lets the referrer revoke from draft, sent or accepted, and never after the partner closed it', () => {
    for (const from of ['draft', 'sent', 'accepted'] as const)
      assert.deepEqual(checkReferralAction(from, 'revoke'), { ok: true, to: 'revoked' });
    for (const from of ['declined', 'completed', 'revoked'] as const)
      assert.equal(checkReferralAction(from, 'revoke').ok, false);
  });

  it('refuses moves out of order with a message naming the state', () => {
    const check = checkReferralAction('draft', 'accept');
    assert.equal(check.ok, false);
    assert.equal(!check.ok && check.message, 'A referral that is draft cannot be accepted');
    assert.equal(checkReferralAction('sent', 'complete').ok, false);
    assert.equal(checkReferralAction('accepted', 'send').ok, false);
    assert.equal(checkReferralAction('completed', 'accept').ok, false);
  });

  it('offers each side only its own actions', () => {
    assert.deepEqual(actionsFor('sent', 'partner'), ['accept', 'decline']);
    assert.deepEqual(actionsFor('sent', 'referrer'), ['revoke']);
    assert.deepEqual(actionsFor('draft', 'referrer'), ['send', 'revoke']);
    assert.deepEqual(actionsFor('accepted', 'partner'), ['complete']);
    assert.deepEqual(actionsFor('completed', 'partner'), []);
  });

  it('carries only the ticked items the sharing decision allows', () => {
    assert.deepEqual(carriedItems(['name', 'date_of_birth', 'name'], ['name', 'attendance']), ['name']);
    assert.deepEqual(carriedItems(['name'], []), []);
  });
});
