import type { BallotSettings } from '../budgets/budgets.service.ts';
import { moneyText } from '../money.ts';

/**
 * The rules of a ballot, pure and shared by every channel (online, access code, paper) and by the
 * page's running total. Money is in minor units (pence) so that no float ever enters a sum.
 */

export interface SectionProject {
  readonly id: string;
  readonly title: string;
  /** Estimated cost in minor units. */
  readonly cost: bigint;
}

/**
 * One part of a ballot with its own money: a district's projects, or the projects for the whole area.
 * A budget without districts has one section; with districts, a voter fills in their district's section
 * and, if there are projects for the whole area, that section too.
 */
export interface Section {
  /** The district, or null for the whole area. */
  readonly districtId: string | null;
  readonly name: string;
  /** Money to spend in this section, in minor units. */
  readonly amount: bigint;
  readonly projects: readonly SectionProject[];
}

export interface Choice {
  readonly projectId: string;
  /** Cumulative and scoring ballots. */
  readonly points?: number | null;
  /** Ranked ballots: 1 is the first choice. */
  readonly rank?: number | null;
}

export interface Problem {
  /** The form field to link to from the error summary. */
  readonly field: string;
  readonly message: string;
}

export interface SectionSummary {
  readonly districtId: string | null;
  readonly name: string;
  readonly amount: bigint;
  readonly chosen: number;
  /** What the chosen projects cost together. */
  readonly cost: bigint;
  readonly remaining: bigint;
  readonly pointsUsed: number;
  readonly pointsLeft: number | null;
  readonly problems: readonly Problem[];
}

/** The form field of a section's first input, for error summary links. */
export function sectionField(section: Section): string {
  return `section-${section.districtId ?? 'area'}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Plain-English sentences explaining each limit, shown above the ballot. */
export function limitsText(settings: BallotSettings, section: Section, currency: string): string[] {
  const lines: string[] = [];
  const { minProjects: min, maxProjects: max } = settings;
  if (settings.kind === 'choose-1') lines.push('Choose 1 project.');
  else if (min !== null && max !== null && min === max)
    lines.push(`Choose exactly ${plural(min, 'project')}.`);
  else if (min !== null && max !== null) lines.push(`Choose between ${min} and ${max} projects.`);
  else if (min !== null) lines.push(`Choose at least ${plural(min, 'project')}.`);
  else if (max !== null) lines.push(`Choose up to ${plural(max, 'project')}.`);
  if (settings.basket) {
    lines.push(
      `The projects you choose can cost up to ${moneyText(section.amount, currency)} together, the money for ${section.name}.`,
    );
  }
  if (settings.kind === 'cumulative' && settings.pointsTotal !== null) {
    lines.push(
      `Spread up to ${plural(settings.pointsTotal, 'point')} across the projects you support${
        settings.maxPointsPerProject !== null
          ? `, at most ${settings.maxPointsPerProject} on any one project`
          : ''
      }.`,
    );
  }
  if (settings.kind === 'ordinal') {
    lines.push(
      `Number the projects you support in order of preference, 1 for your first choice${
        settings.rankLimit !== null ? `, up to ${settings.rankLimit}` : ''
      }. Each number can be used once.`,
    );
  }
  return lines;
}

/**
 * Checks one section of a ballot and sums it up. Choices naming projects outside the section are a
 * problem too: a form can be tampered with.
 */
export function checkSection(
  settings: BallotSettings,
  section: Section,
  choices: readonly Choice[],
  currency: string,
): SectionSummary {
  const field = sectionField(section);
  const problems: Problem[] = [];
  const byId = new Map(section.projects.map((p) => [p.id, p]));
  const seen = new Set<string>();
  let cost = 0n;
  let pointsUsed = 0;
  const ranks = new Map<number, string>();
  const usesPoints = settings.kind === 'cumulative' || settings.kind === 'scoring';

  for (const choice of choices) {
    const project = byId.get(choice.projectId);
    if (!project || seen.has(choice.projectId)) {
      problems.push({ field, message: `Choose projects from the list for ${section.name}` });
      continue;
    }
    seen.add(project.id);
    cost += project.cost;
    if (usesPoints) {
      const points = choice.points ?? 0;
      if (!Number.isInteger(points) || points < 1) {
        problems.push({
          field: `points-${project.id}`,
          message: `Points for ${project.title} must be a whole number, 1 or more`,
        });
      } else {
        pointsUsed += points;
        if (settings.maxPointsPerProject !== null && points > settings.maxPointsPerProject) {
          problems.push({
            field: `points-${project.id}`,
            message: `You can give ${project.title} at most ${plural(settings.maxPointsPerProject, 'point')}`,
          });
        }
      }
    }
    if (settings.kind === 'ordinal') {
      const rank = choice.rank ?? 0;
      const limit = settings.rankLimit ?? section.projects.length;
      if (!Number.isInteger(rank) || rank < 1 || rank > limit) {
        problems.push({
          field: `rank-${project.id}`,
          message: `The number for ${project.title} must be between 1 and ${limit}`,
        });
      } else if (ranks.has(rank)) {
        problems.push({
          field: `rank-${project.id}`,
          message: `You gave ${project.title} and ${ranks.get(rank)} the same number, ${rank}: give each project a different number`,
        });
      } else {
        ranks.set(rank, project.title);
      }
    }
  }

  const chosen = seen.size;
  if (settings.kind === 'ordinal' && problems.length === 0) {
    // Numbers must run 1, 2, 3… without gaps, so the order is unambiguous.
    for (let r = 1; r <= chosen; r += 1) {
      if (!ranks.has(r)) {
        problems.push({ field, message: `Number your choices 1 to ${chosen} without gaps: ${r} is missing` });
        break;
      }
    }
  }
  if (settings.kind === 'choose-1' && chosen > 1)
    problems.push({ field, message: `Choose only 1 project for ${section.name}` });
  if (settings.minProjects !== null && chosen > 0 && chosen < settings.minProjects) {
    problems.push({
      field,
      message: `Choose at least ${plural(settings.minProjects, 'project')} for ${section.name}`,
    });
  }
  if (settings.maxProjects !== null && chosen > settings.maxProjects) {
    problems.push({
      field,
      message: `Choose no more than ${plural(settings.maxProjects, 'project')} for ${section.name}: you chose ${chosen}`,
    });
  }
  if (settings.kind === 'ordinal' && settings.rankLimit !== null && chosen > settings.rankLimit) {
    problems.push({
      field,
      message: `Rank no more than ${plural(settings.rankLimit, 'project')} for ${section.name}`,
    });
  }
  if (settings.basket && cost > section.amount) {
    problems.push({
      field,
      message: `The projects you chose for ${section.name} cost ${moneyText(cost, currency)} together, more than the ${moneyText(section.amount, currency)} available: remove a project`,
    });
  }
  if (settings.kind === 'cumulative' && settings.pointsTotal !== null && pointsUsed > settings.pointsTotal) {
    problems.push({
      field,
      message: `You gave ${pointsUsed} points for ${section.name}, more than the ${settings.pointsTotal} you have`,
    });
  }

  return {
    districtId: section.districtId,
    name: section.name,
    amount: section.amount,
    chosen,
    cost,
    remaining: section.amount - cost,
    pointsUsed,
    pointsLeft:
      settings.kind === 'cumulative' && settings.pointsTotal !== null
        ? settings.pointsTotal - pointsUsed
        : null,
    problems,
  };
}

/** Checks a whole ballot: every section, and that at least one project was chosen. */
export function checkBallot(
  settings: BallotSettings,
  sections: readonly Section[],
  choices: readonly Choice[],
  currency: string,
): { sections: SectionSummary[]; problems: Problem[] } {
  const sectionOf = new Map<string, Section>();
  for (const s of sections) for (const p of s.projects) sectionOf.set(p.id, s);
  const problems: Problem[] = [];
  const stray = choices.filter((c) => !sectionOf.has(c.projectId));
  if (stray.length > 0 && sections[0]) {
    problems.push({ field: sectionField(sections[0]), message: 'Choose projects from the list' });
  }
  const summaries = sections.map((s) =>
    checkSection(
      settings,
      s,
      choices.filter((c) => sectionOf.get(c.projectId) === s),
      currency,
    ),
  );
  for (const s of summaries) problems.push(...s.problems);
  if (choices.length === 0 && sections[0]) {
    problems.push({ field: sectionField(sections[0]), message: 'Choose at least one project' });
  }
  return { sections: summaries, problems };
}
