import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface PlacesTable {
  id: Generated<string>;
  slug: string;
  name: string;
  summary: string;
  contact_email: string | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
}

export type PlaceRow = Selectable<PlacesTable>;
export type NewPlaceRow = Insertable<PlacesTable>;
export type PlaceUpdate = Updateable<PlacesTable>;

/** A person's role in one place. Tenant table: carries place_id. */
export interface PlaceRolesTable {
  place_id: string;
  user_id: string;
  role: string;
  granted_by: string | null;
  granted_at: ColumnType<Date, never, never>;
}
