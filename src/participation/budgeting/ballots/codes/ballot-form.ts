import type { Budget } from '../../budgets/budgets.service.ts';
import { moneyText } from '../../money.ts';
import { type Choice, limitsText, type Section, sectionField } from '../ballot-rules.ts';

/**
 * The fields of a ballot form, shared by voting with a code and by typing in paper ballots. Field names
 * are those the ballot rules report problems against, so every problem links to its field:
 * `section-<district id | area>` holds the chosen project ids (checkboxes, or radios for choose-1),
 * `points-<project id>` and `rank-<project id>` hold numbers for cumulative, scoring and ranked ballots.
 */

type Form = Record<string, unknown>;
type Report = (field: string, message: string) => void;

function texts(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
}

const WHOLE_NUMBER = /^\d{1,6}$/;

/**
 * The choices on a posted ballot. Numbers that are not whole numbers are reported against their
 * field; everything else (too many projects, over the money…) is for the ballot rules to judge.
 */
export function readChoices(
  budget: Budget,
  projects: readonly { id: string; title: string }[],
  form: Form,
  report: Report,
): Choice[] {
  const kind = budget.ballot.kind;
  if (kind === 'approval' || kind === 'choose-1') {
    const ids = Object.keys(form)
      .filter((key) => key.startsWith('section-'))
      .flatMap((key) => texts(form[key]));
    return ids.map((projectId) => ({ projectId }));
  }
  const usesPoints = kind === 'cumulative' || kind === 'scoring';
  const choices: Choice[] = [];
  for (const project of projects) {
    const field = `${usesPoints ? 'points' : 'rank'}-${project.id}`;
    const [value] = texts(form[field]);
    if (value === undefined) continue;
    if (!WHOLE_NUMBER.test(value)) {
      report(
        field,
        usesPoints
          ? `Points for ${project.title} must be a whole number, like 3`
          : `The number for ${project.title} must be a whole number, like 1`,
      );
      continue;
    }
    const n = Number(value);
    if (n === 0) continue;
    choices.push(usesPoints ? { projectId: project.id, points: n } : { projectId: project.id, rank: n });
  }
  return choices;
}

export interface FieldErrors {
  fields: Record<string, { text: string }>;
}

/** What ballot-fields.njk needs to draw the sections of a ballot, with the posted values and errors. */
export function ballotView(
  budget: Budget,
  sections: readonly Section[],
  values: Form | undefined,
  errors: FieldErrors | undefined,
) {
  const kind = budget.ballot.kind;
  const input =
    kind === 'approval'
      ? 'checkboxes'
      : kind === 'choose-1'
        ? 'radios'
        : kind === 'ordinal'
          ? 'ranks'
          : 'points';
  const form = values ?? {};
  return sections.map((section) => {
    const field = sectionField(section);
    const chosen = new Set(texts(form[field]));
    const cost = (minor: bigint) => `Estimated cost ${moneyText(minor, budget.currency)}`;
    const items: Record<string, unknown>[] = section.projects.map((p) => ({
      value: p.id,
      text: p.title,
      hint: { text: cost(p.cost) },
      checked: chosen.has(p.id),
    }));
    // With more than one section a voter may choose nothing in one of them, which radios alone cannot undo.
    if (input === 'radios' && sections.length > 1 && items.length > 0) {
      items.push({ divider: 'or' }, { value: '', text: 'None of these projects' });
    }
    return {
      field,
      name: section.name,
      amount: moneyText(section.amount, budget.currency),
      limits: limitsText(budget.ballot, section, budget.currency),
      input,
      error: errors?.fields[field],
      items,
      inputs: section.projects.map((p) => {
        const name = `${input === 'ranks' ? 'rank' : 'points'}-${p.id}`;
        const [value] = texts(form[name]);
        return { name, label: p.title, hint: cost(p.cost), value: value ?? '', error: errors?.fields[name] };
      }),
    };
  });
}

/** How one choice reads on a page: "Chosen", "3 points", "Number 2". */
export function choiceText(budget: Budget, choice: Choice | undefined): string {
  if (!choice) return 'Not chosen';
  const kind = budget.ballot.kind;
  if (kind === 'cumulative' || kind === 'scoring')
    return `${choice.points} ${choice.points === 1 ? 'point' : 'points'}`;
  if (kind === 'ordinal') return `Number ${choice.rank}`;
  return 'Chosen';
}
