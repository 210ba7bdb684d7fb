import { addDays, today } from '../participation/processes/phases.ts';
import type { Actor } from '../platform/auth/actor.ts';
import type { PlaceSummary } from '../platform/views/place-context.ts';
import type { Services } from '../services.ts';

/**
 * Riverside's citizens' assembly on the climate: features and quotas, 150 invented registrants (the
 * same people as docs/samples/assembly-registrants-sample.csv), a selection computed, published and
 * drawn with a seed, two sessions, a document, and two recommendations with the council's responses.
 * The registrants come from a fixed pseudo-random sequence, so the demo is the same every time.
 */

export const DEMO_ASSEMBLY_TITLE = 'Riverside Climate Assembly';
export const DEMO_ASSEMBLY_SEED = '07 14 22 31 38 45';

/** The quotas for a panel of 24, in the engine's feature,value,min,max[,min_flex,max_flex] shape. */
export const DEMO_ASSEMBLY_QUOTAS = `feature,value,min,max,min_flex,max_flex
Gender,Female,11,13,9,15
Gender,Male,10,12,8,14
Gender,Non-binary or other,0,2,0,3
Age band,16-29,5,7,3,9
Age band,30-44,5,7,3,9
Age band,45-59,5,7,3,9
Age band,60+,5,7,3,9
Area,Northbank,5,7,3,9
Area,Southbank,5,7,3,9
Area,Old Town,5,7,3,9
Area,Millbrook,5,7,3,9
Attitude to climate change,Very concerned,8,11,6,13
Attitude to climate change,Fairly concerned,7,10,5,12
Attitude to climate change,Not very or not at all concerned,4,7,2,9
Disability,Disabled,3,6,2,8
Disability,Not disabled,18,21,16,22
`;

const FIRST_NAMES = [
  'Amara',
  'Bryn',
  'Cerys',
  'Dev',
  'Elin',
  'Farah',
  'Gethin',
  'Hattie',
  'Idris',
  'Juno',
  'Kai',
  'Leona',
  'Milo',
  'Nia',
  'Osian',
  'Priya',
  'Quinn',
  'Rhys',
  'Sana',
  'Tomos',
  'Uma',
  'Vince',
  'Wren',
  'Yusuf',
  'Zara',
  'Arlo',
  'Bea',
  'Cal',
  'Dilys',
  'Emeka',
];
const LAST_NAMES = [
  'Ashdown',
  'Brightwell',
  'Carrow',
  'Dunmore',
  'Elsworth',
  'Fairbairn',
  'Greaves',
  'Halloran',
  'Inchley',
  'Jessop',
  'Kettering',
  'Larkin',
  'Marlow',
  'Nethercott',
  'Okonjo',
  'Penhallow',
  'Quarry',
  'Redfern',
  'Stroud',
  'Thwaite',
  'Underhill',
  'Varley',
  'Winstanley',
  'Yeoman',
];
const STREETS: Record<string, string[]> = {
  Northbank: ['Ferry Road', 'Heron Way', 'Lock Street'],
  Southbank: ['Wharf Lane', 'Tanner Row', 'Osier Close'],
  'Old Town': ['Market Street', 'Chapel Yard', 'Bridge Street'],
  Millbrook: ['Mill Lane', 'Weir Gardens', 'Brook Rise'],
};
const POSTCODES: Record<string, string> = {
  Northbank: 'RV1',
  Southbank: 'RV2',
  'Old Town': 'RV3',
  Millbrook: 'RV4',
};

/** mulberry32: small, fast and the same on every machine, which is all the demo needs. */
function sequence(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let r = random() * total;
  for (const [item, weight] of items) {
    r -= weight;
    if (r < 0) return item;
  }
  return items[items.length - 1]![0];
}

const csvCell = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

/**
 * Invented registrants as an import CSV: one column per feature, an id, a name, contacts and the
 * address columns. Every seventh person lives at the previous person's address, so the household rule
 * has something to do.
 */
export function syntheticRegistrantsCsv(count = 150): string {
  const random = sequence(20261128);
  const header = [
    'id',
    'first_name',
    'last_name',
    'email',
    'phone',
    'address_line_1',
    'postcode',
    'Gender',
    'Age band',
    'Area',
    'Attitude to climate change',
    'Disability',
  ];
  const lines = [header.join(',')];
  let address = { line: '', postcode: '', area: 'Northbank' };
  for (let i = 1; i <= count; i++) {
    const shares = i > 1 && i % 7 === 0;
    const area = shares
      ? address.area
      : pick(
          random,
          Object.keys(STREETS).map((a) => [a, 1] as const),
        );
    if (!shares) {
      const streets = STREETS[area]!;
      const street = streets[Math.floor(random() * streets.length)]!;
      const outward = POSTCODES[area]!;
      address = {
        line: `${1 + Math.floor(random() * 120)} ${street}`,
        postcode: `${outward} ${1 + Math.floor(random() * 9)}${'ABDEFGHJLNPQRSTUWXYZ'[Math.floor(random() * 20)]}${'ABDEFGHJLNPQRSTUWXYZ'[Math.floor(random() * 20)]}`,
        area,
      };
    }
    const first = FIRST_NAMES[Math.floor(random() * FIRST_NAMES.length)]!;
    const last = LAST_NAMES[Math.floor(random() * LAST_NAMES.length)]!;
    const gender = pick(random, [
      ['Female', 50],
      ['Male', 47],
      ['Non-binary or other', 3],
    ] as const);
    const age = pick(random, [
      ['16-29', 22],
      ['30-44', 27],
      ['45-59', 26],
      ['60+', 25],
    ] as const);
    const attitude = pick(random, [
      ['Very concerned', 42],
      ['Fairly concerned', 36],
      ['Not very or not at all concerned', 22],
    ] as const);
    const disability = pick(random, [
      ['Disabled', 20],
      ['Not disabled', 80],
    ] as const);
    const id = `R${String(i).padStart(4, '0')}`;
    lines.push(
      [
        id,
        first,
        last,
        `${first}.${last}.${i}@example.org`.toLowerCase(),
        `01632 960${String(i).padStart(3, '0')}`,
        address.line,
        address.postcode,
        gender,
        age,
        area,
        attitude,
        disability,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function seedDemoAssemblies(
  deps: Services,
  place: PlaceSummary,
  people: { officer: Actor },
): Promise<void> {
  const { assemblies, assemblyRecruitment, assemblyPanels, assemblyWork } = deps;
  const { officer } = people;
  const on = today();
  const id = await assemblies.createAssembly(officer, place, {
    title: DEMO_ASSEMBLY_TITLE,
    purpose:
      'How should Riverside reach net zero by 2035, fairly for everyone who lives here? Twenty-four residents, chosen by a fair lottery, hear the evidence, deliberate and recommend.',
    panelSize: 24,
    startsOn: addDays(on, -21),
    endsOn: addDays(on, 60),
  });
  let assembly = await assemblies.getAssembly(place, id);
  await assemblies.uploadQuotas(officer, place, assembly, DEMO_ASSEMBLY_QUOTAS);
  // Mark disability as special-category data: kept only with the registrant's explicit consent.
  const disability = (await assemblies.features(place, id)).find((f) => f.name === 'Disability')!;
  await assemblies.saveFeature(officer, place, assembly, disability.id, {
    name: disability.name,
    question: 'Do you consider yourself disabled?',
    specialCategory: true,
    values: disability.values,
  });
  await assemblyRecruitment.importRegistrants(officer, place, assembly, {
    text: syntheticRegistrantsCsv(150),
    addressColumns: ['address_line_1', 'postcode'],
    consent: true,
  });

  // Computed here and now rather than left to the background runner, so the demo opens finished.
  const selectionId = await assemblyPanels.requestSelection(officer, place, assembly, {
    algorithm: 'maximin',
    uniformPanels: null,
  });
  await assemblyPanels.runner.runNow(place.id, selectionId);
  assembly = await assemblies.getAssembly(place, id);
  await assemblyPanels.publish(officer, place, assembly, selectionId);
  await assemblyPanels.draw(officer, place, assembly, selectionId, DEMO_ASSEMBLY_SEED);
  assembly = await assemblies.getAssembly(place, id);
  await assemblies.updateAssembly(officer, place, id, { ...assembly, status: 'sitting' });
  assembly = await assemblies.getAssembly(place, id);

  await assemblyWork.addSession(officer, place, assembly, {
    heldOn: addDays(on, -14),
    location: 'Riverside Library, Community Room',
    agenda: 'Welcome; how the lottery chose the members; evidence on home heating and transport.',
  });
  await assemblyWork.addSession(officer, place, assembly, {
    heldOn: addDays(on, -7),
    location: 'Old Town Hall, Council Chamber',
    agenda: 'Deliberation in small groups; drafting and voting on recommendations.',
  });
  await assemblyWork.addDocument(officer, place, assembly, {
    title: 'Evidence pack: Riverside’s carbon emissions',
    url: 'https://www.example.org/riverside/climate-assembly/evidence-pack',
    filename: null,
    content: null,
  });
  const buses = await assemblyWork.publishRecommendation(officer, place, assembly, {
    title: 'Free buses on Sundays for a year',
    body: 'Make every bus within Riverside free on Sundays for one year, and measure the change in car journeys.',
  });
  const lofts = await assemblyWork.publishRecommendation(officer, place, assembly, {
    title: 'Insulate every council home by 2030',
    body: 'Insulate the lofts and walls of every council home by 2030, starting with the homes hardest to heat.',
  });
  await assemblyWork.respond(officer, place, assembly, buses, {
    response: 'partly',
    reason: 'We will run free Sunday buses for six months first, then decide on the rest of the year.',
  });
  await assemblyWork.respond(officer, place, assembly, lofts, {
    response: 'accepted',
    reason: 'Funded from the housing capital programme; the first 400 homes are scheduled for next year.',
  });
}
