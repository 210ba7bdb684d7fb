import type { PbElection } from '../pabulib.ts';
import type { CountingBallot, CountingInput } from './profile.ts';

/**
 * Every rule except the point-based ones counts approval sets: choose-1 ballots are approval ballots of one,
 * ordinal rankings lose their order, cumulative ballots keep the projects given a positive number of points.
 */
export function approvalInput(election: PbElection): CountingInput {
  if (election.voteType === 'scoring') {
    throw new Error('Scoring ballots have no defined approval projection (default_score is ambiguous)');
  }
  const ballots: CountingBallot[] = election.ballots.map((b) => ({
    projects: b.points ? b.projects.filter((_, k) => (b.points?.[k] ?? 0n) > 0n) : b.projects,
  }));
  return { budget: election.budget, projects: election.projects, ballots };
}

/** Cumulative ballots with their points, for greedy by points and Equal Shares with points as utilities. */
export function pointsInput(election: PbElection): CountingInput {
  if (election.voteType !== 'cumulative') {
    throw new Error(`Point-based rules need cumulative ballots, not ${election.voteType}`);
  }
  return {
    budget: election.budget,
    projects: election.projects,
    ballots: election.ballots.map((b) => ({ projects: b.projects, points: b.points })),
  };
}
