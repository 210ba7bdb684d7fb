import type { ColumnType, Generated } from 'kysely';

export type Stance = 'in_favour' | 'against' | 'neutral';
export type CommentStatus = 'published' | 'held' | 'hidden' | 'deleted';

export interface CommentsTable {
  id: Generated<string>;
  place_id: string;
  process_id: string;
  proposal_id: string | null;
  parent_id: string | null;
  depth: number;
  author_id: string;
  body: string;
  stance: Stance;
  status: ColumnType<CommentStatus, CommentStatus | undefined, CommentStatus>;
  agree_count: ColumnType<number, number | undefined, number>;
  disagree_count: ColumnType<number, number | undefined, number>;
  edited_at: Date | null;
  /** Why pre-moderation held the comment; null unless status is 'held'. */
  held_reason: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface CommentReactionsTable {
  place_id: string;
  comment_id: string;
  user_id: string;
  value: 1 | -1;
}
