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
