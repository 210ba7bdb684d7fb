/**
 * The OpenAPI 3.1 description of every public JSON route under /api: the open data of each place and the
 * directory's Open Referral UK API. A typed object rather than a YAML file, so that the compiler catches a
 * malformed document and the tests can check real answers against the very schemas published here.
 */

export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array' | 'null';

export interface SchemaObject {
  $ref?: string;
  type?: JsonType | JsonType[];
  description?: string;
  format?: string;
  enum?: readonly (string | number | null)[];
  properties?: Record<string, SchemaObject>;
  required?: readonly string[];
  additionalProperties?: boolean | SchemaObject;
  items?: SchemaObject;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  example?: unknown;
}

export interface ParameterObject {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  description: string;
  schema: SchemaObject;
  example?: string | number;
}

export interface MediaTypeObject {
  schema: SchemaObject;
}

export interface ResponseObject {
  description: string;
  content?: Record<string, MediaTypeObject>;
}

export interface OperationObject {
  operationId: string;
  summary: string;
  description: string;
  tags: readonly string[];
  parameters?: readonly ParameterObject[];
  responses: Record<string, ResponseObject>;
}

export interface PathItemObject {
  get: OperationObject;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: {
    title: string;
    version: string;
    description: string;
    license?: { name: string; identifier: string };
  };
  servers: { url: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, PathItemObject>;
  components: { schemas: Record<string, SchemaObject> };
}

const ref = (name: string): SchemaObject => ({ $ref: `#/components/schemas/${name}` });
const str = (description?: string): SchemaObject => ({
  type: 'string',
  ...(description ? { description } : {}),
});
const strOrNull = (description?: string): SchemaObject => ({
  type: ['string', 'null'],
  ...(description ? { description } : {}),
});
const int = (description?: string): SchemaObject => ({
  type: 'integer',
  ...(description ? { description } : {}),
});
const bool = (description?: string): SchemaObject => ({
  type: 'boolean',
  ...(description ? { description } : {}),
});
const uri = (description?: string): SchemaObject => ({
  type: 'string',
  format: 'uri',
  ...(description ? { description } : {}),
});
const arrayOf = (items: SchemaObject, description?: string): SchemaObject => ({
  type: 'array',
  items,
  ...(description ? { description } : {}),
});
/** An object whose every listed property is required: our answers never leave a field out. */
function object(properties: Record<string, SchemaObject>, description?: string): SchemaObject {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties),
    ...(description ? { description } : {}),
  };
}
const money = (description: string): SchemaObject => ({
  type: 'string',
  pattern: '^-?\\d+\\.\\d{2}$',
  description: `${description} A decimal string with two places, so that no value is rounded by a float.`,
});
const moneyOrNull = (description: string): SchemaObject => ({
  ...money(description),
  type: ['string', 'null'],
});
const channels = (description: string): SchemaObject =>
  object({ online: int(), code: int(), paper: int(), imported: int() }, description);

/** The paging envelope shared with Open Referral UK, so that one client pages every list the same way. */
function page(itemSchema: string, description: string): SchemaObject {
  return object(
    {
      total_items: int('Items in the whole list.'),
      total_pages: int(),
      page_number: int('Numbered from 1.'),
      size: int('Items a page.'),
      first_page: bool(),
      last_page: bool(),
      empty: bool('Whether this page has no items.'),
      contents: arrayOf(ref(itemSchema)),
    },
    description,
  );
}

const PAGE_PARAMETERS: readonly ParameterObject[] = [
  {
    name: 'page',
    in: 'query',
    required: false,
    description: 'The page to read, from 1.',
    schema: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    example: 1,
  },
  {
    name: 'per_page',
    in: 'query',
    required: false,
    description: 'Items a page, from 1 to 100 (50 when not given).',
    schema: { type: 'integer', minimum: 1, maximum: 100 },
    example: 50,
  },
];

const SLUG: ParameterObject = {
  name: 'slug',
  in: 'path',
  required: true,
  description: 'The place, as in its address: /places/{slug}.',
  schema: { type: 'string', pattern: '^[a-z0-9-]{1,60}$' },
  example: 'riverside',
};

/** An item's id in its path, described for the item it names. */
const idParameter = (description: string): ParameterObject => ({
  name: 'id',
  in: 'path',
  required: true,
  description,
  schema: { type: 'string', format: 'uuid' },
});

const PLACE_FILTER: ParameterObject = {
  name: 'place',
  in: 'query',
  required: false,
  description: 'Only this place (its slug); every place when not given.',
  schema: { type: 'string', pattern: '^[a-z0-9-]{1,60}$' },
  example: 'riverside',
};

const JSON_TYPE = 'application/json';

function ok(description: string, schema: SchemaObject): Record<string, ResponseObject> {
  return {
    '200': { description, content: { [JSON_TYPE]: { schema } } },
    '400': {
      description: 'A parameter is not valid; the message says which.',
      content: { [JSON_TYPE]: { schema: ref('Error') } },
    },
    '404': { description: 'No such place or item.', content: { [JSON_TYPE]: { schema: ref('Error') } } },
    '429': {
      description: 'Too many requests: wait a minute.',
      content: { [JSON_TYPE]: { schema: ref('Error') } },
    },
  };
}

const SCHEMAS: Record<string, SchemaObject> = {
  Error: object({
    error: str('A stable code, such as not_found or bad_request.'),
    message: str('What went wrong, in words.'),
    reference: str('Quote this when you ask about the error.'),
  }),

  Process: object(
    {
      id: { type: 'string', format: 'uuid' },
      title: str(),
      summary: str(),
      area: strOrNull('The part of the place it concerns, if only one.'),
      categories: arrayOf(str()),
      status: {
        type: 'string',
        enum: ['upcoming', 'active', 'past'],
        description: 'By its phases’ dates today.',
      },
      starts_on: {
        type: ['string', 'null'],
        format: 'date',
        description: 'The first day of its first phase.',
      },
      ends_on: { type: ['string', 'null'], format: 'date', description: 'The last day of its last phase.' },
      phases: arrayOf(
        object({
          name: str(),
          starts_on: { type: 'string', format: 'date' },
          ends_on: { type: 'string', format: 'date' },
          allows: object(
            { propose: bool(), support: bool(), comment: bool(), vote: bool() },
            'What residents may do during the phase.',
          ),
        }),
      ),
      created_at: { type: 'string', format: 'date-time' },
      links: object({
        page: uri('The process’s public page.'),
        proposals_csv: uri('Its proposals as CSV, without any personal data.'),
        proposals_json: uri('Its proposals as JSON, without any personal data.'),
      }),
    },
    'A participation process: a time-boxed call for proposals, support, comments or votes.',
  ),

  BudgetProject: object({
    id: { type: 'string', format: 'uuid' },
    title: str(),
    cost: money('What it costs.'),
    selected: bool('Whether the budget’s own rule funded it.'),
    votes: int('Ballots choosing it (giving it points, on cumulative ballots).'),
    votes_by_channel: channels('Those ballots by the way they were cast.'),
    points: strOrNull('Points given, on cumulative and scoring ballots.'),
  }),

  BudgetResult: object(
    {
      budget_id: { type: 'string', format: 'uuid' },
      process_id: { type: 'string', format: 'uuid' },
      title: str(),
      currency: str('ISO 4217, such as GBP.'),
      total_amount: money('The money of the whole budget.'),
      rule: str('The counting rule, by its pabulib name (greedy_cost, mes_cost …).'),
      published_at: { type: 'string', format: 'date-time' },
      sections: arrayOf(
        object({
          name: str('The district, or the whole area.'),
          amount: money('The money of this section.'),
          spent: money('What the winners cost together.'),
          ballots: object({ total: int(), by_channel: channels('Ballots by the way they were cast.') }),
          winners: arrayOf(
            { type: 'string', format: 'uuid' },
            'Project ids, in the order the rule chose them.',
          ),
          projects: arrayOf(ref('BudgetProject')),
        }),
        'A budget with districts has a section for each, and one for the whole area if it has money of its own.',
      ),
      ballots_pb: arrayOf(
        object({ href: uri(), text: str() }),
        'The anonymised ballots of each section as pabulib .pb files.',
      ),
      links: object({ page: uri('The published results page, with why each project won or lost.') }),
    },
    'The published result of a participatory budget. Unpublished counts are never open data.',
  ),

  TrackedResult: object(
    {
      id: { type: 'string', format: 'uuid' },
      title: str(),
      source: {
        type: 'string',
        enum: ['proposal', 'budget_project', 'assembly_recommendation', 'manual'],
        description: 'Where the decision came from.',
      },
      asked: str('What was asked for.'),
      decided: str('What was decided.'),
      process: {
        ...object({ id: { type: 'string', format: 'uuid' }, title: str() }),
        type: ['object', 'null'],
      },
      status: { type: 'string', enum: ['not_started', 'in_progress', 'done', 'dropped'] },
      progress: {
        type: 'integer',
        minimum: 0,
        maximum: 100,
        description: 'Per cent; rolled up from its parts.',
      },
      drop_reason: strOrNull('Why it was dropped, when it was.'),
      starts_on: { type: ['string', 'null'], format: 'date' },
      ends_on: { type: ['string', 'null'], format: 'date' },
      budgeted: moneyOrNull('The money set aside.'),
      spent: moneyOrNull('The money spent so far.'),
      currency: str(),
      parent_id: { type: ['string', 'null'], format: 'uuid', description: 'The result it is part of.' },
      decided_at: { type: 'string', format: 'date-time' },
      updated_at: { type: 'string', format: 'date-time' },
      latest_update: {
        ...object({ body: str(), created_at: { type: 'string', format: 'date-time' } }),
        type: ['object', 'null'],
      },
      links: object({ page: uri('Its page, with the whole timeline of updates.') }),
    },
    '“You said, we did”: a decision tracked to completion.',
  ),

  OrukApiInfo: object({
    version: str('The Open Referral UK version followed.'),
    profile: uri(),
    openapi_url: { type: ['string', 'null'], format: 'uri' },
    description: str(),
    links: object({ services: uri(), organizations: uri(), taxonomy_terms: uri() }),
  }),

  OrukPhone: object({ number: str() }),

  OrukOrganization: object({
    id: { type: 'string', format: 'uuid' },
    name: str(),
    description: strOrNull(),
    email: strOrNull(),
    website: strOrNull(),
    phones: arrayOf(ref('OrukPhone')),
  }),

  OrukTaxonomyTerm: object({
    id: { type: 'string', format: 'uuid' },
    code: str(),
    name: str(),
    description: strOrNull(),
    vocabulary: str(),
    parent_id: { type: ['string', 'null'], format: 'uuid' },
  }),

  OrukContact: object({
    id: { type: 'string', format: 'uuid' },
    name: strOrNull(),
    title: strOrNull(),
    email: strOrNull(),
    phones: arrayOf(ref('OrukPhone')),
  }),

  OrukLocation: object({
    id: { type: 'string', format: 'uuid' },
    name: str(),
    description: strOrNull(),
    latitude: { type: ['number', 'null'] },
    longitude: { type: ['number', 'null'] },
    addresses: arrayOf(
      object({
        address_1: str(),
        city: str(),
        postal_code: str(),
        region: strOrNull('The neighbourhood or area.'),
        country: str(),
      }),
    ),
  }),

  OrukService: object({
    id: { type: 'string', format: 'uuid' },
    name: str(),
    description: strOrNull(),
    url: strOrNull(),
    email: strOrNull(),
    status: { type: 'string', enum: ['active', 'inactive', 'defunct', 'temporarily closed'] },
    fees_description: strOrNull(),
    eligibility_description: strOrNull(),
    minimum_age: { type: ['integer', 'null'] },
    maximum_age: { type: ['integer', 'null'] },
    organization: ref('OrukOrganization'),
    service_at_locations: arrayOf(
      object({ id: { type: 'string', format: 'uuid' }, location: ref('OrukLocation') }),
    ),
    contacts: arrayOf(ref('OrukContact')),
    taxonomy_terms: arrayOf(ref('OrukTaxonomyTerm')),
  }),

  OrukOrganizationWithServices: object({
    id: { type: 'string', format: 'uuid' },
    name: str(),
    description: strOrNull(),
    email: strOrNull(),
    website: strOrNull(),
    phones: arrayOf(ref('OrukPhone')),
    services: arrayOf(ref('OrukService')),
  }),

  OpenApiDocument: {
    type: 'object',
    required: ['openapi', 'info', 'paths'],
    properties: {
      openapi: str(),
      info: { type: 'object', required: ['title', 'version'], properties: { title: str(), version: str() } },
      paths: { type: 'object', additionalProperties: true },
    },
    description: 'This document.',
  },

  ProcessPage: page('Process', 'A page of processes.'),
  BudgetResultPage: page('BudgetResult', 'A page of published budget results.'),
  TrackedResultPage: page('TrackedResult', 'A page of tracked results.'),
  OrukServicePage: page('OrukService', 'A page of services.'),
  OrukOrganizationPage: page('OrukOrganization', 'A page of organisations.'),
  OrukTaxonomyTermPage: page('OrukTaxonomyTerm', 'A page of taxonomy terms (needs).'),
};

const OPEN_DATA = 'Open data';
const DIRECTORY = 'Directory (Open Referral UK)';
const ABOUT = 'About this API';

/** The document, with links to this instance. */
export function openApiDocument(baseUrl: string): OpenApiDocument {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Commonweal open data API',
      version: '1.0.0',
      description:
        'Read-only JSON of what every place publishes: participation processes, published participatory-budget results, tracked results (“you said, we did”) and the directory of local services in Open Referral UK shape. No key, no cookies and no personal data: every answer holds only what the public pages show, and any website may read it (CORS is open).',
    },
    servers: [{ url: baseUrl }],
    tags: [
      { name: OPEN_DATA, description: 'The open data of one place, paged.' },
      { name: DIRECTORY, description: 'Organisations, services and needs, following Open Referral UK 3.0.' },
      { name: ABOUT, description: 'This description, as JSON and as a page.' },
    ],
    paths: {
      '/api/places/{slug}/processes': {
        get: {
          operationId: 'listProcesses',
          summary: 'Processes of a place',
          description:
            'Every participation process of the place, newest first, with its phases and links to its proposals as CSV and JSON.',
          tags: [OPEN_DATA],
          parameters: [SLUG, ...PAGE_PARAMETERS],
          responses: ok('A page of processes.', ref('ProcessPage')),
        },
      },
      '/api/places/{slug}/budget-results': {
        get: {
          operationId: 'listBudgetResults',
          summary: 'Published participatory-budget results of a place',
          description:
            'Each budget whose results have been published, most recent first: the winners under its own rule, what each project cost and the support it had by channel, and links to the anonymised ballots (.pb).',
          tags: [OPEN_DATA],
          parameters: [SLUG, ...PAGE_PARAMETERS],
          responses: ok('A page of published budget results.', ref('BudgetResultPage')),
        },
      },
      '/api/places/{slug}/results': {
        get: {
          operationId: 'listTrackedResults',
          summary: 'Tracked results (“you said, we did”) of a place',
          description:
            'Every decision of the place — accepted proposals, budget winners, answered assembly recommendations and programmes — with its status, progress (rolled up from its parts), dates, money and latest update.',
          tags: [OPEN_DATA],
          parameters: [SLUG, ...PAGE_PARAMETERS],
          responses: ok('A page of tracked results.', ref('TrackedResultPage')),
        },
      },
      '/api/openreferral/': {
        get: {
          operationId: 'orukInfo',
          summary: 'Which Open Referral UK version the directory follows',
          description: 'The version and links to the lists.',
          tags: [DIRECTORY],
          responses: ok('The version and links.', ref('OrukApiInfo')),
        },
      },
      '/api/openreferral/services': {
        get: {
          operationId: 'listServices',
          summary: 'Services',
          description: 'Services in the directory, searchable by words, need, area and postcode.',
          tags: [DIRECTORY],
          parameters: [
            ...PAGE_PARAMETERS,
            PLACE_FILTER,
            {
              name: 'text',
              in: 'query',
              required: false,
              description: 'Words to look for in names and descriptions.',
              schema: { type: 'string' },
            },
            {
              name: 'taxonomy_term_id',
              in: 'query',
              required: false,
              description: 'Only services meeting this need or a narrower one.',
              schema: { type: 'string', format: 'uuid' },
            },
            {
              name: 'area',
              in: 'query',
              required: false,
              description: 'Only services offered in this area.',
              schema: { type: 'string' },
            },
            {
              name: 'postcode',
              in: 'query',
              required: false,
              description: 'Only services at this postcode or the start of one, like RV1.',
              schema: { type: 'string', pattern: '^[A-Za-z0-9 ]{1,8}$' },
            },
            {
              name: 'status',
              in: 'query',
              required: false,
              description: 'active (when not given) or all.',
              schema: {
                type: 'string',
                enum: ['active', 'inactive', 'defunct', 'temporarily closed', 'all'],
              },
            },
          ],
          responses: ok('A page of services.', ref('OrukServicePage')),
        },
      },
      '/api/openreferral/services/{id}': {
        get: {
          operationId: 'getService',
          summary: 'One service',
          description: 'A service with its organisation, locations, contacts and needs.',
          tags: [DIRECTORY],
          parameters: [idParameter('The service’s id.')],
          responses: ok('The service.', ref('OrukService')),
        },
      },
      '/api/openreferral/organizations': {
        get: {
          operationId: 'listOrganizations',
          summary: 'Organisations',
          description: 'Organisations in the directory.',
          tags: [DIRECTORY],
          parameters: [...PAGE_PARAMETERS, PLACE_FILTER],
          responses: ok('A page of organisations.', ref('OrukOrganizationPage')),
        },
      },
      '/api/openreferral/organizations/{id}': {
        get: {
          operationId: 'getOrganization',
          summary: 'One organisation',
          description: 'An organisation with its services.',
          tags: [DIRECTORY],
          parameters: [idParameter('The organisation’s id.')],
          responses: ok('The organisation.', ref('OrukOrganizationWithServices')),
        },
      },
      '/api/openreferral/taxonomy_terms': {
        get: {
          operationId: 'listTaxonomyTerms',
          summary: 'Needs',
          description: 'The needs services are listed under, as taxonomy terms.',
          tags: [DIRECTORY],
          parameters: [...PAGE_PARAMETERS, PLACE_FILTER],
          responses: ok('A page of taxonomy terms.', ref('OrukTaxonomyTermPage')),
        },
      },
      '/api/docs/openapi.json': {
        get: {
          operationId: 'openApiDocument',
          summary: 'This description as JSON',
          description: 'The OpenAPI 3.1 document, for code generators and API tools.',
          tags: [ABOUT],
          responses: {
            '200': {
              description: 'The document.',
              content: { [JSON_TYPE]: { schema: ref('OpenApiDocument') } },
            },
          },
        },
      },
      '/api/docs': {
        get: {
          operationId: 'apiDocsPage',
          summary: 'This description as a page',
          description: 'The same description, readable in a browser.',
          tags: [ABOUT],
          responses: {
            '200': { description: 'An HTML page.', content: { 'text/html': { schema: { type: 'string' } } } },
          },
        },
      },
    },
    components: { schemas: SCHEMAS },
  };
}
