import { commonDenominator, type Rational } from './rational.ts';

export interface CountingProject {
  readonly id: string;
  readonly cost: Rational;
}

/**
 * One voter's ballot as the rules see it: the projects they support and, for point-based rules, the points
 * given to each (parallel to `projects`). Approval rules ignore `points`.
 */
export interface CountingBallot {
  readonly projects: readonly string[];
  readonly points?: readonly bigint[] | null;
}

export interface CountingInput {
  readonly budget: Rational;
  readonly projects: readonly CountingProject[];
  /** One per voter, empty ballots included, because n counts every voter. */
  readonly ballots: readonly CountingBallot[];
}

/**
 * The input reshaped for counting: projects by index, money in whole units of 1/scale so that the hot
 * loops compare bigints, and identical ballots merged, since voters with the same ballot always hold the
 * same budget under Equal Shares.
 */
export interface Profile {
  readonly ids: readonly string[];
  /** Costs times `scale`, exact integers. */
  readonly costs: readonly bigint[];
  readonly budget: bigint;
  readonly scale: bigint;
  readonly voters: bigint;
  /** Approval count per project (supporters with a positive entry), the tie-break's second key. */
  readonly votes: readonly number[];
  /** Position of each project in the tie-break order: lower cost, more votes, then id. */
  readonly rank: readonly number[];
  readonly groups: readonly BallotGroup[];
  /** Per project, the groups supporting it and each group's per-voter weight (points, or 1). */
  readonly supporters: readonly Supporters[];
}

export interface BallotGroup {
  readonly count: bigint;
  readonly projects: readonly number[];
}

export interface Supporters {
  readonly groups: Int32Array;
  readonly weights: readonly bigint[];
}

export class CountingInputError extends Error {
  override name = 'CountingInputError';
}

/** Code-unit order, which is Python's code-point order for the ids pabulib uses. */
export const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function buildProfile(input: CountingInput, usePoints: boolean): Profile {
  const ids = input.projects.map((p) => p.id);
  const index = new Map<string, number>();
  ids.forEach((id, i) => {
    if (index.has(id)) throw new CountingInputError(`Project "${id}" is listed twice`);
    index.set(id, i);
  });
  const scale = commonDenominator([input.budget, ...input.projects.map((p) => p.cost)]);
  const costs = input.projects.map((p) => {
    if (p.cost.num < 0n) throw new CountingInputError(`Project "${p.id}" has a negative cost`);
    return (p.cost.num * scale) / p.cost.den;
  });
  const budget = (input.budget.num * scale) / input.budget.den;

  const votes = new Array<number>(ids.length).fill(0);
  const merged = new Map<string, { count: number; projects: number[]; weights: bigint[] }>();
  // namedIn[p] = the ballot that last named p: catches a project named twice without a set per ballot.
  const namedIn = new Int32Array(ids.length).fill(-1);
  const chosen: number[] = [];
  const points: bigint[] = [];
  const codes: number[] = [];
  for (let v = 0; v < input.ballots.length; v++) {
    const ballot = input.ballots[v]!;
    chosen.length = 0;
    points.length = 0;
    for (let k = 0; k < ballot.projects.length; k++) {
      const id = ballot.projects[k]!;
      const p = index.get(id);
      if (p === undefined) throw new CountingInputError(`A ballot names unknown project "${id}"`);
      if (namedIn[p] === v) throw new CountingInputError(`A ballot names project "${id}" twice`);
      namedIn[p] = v;
      const w = usePoints ? ballot.points?.[k] : 1n;
      if (w === undefined) throw new CountingInputError(`A ballot lacks points for project "${id}"`);
      if (w <= 0n) continue;
      // Insertion sort by project: ballots are short.
      let at = chosen.length;
      chosen.push(p);
      points.push(w);
      while (at > 0 && chosen[at - 1]! > p) {
        chosen[at] = chosen[at - 1]!;
        points[at] = points[at - 1]!;
        at--;
      }
      chosen[at] = p;
      points[at] = w;
    }
    // The key: the number of projects, then each index, as pairs of 16-bit characters in one flat
    // string (quick to hash); points, where they count, follow.
    codes.length = 0;
    codes.push(chosen.length & 0xffff, chosen.length >>> 16);
    for (const p of chosen) codes.push(p & 0xffff, p >>> 16);
    let key = String.fromCharCode.apply(null, codes);
    if (usePoints) key += points.join(',');
    const existing = merged.get(key);
    if (existing) existing.count++;
    else merged.set(key, { count: 1, projects: [...chosen], weights: [...points] });
  }

  const supportLists = ids.map(() => ({ groups: [] as number[], weights: [] as bigint[] }));
  const groups: BallotGroup[] = [];
  for (const g of merged.values()) {
    const gi = groups.length;
    groups.push({ count: BigInt(g.count), projects: g.projects });
    g.projects.forEach((p, k) => {
      supportLists[p]!.groups.push(gi);
      supportLists[p]!.weights.push(g.weights[k]!);
      votes[p]! += g.count;
    });
  }

  return {
    ids,
    costs,
    budget,
    scale,
    voters: BigInt(input.ballots.length),
    votes,
    rank: tieOrder(ids, costs, votes),
    groups,
    supporters: supportLists.map((s) => ({ groups: Int32Array.from(s.groups), weights: s.weights })),
  };
}

/** Each project's position in the tie-break order: lower cost first, then more votes, then id. */
export function tieOrder(
  ids: readonly string[],
  costs: readonly bigint[],
  votes: readonly number[],
): number[] {
  const byTieOrder = ids.map((_, i) => i);
  byTieOrder.sort((a, b) => {
    const ca = costs[a]!;
    const cb = costs[b]!;
    if (ca !== cb) return ca < cb ? -1 : 1;
    if (votes[a] !== votes[b]) return votes[b]! - votes[a]!;
    return compareIds(ids[a]!, ids[b]!);
  });
  const rank = new Array<number>(ids.length);
  byTieOrder.forEach((p, r) => {
    rank[p] = r;
  });
  return rank;
}

/** Which key of the tie-break order put `chosen` ahead of every other project in `tied`. */
export type TieKey = 'cost' | 'votes' | 'project_id';

/**
 * A tie the count had to resolve: at `step` (1 for the first project selected or considered), two or more
 * projects stood level (the same least ρ under Equal Shares, the same score under greedy). `tied` lists
 * them in the tie-break order, so `chosen` is the first; `decidedBy` is the key of that order that put it
 * ahead of all the others.
 */
export interface TieRecord {
  readonly step: number;
  readonly tied: readonly string[];
  readonly chosen: string;
  readonly decidedBy: TieKey;
}

export function decidingKey(profile: Profile, chosen: number, tied: readonly number[]): TieKey {
  let key: TieKey = 'cost';
  for (const q of tied) {
    if (q === chosen) continue;
    if (profile.costs[q] !== profile.costs[chosen]) continue;
    if (profile.votes[q] !== profile.votes[chosen]) {
      if (key === 'cost') key = 'votes';
      continue;
    }
    return 'project_id';
  }
  return key;
}

// Keyed by the arrays, not the profile: a profile with only a cost changed shares them and the work.
const headcountCache = new WeakMap<object, Float64Array>();
const headsPerProjectCache = new WeakMap<object, Float64Array>();

/** Voters per ballot group as plain numbers (exact: fewer than 2^53), worked out once per profile. */
export function headcounts(profile: Profile): Float64Array {
  let h = headcountCache.get(profile.groups);
  if (!h) {
    h = new Float64Array(profile.groups.length);
    for (let g = 0; g < h.length; g++) h[g] = Number(profile.groups[g]!.count);
    headcountCache.set(profile.groups, h);
  }
  return h;
}

/** How many voters support each project, as plain numbers, worked out once per profile. */
export function headsPerProject(profile: Profile): Float64Array {
  let h = headsPerProjectCache.get(profile.supporters);
  if (!h) {
    const perGroup = headcounts(profile);
    h = new Float64Array(profile.costs.length);
    for (let p = 0; p < h.length; p++) {
      const members = profile.supporters[p]!.groups;
      for (let k = 0; k < members.length; k++) h[p]! += perGroup[members[k]!]!;
    }
    headsPerProjectCache.set(profile.supporters, h);
  }
  return h;
}

/** The same election counted in units `factor` times smaller, so that costs like whole cents fit. */
export function rescaleProfile(profile: Profile, factor: bigint): Profile {
  if (factor === 1n) return profile;
  return {
    ...profile,
    costs: profile.costs.map((c) => c * factor),
    budget: profile.budget * factor,
    scale: profile.scale * factor,
  };
}

/** The same election with one project's cost (times scale) changed; the tie order follows the new cost. */
export function withCost(profile: Profile, project: number, cost: bigint): Profile {
  const costs = [...profile.costs];
  costs[project] = cost;
  return { ...profile, costs, rank: tieOrder(profile.ids, costs, profile.votes) };
}

/**
 * The same election with `extra` more voters whose ballots support only `project`, each with `weight`
 * (1, or points). They are counted as voters: n grows, and the tie order sees their votes.
 */
export function withExtraSupporters(
  profile: Profile,
  project: number,
  extra: number,
  weight: bigint,
): Profile {
  return extraSupporters(profile, project, weight)(extra);
}

/**
 * withExtraSupporters for many values of `extra` in turn, copying the ballots once rather than per call.
 * The profiles it returns share one ballot list, so each call changes the profile the previous call
 * returned: use each before asking for the next.
 */
export function extraSupporters(
  profile: Profile,
  project: number,
  weight: bigint,
): (extra: number) => Profile {
  const group = profile.groups.length;
  const groups = profile.groups.concat([{ count: 1n, projects: [project] }]);
  const supporters = [...profile.supporters];
  const s = profile.supporters[project]!;
  const members = new Int32Array(s.groups.length + 1);
  members.set(s.groups);
  members[s.groups.length] = group;
  supporters[project] = { groups: members, weights: [...s.weights, weight] };
  // Derive the counting caches from the original's rather than counting every ballot again.
  const perGroup = new Float64Array(groups.length);
  perGroup.set(headcounts(profile));
  headcountCache.set(groups, perGroup);
  const perProject = Float64Array.from(headsPerProject(profile));
  const before = perProject[project]!;
  headsPerProjectCache.set(supporters, perProject);
  return (extra) => {
    if (extra === 0) return profile;
    groups[group] = { count: BigInt(extra), projects: [project] };
    perGroup[group] = extra;
    perProject[project] = before + extra;
    const votes = [...profile.votes];
    votes[project]! += extra;
    return {
      ...profile,
      voters: profile.voters + BigInt(extra),
      votes,
      rank: tieOrder(profile.ids, profile.costs, votes),
      groups,
      supporters,
    };
  };
}
