import { type BarChart, barChart } from '../../../platform/views/bar-chart.ts';
import type { Channel } from '../ballots/ballots.table.ts';
import { RULE_LABELS } from '../budgets/budgets.schema.ts';
import type { Budget } from '../budgets/budgets.service.ts';
import type { RuleName } from '../tally.ts';
import {
  CHANNEL_LABELS,
  CHANNELS,
  type CountResult,
  type Money,
  type ProjectOutcome,
  type ProjectTotals,
  type RuleResult,
  type SectionResult,
} from './count.ts';
import type { CountSummary } from './results.service.ts';

/** Turns a stored count into what the results pages show. Pure; money stays exact (decimal strings). */

const POINT_RULES: ReadonlySet<RuleName> = new Set(['greedy_points', 'mes_points']);

/** "£1,234.50" from an exact decimal string, without passing through a float. */
export function formatAmount(decimal: string, currency: string): string {
  const negative = decimal.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? decimal.slice(1) : decimal).split('.');
  const number = `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction.padEnd(2, '0').slice(0, 2)}`;
  let prefix = '';
  let suffix = ` ${currency}`;
  try {
    // Where the symbol goes, and any space beside it, as en-GB writes this currency.
    const parts = new Intl.NumberFormat('en-GB', { style: 'currency', currency }).formatToParts(0);
    const first = parts.findIndex((p) => p.type === 'integer');
    const last = parts.reduce((at, p, i) => (p.type === 'integer' || p.type === 'fraction' ? i : at), first);
    prefix = parts
      .slice(0, first)
      .map((p) => p.value)
      .join('');
    suffix = parts
      .slice(last + 1)
      .map((p) => p.value)
      .join('');
  } catch {
    // An unknown currency code: write the code after the amount.
  }
  return `${negative ? '-' : ''}${prefix}${number}${suffix}`;
}

const toMinor = (decimal: string): bigint => {
  const [whole = '0', fraction = ''] = decimal.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
};

const grouped = (n: string | number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

export function ruleName(rule: RuleName): string {
  return RULE_LABELS[rule].text.replace(/ \(recommended\)$/, '');
}

const SHARES =
  'Every voter gets an equal share of the money. A project is funded when its supporters can pay for it from their shares, and the project that costs its supporters least for what they get goes first.';
const RAISED =
  'When no more projects can be paid for, every voter’s share is raised by one unit of money and the count is run again';

/** What each rule does, in plain English, each description complete on its own. */
const RULE_DESCRIPTIONS: Record<RuleName, string> = {
  greedy_votes:
    'Projects are taken in order of votes, most first. Each is funded if it fits in the money left; one that does not fit is skipped and the next is tried.',
  greedy_points:
    'Projects are taken in order of the points voters gave them, most first. Each is funded if it fits in the money left; one that does not fit is skipped and the next is tried.',
  mes_cost: `${SHARES} A supporter gets as much from a project as it costs. Money left at the end is not shared out again.`,
  mes_cost_add1: `${SHARES} A supporter gets as much from a project as it costs. ${RAISED}, until nothing more can be funded or one more raise would spend more than the budget.`,
  mes_cost_add1_noexh: `${SHARES} A supporter gets as much from a project as it costs. ${RAISED}, for as long as the result still fits in the budget.`,
  mes_approval: `${SHARES} Every project counts the same to its supporters, whatever it costs. Money left at the end is not shared out again.`,
  mes_approval_add1: `${SHARES} Every project counts the same to its supporters, whatever it costs. ${RAISED}, until nothing more can be funded or one more raise would spend more than the budget.`,
  mes_approval_add1_noexh: `${SHARES} Every project counts the same to its supporters, whatever it costs. ${RAISED}, for as long as the result still fits in the budget.`,
  mes_points: `${SHARES} Each voter’s points say how much they value each project, and they pay in proportion. Money left at the end is not shared out again.`,
};

export function ruleDescription(rule: RuleName): string {
  return RULE_DESCRIPTIONS[rule];
}

/** What sets each rule apart, for the comparison, which explains equal shares once above the list. */
const RULE_DIFFERENCES: Record<RuleName, string> = {
  greedy_votes: 'Most votes first; each project is funded if it fits in the money left.',
  greedy_points: 'Most points first; each project is funded if it fits in the money left.',
  mes_cost:
    'Equal shares, where a project is worth its cost to each supporter. Leftovers are not shared out again.',
  mes_cost_add1:
    'Equal shares, where a project is worth its cost to each supporter. Shares are raised until nothing more can be funded.',
  mes_cost_add1_noexh:
    'Equal shares, where a project is worth its cost to each supporter. Shares are raised for as long as the result fits the budget.',
  mes_approval:
    'Equal shares, where every project is worth the same to its supporters. Leftovers are not shared out again.',
  mes_approval_add1:
    'Equal shares, where every project is worth the same to its supporters. Shares are raised until nothing more can be funded.',
  mes_approval_add1_noexh:
    'Equal shares, where every project is worth the same to its supporters. Shares are raised for as long as the result fits the budget.',
  mes_points: 'Equal shares, where each voter’s points say how much a project is worth to them.',
};

const EQUAL_SHARES_IN_BRIEF = `In the equal shares rules: ${SHARES.charAt(0).toLowerCase()}${SHARES.slice(1)} Some raise every voter’s share when money is left over, and count again.`;

const STOPPED: Record<string, string> = {
  exhaustive: 'no project left could be paid for from what remained',
  next_infeasible: 'raising every voter’s share once more would have spent more than the budget',
  all_supported_projects_selected: 'every project that anyone voted for was funded',
};

const DECIDED_BY: Record<string, string> = {
  cost: 'it costs less',
  votes: 'more people voted for it',
  project_id:
    'cost and votes were level too, so the fixed order of project references, set before voting, decided',
};

function moneyText(m: Money, currency: string): string {
  const text = formatAmount(m.decimal, currency);
  return m.exact ? `about ${text} (exactly ${m.exact})` : text;
}

export interface ProjectRow {
  id: string;
  title: string;
  cost: string;
  support: string;
  funded: boolean;
  position: number | null;
  sentence: string;
  details: string[];
}

/** The engine writes amounts as "1,234.50 GBP"; the pages write them as elsewhere, "£1,234.50". */
export function localiseSentence(sentence: string, currency: string): string {
  const code = currency.replace(/[^A-Z]/g, '');
  if (!code) return sentence;
  return sentence.replace(new RegExp(`(\\d[\\d,]*\\.\\d{2}) ${code}\\b`, 'g'), (_all, amount: string) =>
    formatAmount(amount.replaceAll(',', ''), currency),
  );
}

function projectRow(
  p: ProjectTotals,
  outcome: ProjectOutcome | undefined,
  position: number | null,
  currency: string,
  unit: [string, string],
): ProjectRow {
  const details: string[] = [];
  if (outcome?.pricePerSupporter?.exact) {
    details.push(`Before rounding up to the penny: ${outcome.pricePerSupporter.exact} ${currency}.`);
  }
  if (outcome && !outcome.selected && outcome.costReductionNeeded) {
    details.push(
      `That is ${formatAmount(outcome.costReductionNeeded.decimal, currency)} less than its cost of ${formatAmount(p.cost, currency)}.`,
    );
  }
  const support = outcome?.support ?? String(p.votes);
  return {
    id: p.id,
    title: p.title,
    cost: formatAmount(p.cost, currency),
    support: `${grouped(support)} ${support === '1' ? unit[0] : unit[1]}`,
    funded: outcome?.selected ?? false,
    position,
    sentence: outcome ? localiseSentence(outcome.sentence, currency) : '',
    details,
  };
}

export interface SectionView {
  anchor: string;
  name: string;
  amount: string;
  rule: RuleName;
  ruleName: string;
  ruleDescription: string;
  unit: [string, string];
  ballots: { rows: { label: string; count: string }[]; total: string };
  spent: string;
  left: string;
  sharePerVoter: string | null;
  stopped: string | null;
  winners: ProjectRow[];
  others: ProjectRow[];
  ties: string[];
  summaryRows: { key: { text: string }; value: { text: string } }[];
  chart: BarChart;
  chartTitle: string;
  channels: { key: Channel; label: string }[];
  channelRows: { title: string; cells: string[]; total: string }[];
  ballotsByChannel: string[];
}

function supportUnit(rule: RuleName): [string, string] {
  return POINT_RULES.has(rule) ? ['point', 'points'] : ['vote', 'votes'];
}

function sectionView(section: SectionResult, rule: RuleName, currency: string): SectionView | null {
  const outcome: RuleResult | undefined = section.rules[rule];
  if (!outcome) return null;
  const unit = supportUnit(rule);
  const byId = new Map(section.projects.map((p) => [p.id, p]));
  const winners = outcome.winners.flatMap((id, i) => {
    const p = byId.get(id);
    return p ? [projectRow(p, outcome.projects[id], i + 1, currency, unit)] : [];
  });
  const funded = new Set(outcome.winners);
  const support = (p: ProjectTotals) => BigInt(outcome.projects[p.id]?.support ?? p.votes);
  const others = section.projects
    .filter((p) => !funded.has(p.id))
    .sort((a, b) => {
      const sa = support(a);
      const sb = support(b);
      if (sa !== sb) return sa > sb ? -1 : 1;
      const ca = toMinor(a.cost);
      const cb = toMinor(b.cost);
      if (ca !== cb) return ca < cb ? -1 : 1;
      return a.title.localeCompare(b.title, 'en-GB');
    })
    .map((p) => projectRow(p, outcome.projects[p.id], null, currency, unit));

  const titleOf = (id: string) => byId.get(id)?.title ?? id;
  const ties = outcome.ties.map((t) => {
    const others = t.tied.filter((id) => id !== t.chosen).map(titleOf);
    return `${titleOf(t.chosen)} was level with ${others.join(', ')}. ${titleOf(t.chosen)} went first because ${DECIDED_BY[t.decidedBy] ?? t.decidedBy}.`;
  });

  let sharePerVoter: string | null = null;
  if (outcome.budgetPerVoter) {
    const share = moneyText(outcome.budgetPerVoter, currency);
    sharePerVoter =
      outcome.iterations && outcome.iterations > 1
        ? `${share}, after ${grouped(outcome.iterations)} counts with the share raised each time`
        : share;
  }

  const used = CHANNELS.filter((c) => section.ballots.byChannel[c] > 0);
  const channels = (used.length ? used : CHANNELS.slice(0, 1)).map((c) => ({
    key: c,
    label: CHANNEL_LABELS[c],
  }));
  const usePoints = POINT_RULES.has(rule) && section.usesPoints;
  const channelRows = section.projects.map((p) => ({
    title: p.title,
    cells: channels.map((c) =>
      grouped(usePoints ? (p.pointsByChannel?.[c.key] ?? '0') : p.votesByChannel[c.key]),
    ),
    total: grouped(usePoints ? (p.points ?? '0') : p.votes),
  }));

  const ordered = [...winners, ...others];
  const chart = barChart(
    ordered.map((r) => {
      const p = byId.get(r.id)!;
      const value = support(p);
      return {
        label: r.title,
        value,
        valueText: `${grouped(value.toString())} ${value === 1n ? unit[0] : unit[1]}`,
        marked: r.funded,
      };
    }),
    unit,
    { valueSpace: 190, markedText: 'funded' },
  );

  const amount = formatAmount(section.amount, currency);
  const spent = formatAmount(outcome.spent, currency);
  const left = formatAmount(outcome.left, currency);
  const stopped = outcome.stoppedBecause ? (STOPPED[outcome.stoppedBecause] ?? outcome.stoppedBecause) : null;
  const row = (key: string, value: string) => ({ key: { text: key }, value: { text: value } });
  const summaryRows = [
    row('Money to spend', amount),
    row('Spent on funded projects', spent),
    row('Left over', left),
    ...(sharePerVoter ? [row('Each voter’s share', sharePerVoter)] : []),
    ...(stopped ? [row('Why the count stopped', `It stopped because ${stopped}.`)] : []),
  ];

  return {
    anchor: `section-${section.districtId ?? 'area'}`,
    name: section.name,
    amount,
    rule,
    ruleName: ruleName(rule),
    ruleDescription: ruleDescription(rule),
    unit,
    ballots: {
      rows: CHANNELS.map((c) => ({ label: CHANNEL_LABELS[c], count: grouped(section.ballots.byChannel[c]) })),
      total: grouped(section.ballots.total),
    },
    spent,
    left,
    sharePerVoter,
    stopped,
    summaryRows,
    winners,
    others,
    ties,
    chart,
    chartTitle: `${unit[1][0]!.toUpperCase()}${unit[1].slice(1)} per project in ${section.name}, funded projects hatched`,
    channels,
    channelRows,
    ballotsByChannel: channels.map((c) => grouped(section.ballots.byChannel[c.key])),
  };
}

/** Every section under the budget's own rule, for the results page. */
export function resultsView(budget: Budget, result: CountResult) {
  const sections = result.sections.flatMap((s) => {
    const view = sectionView(s, result.ownRule, budget.currency);
    return view ? [view] : [];
  });
  // Every voter fills in the whole area's section; with districts only, each voter is in one district.
  const area = result.sections.find((s) => s.districtId === null);
  const total = area ? area.ballots.total : result.sections.reduce((sum, s) => sum + s.ballots.total, 0);
  return {
    rule: result.ownRule,
    ruleName: ruleName(result.ownRule),
    ruleDescription: ruleDescription(result.ownRule),
    otherRules: result.rules.length - 1,
    sections,
    multipleSections: sections.length > 1,
    funded: sections.reduce((n, s) => n + s.winners.length, 0),
    ballotsCounted: grouped(total),
  };
}

/** For each section, which projects each rule funds, and what each rule spends. */
export function compareView(budget: Budget, result: CountResult) {
  const rules = result.rules;
  const sections = result.sections.map((s) => {
    const own = s.rules[result.ownRule];
    const ownOrder = new Map((own?.winners ?? []).map((id, i) => [id, i]));
    const projects = [...s.projects].sort((a, b) => {
      const pa = ownOrder.get(a.id) ?? Number.MAX_SAFE_INTEGER;
      const pb = ownOrder.get(b.id) ?? Number.MAX_SAFE_INTEGER;
      if (pa !== pb) return pa - pb;
      if (a.votes !== b.votes) return b.votes - a.votes;
      return a.title.localeCompare(b.title, 'en-GB');
    });
    return {
      anchor: `section-${s.districtId ?? 'area'}`,
      name: s.name,
      amount: formatAmount(s.amount, budget.currency),
      rows: projects.map((p) => ({
        title: p.title,
        cost: formatAmount(p.cost, budget.currency),
        funded: rules.map((r) => s.rules[r]?.projects[p.id]?.selected ?? false),
      })),
      spent: rules.map((r) => {
        const outcome = s.rules[r];
        return outcome ? formatAmount(outcome.spent, budget.currency) : '–';
      }),
      counts: rules.map((r) => String(s.rules[r]?.winners.length ?? 0)),
    };
  });
  return {
    ownRule: result.ownRule,
    rules: rules.map((r) => ({
      rule: r,
      name: ruleName(r),
      description: RULE_DIFFERENCES[r],
      own: r === result.ownRule,
    })),
    equalShares: rules.some((r) => r.startsWith('mes_')) ? EQUAL_SHARES_IN_BRIEF : null,
    sections,
  };
}

const STATUS_TEXT: Record<CountSummary['status'], string> = {
  queued: 'Waiting to start',
  running: 'Counting',
  done: 'Finished',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

const STATUS_TAG: Record<CountSummary['status'], string> = {
  queued: 'govuk-tag--grey',
  running: 'govuk-tag--blue',
  done: 'govuk-tag--green',
  failed: 'govuk-tag--red',
  cancelled: 'govuk-tag--grey',
};

export function countView(count: CountSummary) {
  return {
    ...count,
    statusText: count.publishedAt ? 'Published' : STATUS_TEXT[count.status],
    statusTag: count.publishedAt ? 'govuk-tag--turquoise' : STATUS_TAG[count.status],
    active: count.status === 'queued' || count.status === 'running',
    progressText: `${count.stepsDone} of ${count.stepsTotal} ${count.stepsTotal === 1 ? 'step' : 'steps'} (${count.percent}%)`,
  };
}

/** What the progress poller reads. */
export function progressJson(count: CountSummary) {
  const view = countView(count);
  return {
    status: count.status,
    statusText: view.statusText,
    stepsDone: count.stepsDone,
    stepsTotal: count.stepsTotal,
    percent: count.percent,
    progressText: view.progressText,
    finished: !view.active,
  };
}
