/** The roles a person can hold in a place. */
export const PLACE_ROLES = [
  'resident',
  'organisation_member',
  'link_worker',
  'officer',
  'moderator',
  'valuator',
  'analyst',
  'place_admin',
] as const;

export type PlaceRole = (typeof PLACE_ROLES)[number];

export const ROLE_LABELS: Record<PlaceRole, string> = {
  resident: 'Resident',
  organisation_member: 'Organisation member',
  link_worker: 'Link worker',
  officer: 'Officer',
  moderator: 'Moderator',
  valuator: 'Valuator',
  analyst: 'Analyst',
  place_admin: 'Place admin',
};

export const ROLE_DESCRIPTIONS: Record<PlaceRole, string> = {
  resident: 'Takes part: proposes, supports, comments and votes.',
  organisation_member: 'Works for a partner organisation: keeps its directory entries and delivers support.',
  link_worker: 'Works with children and families on their support plans.',
  officer: 'Runs processes, budgets and assemblies and answers proposals.',
  moderator: 'Reviews reported content and keeps conversations safe.',
  valuator: 'Assesses the feasibility and cost of projects.',
  analyst: 'Reads the evidence: outcomes, costs and who takes part.',
  place_admin: 'Manages the people and roles of the place and reads its audit trail.',
};

export function isPlaceRole(value: string): value is PlaceRole {
  return (PLACE_ROLES as readonly string[]).includes(value);
}
