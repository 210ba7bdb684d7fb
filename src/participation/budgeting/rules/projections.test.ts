import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PbElection, VoteType } from '../pabulib.ts';
import { approvalInput, pointsInput } from './projections.ts';
import { fromInteger } from './rational.ts';

const election = (voteType: VoteType, ballots: PbElection['ballots']): PbElection => ({
  meta: {},
  voteType,
  budget: fromInteger(10),
  projects: ['a', 'b', 'c'].map((id) => ({ id, cost: fromInteger(1), name: id, selected: null, fields: {} })),
  ballots,
});

describe('projections to approval', () => {
  it('keeps every ranked project of an ordinal ballot, rank ignored', () => {
    const e = election('ordinal', [{ voterId: '1', projects: ['c', 'a'], points: null }]);
    assert.deepEqual(approvalInput(e).ballots[0]?.projects, ['c', 'a']);
  });

  it('keeps cumulative entries with positive points only, and keeps points for point rules', () => {
    const e = election('cumulative', [{ voterId: '1', projects: ['a', 'b'], points: [0n, 4n] }]);
    assert.deepEqual(approvalInput(e).ballots[0]?.projects, ['b']);
    assert.deepEqual(pointsInput(e).ballots[0]?.points, [0n, 4n]);
  });

  it('treats choose-1 as approval of one and keeps empty ballots as voters', () => {
    const e = election('choose-1', [
      { voterId: '1', projects: ['a'], points: null },
      { voterId: '2', projects: [], points: null },
    ]);
    assert.equal(approvalInput(e).ballots.length, 2);
  });

  it('refuses what has no defined projection', () => {
    assert.throws(() => approvalInput(election('scoring', [])), /Scoring/);
    assert.throws(() => pointsInput(election('approval', [])), /cumulative/);
  });
});
