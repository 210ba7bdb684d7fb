import type { Actor } from '../platform/auth/actor.ts';
import type { PlaceSummary } from '../platform/views/place-context.ts';
import type { Services } from '../services.ts';

/** Riverside's synthetic population profile; the areas are the community fund's districts, so turnout shows. */
const RIVERSIDE_PROFILE = [
  'dimension,category,count,share',
  'Age band,16–24,1840,',
  'Age band,25–34,2610,',
  'Age band,35–49,3320,',
  'Age band,50–64,2950,',
  'Age band,65 and over,2280,',
  'Gender,Woman,6710,',
  'Gender,Man,6170,',
  'Gender,Another gender,120,',
  'Area,Northbank,6200,',
  'Area,Southbank,6800,',
  'Ethnicity,Asian or Asian British,,14.2',
  'Ethnicity,Black or Black British,,7.6',
  'Ethnicity,Mixed or multiple,,3.9',
  'Ethnicity,White,,71.8',
  'Ethnicity,Another ethnic group,,2.5',
  'Disability,Disabled,2470,',
  'Disability,Not disabled,10530,',
].join('\n');

const AGES = ['16–24', '25–34', '35–49', '50–64', '65 and over'];
const GENDERS = ['Woman', 'Man'];
const AREAS = ['Northbank', 'Southbank'];
const ETHNICITIES = [
  'White',
  'White',
  'Asian or Asian British',
  'White',
  'Black or Black British',
  'Mixed or multiple',
];

/**
 * The profile, and "About you" answers from the demo's neighbours (every one of them with consent; a few
 * prefer not to say or skip a question), spread so that older residents are over-represented, as is common.
 */
export async function seedDemoRepresentation(
  services: Services,
  place: PlaceSummary,
  actors: { officer: Actor; residents: Actor[] },
): Promise<void> {
  const { representation } = services;
  await representation.uploadProfile(actors.officer, place, {
    filename: 'riverside-census-2021.csv',
    bytes: Buffer.from(RIVERSIDE_PROFILE),
  });
  for (const [i, resident] of actors.residents.entries()) {
    const answers: Record<string, string> = {
      'age-band': AGES[Math.min(4, 1 + ((i * 3) % 5))]!,
      gender: i % 7 === 3 ? 'prefer_not_to_say' : GENDERS[i % 2]!,
      area: AREAS[(i * 5) % 2]!,
      ethnicity: ETHNICITIES[i % ETHNICITIES.length]!,
    };
    if (i % 4 !== 1) answers.disability = i % 5 === 0 ? 'Disabled' : 'Not disabled';
    await representation.saveAnswers(resident, place, { consent: true, answers });
  }
}
