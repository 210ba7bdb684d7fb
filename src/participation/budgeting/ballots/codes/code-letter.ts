import type { Letter } from '../../../../platform/pdf/letters.ts';
import { toMinorUnits } from '../../budgets/budgets.schema.ts';
import type { Budget } from '../../budgets/budgets.service.ts';
import { moneyText } from '../../money.ts';

const longDate = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** "2027-03-01" → "1 March 2027". */
export function dateText(date: string): string {
  return longDate.format(new Date(`${date}T12:00:00Z`));
}

export interface CodeLetterInput {
  placeName: string;
  budget: Budget;
  processTitle: string;
  /** Absolute web address of the place's voting page. */
  voteUrl: string;
  /** The code in its printed form. */
  code: string;
}

/** One letter: what the vote is about, when, where to vote, and the code, which works once. */
export function codeLetter(input: CodeLetterInput): Letter {
  const { budget } = input;
  return {
    blocks: [
      { kind: 'heading', text: input.placeName },
      { kind: 'title', text: `Your code to vote: ${budget.title}` },
      {
        kind: 'paragraph',
        text: `${input.placeName} is asking residents how to spend ${moneyText(toMinorUnits(budget.totalAmount), budget.currency)} on local projects, as part of ${input.processTitle}. You can vote for the projects you would like to see paid for.`,
      },
      {
        kind: 'details',
        rows: [
          { label: 'Voting opens', value: dateText(budget.votingOpensOn) },
          { label: 'Voting closes', value: `${dateText(budget.votingClosesOn)}, at the end of the day` },
        ],
      },
      { kind: 'paragraph', text: 'To vote, go to this web address:' },
      { kind: 'emphasis', text: input.voteUrl },
      { kind: 'code', label: 'and enter this code:', text: input.code },
      {
        kind: 'note',
        text: 'This code works once. When you have voted with it, it cannot be used again and your vote cannot be changed. Keep this letter private until you have voted. You do not need an account to vote, and nobody can see how you voted.',
      },
    ],
  };
}
