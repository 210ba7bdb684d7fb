import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addDays, today } from '../participation/processes/phases.ts';
import type { Actor } from '../platform/auth/actor.ts';
import type { Database } from '../platform/db/database.ts';
import type { PlaceSummary } from '../platform/views/place-context.ts';
import type { Services } from '../services.ts';
import {
  cohortSchema,
  indicatorSchema,
  programmeSchema,
  settingSchema,
  teamSchema,
} from '../support/programmes/programmes.schema.ts';
import { seedDemoSupportDelivery } from './demo-support-delivery.ts';

const SAMPLE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'docs',
  'samples',
  'identification-sample.csv',
);

const INDICATORS = [
  {
    domain: 'attendance',
    columnName: 'attendance_pct',
    label: 'Attendance below 90%',
    direction: 'below',
    threshold: '90',
  },
  {
    domain: 'attainment',
    columnName: 'attainment',
    label: 'Working below expected',
    direction: 'below',
    threshold: '0',
  },
  {
    domain: 'wellbeing',
    columnName: 'wellbeing_score',
    label: 'Wellbeing score below 5',
    direction: 'below',
    threshold: '5',
  },
  {
    domain: 'wellbeing',
    columnName: 'wellbeing_belonging',
    label: 'Belonging below 3',
    direction: 'below',
    threshold: '3',
  },
  {
    domain: 'economic_disadvantage',
    columnName: 'economic_disadvantage',
    label: 'Free school meals',
    direction: 'yes',
  },
  {
    domain: 'exclusions',
    columnName: 'exclusions',
    label: 'Any suspension this year',
    direction: 'above',
    threshold: '0',
  },
];

/**
 * A two-year zone programme for Riverside: two settings (the directory's schools when it has them), a Year 7
 * cohort, indicators, the synthetic sample imported through the real import, a team with the demo link
 * worker, and a few children moved along the enrolment stages. Every name is invented.
 */
export async function seedDemoSupport(
  deps: Services & { db: Database },
  place: PlaceSummary,
  people: { officer: Actor; linkWorker: Actor },
): Promise<void> {
  const { programmes, identification, participants } = deps.support;
  const { officer, linkWorker } = people;
  const start = today();
  const programmeId = await programmes.createProgramme(
    officer,
    place,
    programmeSchema.parse({
      name: 'Riverside Zone',
      summary:
        'A two-year zone programme: link workers support the children most in need, with their families and schools.',
      startsOn: start,
      endsOn: addDays(start, 730),
      retentionYears: '7',
      caseloadLimit: '20',
    }),
  );
  const schools = (await programmes.settingOrganisations(place))
    .filter((o) => o.kind === 'school')
    .slice(0, 2);
  const settings =
    schools.length > 0
      ? schools.map((s) => ({ organizationId: s.id, name: '', kind: 'school' }))
      : [
          { organizationId: '', name: 'Northbank Academy', kind: 'school' },
          { organizationId: '', name: 'Southbank High School', kind: 'school' },
        ];
  for (const setting of settings)
    await programmes.addSetting(officer, place, programmeId, settingSchema.parse(setting));
  await programmes.addCohort(
    officer,
    place,
    programmeId,
    cohortSchema.parse({
      name: 'Year 7 intake',
      yearGroup: '7',
      intakeYear: start.slice(0, 4),
      lifeStage: 'secondary',
    }),
  );
  for (const indicator of INDICATORS) {
    await programmes.addIndicator(officer, place, programmeId, indicatorSchema.parse(indicator));
  }
  await programmes.createTeam(
    officer,
    place,
    programmeId,
    teamSchema.parse({ name: 'Zone team', leadUserId: linkWorker.user!.id }),
  );

  const [setting] = await programmes.settings(place, programmeId);
  const [cohort] = await programmes.cohorts(place, programmeId);
  await identification.importCsv(officer, place, {
    programmeId,
    cohortId: cohort!.id,
    settingId: setting!.id,
    filename: 'identification-sample.csv',
    bytes: readFileSync(SAMPLE),
  });

  // The top of the ranked list, taken along the stages: one each at approached, agreed, enrolled, active
  // and exited, and one not taken forward.
  const { children } = await participants.reviewList(linkWorker, place, cohort!.id, undefined, {
    limit: 6,
    offset: 0,
  });
  const [a, b, c, d, e, f] = children.map((child) => child.id);
  for (const id of [a, b, c, d, e])
    if (id) await participants.decide(linkWorker, place, id, 'approached', '');
  if (f)
    await participants.decide(
      linkWorker,
      place,
      f,
      'not_taken_forward',
      'Already supported by the school’s own mentoring.',
    );
  for (const [id, stages] of [
    [b, ['agreed']],
    [c, ['agreed', 'enrolled']],
    [d, ['agreed', 'enrolled', 'active']],
    [e, ['agreed', 'enrolled', 'active', 'exited']],
  ] as const) {
    if (!id) continue;
    await participants.recordAgreement(linkWorker, place, id, {
      givenBy: 'parent_carer',
      giverName: 'A parent (demo)',
      capacityJudgement: 'Parent with parental responsibility, agreed after a home visit.',
    });
    await participants.recordLawfulBasis(linkWorker, place, id, {
      purpose: 'Providing link worker support',
      basis: 'public_task',
      condition: null,
    });
    for (const stage of stages) {
      await participants.transition(
        linkWorker,
        place,
        id,
        stage,
        stage === 'exited' ? 'Moved out of the area.' : '',
      );
    }
  }
  if (d) await seedDemoSupportPlans(deps, place, { officer, linkWorker }, programmeId, d);
  await seedDemoSupportDelivery(deps, place, { officer, linkWorker }, [c, d].filter(Boolean) as string[]);
}

/**
 * The link worker's side for the active child: the programme's safeguarding lead, a few contacts, and a plan
 * written in several versions with a goal rated twice. Every word is invented.
 */
export async function seedDemoSupportPlans(
  deps: Services,
  place: PlaceSummary,
  people: { officer: Actor; linkWorker: Actor },
  programmeId: string,
  participantId: string,
): Promise<void> {
  const { caseload, plans } = deps.supportPlans;
  const { officer, linkWorker } = people;
  await caseload.setSafeguardingLead(officer, place, programmeId, linkWorker.user!.id);
  const start = today();
  for (const [days, kind, notes] of [
    [-21, 'visit', 'First home visit: met the family and talked about what they would like to change.'],
    [-14, 'school', 'Spoke to the head of year about attendance on Mondays.'],
    [-3, 'phone', 'Phoned to check how the first football session went.'],
  ] as const) {
    await caseload.logContact(linkWorker, place, participantId, {
      contactOn: addDays(start, days),
      kind,
      notes,
    });
  }
  await plans.change(linkWorker, place, participantId, {
    kind: 'add_goal',
    text: 'I want to get to school on time',
  });
  await plans.change(linkWorker, place, participantId, {
    kind: 'add_goal',
    text: 'I want to make friends outside school',
  });
  await plans.change(linkWorker, place, participantId, {
    kind: 'add_component',
    component: 'developmental',
    description: 'Saturday football club',
    provider: 'Riverside Juniors (demo)',
    organizationId: null,
  });
  await plans.change(linkWorker, place, participantId, {
    kind: 'add_action',
    text: 'set an alarm and pack the bag the night before',
    owner: 'The young person',
    dueOn: addDays(start, 14),
  });
  await plans.change(linkWorker, place, participantId, { kind: 'add_review', on: addDays(start, 42) });
  const view = await plans.forForm(linkWorker, place, participantId);
  const goal = view.content.goals[0];
  if (goal) {
    await plans.rateGoal(linkWorker, place, participantId, goal.id, 3, 'Baseline, agreed together.');
    await plans.rateGoal(linkWorker, place, participantId, goal.id, 5, 'Late twice in three weeks.');
  }
}
