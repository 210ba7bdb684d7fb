import type { ColumnType, Generated } from 'kysely';

export type ProposalStatus = 'published' | 'withdrawn' | 'held' | 'hidden';
export type ProposalAnswer = 'evaluating' | 'accepted' | 'not_accepted' | 'already_happening';

export interface ProposalsTable {
  id: Generated<string>;
  place_id: string;
  process_id: string;
  author_id: string;
  title: string;
  body: string;
  category: string | null;
  area: string | null;
  postcode: string | null;
  status: ColumnType<ProposalStatus, ProposalStatus | undefined, ProposalStatus>;
  answer: ProposalAnswer | null;
  answer_reason: string | null;
  answered_by: string | null;
  answered_at: Date | null;
  support_count: ColumnType<number, number | undefined, number>;
  comment_count: ColumnType<number, number | undefined, number>;
  search: ColumnType<string, never, never>;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ProposalImagesTable {
  proposal_id: string;
  place_id: string;
  content_type: 'image/jpeg' | 'image/png' | 'image/webp';
  alt_text: string;
  bytes: Buffer;
  created_at: ColumnType<Date, never, never>;
}

export interface SupportsTable {
  place_id: string;
  proposal_id: string;
  user_id: string;
  process_id: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}
