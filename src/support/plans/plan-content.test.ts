import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ageOn, applyChange, emptyPlan, nextReview } from './plan-content.ts';

let n = 0;
const ids = () => `id-${++n}`;

describe('applyChange', () => {
  it('returns a new version and leaves the one it started from untouched', () => {
    const start = emptyPlan();
    const one = applyChange(start, { kind: 'add_goal', text: 'Make a new friend' }, ids);
    assert.ok(one.ok);
    assert.deepEqual(start.goals, []);
    const two = applyChange(
      one.content,
      { kind: 'edit_goal', goalId: one.content.goals[0]!.id, text: 'Make two friends' },
      ids,
    );
    assert.ok(two.ok);
    assert.equal(one.content.goals[0]!.text, 'Make a new friend');
    assert.equal(two.content.goals[0]!.text, 'Make two friends');
    assert.equal(two.content.goals[0]!.id, one.content.goals[0]!.id);
    assert.equal(two.summary, 'Changed the goal “Make a new friend” to “Make two friends”');
  });

  it('refuses to complete an action twice or one that is not in the plan', () => {
    const added = applyChange(
      emptyPlan(),
      { kind: 'add_action', text: 'call school', owner: 'Mum', dueOn: '2027-01-01' },
      ids,
    );
    assert.ok(added.ok);
    const actionId = added.content.actions[0]!.id;
    const done = applyChange(added.content, { kind: 'complete_action', actionId }, ids);
    assert.ok(done.ok);
    assert.deepEqual(applyChange(done.content, { kind: 'complete_action', actionId }, ids), {
      ok: false,
      field: 'actionId',
      message: 'That action is already done',
    });
    assert.equal(applyChange(done.content, { kind: 'complete_action', actionId: 'nope' }, ids).ok, false);
  });

  it('removes a goal or an action in the next version, keeping the version it started from, and refuses one not in the plan', () => {
    const withGoals = applyChange(emptyPlan(), { kind: 'add_goal', text: 'Join a club' }, ids);
    assert.ok(withGoals.ok);
    const two = applyChange(withGoals.content, { kind: 'add_goal', text: 'Sleep better' }, ids);
    assert.ok(two.ok);
    const withAction = applyChange(
      two.content,
      { kind: 'add_action', text: 'Visit the club', owner: 'Mum', dueOn: '2027-01-10' },
      ids,
    );
    assert.ok(withAction.ok);
    const [club, sleep] = withAction.content.goals;
    const removed = applyChange(withAction.content, { kind: 'remove_goal', goalId: club!.id });
    assert.ok(removed.ok);
    assert.deepEqual(
      removed.content.goals.map((g) => g.text),
      ['Sleep better'],
    );
    assert.equal(removed.summary, 'Removed the goal “Join a club”');
    assert.equal(withAction.content.goals.length, 2);
    const noAction = applyChange(removed.content, {
      kind: 'remove_action',
      actionId: removed.content.actions[0]!.id,
    });
    assert.ok(noAction.ok);
    assert.deepEqual(noAction.content.actions, []);
    assert.deepEqual(noAction.content.goals, [sleep]);
    assert.equal(noAction.summary, 'Removed the action “Visit the club”');
    assert.deepEqual(applyChange(noAction.content, { kind: 'remove_goal', goalId: club!.id }), {
      ok: false,
      field: 'confirm',
      message: 'That goal is not in the plan',
    });
    assert.deepEqual(applyChange(noAction.content, { kind: 'remove_action', actionId: 'gone' }), {
      ok: false,
      field: 'confirm',
      message: 'That action is not in the plan',
    });
  });

  it('keeps review dates sorted and finds the next one', () => {
    let content = emptyPlan();
    for (const on of ['2027-06-01', '2027-01-15', '2027-03-01']) {
      const r = applyChange(content, { kind: 'add_review', on }, ids);
      assert.ok(r.ok);
      content = r.content;
    }
    assert.deepEqual(content.reviewDates, ['2027-01-15', '2027-03-01', '2027-06-01']);
    assert.equal(nextReview(content, '2027-02-01'), '2027-03-01');
    assert.equal(nextReview(content, '2027-07-01'), null);
    assert.equal(applyChange(content, { kind: 'add_review', on: '2027-03-01' }, ids).ok, false);
  });
});

describe('ageOn', () => {
  it('counts whole years, turning a year older on the birthday', () => {
    assert.equal(ageOn('2013-05-10', '2026-05-09'), 12);
    assert.equal(ageOn('2013-05-10', '2026-05-10'), 13);
    assert.equal(ageOn('2013-12-31', '2027-01-01'), 13);
  });
});
