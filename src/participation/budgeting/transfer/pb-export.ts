import type { Section } from '../ballots/ballot-rules.ts';
import type { StoredBallot } from '../ballots/ballots.repository.ts';
import type { SectionElection } from '../ballots/election.ts';
import type { PbBallot, PbElection, PbProject } from '../pabulib.ts';
import { fromDecimal, type Rational } from '../rules/rational.ts';

function sameValue(text: string | undefined, value: Rational): boolean {
  if (text === undefined) return false;
  try {
    const read = fromDecimal(text);
    return read.num === value.num && read.den === value.den;
  } catch {
    return false;
  }
}

/** The ballots one section holds, in the order sectionElection numbers them. */
export function ballotsOfSection(section: Section, ballots: readonly StoredBallot[]): StoredBallot[] {
  return ballots.filter((b) => section.districtId === null || b.districtId === section.districtId);
}

/**
 * A section's election as it is written to a file. sectionElection gives every amount two decimal places and
 * every project a name; an imported election gets back the spelling and columns of its own file wherever
 * the values are unchanged (a budget of "1070000" stays "1070000", a file without names gains none), and
 * each ballot gets back the extra voter columns kept with it (age, sex…). Voter ids are not restored: they
 * were never stored, and voters are numbered 1..n in the order their ballots were stored.
 */
export function electionForFile(
  section: SectionElection,
  pbMeta: Readonly<Record<string, string>> | null,
  pbFieldsOf: ReadonlyMap<string, Readonly<Record<string, string>> | null>,
  ballots: readonly StoredBallot[],
): PbElection {
  const { election } = section;
  const meta = { ...election.meta };
  if (pbMeta && sameValue(pbMeta.budget, election.budget)) meta.budget = pbMeta.budget!;

  const projects: PbProject[] = election.projects.map((p) => {
    const ourId = section.projectIds.get(p.id);
    const kept = ourId === undefined ? null : (pbFieldsOf.get(ourId) ?? null);
    if (!kept) return p;
    const fields: Record<string, string> = { ...kept };
    if (fields.project_id?.trim() !== p.id) fields.project_id = p.id;
    if (!sameValue(fields.cost, p.cost)) fields.cost = p.fields.cost ?? '';
    return { ...p, name: fields.name ?? '', fields };
  });

  const own = ballotsOfSection(section.section, ballots);
  if (own.length !== election.ballots.length) throw new Error('Ballots changed while the file was written');
  const withFields: PbBallot[] = election.ballots.map((b, i) => {
    const fields = own[i]?.pbFields;
    return fields && Object.keys(fields).length > 0 ? { ...b, fields } : b;
  });

  return { ...election, meta, projects, ballots: withFields };
}

/** A file name from its parts: ASCII letters and digits joined by hyphens ("riverside-budget-2027-north.pb"). */
export function pbFileName(...parts: string[]): string {
  const slug = parts
    .map((part) =>
      part
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .replace(/[łŁ]/g, 'l')
        .replace(/[øØ]/g, 'o')
        .replace(/ß/g, 'ss')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, ''),
    )
    .filter(Boolean)
    .join('_')
    .slice(0, 120)
    .replace(/[-_]+$/, '');
  return `${slug || 'election'}.pb`;
}
