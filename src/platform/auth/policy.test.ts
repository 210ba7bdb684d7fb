import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Actor } from './actor.ts';
import { can, canOnInstance, type PlaceCapability, placeCapabilities } from './policy.ts';
import { PLACE_ROLES, type PlaceRole } from './roles.ts';

const PLACE = 'place-a';
const OTHER = 'place-b';

function actorWith(roles: PlaceRole[], options: { instanceAdmin?: boolean; place?: string } = {}): Actor {
  return {
    user: {
      id: 'u1',
      name: 'Test',
      email: 't@example.test',
      emailVerified: true,
      isInstanceAdmin: options.instanceAdmin ?? false,
    },
    roles: new Map([[options.place ?? PLACE, new Set(roles)]]),
    requestId: 'r1',
  };
}

/** What each role may do in its own place. Everything not listed is refused. */
const EXPECTED: Record<PlaceRole, PlaceCapability[]> = {
  resident: ['place.view', 'place.take_part'],
  organisation_member: [
    'place.view',
    'directory.manage',
    'participants.review',
    'referrals.receive',
    'sessions.run',
  ],
  link_worker: [
    'place.view',
    'participants.work_with',
    'participants.review',
    'sessions.run',
    'safeguarding.lead',
  ],
  officer: [
    'place.view',
    'processes.manage',
    'proposals.answer',
    'residents.verify',
    'evidence.analyse',
    'directory.manage',
    'budgets.manage',
    'ballots.enter_paper',
    'ballots.issue_codes',
    'programmes.manage',
    'directory.manage_all',
    'outcomes.manage_indicators',
    'assemblies.manage',
    'results.manage',
    'value.manage',
    'population_profile.manage',
  ],
  moderator: ['place.view', 'content.moderate', 'moderation.configure'],
  valuator: ['place.view', 'projects.assess'],
  analyst: ['place.view', 'evidence.analyse', 'value.manage'],
  place_admin: [
    'place.view',
    'roles.manage',
    'audit.view',
    'processes.manage',
    'residents.verify',
    'moderation.configure',
    'evidence.analyse',
    'budgets.manage',
    'programmes.manage',
    'participants.access_log',
    'participants.subject_access',
    'participants.legal_hold',
    'assemblies.manage',
    'results.manage',
    'population_profile.manage',
  ],
};

describe('the permission policy', () => {
  for (const role of PLACE_ROLES) {
    describe(`a ${role}`, () => {
      const actor = actorWith([role]);
      for (const capability of placeCapabilities()) {
        const allowed = EXPECTED[role].includes(capability);
        it(`${allowed ? 'may' : 'may not'} ${capability} in their place`, () => {
          assert.equal(can(actor, capability, PLACE), allowed);
        });
      }
      it('holds nothing but public access in another place', () => {
        for (const capability of placeCapabilities()) {
          assert.equal(can(actor, capability, OTHER), capability === 'place.view', capability);
        }
      });
      it('may not administer the instance', () => {
        assert.equal(canOnInstance(actor, 'places.create'), false);
        assert.equal(canOnInstance(actor, 'instance_audit.view'), false);
      });
    });
  }

  it('lets an anonymous visitor only view a place', () => {
    const visitor: Actor = { user: null, roles: new Map(), requestId: 'r' };
    for (const capability of placeCapabilities()) {
      assert.equal(can(visitor, capability, PLACE), capability === 'place.view', capability);
    }
  });

  it('lets an instance admin create places and steward roles and audit in every place, but not take part', () => {
    const admin = actorWith([], { instanceAdmin: true });
    assert.equal(canOnInstance(admin, 'places.create'), true);
    assert.equal(canOnInstance(admin, 'places.edit'), true);
    assert.equal(canOnInstance(admin, 'instance_audit.view'), true);
    assert.equal(can(admin, 'roles.manage', OTHER), true);
    assert.equal(can(admin, 'audit.view', OTHER), true);
    assert.equal(can(admin, 'participants.work_with', OTHER), false);
    assert.equal(can(admin, 'place.take_part', OTHER), false);
  });
});
