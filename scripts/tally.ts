import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { PbParseError, parsePb } from '../src/participation/budgeting/pabulib.ts';
import { compareIds } from '../src/participation/budgeting/rules/profile.ts';
import { describeTie, isRuleName, RULES, tally } from '../src/participation/budgeting/tally.ts';

/**
 * Anyone can check a count: `npm run tally -- FILE.pb --rule mes-cost-add1 [--explain]` prints the
 * winning project ids (sorted, as one JSON array on one line); --explain adds why, line by line, and
 * every tie the count had to break.
 */
const usage = `Usage: npm run tally -- FILE.pb --rule RULE [--explain]
RULE is one of: greedy, ${RULES.filter((r) => r !== 'greedy_votes')
  .map((r) => r.replaceAll('_', '-'))
  .join(', ')}`;

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { rule: { type: 'string' }, explain: { type: 'boolean', default: false } },
  });
  const file = positionals[0];
  const given = values.rule === 'greedy' ? 'greedy_votes' : values.rule?.replaceAll('-', '_');
  if (!file || !given || !isRuleName(given)) {
    console.error(usage);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    console.error(`Cannot read ${file}: ${(error as Error).message}`);
    return 2;
  }
  try {
    const outcome = tally(given, parsePb(text));
    console.log(JSON.stringify([...outcome.winners].sort(compareIds)));
    if (values.explain) {
      for (const reason of outcome.reasons) console.log(reason);
      for (const tie of outcome.ties) console.log(describeTie(tie));
      if (outcome.ties.length === 0) console.log('no ties had to be broken');
    }
    return 0;
  } catch (error) {
    if (error instanceof PbParseError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

process.exitCode = main();
