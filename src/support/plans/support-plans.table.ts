import type { ColumnType, Generated } from 'kysely';

type Optional<T> = ColumnType<T, T | undefined, T>;
type CreatedAt = ColumnType<Date, never, never>;
type Json<T> = ColumnType<T, string, string>;

export type ContactKind = 'visit' | 'phone' | 'message' | 'meeting' | 'school' | 'other';
export type FamilyRelationship = 'young_person' | 'parent_carer';
/** Who gave a rating or wrote a comment: the link worker, or a family member as which relationship. */
export type PlanVoice = 'link_worker' | FamilyRelationship;
export type ComponentKind = 'informal' | 'formal' | 'developmental' | 'specialist';

/** One version of a plan, stored whole: ids of goals and actions are stable from version to version. */
export interface PlanContent {
  goals: { id: string; text: string }[];
  components: {
    id: string;
    kind: ComponentKind;
    description: string;
    provider: string;
    organizationId: string | null;
  }[];
  actions: { id: string; text: string; owner: string; dueOn: string; done: boolean }[];
  reviewDates: string[];
}

/** The column this feature adds to support_programmes (typed through `withTables` in its repository). */
export type SupportProgrammeSafeguardingColumns = {
  support_programmes: { safeguarding_lead_id: Optional<string | null> };
};

export interface ParticipantAssignmentReasonsTable {
  assignment_id: string;
  place_id: string;
  reason: string;
  over_limit: Optional<boolean>;
}

export interface ParticipantContactsTable {
  id: Generated<string>;
  place_id: string;
  participant_id: string;
  contact_on: string;
  kind: ContactKind;
  notes: string;
  recorded_by: string | null;
  recorded_at: CreatedAt;
}

export interface SafeguardingConcernsTable {
  id: Generated<string>;
  place_id: string;
  participant_id: string;
  programme_id: string;
  summary: string;
  raised_by: string | null;
  raised_at: CreatedAt;
  lead_id: string | null;
  lead_emailed_at: Optional<Date | null>;
  resolved_at: Optional<Date | null>;
  resolved_by: Optional<string | null>;
  resolution: Optional<string | null>;
}

export interface SupportPlansTable {
  id: Generated<string>;
  place_id: string;
  participant_id: string;
  current_version: Optional<number>;
  next_review_on: Optional<string | null>;
  created_at: CreatedAt;
  updated_at: Optional<Date>;
}

export interface SupportPlanVersionsTable {
  id: Generated<string>;
  place_id: string;
  plan_id: string;
  version: number;
  content: Json<PlanContent>;
  change_summary: string;
  changed_by: string | null;
  changed_at: CreatedAt;
}

export interface FamilyMembersTable {
  id: Generated<string>;
  place_id: string;
  participant_id: string;
  email: string;
  user_id: Optional<string | null>;
  relationship: FamilyRelationship;
  token_hash: Optional<string | null>;
  invited_by: string | null;
  invited_at: CreatedAt;
  accepted_at: Optional<Date | null>;
  ended_at: Optional<Date | null>;
}

export interface SupportGoalRatingsTable {
  id: Generated<string>;
  place_id: string;
  plan_id: string;
  goal_id: string;
  rating: number;
  rated_by: string | null;
  rated_as: PlanVoice;
  note: Optional<string>;
  rated_at: CreatedAt;
}

export interface SupportPlanCommentsTable {
  id: Generated<string>;
  place_id: string;
  plan_id: string;
  version: number;
  author_id: string | null;
  author_as: PlanVoice;
  body: string;
  created_at: CreatedAt;
}

export interface SupportPlanSignoffsTable {
  id: Generated<string>;
  place_id: string;
  plan_id: string;
  version: number;
  family_member_id: string;
  signed_by: string | null;
  signed_at: CreatedAt;
}
