import type { OrganizationKind, ServiceStatus } from '../directory/directory.table.ts';
import type { Actor } from '../platform/auth/actor.ts';
import type { PlaceSummary } from '../platform/views/place-context.ts';
import type { Services } from '../services.ts';

/**
 * Riverside's directory: the needs residents search by, eight organisations (two schools, a nursery,
 * charities, a health service …) and their services, in Northbank and Southbank. Every name, address,
 * email and telephone number is invented (telephone numbers from Ofcom's range for drama).
 */

const NEEDS: { code: string; name: string; parent?: string }[] = [
  { code: 'mental-health', name: 'Emotional wellbeing and mental health' },
  { code: 'anxiety', name: 'Anxiety and worry', parent: 'mental-health' },
  { code: 'bereavement', name: 'Bereavement', parent: 'mental-health' },
  { code: 'food', name: 'Food' },
  { code: 'money', name: 'Money and debt' },
  { code: 'housing', name: 'Housing' },
  { code: 'family', name: 'Family support' },
  { code: 'early-years', name: 'Early years and childcare', parent: 'family' },
  { code: 'learning', name: 'Learning and skills' },
  { code: 'physical-health', name: 'Physical health and activity' },
  { code: 'loneliness', name: 'Loneliness and social connection' },
];

interface DemoLocation {
  key: string;
  name: string;
  address1: string;
  postalCode: string;
  area: 'Northbank' | 'Southbank';
  latitude: string;
  longitude: string;
}

interface DemoService {
  name: string;
  description: string;
  needs: string[];
  at: string[];
  fees?: string;
  eligibility?: string;
  minimumAge?: number;
  maximumAge?: number;
  status?: ServiceStatus;
  contact?: { name: string; title: string; email?: string; phone?: string };
}

interface DemoOrganization {
  name: string;
  kind: OrganizationKind;
  description: string;
  email: string;
  url: string;
  phone: string;
  locations: DemoLocation[];
  services: DemoService[];
}

const ORGANIZATIONS: DemoOrganization[] = [
  {
    name: 'Riverside Food Network',
    kind: 'charity',
    description: 'A food bank and community pantries run by volunteers across Riverside.',
    email: 'hello@food-network.example',
    url: 'https://food-network.example',
    phone: '01632 960 101',
    locations: [
      {
        key: 'pantry-n',
        name: 'Mill Lane Pantry',
        address1: '14 Mill Lane',
        postalCode: 'RV1 2AB',
        area: 'Northbank',
        latitude: '51.512300',
        longitude: '-0.104500',
      },
      {
        key: 'foodbank-s',
        name: 'Quayside Food Bank',
        address1: '3 Quay Street',
        postalCode: 'RV2 9XY',
        area: 'Southbank',
        latitude: '51.498100',
        longitude: '-0.098700',
      },
    ],
    services: [
      {
        name: 'Emergency food parcels',
        description:
          'Three days of food for you and your family, with no questions asked on your first visit.',
        needs: ['food'],
        at: ['foodbank-s'],
        fees: 'Free',
        eligibility: 'Anyone living in Riverside who is struggling to afford food.',
        contact: { name: 'Dee Okoro', title: 'Food bank coordinator', phone: '01632 960 102' },
      },
      {
        name: 'Community pantry',
        description:
          'Choose groceries for a small weekly membership fee. Fresh fruit and vegetables most weeks.',
        needs: ['food', 'money'],
        at: ['pantry-n'],
        fees: '£4 a week for about £20 of food',
        eligibility: 'Riverside residents; join at your first visit.',
      },
    ],
  },
  {
    name: 'Northbank Mind Matters',
    kind: 'charity',
    description: 'Local mental health charity offering groups, one-to-one support and a listening line.',
    email: 'support@mind-matters.example',
    url: 'https://mind-matters.example',
    phone: '01632 960 201',
    locations: [
      {
        key: 'wellbeing-hub',
        name: 'Wellbeing Hub',
        address1: '7 Ferry Road',
        postalCode: 'RV1 4CD',
        area: 'Northbank',
        latitude: '51.514200',
        longitude: '-0.110300',
      },
    ],
    services: [
      {
        name: 'Worry and anxiety group',
        description: 'A friendly weekly group to learn ways of managing worry, led by trained facilitators.',
        needs: ['anxiety'],
        at: ['wellbeing-hub'],
        fees: 'Free',
        eligibility: 'Adults aged 18 and over.',
        minimumAge: 18,
        contact: { name: 'Sam Adeyemi', title: 'Group facilitator', email: 'groups@mind-matters.example' },
      },
      {
        name: 'Young people’s wellbeing drop-in',
        description: 'Talk to a youth worker about anything that is on your mind. Just turn up.',
        needs: ['mental-health'],
        at: ['wellbeing-hub'],
        fees: 'Free',
        minimumAge: 11,
        maximumAge: 18,
      },
      {
        name: 'Bereavement support',
        description: 'One-to-one support for people who have lost someone close to them.',
        needs: ['bereavement'],
        at: ['wellbeing-hub'],
        fees: 'Free',
        eligibility: 'By self-referral or referral from a GP.',
      },
    ],
  },
  {
    name: 'Southbank Advice Centre',
    kind: 'charity',
    description: 'Free, confidential advice on money, debt, benefits and housing.',
    email: 'advice@southbank-advice.example',
    url: 'https://southbank-advice.example',
    phone: '01632 960 301',
    locations: [
      {
        key: 'advice',
        name: 'Southbank Advice Centre',
        address1: '21 Harbour Parade',
        postalCode: 'RV2 7EF',
        area: 'Southbank',
        latitude: '51.496400',
        longitude: '-0.092100',
      },
    ],
    services: [
      {
        name: 'Money and debt advice',
        description:
          'Help to deal with debts, make a budget and check you get the benefits you are entitled to.',
        needs: ['money'],
        at: ['advice'],
        fees: 'Free',
        contact: { name: '', title: 'Advice line', phone: '01632 960 302' },
      },
      {
        name: 'Housing advice',
        description:
          'Advice if you are at risk of losing your home, or your home needs repairs the landlord will not do.',
        needs: ['housing'],
        at: ['advice'],
        fees: 'Free',
      },
    ],
  },
  {
    name: 'Northbank Primary School',
    kind: 'school',
    description: 'A community primary school for children aged 4 to 11.',
    email: 'office@northbank-primary.example',
    url: 'https://northbank-primary.example',
    phone: '01632 960 401',
    locations: [
      {
        key: 'northbank-primary',
        name: 'Northbank Primary School',
        address1: 'School Lane',
        postalCode: 'RV1 6GH',
        area: 'Northbank',
        latitude: '51.516700',
        longitude: '-0.101200',
      },
    ],
    services: [
      {
        name: 'Breakfast club',
        description: 'A healthy breakfast and games before school, from 7.45am.',
        needs: ['food', 'family'],
        at: ['northbank-primary'],
        fees: '£1.50 a day; free for children who get free school meals',
        minimumAge: 4,
        maximumAge: 11,
      },
    ],
  },
  {
    name: 'Southbank Academy',
    kind: 'school',
    description: 'A secondary school for students aged 11 to 18.',
    email: 'office@southbank-academy.example',
    url: 'https://southbank-academy.example',
    phone: '01632 960 501',
    locations: [
      {
        key: 'academy',
        name: 'Southbank Academy',
        address1: 'Riverbank Avenue',
        postalCode: 'RV2 3JK',
        area: 'Southbank',
        latitude: '51.493900',
        longitude: '-0.089500',
      },
    ],
    services: [
      {
        name: 'Homework club',
        description: 'A quiet place with help from teachers after school, Monday to Thursday.',
        needs: ['learning'],
        at: ['academy'],
        fees: 'Free',
        minimumAge: 11,
        maximumAge: 16,
      },
    ],
  },
  {
    name: 'Little Otters Nursery',
    kind: 'nursery',
    description: 'A nursery and pre-school for children from six months to five years.',
    email: 'hello@little-otters.example',
    url: 'https://little-otters.example',
    phone: '01632 960 601',
    locations: [
      {
        key: 'otters',
        name: 'Little Otters Nursery',
        address1: '2 Willow Close',
        postalCode: 'RV1 8LM',
        area: 'Northbank',
        latitude: '51.518900',
        longitude: '-0.107800',
      },
    ],
    services: [
      {
        name: 'Funded early education places',
        description: 'Funded hours for two, three and four year olds, term time or spread across the year.',
        needs: ['early-years'],
        at: ['otters'],
        fees: 'Free for funded hours; extra hours charged',
        maximumAge: 5,
      },
    ],
  },
  {
    name: 'Riverside Community Health Team',
    kind: 'health',
    description: 'NHS community nurses, health visitors and physiotherapists for Riverside.',
    email: 'community.health@riverside-health.example',
    url: 'https://riverside-health.example',
    phone: '01632 960 701',
    locations: [
      {
        key: 'clinic',
        name: 'Quayside Health Centre',
        address1: '9 Quay Street',
        postalCode: 'RV2 9XZ',
        area: 'Southbank',
        latitude: '51.497800',
        longitude: '-0.097900',
      },
    ],
    services: [
      {
        name: 'Health visitor drop-in',
        description: 'Weigh your baby and talk to a health visitor about feeding, sleep and development.',
        needs: ['early-years', 'physical-health'],
        at: ['clinic'],
        fees: 'Free',
        maximumAge: 5,
      },
      {
        name: 'Walking for health',
        description: 'Gentle, guided walks along the river, about an hour long.',
        needs: ['physical-health', 'loneliness'],
        at: ['clinic'],
        fees: 'Free',
        status: 'temporarily closed',
      },
    ],
  },
  {
    name: 'Riverside Good Neighbours',
    kind: 'community_group',
    description: 'Volunteers who visit, phone and run social clubs for people who feel alone.',
    email: 'hello@good-neighbours.example',
    url: 'https://good-neighbours.example',
    phone: '01632 960 801',
    locations: [
      {
        key: 'library',
        name: 'Northbank Library community room',
        address1: '1 Library Square',
        postalCode: 'RV1 3NP',
        area: 'Northbank',
        latitude: '51.513500',
        longitude: '-0.106100',
      },
    ],
    services: [
      {
        name: 'Friendship calls and visits',
        description: 'A volunteer calls or visits once a week for a chat.',
        needs: ['loneliness'],
        at: ['library'],
        fees: 'Free',
        eligibility: 'Adults who feel lonely or isolated; family members can ask for someone.',
        contact: {
          name: 'Jo Whitfield',
          title: 'Volunteer coordinator',
          email: 'jo@good-neighbours.example',
        },
      },
    ],
  },
];

/** Seeds Riverside's directory; the partner becomes a member of the food network and of Northbank Primary. */
export async function seedDemoDirectory(
  services: Services,
  place: PlaceSummary,
  actors: { officer: Actor; partnerId: string },
): Promise<void> {
  const { directory } = services;
  const { officer } = actors;
  const terms = new Map<string, string>();
  for (const need of NEEDS) {
    terms.set(
      need.code,
      await directory.createTerm(officer, place, {
        code: need.code,
        name: need.name,
        description: '',
        parentId: need.parent ? terms.get(need.parent)! : null,
      }),
    );
  }
  for (const org of ORGANIZATIONS) {
    const organizationId = await directory.createOrganization(officer, place, {
      name: org.name,
      kind: org.kind,
      description: org.description,
      email: org.email,
      url: org.url,
      phone: org.phone,
    });
    const locations = new Map<string, string>();
    for (const location of org.locations) {
      locations.set(
        location.key,
        await directory.createLocation(officer, place, organizationId, {
          name: location.name,
          description: '',
          address1: location.address1,
          city: 'Riverside',
          postalCode: location.postalCode,
          area: location.area,
          latitude: location.latitude,
          longitude: location.longitude,
        }),
      );
    }
    for (const service of org.services) {
      const serviceId = await directory.createService(officer, place, organizationId, {
        name: service.name,
        description: service.description,
        status: service.status ?? 'active',
        url: null,
        email: null,
        fees: service.fees ?? '',
        eligibility: service.eligibility ?? '',
        minimumAge: service.minimumAge ?? null,
        maximumAge: service.maximumAge ?? null,
        termIds: service.needs.map((code) => terms.get(code)!),
        locationIds: service.at.map((key) => locations.get(key)!),
      });
      if (service.contact) {
        await directory.createContact(officer, place, organizationId, {
          name: service.contact.name,
          title: service.contact.title,
          email: service.contact.email ?? null,
          phone: service.contact.phone ?? null,
          serviceId,
        });
      }
    }
    if (org.name === 'Riverside Food Network' || org.name === 'Northbank Primary School') {
      await directory.addMember(officer, place, organizationId, actors.partnerId);
    }
  }
}
