import type { Transaction } from 'kysely';
import type { Actor } from '../../platform/auth/actor.ts';
import type { Database } from '../../platform/db/database.ts';
import type { DB } from '../../platform/db/schema.ts';
import { RefusalError } from '../../platform/errors.ts';
import { containsLink } from '../../platform/markdown.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import * as repo from './moderation.repository.ts';

export const DEFAULT_SETTINGS = {
  hideAfterReports: 3,
  holdLinksFromAccountsYoungerThanDays: 0,
  blockedWords: [] as string[],
};

export interface ScreenResult {
  status: 'published' | 'held';
  /** Why the content was held, to tell the author. */
  reason?: string;
}

/** Pure: the pre-moderation rules of a place applied to one piece of text. */
export function screenText(
  settings: { holdLinksFromAccountsYoungerThanDays: number; blockedWords: string[] },
  text: string,
  accountAgeDays: number,
): ScreenResult {
  const lower = text.toLowerCase();
  const word = settings.blockedWords.find(
    (w) => w && new RegExp(`\\b${w.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`).test(lower),
  );
  if (word) return { status: 'held', reason: 'it contains a word that moderators review before it is shown' };
  if (
    settings.holdLinksFromAccountsYoungerThanDays > 0 &&
    accountAgeDays < settings.holdLinksFromAccountsYoungerThanDays &&
    containsLink(text)
  ) {
    return { status: 'held', reason: 'it contains a link and your account is new' };
  }
  return { status: 'published' };
}

export type ModerationService = ReturnType<typeof createModerationService>;

export function createModerationService(deps: { db: Database }) {
  const { db } = deps;

  async function settingsOf(placeId: string) {
    const row = await repo.findSettings(db, placeId);
    return row
      ? {
          hideAfterReports: row.hide_after_reports,
          holdLinksFromAccountsYoungerThanDays: row.hold_links_from_accounts_younger_than_days,
          blockedWords: row.blocked_words,
        }
      : { ...DEFAULT_SETTINGS };
  }

  return {
    settingsOf,

    async isBlocked(placeId: string, userId: string): Promise<boolean> {
      return (await repo.findBlock(db, placeId, userId)) !== undefined;
    },

    /** Refuses people blocked in this place from posting anything. */
    async assertNotBlocked(actor: Actor, place: PlaceSummary, tx?: Transaction<DB>): Promise<void> {
      if (!actor.user) return;
      const block = await repo.findBlock(tx ?? db, place.id, actor.user.id);
      if (block) {
        throw new RefusalError(
          'blocked',
          `The moderators of ${place.name} have blocked you from posting. The reason given was: ${block.reason}`,
          `If you think this is a mistake, contact ${place.name}.`,
        );
      }
    },

    /** Applies the place's pre-moderation rules to new or edited content. */
    async screen(place: PlaceSummary, authorId: string, text: string): Promise<ScreenResult> {
      const settings = await settingsOf(place.id);
      const created = await repo.accountCreatedAt(db, authorId);
      const ageDays = created ? (Date.now() - created.getTime()) / 86_400_000 : 0;
      return screenText(settings, text, ageDays);
    },
  };
}
