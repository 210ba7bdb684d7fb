export const PAGE_SIZE = 25;

export interface PageRequest {
  page: number;
  limit: number;
  offset: number;
}

export function pageRequest(value: unknown, limit = PAGE_SIZE): PageRequest {
  const parsed = typeof value === 'string' ? Number.parseInt(value, 10) : 1;
  const page = Number.isFinite(parsed) && parsed >= 1 && parsed <= 100000 ? parsed : 1;
  return { page, limit, offset: (page - 1) * limit };
}

/** Parameters for the GOV.UK pagination component, keeping the other query parameters. */
export function paginationLinks(
  basePath: string,
  query: Record<string, string | undefined>,
  current: PageRequest,
  total: number,
) {
  const pages = Math.max(1, Math.ceil(total / current.limit));
  const href = (page: number) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value && key !== 'page') params.set(key, value);
    if (page > 1) params.set('page', String(page));
    const qs = params.toString();
    return qs ? `${basePath}?${qs}` : basePath;
  };
  const items: ({ number: number; href: string; current: boolean } | { ellipsis: true })[] = [];
  for (let page = 1; page <= pages; page++) {
    const near = Math.abs(page - current.page) <= 1 || page === 1 || page === pages;
    if (near) items.push({ number: page, href: href(page), current: page === current.page });
    else if (!('ellipsis' in (items[items.length - 1] ?? {}))) items.push({ ellipsis: true });
  }
  return {
    pages,
    total,
    first: total === 0 ? 0 : current.offset + 1,
    last: Math.min(total, current.offset + current.limit),
    params:
      pages > 1
        ? {
            items,
            previous: current.page > 1 ? { href: href(current.page - 1) } : undefined,
            next: current.page < pages ? { href: href(current.page + 1) } : undefined,
          }
        : undefined,
  };
}

/**
 * The page asked for of each list on a page that shows several, each list read from its own query parameter
 * (`agreementsPage`, `comments`…).
 */
export function listPageRequests<P extends string>(
  query: Record<string, unknown>,
  params: readonly P[],
): Record<P, PageRequest> {
  return Object.fromEntries(params.map((param) => [param, pageRequest(query[param])])) as Record<
    P,
    PageRequest
  >;
}

/**
 * GOV.UK pagination for one list of a page that shows several: its links change only that list's parameter,
 * keep the other lists' pages and anything in `keep` (such as the version shown), and lead back to the list
 * when it has an anchor. `label` names the pagination landmark where a page has several. `firstHref` is for
 * a page asked for beyond the end.
 */
export function listPagination<P extends string>(
  basePath: string,
  pages: Record<P, PageRequest>,
  param: P,
  total: number,
  options: { keep?: Record<string, string | undefined>; anchor?: string; label?: string } = {},
) {
  const current = pages[param];
  const href = (page: number) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(options.keep ?? {})) {
      if (value && !(key in pages)) query.set(key, value);
    }
    for (const [key, request] of Object.entries(pages) as [P, PageRequest][]) {
      const n = key === param ? page : request.page;
      if (n > 1) query.set(key, String(n));
    }
    const qs = query.toString();
    return `${basePath}${qs ? `?${qs}` : ''}${options.anchor ? `#${options.anchor}` : ''}`;
  };
  const links = paginationLinks(basePath, {}, current, total);
  const params = links.params && {
    ...(options.label ? { landmarkLabel: options.label } : {}),
    items: links.params.items.map((item) => ('number' in item ? { ...item, href: href(item.number) } : item)),
    previous: links.params.previous && { href: href(current.page - 1) },
    next: links.params.next && { href: href(current.page + 1) },
  };
  return { ...links, params, firstHref: href(1) };
}
