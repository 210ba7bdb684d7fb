import { today } from '../../processes/phases.ts';

export type VotingStatus = 'upcoming' | 'open' | 'closed';

/** Whether a budget's voting window is still to come, open or over on a day (Europe/London dates). */
export function votingStatus(
  window: { readonly votingOpensOn: string; readonly votingClosesOn: string },
  on: string = today(),
): VotingStatus {
  if (on < window.votingOpensOn) return 'upcoming';
  if (on > window.votingClosesOn) return 'closed';
  return 'open';
}
