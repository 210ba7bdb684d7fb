import { handCountedElection } from '../../participation/budgeting/results/results.fixtures.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import type { TestApp } from '../../testing/harness.ts';

/** Who proposed in the fixture: neither the name nor the email may ever appear in open data. */
export const PROPOSER = { name: 'Rosa Quillfeather', email: 'rosa.quillfeather@example.test' };
export const VOTER_EMAIL_DOMAIN = 'example.test';

/**
 * A place with something in every kind of open data: a process with a proposal, a budget whose results
 * are published (the hand-counted election of count.test.ts: A and C win under Equal Shares), a tracked
 * result with an update, and a directory entry. Built through the services, as the real journeys do.
 */
export async function seedOpenData(t: TestApp) {
  const place = await t.createPlace('riverside', 'Riverside');
  const officerId = await t.createUser({
    email: 'olu.officer@example.test',
    name: 'Olu Officer',
    roles: [{ placeId: place.id, role: 'officer' }],
  });
  const rosaId = await t.createUser({ ...PROPOSER, roles: [{ placeId: place.id, role: 'resident' }] });
  const officer = (await t.services.accounts.loadActor(officerId, 'test')) as Actor;

  const processId = await t.createProcess({ placeId: place.id, title: 'Riverside ideas 2027' });
  const proposalId = await t.createProposal({
    placeId: place.id,
    processId,
    authorId: rosaId,
    title: 'Trees on Mill Lane',
  });

  const budgetProcessId = await t.createProcess({ placeId: place.id, title: 'Riverside budget 2026' });
  const setup = { place, processId: budgetProcessId, officerId, title: 'Riverside budget 2026' };
  const { budgetId, A, B, C } = await handCountedElection(t, setup);
  const countId = await t.services.budgetResults.requestCount(officer, place, budgetId);
  await t.services.budgetResults.runner.runPending();
  await t.services.budgetResults.publish(officer, place, budgetId, countId, true);

  const resultId = await t.services.results.createResult(officer, place, {
    title: 'Greener streets programme',
    summary: 'Street trees and seating across Riverside.',
    parentId: null,
    startsOn: '2027-03-01',
    endsOn: '2027-12-31',
    budgeted: '5000.00',
    currency: 'GBP',
  });
  await t.services.results.postUpdate(officer, place, resultId, {
    body: 'The first twelve trees are in.',
    status: 'in_progress',
    progress: 40,
    spent: '1200.00',
    dropReason: '',
    photo: undefined,
  });

  const { directory } = t.services;
  const termId = await directory.createTerm(officer, place, {
    code: 'food',
    name: 'Food',
    description: '',
    parentId: null,
  });
  const organizationId = await directory.createOrganization(officer, place, {
    name: 'Riverside Food Bank',
    kind: 'charity',
    description: 'Food for anyone who needs it.',
    email: 'hello@foodbank.example',
    url: 'https://foodbank.example',
    phone: '01632 960 000',
  });
  const locationId = await directory.createLocation(officer, place, organizationId, {
    name: 'Church Hall',
    description: '',
    address1: '2 Quay Street',
    city: 'Riverside',
    postalCode: 'RV2 9XY',
    area: 'Southbank',
    latitude: '51.501234',
    longitude: '-0.123456',
  });
  const serviceId = await directory.createService(officer, place, organizationId, {
    name: 'Food parcels',
    description: 'Emergency parcels.',
    status: 'active',
    url: null,
    email: null,
    fees: 'Free',
    eligibility: 'Anyone living in Riverside',
    minimumAge: null,
    maximumAge: 99,
    termIds: [termId],
    locationIds: [locationId],
  });
  await directory.createContact(officer, place, organizationId, {
    name: 'Dee Desk',
    title: 'Coordinator',
    email: 'dee@foodbank.example',
    phone: '01632 960 001',
    serviceId,
  });

  return {
    place,
    officer,
    processId,
    proposalId,
    budgetProcessId,
    budgetId,
    projects: { A, B, C },
    resultId,
    termId,
    organizationId,
    serviceId,
  };
}
