import { type Kysely, sql } from 'kysely';

// The directory of organisations and the services they offer, in the shape of Open Referral UK
// (organization, service, location, service_at_location, contact, taxonomy_term). Every table carries
// place_id, and every query filters on it. Directory data is public by nature: it names organisations
// and how to reach their services, never a resident.
const statements = [
  `
    CREATE TABLE organizations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      description text NOT NULL DEFAULT '',
      email text,
      url text,
      phone text,
      kind text NOT NULL DEFAULT 'charity' CHECK (kind IN (
        'charity', 'school', 'nursery', 'college', 'public_service', 'health', 'community_group', 'business', 'other'
      )),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (place_id, name)
    )
  `,
  `CREATE INDEX organizations_place_idx ON organizations (place_id, name, id)`,
  // Who may keep an organisation's entries: members of the place with the organisation_member role.
  `
    CREATE TABLE organization_members (
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      added_at timestamptz NOT NULL DEFAULT now(),
      added_by uuid REFERENCES users (id) ON DELETE SET NULL,
      PRIMARY KEY (organization_id, user_id)
    )
  `,
  `CREATE INDEX organization_members_user_idx ON organization_members (place_id, user_id)`,
  `
    CREATE TABLE services (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      description text NOT NULL DEFAULT '',
      url text,
      email text,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive', 'defunct', 'temporarily closed')),
      fees text NOT NULL DEFAULT '',
      eligibility text NOT NULL DEFAULT '',
      minimum_age integer CHECK (minimum_age BETWEEN 0 AND 120),
      maximum_age integer CHECK (maximum_age BETWEEN 0 AND 120),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (minimum_age IS NULL OR maximum_age IS NULL OR minimum_age <= maximum_age)
    )
  `,
  `CREATE INDEX services_place_idx ON services (place_id, name, id)`,
  `CREATE INDEX services_organization_idx ON services (place_id, organization_id)`,
  `
    CREATE TABLE locations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      description text NOT NULL DEFAULT '',
      address_1 text NOT NULL DEFAULT '',
      city text NOT NULL DEFAULT '',
      postal_code text NOT NULL DEFAULT '',
      -- The neighbourhood or ward a resident would search by.
      area text NOT NULL DEFAULT '',
      latitude numeric(9, 6) CHECK (latitude BETWEEN -90 AND 90),
      longitude numeric(9, 6) CHECK (longitude BETWEEN -180 AND 180),
      created_at timestamptz NOT NULL DEFAULT now()
    )
  `,
  `CREATE INDEX locations_place_idx ON locations (place_id, area)`,
  `
    CREATE TABLE service_at_locations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      service_id uuid NOT NULL REFERENCES services (id) ON DELETE CASCADE,
      location_id uuid NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
      UNIQUE (service_id, location_id)
    )
  `,
  `CREATE INDEX service_at_locations_location_idx ON service_at_locations (place_id, location_id)`,
  `
    CREATE TABLE directory_contacts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
      service_id uuid REFERENCES services (id) ON DELETE CASCADE,
      name text NOT NULL DEFAULT '',
      title text NOT NULL DEFAULT '',
      email text,
      phone text,
      CHECK (organization_id IS NOT NULL OR service_id IS NOT NULL)
    )
  `,
  `CREATE INDEX directory_contacts_service_idx ON directory_contacts (place_id, service_id)`,
  `CREATE INDEX directory_contacts_organization_idx ON directory_contacts (place_id, organization_id)`,
  // Needs a service meets, from a vocabulary (e.g. 'needs'); terms may nest.
  `
    CREATE TABLE taxonomy_terms (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      code text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,59}$'),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
      description text NOT NULL DEFAULT '',
      vocabulary text NOT NULL DEFAULT 'needs',
      parent_id uuid REFERENCES taxonomy_terms (id) ON DELETE SET NULL,
      UNIQUE (place_id, vocabulary, code)
    )
  `,
  `
    CREATE TABLE service_taxonomy_terms (
      place_id uuid NOT NULL REFERENCES places (id) ON DELETE CASCADE,
      service_id uuid NOT NULL REFERENCES services (id) ON DELETE CASCADE,
      taxonomy_term_id uuid NOT NULL REFERENCES taxonomy_terms (id) ON DELETE CASCADE,
      PRIMARY KEY (service_id, taxonomy_term_id)
    )
  `,
  `CREATE INDEX service_taxonomy_terms_term_idx ON service_taxonomy_terms (place_id, taxonomy_term_id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}
