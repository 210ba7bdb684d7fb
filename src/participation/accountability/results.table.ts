import type { ColumnType, Generated } from 'kysely';
import type { ResultStatus } from './decisions.table.ts';

/** One entry in a result's timeline, with what the result stood at once it was posted. */
export interface ResultUpdatesTable {
  id: Generated<string>;
  place_id: string;
  decision_id: string;
  author_id: string | null;
  body: string;
  status: ResultStatus;
  progress: number;
  spent: string | null;
  photo: Buffer | null;
  photo_type: 'image/jpeg' | 'image/png' | 'image/webp' | null;
  photo_alt: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}
