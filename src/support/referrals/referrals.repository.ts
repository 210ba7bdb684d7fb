import { type Kysely, type RawBuilder, type SqlBool, sql, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { IndicatorDomain } from '../support.table.ts';
import { type SupportViewer, visibleParticipants } from '../support-policy.ts';
import { ITEMS_TRAVEL_IN, PARTNER_SEES } from './referral-states.ts';
import type { ReferralStatus } from './referrals.table.ts';

type Executor = Kysely<DB> | Transaction<DB>;
type Page = { limit: number; offset: number };

/** Organisations the user is a member of in the place: the partner's reach, inside every partner query. */
function memberOrganizations(db: Executor, placeId: string, userId: string) {
  return db
    .selectFrom('organization_members as om')
    .select('om.organization_id')
    .where('om.place_id', '=', placeId)
    .where('om.user_id', '=', userId);
}

/**
 * Whether a referral may show the partner one data item now: the referral is open (sent or accepted), it
 * carries the item, the agreement to the service is still live, and a live sharing decision for the
 * receiving organisation still covers the item. Checked in the query, so a withdrawal hides it at once.
 */
function itemLive(item: string): RawBuilder<boolean> {
  const one = JSON.stringify([item]);
  return sql<boolean>`(
    r.status in (${sql.join(ITEMS_TRAVEL_IN.map((s) => sql.lit(s)))})
    and r.data_items @> ${one}::jsonb
    and exists (
      select 1 from participant_agreements a
      where a.place_id = r.place_id and a.participant_id = r.participant_id and a.withdrawn_at is null
    )
    and exists (
      select 1 from participant_sharing_decisions d
      where d.place_id = r.place_id and d.participant_id = r.participant_id
        and d.organization_id = r.organization_id and d.withdrawn_at is null
        and d.data_items @> ${one}::jsonb
    )
  )`;
}

export interface PartnerReach {
  placeId: string;
  userId: string;
}

function partnerQuery(db: Executor, reach: PartnerReach) {
  return db
    .selectFrom('support_referrals as r')
    .where('r.place_id', '=', reach.placeId)
    .where('r.organization_id', 'in', memberOrganizations(db, reach.placeId, reach.userId))
    .where('r.status', 'in', [...PARTNER_SEES]);
}

/** The partner's inbox: referrals to their organisations, never drafts, without any child's details. */
export async function receivedReferrals(
  db: Executor,
  reach: PartnerReach,
  status: ReferralStatus | undefined,
  page: { limit: number; offset: number },
) {
  let query = partnerQuery(db, reach).innerJoin('organizations as o', 'o.id', 'r.organization_id');
  if (status) query = query.where('r.status', '=', status);
  const [rows, count] = await Promise.all([
    query
      .select(['r.id', 'r.status', 'r.service_name', 'r.sent_at', 'o.name as organization_name'])
      .orderBy('r.sent_at', 'desc')
      .orderBy('r.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** One received referral with only the items that may travel now; other items come back null. */
export async function receivedReferral(db: Executor, reach: PartnerReach, id: string) {
  return partnerQuery(db, reach)
    .innerJoin('participants as p', (join) =>
      join.onRef('p.id', '=', 'r.participant_id').onRef('p.place_id', '=', 'r.place_id'),
    )
    .innerJoin('support_settings as s', 's.id', 'p.setting_id')
    .innerJoin('organizations as o', 'o.id', 'r.organization_id')
    .leftJoin('users as u', 'u.id', 'r.referred_by')
    .select([
      'r.id',
      'r.participant_id',
      'r.organization_id',
      'r.status',
      'r.service_name',
      'r.note',
      'r.data_items',
      'r.decline_reason',
      'r.sent_at',
      'r.responded_at',
      'r.closed_at',
      'o.name as organization_name',
      'u.name as referred_by_name',
      sql<string | null>`case when ${itemLive('name')} then p.given_name end`.as('given_name'),
      sql<string | null>`case when ${itemLive('name')} then p.family_name end`.as('family_name'),
      sql<string | null>`case when ${itemLive('date_of_birth')} then p.date_of_birth::text end`.as(
        'date_of_birth',
      ),
      sql<string | null>`case when ${itemLive('school_and_year')} then s.name end`.as('setting_name'),
      sql<number | null>`case when ${itemLive('school_and_year')} then p.year_group end`.as('year_group'),
      sql<
        IndicatorDomain[] | null
      >`case when ${itemLive('identification_flags')} then p.flagged_domains end`.as('flagged_domains'),
      itemLive('attendance').as('attendance_shared'),
      itemLive('name').as('name_shared'),
    ])
    .where('r.id', '=', id)
    .executeTakeFirst();
}

/** A received referral locked for the partner's answer, only within the partner's organisations. */
export async function lockReceived(tx: Transaction<DB>, reach: PartnerReach, id: string) {
  return partnerQuery(tx, reach)
    .select(['r.id', 'r.status', 'r.participant_id', 'r.organization_id'])
    .where('r.id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/**
 * Accepted referrals to one of the partner's organisations: the children its sessions may add. A child
 * accepted more than once is there once, by their latest accepted referral.
 */
function accepted(db: Executor, reach: PartnerReach, organizationId: string) {
  return partnerQuery(db, reach)
    .innerJoin('participants as p', (join) =>
      join.onRef('p.id', '=', 'r.participant_id').onRef('p.place_id', '=', 'r.place_id'),
    )
    .where('r.organization_id', '=', organizationId)
    .where('r.status', '=', 'accepted')
    .where(({ exists, not, selectFrom }) =>
      not(
        exists(
          selectFrom('support_referrals as later')
            .select('later.id')
            .whereRef('later.place_id', '=', 'r.place_id')
            .whereRef('later.participant_id', '=', 'r.participant_id')
            .whereRef('later.organization_id', '=', 'r.organization_id')
            .where('later.status', '=', 'accepted')
            .where(sql<SqlBool>`(later.sent_at, later.id) > (r.sent_at, r.id)`),
        ),
      ),
    );
}

const acceptedColumns = [
  'r.id',
  'r.participant_id',
  'r.service_name',
  sql<string | null>`case when ${itemLive('name')} then p.given_name end`.as('given_name'),
  sql<string | null>`case when ${itemLive('name')} then p.family_name end`.as('family_name'),
] as const;

/** One page of the organisation's accepted referrals, in the order they were sent. */
export async function acceptedForOrganization(
  db: Executor,
  reach: PartnerReach,
  organizationId: string,
  page: Page,
) {
  const [rows, count] = await Promise.all([
    accepted(db, reach, organizationId)
      .select(acceptedColumns)
      .orderBy('r.sent_at')
      .orderBy('r.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    accepted(db, reach, organizationId)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

/** The organisation's accepted referrals of exactly the children given, to check a choice against. */
export async function acceptedAmong(
  db: Executor,
  reach: PartnerReach,
  organizationId: string,
  participantIds: readonly string[],
) {
  if (participantIds.length === 0) return [];
  return accepted(db, reach, organizationId)
    .select(acceptedColumns)
    .where('r.participant_id', 'in', [...participantIds])
    .orderBy('r.sent_at')
    .orderBy('r.id')
    .execute();
}

/** Names of referred children as the partner may see them now, by referral, for a session's register. */
export async function partnerLabels(db: Executor, reach: PartnerReach, referralIds: readonly string[]) {
  if (referralIds.length === 0) return [];
  return partnerQuery(db, reach)
    .innerJoin('participants as p', (join) =>
      join.onRef('p.id', '=', 'r.participant_id').onRef('p.place_id', '=', 'r.place_id'),
    )
    .select([
      'r.id',
      sql<string | null>`case when ${itemLive('name')} then p.given_name end`.as('given_name'),
      sql<string | null>`case when ${itemLive('name')} then p.family_name end`.as('family_name'),
    ])
    .where('r.id', 'in', [...referralIds])
    .execute();
}

export async function respond(
  tx: Transaction<DB>,
  placeId: string,
  id: string,
  to: ReferralStatus,
  declineReason: string | null,
) {
  const now = new Date();
  await tx
    .updateTable('support_referrals')
    .set({
      status: to,
      updated_at: now,
      ...(to === 'accepted' || to === 'declined' ? { responded_at: now } : {}),
      ...(to === 'declined' ? { decline_reason: declineReason, closed_at: now } : {}),
      ...(to === 'completed' || to === 'revoked' ? { closed_at: now } : {}),
    })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .execute();
}

// The referrer's side: always through the participant's visibility.

function referrerQuery(db: Executor, viewer: SupportViewer) {
  return db
    .selectFrom('support_referrals as r')
    .innerJoin('participants', (join) =>
      join
        .onRef('participants.id', '=', 'r.participant_id')
        .onRef('participants.place_id', '=', 'r.place_id'),
    )
    .where('r.place_id', '=', viewer.placeId)
    .where(visibleParticipants(viewer));
}

/** One page of a child's referrals, newest first, through the child's visibility. */
export async function referralsOfParticipant(
  db: Executor,
  viewer: SupportViewer,
  participantId: string,
  page: Page,
) {
  const query = referrerQuery(db, viewer).where('r.participant_id', '=', participantId);
  const [rows, count] = await Promise.all([
    query
      .innerJoin('organizations as o', 'o.id', 'r.organization_id')
      .select([
        'r.id',
        'r.status',
        'r.service_name',
        'r.created_at',
        'r.sent_at',
        'r.data_items',
        'o.name as organization_name',
      ])
      .orderBy('r.created_at', 'desc')
      .orderBy('r.id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(count.n) };
}

export async function referral(db: Executor, viewer: SupportViewer, id: string) {
  return referrerQuery(db, viewer)
    .innerJoin('organizations as o', 'o.id', 'r.organization_id')
    .leftJoin('users as u', 'u.id', 'r.referred_by')
    .select([
      'r.id',
      'r.participant_id',
      'r.organization_id',
      'r.service_id',
      'r.status',
      'r.service_name',
      'r.note',
      'r.data_items',
      'r.decline_reason',
      'r.created_at',
      'r.sent_at',
      'r.responded_at',
      'r.closed_at',
      'o.name as organization_name',
      'u.name as referred_by_name',
      'participants.reference',
      'participants.given_name',
      'participants.family_name',
    ])
    .where('r.id', '=', id)
    .executeTakeFirst();
}

export async function lockReferral(tx: Transaction<DB>, viewer: SupportViewer, id: string) {
  return referrerQuery(tx, viewer)
    .select(['r.id', 'r.status', 'r.participant_id', 'r.organization_id', 'r.data_items', 'r.service_name'])
    .where('r.id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/** A participant the viewer may see, locked while a referral of theirs is written. */
export async function lockParticipant(tx: Transaction<DB>, viewer: SupportViewer, id: string) {
  return tx
    .selectFrom('participants')
    .select(['id', 'status'])
    .where(visibleParticipants(viewer))
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function insertReferral(
  tx: Transaction<DB>,
  placeId: string,
  v: {
    participantId: string;
    organizationId: string;
    serviceId: string;
    serviceName: string;
    note: string;
    dataItems: string[];
    referredBy: string | null;
  },
) {
  const row = await tx
    .insertInto('support_referrals')
    .values({
      place_id: placeId,
      participant_id: v.participantId,
      organization_id: v.organizationId,
      service_id: v.serviceId,
      service_name: v.serviceName,
      note: v.note,
      data_items: JSON.stringify(v.dataItems),
      referred_by: v.referredBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** The newest live sharing decision for the organisation, with the agreement still live. */
export async function liveSharingDecision(
  db: Executor,
  placeId: string,
  participantId: string,
  organizationId: string,
) {
  return db
    .selectFrom('participant_sharing_decisions as d')
    .select(['d.id', 'd.data_items'])
    .where('d.place_id', '=', placeId)
    .where('d.participant_id', '=', participantId)
    .where('d.organization_id', '=', organizationId)
    .where('d.withdrawn_at', 'is', null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('participant_agreements as a')
          .select('a.id')
          .where('a.place_id', '=', placeId)
          .where('a.participant_id', '=', participantId)
          .where('a.withdrawn_at', 'is', null),
      ),
    )
    .orderBy('d.decided_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function markSent(
  tx: Transaction<DB>,
  placeId: string,
  id: string,
  v: { dataItems: string[]; decisionId: string },
) {
  const now = new Date();
  await tx
    .updateTable('support_referrals')
    .set({
      status: 'sent',
      data_items: JSON.stringify(v.dataItems),
      sharing_decision_id: v.decisionId,
      sent_at: now,
      updated_at: now,
    })
    .where('place_id', '=', placeId)
    .where('id', '=', id)
    .execute();
}

/**
 * Email addresses of every member of the receiving organisation, for the notice that a referral arrived. Not
 * capped: a member left out would never hear of the referral.
 */
export async function memberEmails(db: Executor, placeId: string, organizationId: string) {
  const rows = await db
    .selectFrom('organization_members as om')
    .innerJoin('users as u', 'u.id', 'om.user_id')
    .select('u.email')
    .where('om.place_id', '=', placeId)
    .where('om.organization_id', '=', organizationId)
    .where('u.email', 'is not', null)
    .orderBy('u.email')
    .execute();
  return rows.map((r) => r.email).filter((e): e is string => typeof e === 'string' && e !== '');
}
