import { addDays, today } from '../participation/processes/phases.ts';
import type { Place } from '../places/places.service.ts';
import type { Actor } from '../platform/auth/actor.ts';
import type { Services } from '../services.ts';

/** Fictional residents who take part in the demo process. Names are invented. */
const NEIGHBOURS = [
  'Amara Holt',
  'Ben Okonjo',
  'Cara Lind',
  'Dev Raman',
  'Elif Sarı',
  'Finn Hale',
  'Gwen Ashby',
  'Hari Patel',
  'Iris Maddox',
  'Jonah Reyes',
  'Kemi Adeyemi',
  'Lars Vik',
  'Maya Torres',
  'Noor Haddad',
  'Olly Pike',
  'Priti Shah',
];

const PROPOSALS: {
  title: string;
  body: string;
  category: string;
  area: string;
  supporters: number;
  answer?: ['accepted' | 'not_accepted' | 'evaluating' | 'already_happening', string];
}[] = [
  {
    title: 'A zebra crossing outside Riverside Primary',
    body: 'Children cross Mill Lane every morning between parked cars. A zebra crossing with a school keep-clear zone would make the walk to school safe.',
    category: 'Streets',
    area: 'Northbank',
    supporters: 14,
    answer: [
      'accepted',
      'Highways have surveyed the site and will install the crossing during the February half term.',
    ],
  },
  {
    title: 'Water fountains along the river path',
    body: 'Runners, families and dog walkers use the river path all summer. Two or three drinking fountains would cut plastic bottles and help on hot days.',
    category: 'Parks and green spaces',
    area: 'Riverbank',
    supporters: 11,
    answer: ['evaluating', 'We are checking where the water mains run and what each fountain would cost.'],
  },
  {
    title: 'Open the school playgrounds at weekends',
    body: 'Three primary schools have good playgrounds that are locked from Friday to Monday. A community rota could open them on Saturdays for families without gardens.',
    category: 'Young people',
    area: 'Southbank',
    supporters: 9,
  },
  {
    title: 'Better lighting on the Canal Street underpass',
    body: 'The underpass is dark and people avoid it after 4pm in winter, which means a long detour. Brighter, vandal-proof lights and a mural would change that.',
    category: 'Streets',
    area: 'Old Town',
    supporters: 8,
    answer: [
      'already_happening',
      'New lighting is already funded in this year’s capital programme and will be fitted in March.',
    ],
  },
  {
    title: 'A community fridge at the library',
    body: 'Supermarkets and allotment holders throw away good food. A community fridge at the library, run by volunteers, would share it with anyone who needs it.',
    category: 'Community',
    area: 'Northbank',
    supporters: 7,
  },
  {
    title: 'Plant fruit trees in Mill Park',
    body: 'Apple, pear and plum trees along the north edge of Mill Park would give shade, blossom and free fruit, and the school could help look after them.',
    category: 'Parks and green spaces',
    area: 'Northbank',
    supporters: 6,
  },
  {
    title: 'Benches every 200 metres on the High Street',
    body: 'Older residents tell us they cannot walk the length of the High Street without a rest. More benches would help them shop locally.',
    category: 'Streets',
    area: 'Old Town',
    supporters: 5,
  },
  {
    title: 'A skate spot under the ring road',
    body: 'Young people skate in the car park and get moved on. The dry space under the ring road bridge could be a small, legal skate spot.',
    category: 'Young people',
    area: 'Southbank',
    supporters: 4,
    answer: [
      'not_accepted',
      'The space under the bridge is owned by the highways agency and cannot be used for public activities, but we are looking at the old tennis courts instead.',
    ],
  },
  {
    title: 'Free repair café once a month',
    body: 'A monthly repair café in the community centre would keep toasters, bikes and clothes out of landfill and teach people to fix things.',
    category: 'Community',
    area: 'Riverbank',
    supporters: 3,
  },
  {
    title: 'Wildflower verges instead of mown grass',
    body: 'Mowing the verges less and sowing wildflowers would save money and bring back bees and butterflies.',
    category: 'Parks and green spaces',
    area: 'Southbank',
    supporters: 2,
  },
];

const CONVERSATION: {
  proposal: number;
  author: number;
  stance: 'in_favour' | 'against' | 'neutral';
  body: string;
  replies?: {
    author: number;
    stance: 'in_favour' | 'against' | 'neutral';
    body: string;
    replies?: { author: number; stance: 'in_favour' | 'against' | 'neutral'; body: string }[];
  }[];
}[] = [
  {
    proposal: 0,
    author: 1,
    stance: 'in_favour',
    body: 'My daughter has nearly been hit twice this term. **Please** do this before someone is hurt.',
    replies: [
      {
        author: 4,
        stance: 'neutral',
        body: 'Would a lollipop person be quicker while the crossing is built?',
        replies: [
          {
            author: 1,
            stance: 'in_favour',
            body: 'Both, ideally. The school has asked the council about a crossing patrol already.',
          },
        ],
      },
      {
        author: 6,
        stance: 'against',
        body: 'A crossing will push traffic onto Elm Road, which has no pavement on one side.',
      },
    ],
  },
  {
    proposal: 0,
    author: 9,
    stance: 'in_favour',
    body: 'The keep-clear markings matter as much as the crossing: parents park right up to the gate.',
  },
  {
    proposal: 1,
    author: 3,
    stance: 'in_favour',
    body: 'Yes please. The café by the boathouse stops serving tap water when it is busy.',
    replies: [
      { author: 11, stance: 'neutral', body: 'Fountains need cleaning every week. Who would pay for that?' },
    ],
  },
  {
    proposal: 2,
    author: 5,
    stance: 'in_favour',
    body: 'We have no garden and the nearest park is a bus ride away. This would change our weekends.',
  },
  {
    proposal: 2,
    author: 12,
    stance: 'against',
    body: 'Insurance and safeguarding make this harder than it sounds. Who holds the keys?',
  },
  {
    proposal: 7,
    author: 14,
    stance: 'in_favour',
    body: 'The old tennis courts idea is good, please keep us posted.',
  },
];

/** An active process in the demo place, with proposals, supports, answers and lively threads. */
export async function seedDemoParticipation(
  services: Services,
  place: Place,
  officer: Actor,
  steward: Actor,
) {
  const { accounts, processes, proposals, deliberation } = services;
  const neighbours: Actor[] = [];
  for (const [i, name] of NEIGHBOURS.entries()) {
    const email = `${name.split(' ')[0]!.toLowerCase()}@riverside.example`;
    const id = await accounts.createVerifiedAccount({ email, name, password: `neighbour-demo-${i}-pass` });
    await services.places.grantRole(steward, place, email, 'resident');
    neighbours.push((await accounts.loadActor(id, 'demo-seed'))!);
  }
  await processes.replacePostcodes(officer, place, 'RV1 1AA\nRV1 1AB\nRV1 2AA\nRV2 1AA\nRV2 3BD\nRV3 4EF');

  const on = today();
  const processId = await processes.createProcess(officer, place, {
    title: 'Riverside Green Streets 2027',
    summary: 'Tell us how £250,000 should make Riverside’s streets and parks safer, greener and friendlier.',
    body: '## What this is about\n\nThe council has set aside **£250,000** for small changes to streets, parks and community spaces, chosen by residents.\n\n## How it works\n\n1. Make a proposal, or support the ones you like.\n2. Officers answer every proposal with 10 or more supports.\n3. Feasible proposals go to a public vote in the spring.\n\nRead the [full guidance](https://riverside.example/green-streets).',
    area: 'All of Riverside',
    categories: ['Streets', 'Parks and green spaces', 'Young people', 'Community'],
    eligibility: 'signed_in',
    minimumAge: null,
    supportThreshold: 10,
    supportsPerResident: null,
    phases: [
      {
        name: 'Information',
        description: '',
        startsOn: addDays(on, -35),
        endsOn: addDays(on, -15),
        allowsPropose: false,
        allowsSupport: false,
        allowsComment: true,
        allowsVote: false,
      },
      {
        name: 'Proposals',
        description: '',
        startsOn: addDays(on, -14),
        endsOn: addDays(on, 21),
        allowsPropose: true,
        allowsSupport: true,
        allowsComment: true,
        allowsVote: false,
      },
      {
        name: 'Deliberation',
        description: '',
        startsOn: addDays(on, 22),
        endsOn: addDays(on, 50),
        allowsPropose: false,
        allowsSupport: true,
        allowsComment: true,
        allowsVote: false,
      },
      {
        name: 'Voting',
        description: '',
        startsOn: addDays(on, 51),
        endsOn: addDays(on, 72),
        allowsPropose: false,
        allowsSupport: false,
        allowsComment: true,
        allowsVote: true,
      },
      {
        name: 'Implementation',
        description: '',
        startsOn: addDays(on, 73),
        endsOn: addDays(on, 400),
        allowsPropose: false,
        allowsSupport: false,
        allowsComment: true,
        allowsVote: false,
      },
    ],
  });
  const process = await processes.getProcess(place, processId);

  const ids: string[] = [];
  for (const [i, p] of PROPOSALS.entries()) {
    const author = neighbours[i % neighbours.length]!;
    const { id } = await proposals.createProposal(author, place, process, {
      title: p.title,
      body: p.body,
      category: p.category,
      area: p.area,
      postcode: null,
    });
    ids.push(id);
    for (let s = 0; s < p.supporters; s++) {
      const supporter = neighbours[(i + s + 1) % neighbours.length]!;
      if (supporter.user!.id !== author.user!.id) await proposals.support(supporter, place, process, id);
    }
    if (p.answer) await proposals.answer(officer, place, process, id, p.answer[0], p.answer[1]);
  }

  for (const c of CONVERSATION) {
    const target = { processId, proposalId: ids[c.proposal]! };
    const top = await deliberation.create(neighbours[c.author]!, place, target, {
      body: c.body,
      stance: c.stance,
      parentId: null,
    });
    for (const r of c.replies ?? []) {
      const reply = await deliberation.create(neighbours[r.author]!, place, target, {
        body: r.body,
        stance: r.stance,
        parentId: top.id,
      });
      for (const rr of r.replies ?? []) {
        await deliberation.create(neighbours[rr.author]!, place, target, {
          body: rr.body,
          stance: rr.stance,
          parentId: reply.id,
        });
      }
    }
  }
  await deliberation.create(
    neighbours[8]!,
    place,
    { processId, proposalId: null },
    {
      body: 'Will the vote be open to people who work in Riverside but live elsewhere?',
      stance: 'neutral',
      parentId: null,
    },
  );
  return { processId, neighbours };
}
