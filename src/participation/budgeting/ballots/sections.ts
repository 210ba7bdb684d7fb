import { toMinorUnits } from '../budgets/budgets.schema.ts';
import type { Budget } from '../budgets/budgets.service.ts';
import type { Section, SectionProject } from './ballot-rules.ts';

export interface BallotProject extends SectionProject {
  readonly districtId: string | null;
}

export const WHOLE_AREA = 'The whole area';

/**
 * Every section of a budget: one per district (its own money and projects) and one for the whole area
 * with what the districts leave of the total. A budget without districts is one whole-area section.
 * The whole-area section is left out when districts exist and no project is for the whole area.
 */
export function budgetSections(budget: Budget, projects: readonly BallotProject[]): Section[] {
  const districtTotal = budget.districts.reduce((sum, d) => sum + toMinorUnits(d.amount), 0n);
  const sections: Section[] = budget.districts.map((d) => ({
    districtId: d.id,
    name: d.name,
    amount: toMinorUnits(d.amount),
    projects: projects.filter((p) => p.districtId === d.id),
  }));
  const area = projects.filter((p) => p.districtId === null);
  if (budget.districts.length === 0 || area.length > 0) {
    sections.push({
      districtId: null,
      name: WHOLE_AREA,
      amount: toMinorUnits(budget.totalAmount) - districtTotal,
      projects: area,
    });
  }
  return sections;
}

/** The sections one voter fills in: their district's (if the budget has districts) and the whole area's. */
export function voterSections(all: readonly Section[], districtId: string | null): Section[] {
  return all.filter((s) => s.districtId === null || s.districtId === districtId);
}
