import { type Cell, suppressGroup } from './suppression.ts';

/**
 * The representation index of a group: its share among the people who took part and answered, divided by
 * its share of the population, × 100, rounded to a whole number (halves up). 100 means the group took
 * part in proportion to its size; 50, at half its share; 200, at twice. Undefined when the group has no
 * share of the population.
 */
export function representationIndex(
  participants: number,
  answered: number,
  populationShare: number,
): number | null {
  if (answered <= 0 || populationShare <= 0) return null;
  return Math.floor((participants / answered / populationShare) * 100 + 0.5 + 1e-9);
}

export interface CategoryInput {
  category: string;
  /** 0–1. */
  populationShare: number;
  participants: number;
}

export interface CategoryComparison {
  category: string;
  populationShare: number;
  participants: Cell;
  /** Share among those who answered with a category of the profile, 0–1; null when hidden. */
  participantShare: number | null;
  index: number | null;
}

export interface DimensionComparison {
  /** People who answered with one of the profile's categories. */
  answered: Cell;
  preferNot: Cell;
  notAnswered: Cell;
  categories: CategoryComparison[];
}

/**
 * Compares the answers of the people taking part (signed in, so asked) with the population, for one
 * dimension, with every count suppressed as `suppression.ts` says. The people asked split into those who
 * answered with a category, preferred not to say, and did not answer; those who answered split into the
 * categories. Each split is a group of its own, and the categories are only shown when the number who
 * answered is, so that neither split can be worked out from the other.
 */
export function compareDimension(
  categories: CategoryInput[],
  preferNot: number,
  notAnswered: number,
): DimensionComparison {
  const answered = categories.reduce((s, c) => s + c.participants, 0);
  // The number who answered is kept whenever it is 5 or more, as every share depends on it: if the other
  // two must be hidden they are withheld together, which at most tells that both are 0 (everyone in the
  // view answered), nothing about anyone's answer.
  const top = suppressGroup([answered, preferNot, notAnswered], { keep: [0] });
  const answeredShown = top[0]!.kind === 'shown';
  const cells: Cell[] = answeredShown
    ? suppressGroup(categories.map((c) => c.participants))
    : categories.map(() => ({ kind: 'withheld' }));
  return {
    answered: top[0]!,
    preferNot: top[1]!,
    notAnswered: top[2]!,
    categories: categories.map((c, i) => {
      const cell = cells[i]!;
      const shown = cell.kind === 'shown';
      return {
        category: c.category,
        populationShare: c.populationShare,
        participants: cell,
        participantShare: shown ? c.participants / answered : null,
        index: shown ? representationIndex(c.participants, answered, c.populationShare) : null,
      };
    }),
  };
}
