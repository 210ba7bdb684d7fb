import { type PageRequest, pageRequest, listPagination as pagination } from '../platform/pagination.ts';

/** The lists an organisation's pages show, each paged on its own. */
export type ListName = 'services' | 'locations' | 'contacts' | 'members';

/** Each list has its own page parameter, like `servicesPage`, so paging one list keeps the others where they are. */
const parameter = (list: ListName) => `${list}Page`;

/** The page asked for of each list. */
export function listPageRequests<L extends ListName>(
  query: Record<string, unknown>,
  lists: readonly L[],
): Record<L, PageRequest> {
  return Object.fromEntries(lists.map((list) => [list, pageRequest(query[parameter(list)])])) as Record<
    L,
    PageRequest
  >;
}

/** GOV.UK pagination for one of an organisation's lists, leading back to the list (its heading's id). */
export function listPagination<L extends ListName>(
  basePath: string,
  pages: Record<L, PageRequest>,
  list: L,
  total: number,
) {
  const byParameter = Object.fromEntries(
    (Object.entries(pages) as [L, PageRequest][]).map(([name, page]) => [parameter(name), page]),
  );
  return pagination(basePath, byParameter, parameter(list), total, {
    anchor: list,
    label: `Pages of ${list}`,
  });
}
