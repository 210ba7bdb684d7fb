import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type PbElection, parsePb } from './pabulib.ts';
import { type CountingInput, compareIds } from './rules/profile.ts';
import { approvalInput } from './rules/projections.ts';
import { type Rational, toFractionString } from './rules/rational.ts';
import { isRuleName, type TieRecord, tally } from './tally.ts';

/**
 * Checks every instance × rule in the shared pabulib folder against the exact reference outcomes. The
 * combinations listed in SLOW take seconds to minutes in exact arithmetic and run only with PB_FULL=1.
 */
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const dataDir = join(repoRoot, '..', 'shared', 'pabulib');
const full = process.env.PB_FULL === '1';

/**
 * Measured with PB_FULL=1 on the shared 2-core machine while it was busy (the whole file then takes about
 * 2 minutes); each includes a second, full count of the completion for the tie census. Every combination
 * not listed takes under 1.5 s.
 */
const SLOW: Readonly<Record<string, string>> = {
  'France_Toulouse_2024.pb mes_cost_add1': '3 s',
  'France_Toulouse_2024.pb mes_cost_add1_noexh': '4 s',
  'France_Toulouse_2024.pb mes_approval_add1': '9 s',
  'Poland_Krakow_2024.pb mes_cost_add1': '1.4 s',
  'Poland_Krakow_2024.pb mes_cost_add1_noexh': '0.7 s',
  'Poland_Krakow_2024.pb mes_approval_add1': '0.9 s',
  'Poland_Lodz_2022.pb mes_cost_add1': '0.7 s',
  'Poland_Lodz_2022.pb mes_cost_add1_noexh': '1 s',
  'Poland_Lodz_2022.pb mes_approval_add1': '1.6 s',
  'Poland_Warszawa_2023_Mokotow.pb mes_cost_add1': '9 s',
  'Poland_Warszawa_2023_Mokotow.pb mes_cost_add1_noexh': '13 s',
  'Poland_Warszawa_2023_Mokotow.pb mes_approval_add1': '34 s',
  'Poland_Warszawa_2026.pb mes_cost_add1': '4 s',
  'Poland_Warszawa_2026.pb mes_cost_add1_noexh': '4 s',
  'Poland_Warszawa_2026.pb mes_approval_add1': '13 s',
};

interface ExpectedRule {
  readonly winners: readonly string[];
  readonly total_cost?: string;
  readonly budget_per_voter?: string;
  readonly iterations?: number;
  readonly stopped_because?: string;
  /** Every tie resolved in the run whose outcome was returned, in order. */
  readonly ties?: readonly ExpectedTie[];
  /** How many different ties arose in any run (for the add-one completions, over the whole scan). */
  readonly ties_any_iteration?: number;
  /** Whether any tie of the returned run needed the last key, the project id. */
  readonly id_fallback_used?: boolean;
}
interface ExpectedTie {
  readonly tied: readonly string[];
  readonly chosen: string;
  readonly decided_by: string;
}
interface ExpectedInstance {
  readonly num_voters: number;
  readonly num_projects: number;
  readonly rules: Readonly<Record<string, ExpectedRule>>;
}

interface Outcome {
  readonly winners: readonly string[];
  readonly spent: Rational;
  readonly budgetPerVoter?: Rational;
  readonly iterations?: number;
  readonly stoppedBecause?: string;
  readonly ties: readonly TieRecord[];
  readonly tiesInAnyRun?: number;
}

function count(
  rule: string,
  election: PbElection,
  approval: () => CountingInput,
  tieCensus = false,
): Outcome {
  if (!isRuleName(rule)) throw new Error(`No rule named ${rule}`);
  return tally(rule, election, approval, { tieCensus });
}

function loadExpected(): Record<string, ExpectedInstance> | null {
  const file = join(dataDir, 'EXPECTED.json');
  if (!existsSync(file)) return null;
  return (JSON.parse(readFileSync(file, 'utf8')) as { instances: Record<string, ExpectedInstance> })
    .instances;
}

const instances = loadExpected();

describe('pabulib elections against the exact reference outcomes', () => {
  it('finds the shared pabulib folder and its EXPECTED.json', () => {
    assert.ok(instances, `missing ${join(dataDir, 'EXPECTED.json')}: the pabulib check cannot run`);
    assert.ok(Object.keys(instances).length >= 18);
  });

  for (const [file, expected] of Object.entries(instances ?? {})) {
    describe(file, () => {
      let election: PbElection | undefined;
      let approval: CountingInput | undefined;
      const load = (): PbElection => {
        election ??= parsePb(readFileSync(join(dataDir, file), 'utf8'));
        return election;
      };
      const approvalOf = (): CountingInput => {
        approval ??= approvalInput(load());
        return approval;
      };

      it('parses with the recorded numbers of voters and projects', () => {
        const e = load();
        assert.equal(e.ballots.length, expected.num_voters);
        assert.equal(e.projects.length, expected.num_projects);
      });

      for (const [rule, want] of Object.entries(expected.rules)) {
        const slow = SLOW[`${file} ${rule}`];
        const name = slow ? `${rule} [PB_FULL, ${slow}]` : rule;
        const skip = slow && !full ? `slow in exact arithmetic (${slow}); run with PB_FULL=1` : false;
        it(name, { skip }, () => {
          const got = count(rule, load(), approvalOf);
          assert.deepEqual([...got.winners].sort(compareIds), want.winners);
          if (want.total_cost !== undefined) assert.equal(toFractionString(got.spent), want.total_cost);
          if (want.budget_per_voter !== undefined) {
            assert.ok(got.budgetPerVoter, `${rule} reports no budget per voter`);
            assert.equal(toFractionString(got.budgetPerVoter), want.budget_per_voter);
          }
          if (want.iterations !== undefined) assert.equal(got.iterations, want.iterations);
          if (want.stopped_because !== undefined) assert.equal(got.stoppedBecause, want.stopped_because);
          if (want.ties !== undefined) {
            const ties = got.ties.map((t) => ({ tied: t.tied, chosen: t.chosen, decided_by: t.decidedBy }));
            assert.deepEqual(ties, want.ties, `${rule}: ties`);
          }
          if (want.ties_any_iteration !== undefined) {
            // A completion counts every run in full only when asked for this census, which must agree.
            const census = want.iterations === undefined ? got : count(rule, load(), approvalOf, true);
            assert.deepEqual(census.winners, got.winners);
            assert.equal(census.iterations, got.iterations);
            assert.equal(
              census.tiesInAnyRun ?? census.ties.length,
              want.ties_any_iteration,
              `${rule}: ties in any run`,
            );
          }
          if (want.id_fallback_used !== undefined) {
            const used = got.ties.some((t) => t.decidedBy === 'project_id');
            assert.equal(used, want.id_fallback_used, `${rule}: id fallback used`);
          }
        });
      }
    });
  }
});
