import { addDays, today } from '../participation/processes/phases.ts';
import type { Actor } from '../platform/auth/actor.ts';
import type { Database } from '../platform/db/database.ts';
import type { PlaceSummary } from '../platform/views/place-context.ts';
import type { Services } from '../services.ts';
import { indicatorSchema } from '../support/outcomes/outcomes.schema.ts';

/**
 * Referrals, a session with its register and outcome scores for the demo programme: two indicators in the
 * library, the active child referred (with a sharing decision) to the demo partner's first service, which
 * accepts, runs a session and takes the register; baseline scores for the children in the programme.
 * Every value is invented.
 */
export async function seedDemoSupportDelivery(
  deps: Services & { db: Database },
  place: PlaceSummary,
  people: { officer: Actor; linkWorker: Actor },
  children: string[],
): Promise<void> {
  const { referrals, sessions, outcomes } = deps.supportDelivery;
  const { participants } = deps.support;
  const { officer, linkWorker } = people;
  const wellbeing = await outcomes.createIndicator(
    officer,
    place,
    indicatorSchema.parse({
      name: 'Wellbeing',
      instrument: 'A short wellbeing questionnaire (invented for the demo)',
      scaleMin: '7',
      scaleMax: '35',
      threshold: '20',
      direction: 'higher',
      licenceNote: 'Use the licensed instrument of your choice in a real programme.',
    }),
  );
  await outcomes.createIndicator(
    officer,
    place,
    indicatorSchema.parse({
      name: 'Difficulties',
      instrument: 'A difficulties score (invented for the demo)',
      scaleMin: '0',
      scaleMax: '40',
      threshold: '14',
      direction: 'lower',
      licenceNote: '',
    }),
  );
  const start = today();
  for (const [i, id] of children.entries()) {
    await outcomes.recordObservation(linkWorker, place, id, {
      indicatorId: wellbeing,
      stage: 'baseline',
      value: 15 + i * 3,
      observedOn: addDays(start, -30),
    });
  }

  const active = children[children.length - 1];
  const partner = await deps.db
    .selectFrom('organization_members as om')
    .innerJoin('services as s', 's.organization_id', 'om.organization_id')
    .select(['om.user_id', 'om.organization_id', 's.id as service_id'])
    .where('om.place_id', '=', place.id)
    .orderBy('s.name')
    .limit(1)
    .executeTakeFirst();
  if (!active || !partner) return;
  await participants.recordSharing(linkWorker, place, active, {
    organizationId: partner.organization_id,
    dataItems: ['name', 'school_and_year', 'attendance'],
    rationale: 'The service needs to know who is coming, from which school, and whether they attend.',
  });
  const referralId = await referrals.create(linkWorker, place, active, {
    serviceId: partner.service_id,
    dataItems: ['name', 'school_and_year', 'attendance'],
    note: 'Weekly sessions after school would help with confidence and friendships.',
  });
  await referrals.send(linkWorker, place, referralId);
  const partnerActor = await deps.accounts.loadActor(partner.user_id, 'demo-seed');
  if (!partnerActor) return;
  await referrals.respond(partnerActor, place, referralId, 'accept');
  const sessionId = await sessions.create(partnerActor, place, {
    serviceId: partner.service_id,
    kind: 'group',
    title: 'After-school group',
    heldOn: addDays(start, -7),
    startsAt: '16:00',
    durationMinutes: 60,
  });
  await sessions.addAttendees(partnerActor, place, sessionId, [active]);
  await sessions.takeRegister(partnerActor, place, sessionId, { all: true, marks: new Map() });
}
