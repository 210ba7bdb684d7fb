import { ForbiddenError } from '../errors.ts';
import type { Actor } from './actor.ts';
import type { PlaceRole } from './roles.ts';

/**
 * The one place that decides who may do what. Routes call `authorise` before
 * every read or write of protected data; later features add their
 * capabilities here so that every permission can be read in one table.
 */
const PLACE_CAPABILITIES = {
  'place.view': 'everyone',
  'place.take_part': ['resident'],
  'roles.manage': ['place_admin'],
  'audit.view': ['place_admin'],
  'processes.manage': ['officer', 'place_admin'],
  'proposals.answer': ['officer'],
  'residents.verify': ['officer', 'place_admin'],
  'content.moderate': ['moderator'],
  'moderation.configure': ['moderator', 'place_admin'],
  'projects.assess': ['valuator'],
  'budgets.manage': ['officer', 'place_admin'],
  'ballots.enter_paper': ['officer'],
  'ballots.issue_codes': ['officer'],
  'evidence.analyse': ['analyst', 'officer', 'place_admin'],
  'directory.manage': ['organisation_member', 'officer'],
  'participants.work_with': ['link_worker'],
  'programmes.manage': ['officer', 'place_admin'],
  'participants.review': ['link_worker', 'organisation_member'],
  'participants.access_log': ['place_admin'],
  'directory.manage_all': ['officer'],
  'assemblies.manage': ['officer', 'place_admin'],
  'referrals.receive': ['organisation_member'],
  'sessions.run': ['organisation_member', 'link_worker'],
  'outcomes.manage_indicators': ['officer'],
  'safeguarding.lead': ['link_worker'],
  'participants.subject_access': ['place_admin'],
  'participants.legal_hold': ['place_admin'],
  'results.manage': ['officer', 'place_admin'],
  'value.manage': ['analyst', 'officer'],
  'population_profile.manage': ['officer', 'place_admin'],
} as const satisfies Record<string, readonly PlaceRole[] | 'everyone'>;

const INSTANCE_CAPABILITIES = [
  'places.create',
  'places.edit',
  'instance_audit.view',
  'dev_tools.view',
] as const;

export type PlaceCapability = keyof typeof PLACE_CAPABILITIES;
export type InstanceCapability = (typeof INSTANCE_CAPABILITIES)[number];

/** Capabilities an instance admin holds in every place, as stewards of the instance. */
const INSTANCE_ADMIN_PLACE_CAPABILITIES: ReadonlySet<PlaceCapability> = new Set([
  'place.view',
  'roles.manage',
  'audit.view',
]);

export function can(actor: Actor, capability: PlaceCapability, placeId: string): boolean {
  const allowed: readonly PlaceRole[] | 'everyone' = PLACE_CAPABILITIES[capability];
  if (allowed === 'everyone') return true;
  if (!actor.user) return false;
  if (actor.user.isInstanceAdmin && INSTANCE_ADMIN_PLACE_CAPABILITIES.has(capability)) return true;
  const held = actor.roles.get(placeId);
  if (!held) return false;
  return allowed.some((role) => held.has(role));
}

export function canOnInstance(actor: Actor, _capability: InstanceCapability): boolean {
  return actor.user?.isInstanceAdmin === true;
}

export function authorise(actor: Actor, capability: PlaceCapability, placeId: string): void {
  if (!can(actor, capability, placeId)) throw new ForbiddenError();
}

export function authoriseOnInstance(actor: Actor, capability: InstanceCapability): void {
  if (!canOnInstance(actor, capability)) throw new ForbiddenError();
}

/** Every place capability, for listing what a role may do. */
export function placeCapabilities(): PlaceCapability[] {
  return Object.keys(PLACE_CAPABILITIES) as PlaceCapability[];
}
