import type { Budget } from '../budgets/budgets.service.ts';
import { minorToDecimal } from '../money.ts';
import type { PbBallot, PbElection, PbProject, VoteType } from '../pabulib.ts';
import { rational } from '../rules/rational.ts';
import type { Section } from './ballot-rules.ts';
import type { StoredBallot } from './ballots.repository.ts';
import type { Channel } from './ballots.table.ts';

export interface ElectionProject {
  readonly id: string;
  /** The id in the .pb file: the imported one, or our own id. */
  readonly pbId: string | null;
  readonly title: string;
  readonly cost: bigint;
  readonly districtId: string | null;
  readonly pbFields: Readonly<Record<string, string>> | null;
}

export interface SectionElection {
  readonly section: Section;
  readonly election: PbElection;
  /** The channel of each ballot, parallel to election.ballots. */
  readonly channels: readonly Channel[];
  /** Project id in the election → our project id. */
  readonly projectIds: ReadonlyMap<string, string>;
}

/**
 * One section of a budget as a pabulib election: the form every rule counts and every export writes.
 * A district's section holds the ballots cast in that district; the whole-area section holds every
 * ballot (each voter also fills it in). Voters are numbered 1, 2, 3… in the order they voted: no
 * account, code or sheet reference ever leaves the database.
 */
export function sectionElection(
  budget: Budget,
  placeName: string,
  section: Section,
  projects: readonly ElectionProject[],
  ballots: readonly StoredBallot[],
): SectionElection {
  const inSection = new Set(section.projects.map((p) => p.id));
  const own = projects.filter((p) => inSection.has(p.id));
  const pbIdOf = new Map(own.map((p) => [p.id, p.pbId ?? p.id]));
  const order = new Map(own.map((p, i) => [p.id, i]));
  const voteType: VoteType = budget.ballot.kind;
  const usesPoints = voteType === 'cumulative' || voteType === 'scoring';

  const pbProjects: PbProject[] = own.map((p) => {
    const cost = minorToDecimal(p.cost);
    const fields: Record<string, string> = { ...(p.pbFields ?? {}), project_id: pbIdOf.get(p.id)!, cost };
    if (!('name' in fields)) fields.name = p.title;
    const selected =
      fields.selected !== undefined && /^[0-3]$/.test(fields.selected) ? Number(fields.selected) : null;
    return {
      id: pbIdOf.get(p.id)!,
      cost: rational(p.cost, 100n),
      name: fields.name ?? p.title,
      selected,
      fields,
    };
  });

  const chosen = ballots.filter((b) => section.districtId === null || b.districtId === section.districtId);
  const pbBallots: PbBallot[] = [];
  const channels: Channel[] = [];
  chosen.forEach((b, i) => {
    const items = b.items.filter((it) => inSection.has(it.projectId));
    const ranked = items.every((it) => it.rank !== null);
    items.sort((x, y) =>
      ranked && items.length > 0 ? x.rank! - y.rank! : order.get(x.projectId)! - order.get(y.projectId)!,
    );
    pbBallots.push({
      voterId: String(i + 1),
      projects: items.map((it) => pbIdOf.get(it.projectId)!),
      points: usesPoints ? items.map((it) => BigInt(it.points ?? 0)) : null,
    });
    channels.push(b.channel);
  });

  const meta: Record<string, string> = budget.pbMeta
    ? { ...budget.pbMeta }
    : {
        description: `${budget.title}: ${section.name}`,
        country: 'United Kingdom',
        unit: placeName,
        instance: budget.votingOpensOn.slice(0, 4),
        district: section.name,
        budget: minorToDecimal(section.amount),
        vote_type: voteType,
        rule: budget.rule.startsWith('greedy') ? 'greedy' : 'equalshares',
        date_begin: budget.votingOpensOn,
        date_end: budget.votingClosesOn,
        currency: budget.currency,
        language: 'en',
        ...(budget.ballot.minProjects !== null ? { min_length: String(budget.ballot.minProjects) } : {}),
        ...(budget.ballot.maxProjects !== null ? { max_length: String(budget.ballot.maxProjects) } : {}),
        ...(budget.ballot.basket ? { max_sum_cost: minorToDecimal(section.amount) } : {}),
        ...(budget.ballot.pointsTotal !== null ? { max_sum_points: String(budget.ballot.pointsTotal) } : {}),
        ...(budget.ballot.maxPointsPerProject !== null
          ? { max_points: String(budget.ballot.maxPointsPerProject) }
          : {}),
      };
  meta.num_projects = String(pbProjects.length);
  meta.num_votes = String(pbBallots.length);
  meta.budget = minorToDecimal(section.amount);
  meta.vote_type = voteType;

  return {
    section,
    election: {
      meta,
      voteType,
      budget: rational(section.amount, 100n),
      projects: pbProjects,
      ballots: pbBallots,
    },
    channels,
    projectIds: new Map(own.map((p) => [pbIdOf.get(p.id)!, p.id])),
  };
}
