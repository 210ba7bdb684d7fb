import { z } from 'zod';
import type { OrganizationKind, ServiceStatus } from './directory.table.ts';

export const ORGANIZATION_KINDS: readonly OrganizationKind[] = [
  'charity',
  'school',
  'nursery',
  'college',
  'public_service',
  'health',
  'community_group',
  'business',
  'other',
];

export const KIND_LABELS: Record<OrganizationKind, string> = {
  charity: 'Charity',
  school: 'School',
  nursery: 'Nursery or early years setting',
  college: 'College',
  public_service: 'Public service',
  health: 'Health service',
  community_group: 'Community group',
  business: 'Business',
  other: 'Other',
};

export const SERVICE_STATUSES: readonly ServiceStatus[] = [
  'active',
  'temporarily closed',
  'inactive',
  'defunct',
];

export const STATUS_LABELS: Record<ServiceStatus, string> = {
  active: 'Running',
  'temporarily closed': 'Temporarily closed',
  inactive: 'Not running',
  defunct: 'Closed for good',
};

const URL_PATTERN = /^https?:\/\/[^\s/$.?#][^\s]*$/i;
const PHONE_PATTERN = /^\+?[0-9 ()-]{6,20}$/;
/** UK postcodes, outward and inward parts, with or without the space. */
const POSTCODE_PATTERN = /^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$/i;
const CODE_PATTERN = /^[a-z0-9][a-z0-9-]{0,59}$/;

function required(label: string, max: number) {
  const message = `Enter ${label}`;
  return z
    .string({ error: message })
    .trim()
    .min(1, message)
    .max(
      max,
      `${label.replace(/^(a|an|the) /, '').replace(/^./, (c) => c.toUpperCase())} must be ${max} characters or fewer`,
    );
}

function optionalText(label: string, max: number) {
  return z
    .string()
    .trim()
    .max(max, `${label} must be ${max} characters or fewer`)
    .optional()
    .transform((v) => v ?? '');
}

/** Optional free text that is either empty (null) or passes `check`. */
function optionalMatching(check: (v: string) => boolean, message: string, max = 200) {
  return z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : null))
    .refine((v) => v === null || (v.length <= max && check(v)), message);
}

const optionalEmail = optionalMatching(
  (v) => z.email().safeParse(v).success,
  'Enter an email address in the correct format, like name@example.org',
);
const optionalUrl = optionalMatching(
  (v) => URL_PATTERN.test(v),
  'Enter a web address starting with https:// or http://, like https://example.org',
  500,
);
const optionalPhone = optionalMatching(
  (v) => PHONE_PATTERN.test(v),
  'Enter a telephone number, like 01632 960 001 or +44 1632 960 001',
);

function optionalAge(label: string) {
  return z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      if (!/^\d{1,3}$/.test(v) || Number(v) > 120) {
        ctx.addIssue({ code: 'custom', message: `${label} must be a whole number from 0 to 120` });
        return z.NEVER;
      }
      return Number(v);
    });
}

function optionalCoordinate(label: string, limit: number) {
  return z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      const n = Number(v);
      if (!/^-?\d{1,3}(\.\d{1,6})?$/.test(v) || Math.abs(n) > limit) {
        ctx.addIssue({
          code: 'custom',
          message: `${label} must be a number from -${limit} to ${limit} with up to 6 decimal places`,
        });
        return z.NEVER;
      }
      return v;
    });
}

/** Checkboxes post nothing, one string or several. */
function idList(message: string) {
  return z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter((s) => s !== ''))
    .refine((ids) => ids.every((id) => z.uuid().safeParse(id).success), message);
}

export const organizationSchema = z.object({
  name: required('the name of the organisation', 200),
  kind: z.enum(ORGANIZATION_KINDS as [OrganizationKind, ...OrganizationKind[]], {
    error: 'Select the kind of organisation',
  }),
  description: optionalText('Description', 4000),
  email: optionalEmail,
  url: optionalUrl,
  phone: optionalPhone,
});
export type OrganizationForm = z.output<typeof organizationSchema>;

export const serviceSchema = z
  .object({
    name: required('the name of the service', 200),
    description: optionalText('Description', 4000),
    status: z.enum(SERVICE_STATUSES as [ServiceStatus, ...ServiceStatus[]], {
      error: 'Select whether the service is running',
    }),
    url: optionalUrl,
    email: optionalEmail,
    fees: optionalText('Fees', 1000),
    eligibility: optionalText('Who can use it', 1000),
    minimumAge: optionalAge('Youngest age'),
    maximumAge: optionalAge('Oldest age'),
    termIds: idList('Select needs from the list'),
    locationIds: idList('Select locations from the list'),
  })
  .superRefine((form, ctx) => {
    if (form.minimumAge !== null && form.maximumAge !== null && form.minimumAge > form.maximumAge) {
      ctx.addIssue({
        code: 'custom',
        path: ['maximumAge'],
        message: 'Oldest age must be the same as or more than the youngest age',
      });
    }
  });
export type ServiceForm = z.output<typeof serviceSchema>;

export const locationSchema = z
  .object({
    name: required('the name of the location', 200),
    description: optionalText('Description', 2000),
    address1: optionalText('Address', 200),
    city: optionalText('Town or city', 100),
    postalCode: z
      .string()
      .trim()
      .optional()
      .transform((v) => (v ? v.toUpperCase().replace(/\s+/g, ' ') : ''))
      .refine((v) => v === '' || POSTCODE_PATTERN.test(v), 'Enter a real postcode, like RV1 2AB'),
    area: optionalText('Area', 100),
    latitude: optionalCoordinate('Latitude', 90),
    longitude: optionalCoordinate('Longitude', 180),
  })
  .superRefine((form, ctx) => {
    if ((form.latitude === null) !== (form.longitude === null)) {
      const field = form.latitude === null ? 'latitude' : 'longitude';
      ctx.addIssue({
        code: 'custom',
        path: [field],
        message: 'Enter both latitude and longitude, or neither',
      });
    }
  });
export type LocationForm = z.output<typeof locationSchema>;

export const contactSchema = z
  .object({
    name: optionalText('Name', 200),
    title: optionalText('Job title', 200),
    email: optionalEmail,
    phone: optionalPhone,
    serviceId: z
      .string()
      .trim()
      .optional()
      .transform((v) => (v ? v : null))
      .refine((v) => v === null || z.uuid().safeParse(v).success, 'Select a service from the list'),
  })
  .superRefine((form, ctx) => {
    if (!form.name && !form.title) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'Enter a name or a job title' });
    }
    if (!form.email && !form.phone) {
      ctx.addIssue({
        code: 'custom',
        path: ['email'],
        message: 'Enter an email address or a telephone number',
      });
    }
  });
export type ContactForm = z.output<typeof contactSchema>;

export const taxonomyTermSchema = z.object({
  code: z
    .string({ error: 'Enter a code' })
    .trim()
    .toLowerCase()
    .min(1, 'Enter a code')
    .regex(CODE_PATTERN, 'Code must be lower-case letters, numbers and hyphens, like mental-health'),
  name: required('a name', 120),
  description: optionalText('Description', 1000),
  parentId: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v ? v : null))
    .refine((v) => v === null || z.uuid().safeParse(v).success, 'Select a broader need from the list'),
});
export type TaxonomyTermForm = z.output<typeof taxonomyTermSchema>;

export const memberSchema = z.object({
  userId: z.uuid({ error: 'Select a person to add' }),
});

/** The public search: every field optional; anything malformed is treated as not given. */
/** A search link can be typed or tampered with: a repeated or odd parameter is dropped, never an error. */
export const searchSchema = z.object({
  q: z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim().slice(0, 100))
    .catch(''),
  need: z
    .string()
    .optional()
    .transform((v) => {
      const code = (v ?? '').trim().toLowerCase();
      return CODE_PATTERN.test(code) ? code : '';
    })
    .catch(''),
  area: z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim().slice(0, 100))
    .catch(''),
  include: z
    .string()
    .optional()
    .transform((v): 'all' | '' => (v === 'all' ? 'all' : ''))
    .catch(''),
  page: z.string().optional().catch(undefined),
});
