import type { PbElection } from './pabulib.ts';
import { equalShares, equalSharesAddOne } from './rules/equal-shares.ts';
import { greedyByPoints, greedyByVotes } from './rules/greedy.ts';
import type { CountingInput, TieRecord } from './rules/profile.ts';
import { approvalInput, pointsInput } from './rules/projections.ts';
import { type Rational, toFractionString } from './rules/rational.ts';

/** Every counting rule by its pabulib name (the keys of EXPECTED.json). */
export const RULES = [
  'greedy_votes',
  'mes_cost',
  'mes_cost_add1',
  'mes_cost_add1_noexh',
  'mes_approval',
  'mes_approval_add1',
  'mes_approval_add1_noexh',
  'greedy_points',
  'mes_points',
] as const;

export type RuleName = (typeof RULES)[number];

export interface TallyOutcome {
  /** Winners in the order the rule selected them. */
  readonly winners: readonly string[];
  readonly spent: Rational;
  readonly budgetPerVoter?: Rational;
  readonly iterations?: number;
  readonly stoppedBecause?: string;
  /** One line per project considered or selected, saying why, for `--explain` and results pages. */
  readonly reasons: readonly string[];
  /**
   * Every tie the rule resolved by the tie-break order (lower cost, more votes, then id), in order. For the
   * add-one completions, the ties of the run whose outcome was returned.
   */
  readonly ties: readonly TieRecord[];
  /** Add-one completions counted with `tieCensus` only: how many different ties arose in any run of the scan. */
  readonly tiesInAnyRun?: number;
}

export type { TieRecord } from './rules/profile.ts';

/** One line per tie, for `--explain`. */
export function describeTie(tie: TieRecord): string {
  const others = tie.tied.filter((id) => id !== tie.chosen);
  const key = { cost: 'lower cost', votes: 'more votes', project_id: 'project id, the last resort' }[
    tie.decidedBy
  ];
  return `tie at step ${tie.step}: ${tie.tied.join(', ')} stood level; ${tie.chosen} went ahead of ${others.join(', ')} by ${key}`;
}

export function isRuleName(value: string): value is RuleName {
  return (RULES as readonly string[]).includes(value);
}

/**
 * Counts an election under one rule. `approval` is memoised by the caller when counting many rules.
 * `tieCensus` makes the add-one completions count every run in full so as to report tiesInAnyRun.
 */
export function tally(
  rule: RuleName,
  election: PbElection,
  approval: () => CountingInput = () => approvalInput(election),
  options: { readonly tieCensus?: boolean } = {},
): TallyOutcome {
  switch (rule) {
    case 'greedy_votes':
    case 'greedy_points': {
      const r = rule === 'greedy_votes' ? greedyByVotes(approval()) : greedyByPoints(pointsInput(election));
      return {
        winners: r.winners,
        spent: r.spent,
        ties: r.ties,
        reasons: r.steps.map(
          (s, i) =>
            `${s.projectId}: ${s.funded ? 'funded' : 'skipped, it did not fit'} (score ${s.score}, cost ${toFractionString(s.cost)}, spent ${toFractionString(s.spent)})${i === r.firstSkipped ? ' ← the funding line' : ''}`,
        ),
      };
    }
    case 'mes_cost':
    case 'mes_approval':
    case 'mes_points': {
      const utility = rule === 'mes_points' ? 'points' : rule === 'mes_cost' ? 'cost' : 'approval';
      const r = equalShares(utility === 'points' ? pointsInput(election) : approval(), { utility });
      return {
        winners: r.winners.map((w) => w.projectId),
        spent: r.spent,
        budgetPerVoter: r.budgetPerVoter,
        ties: r.ties,
        reasons: r.winners.map(
          (w) =>
            `${w.projectId}: selected at ρ = ${toFractionString(w.rho)}${w.pricePerSupporter ? `, at most ${toFractionString(w.pricePerSupporter)} per supporter` : ''}`,
        ),
      };
    }
    default: {
      const r = equalSharesAddOne(approval(), {
        utility: rule.startsWith('mes_cost') ? 'cost' : 'approval',
        variant: rule.endsWith('_noexh') ? 'raise' : 'exhaustive',
        tieCensus: options.tieCensus ?? false,
      });
      return {
        winners: r.winners.map((w) => w.projectId),
        spent: r.spent,
        budgetPerVoter: r.budgetPerVoter,
        iterations: r.iterations,
        stoppedBecause: r.stoppedBecause,
        ties: r.ties,
        tiesInAnyRun: r.tiesInAnyRun,
        reasons: [
          ...r.winners.map(
            (w) =>
              `${w.projectId}: selected at ρ = ${toFractionString(w.rho)}${w.pricePerSupporter ? `, at most ${toFractionString(w.pricePerSupporter)} per supporter` : ''}`,
          ),
          `budget per voter raised to ${toFractionString(r.budgetPerVoter)} in ${r.iterations} runs; stopped because ${r.stoppedBecause}`,
        ],
      };
    }
  }
}
