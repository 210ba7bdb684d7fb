/** The little the layout needs to know of a place. */
export interface PlaceSummary {
  id: string;
  slug: string;
  name: string;
}
