import type { Budget } from '../../budgets/budgets.service.ts';
import type { Choice } from '../ballot-rules.ts';
import type { PaperEntryItem, SheetStatus } from '../ballots.table.ts';
import { choiceText } from '../codes/ballot-form.ts';

/** What one person read off a paper sheet. */
export interface Reading {
  districtId: string | null;
  spoilt: boolean;
  items: PaperEntryItem[];
}

export const STATUS_LABELS: Record<SheetStatus, string> = {
  awaiting_second: 'Awaiting second entry',
  mismatch: 'To resolve',
  matched: 'Matched',
  resolved: 'Resolved',
  spoilt: 'Spoilt',
};

/**
 * One canonical form per reading, so that two readings of the same sheet compare equal however the
 * form listed the choices: a spoilt sheet has no district or choices; only the numbers the ballot
 * uses are kept; items are in project order.
 */
export function normaliseReading(
  budget: Budget,
  input: { districtId: string | null; spoilt: boolean; choices: readonly Choice[] },
): Reading {
  if (input.spoilt) return { districtId: null, spoilt: true, items: [] };
  const kind = budget.ballot.kind;
  const usesPoints = kind === 'cumulative' || kind === 'scoring';
  const items = input.choices
    .map((c) => ({
      projectId: c.projectId,
      points: usesPoints ? (c.points ?? null) : null,
      rank: kind === 'ordinal' ? (c.rank ?? null) : null,
    }))
    .sort((a, b) => (a.projectId < b.projectId ? -1 : a.projectId > b.projectId ? 1 : 0));
  return { districtId: budget.districts.length > 0 ? input.districtId : null, spoilt: false, items };
}

/** Whether two readings say the same: same district, same choices (and numbers), same spoilt flag. */
export function sameReading(a: Reading, b: Reading): boolean {
  if (a.spoilt || b.spoilt) return a.spoilt === b.spoilt;
  if (a.districtId !== b.districtId || a.items.length !== b.items.length) return false;
  return a.items.every((item, i) => {
    const other = b.items[i]!;
    return (
      item.projectId === other.projectId &&
      (item.points ?? null) === (other.points ?? null) &&
      (item.rank ?? null) === (other.rank ?? null)
    );
  });
}

export interface ComparisonRow {
  label: string;
  first: string;
  second: string;
  differs: boolean;
}

/**
 * Two readings side by side for the person resolving them: the district, whether spoilt, and every
 * project either reading chose, in ballot order.
 */
export function compareReadings(
  budget: Budget,
  projects: readonly { id: string; title: string }[],
  first: Reading,
  second: Reading,
): ComparisonRow[] {
  const districtName = (r: Reading) =>
    r.spoilt ? '' : (budget.districts.find((d) => d.id === r.districtId)?.name ?? 'None marked');
  const rows: ComparisonRow[] = [];
  const row = (label: string, a: string, b: string) =>
    rows.push({ label, first: a, second: b, differs: a !== b });
  row('Spoilt', first.spoilt ? 'Yes' : 'No', second.spoilt ? 'Yes' : 'No');
  if (budget.districts.length > 0) row('District', districtName(first), districtName(second));
  const chosen = new Set([...first.items, ...second.items].map((i) => i.projectId));
  const itemOf = (r: Reading, id: string) => r.items.find((i) => i.projectId === id);
  for (const project of projects) {
    if (!chosen.has(project.id)) continue;
    row(
      project.title,
      choiceText(budget, itemOf(first, project.id)),
      choiceText(budget, itemOf(second, project.id)),
    );
  }
  return rows;
}
