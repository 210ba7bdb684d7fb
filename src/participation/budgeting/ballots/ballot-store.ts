import type { Transaction } from 'kysely';
import type { Database } from '../../../platform/db/database.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { ValidationError } from '../../../platform/errors.ts';
import { toMinorUnits } from '../budgets/budgets.schema.ts';
import type { Budget } from '../budgets/budgets.service.ts';
import { type Choice, checkBallot, type Section, type SectionSummary, sectionField } from './ballot-rules.ts';
import * as repo from './ballots.repository.ts';
import type { Channel } from './ballots.table.ts';
import { type ElectionProject, type SectionElection, sectionElection } from './election.ts';
import { type BallotProject, budgetSections, voterSections } from './sections.ts';

/**
 * What every channel shares: the ballot's sections, the voting window, checking and storing a ballot,
 * and reading a budget's ballots back as pabulib elections for counting and export.
 */

export interface BallotPaper {
  readonly projects: readonly (BallotProject & ElectionProject)[];
  /** Every section of the budget, districts first, then the whole area. */
  readonly sections: readonly Section[];
}

/** The projects on the ballot and how they fall into sections. */
export async function ballotPaper(db: Database, placeId: string, budget: Budget): Promise<BallotPaper> {
  return paperOf(budget, await repo.ballotProjects(db, placeId, budget.id));
}

/** The ballot paper from the budget's feasible projects, as ballotProjects reads them. */
export function paperOf(
  budget: Budget,
  rows: readonly {
    id: string;
    title: string;
    estimated_cost: string | number | null;
    district_id: string | null;
    pb_id: string | null;
    pb_fields: Record<string, string> | null;
  }[],
): BallotPaper {
  const projects = rows.map((r) => ({
    id: r.id,
    title: r.title,
    cost: toMinorUnits(r.estimated_cost ?? 0),
    districtId: r.district_id,
    pbId: r.pb_id,
    pbFields: r.pb_fields,
  }));
  return { projects, sections: budgetSections(budget, projects) };
}

/** The sections a voter in this district fills in; a budget with districts needs one chosen. */
export function sectionsForVoter(budget: Budget, paper: BallotPaper, districtId: string | null): Section[] {
  if (budget.districts.length === 0) return voterSections(paper.sections, null);
  if (districtId === null || !budget.districts.some((d) => d.id === districtId)) {
    throw new ValidationError('districtId', 'Select the district where you live');
  }
  return voterSections(paper.sections, districtId);
}

/** Checks choices against the ballot's rules; throws every problem at once. */
export function checkChoices(
  budget: Budget,
  sections: readonly Section[],
  choices: readonly Choice[],
): SectionSummary[] {
  const checked = checkBallot(budget.ballot, sections, choices, budget.currency);
  if (checked.problems.length > 0) throw ValidationError.of(checked.problems);
  return checked.sections;
}

export interface RecordInput {
  placeId: string;
  budget: Budget;
  paper: BallotPaper;
  channel: Channel;
  districtId: string | null;
  choices: readonly Choice[];
  voterId?: string | null;
  accessCodeId?: string | null;
  paperSheetId?: string | null;
}

/** Checks and stores one ballot inside the caller's transaction. Window and eligibility are the caller's. */
export async function recordBallot(
  tx: Transaction<DB>,
  input: RecordInput,
): Promise<{ id: string; replaced: boolean }> {
  const sections = sectionsForVoter(input.budget, input.paper, input.districtId);
  checkChoices(input.budget, sections, input.choices);
  const usesPoints = input.budget.ballot.kind === 'cumulative' || input.budget.ballot.kind === 'scoring';
  return repo.saveBallot(tx, {
    placeId: input.placeId,
    budgetId: input.budget.id,
    districtId: input.budget.districts.length === 0 ? null : input.districtId,
    channel: input.channel,
    voterId: input.voterId ?? null,
    accessCodeId: input.accessCodeId ?? null,
    paperSheetId: input.paperSheetId ?? null,
    items: input.choices.map((c) => ({
      projectId: c.projectId,
      points: usesPoints ? (c.points ?? null) : null,
      rank: input.budget.ballot.kind === 'ordinal' ? (c.rank ?? null) : null,
    })),
  });
}

/** Every section of a budget as a pabulib election, with each ballot's channel. */
export async function budgetElections(
  db: Database,
  placeId: string,
  placeName: string,
  budget: Budget,
): Promise<SectionElection[]> {
  const paper = await ballotPaper(db, placeId, budget);
  const ballots = await repo.allBallots(db, placeId, budget.id);
  return paper.sections.map((s) => sectionElection(budget, placeName, s, paper.projects, ballots));
}

export { sectionField };
