import { recordAudit } from '../../../../platform/audit/audit.service.ts';
import type { Actor } from '../../../../platform/auth/actor.ts';
import { authorise } from '../../../../platform/auth/policy.ts';
import type { Database } from '../../../../platform/db/database.ts';
import { NotFoundError, RefusalError, ValidationError } from '../../../../platform/errors.ts';
import type { PlaceSummary } from '../../../../platform/views/place-context.ts';
import type { Budget } from '../../budgets/budgets.service.ts';
import { votingStatus } from '../../budgets/voting-window.ts';
import { isPublished } from '../../results/results.repository.ts';
import { type Choice, sectionField } from '../ballot-rules.ts';
import {
  type BallotPaper,
  ballotPaper,
  checkChoices,
  recordBallot,
  sectionsForVoter,
} from '../ballot-store.ts';
import type { SheetStatus } from '../ballots.table.ts';
import { dateText } from '../codes/code-letter.ts';
import * as repo from './paper.repository.ts';
import { compareReadings, normaliseReading, type Reading, STATUS_LABELS, sameReading } from './readings.ts';

export interface SheetInput {
  districtId: string | null;
  spoilt: boolean;
  choices: readonly Choice[];
}

export type EntryOutcome = 'first' | 'matched' | 'mismatch' | 'spoilt';

export type PaperBallotsService = ReturnType<typeof createPaperBallotsService>;

/**
 * Paper ballots typed in twice by two different people, blind; a third person resolves any
 * disagreement. Only a reading both agree on (or the resolver's) becomes a ballot.
 */
export function createPaperBallotsService(deps: { db: Database }) {
  const { db } = deps;

  /** Paper ballots come in from the day voting opens until the results are published. */
  async function assertOpenForPaper(executor: Database, place: PlaceSummary, budget: Budget) {
    if (votingStatus(budget) === 'upcoming') {
      throw new RefusalError(
        'paper_not_yet',
        `Voting on ${budget.title} opens on ${dateText(budget.votingOpensOn)}, so paper ballots cannot be entered yet.`,
        'Come back on or after the day voting opens.',
      );
    }
    if (await isPublished(executor, place.id, budget.id)) {
      throw new RefusalError(
        'paper_after_results',
        `The results of ${budget.title} have been published, so no more paper ballots can be entered.`,
        'Paper ballots that arrive after the results are published cannot be counted.',
      );
    }
  }

  /** Checks a reading that is not spoilt against the ballot's rules, with messages for the person typing. */
  function checkReading(budget: Budget, paper: BallotPaper, input: SheetInput): void {
    if (input.spoilt) return;
    if (budget.districts.length > 0) {
      const district = budget.districts.find((d) => d.id === input.districtId);
      if (!district) {
        throw new ValidationError(
          'districtId',
          'Select the district marked on the sheet, or mark the sheet as spoilt if there is none',
        );
      }
      // A project of another district means the district or a choice was misread.
      const sectionOf = new Map(paper.sections.flatMap((s) => s.projects.map((p) => [p.id, s] as const)));
      for (const choice of input.choices) {
        const section = sectionOf.get(choice.projectId);
        if (section && section.districtId !== null && section.districtId !== district.id) {
          const project = section.projects.find((p) => p.id === choice.projectId)!;
          throw new ValidationError(
            sectionField(section),
            `${project.title} is a project for ${section.name}, not ${district.name}: check the district and the choices on the sheet`,
          );
        }
      }
    }
    checkChoices(budget, sectionsForVoter(budget, paper, input.districtId), input.choices);
  }

  function readingOf(entry: Awaited<ReturnType<typeof repo.entriesOf>>[number]): Reading {
    return { districtId: entry.district_id, spoilt: entry.spoilt, items: entry.items };
  }

  async function sheetEntries(place: PlaceSummary, sheetId: string) {
    return repo.entriesOf(db, place.id, sheetId);
  }

  function refuseOwnEntry(reference: string): RefusalError {
    return new RefusalError(
      'paper_sheet_own_entry',
      `You entered a reading of sheet ${reference}, so you cannot resolve it.`,
      'Ask a colleague who has not entered this sheet to resolve it.',
    );
  }

  function refuseNotMismatch(reference: string, status: SheetStatus): RefusalError {
    return new RefusalError(
      'paper_sheet_not_to_resolve',
      `Sheet ${reference} is not waiting to be resolved: its status is ${STATUS_LABELS[status].toLowerCase()}.`,
      'Go back to the list of paper ballots to see what is left to resolve.',
    );
  }

  return {
    /** The ballot's projects in sections, for the entry form. */
    async entryForm(actor: Actor, place: PlaceSummary, budget: Budget): Promise<BallotPaper> {
      authorise(actor, 'ballots.enter_paper', place.id);
      await assertOpenForPaper(db, place, budget);
      return ballotPaper(db, place.id, budget);
    },

    async listSheets(
      actor: Actor,
      place: PlaceSummary,
      budget: Budget,
      status: SheetStatus,
      page: { limit: number; offset: number },
    ) {
      authorise(actor, 'ballots.enter_paper', place.id);
      const [rows, counts] = await Promise.all([
        repo.listSheets(db, place.id, budget.id, status, page),
        repo.statusCounts(db, place.id, budget.id),
      ]);
      return { sheets: rows, counts, total: counts[status] };
    },

    /**
     * One reading of a sheet. The first creates the sheet; the second, by someone else, is compared
     * with the first without ever being shown it: the same reading becomes a ballot in the same
     * transaction, a different one goes to the list to resolve.
     */
    async enterSheet(
      actor: Actor,
      place: PlaceSummary,
      budget: Budget,
      input: SheetInput & { reference: string },
    ): Promise<EntryOutcome> {
      authorise(actor, 'ballots.enter_paper', place.id);
      const userId = actor.user!.id;
      await assertOpenForPaper(db, place, budget);
      const paper = await ballotPaper(db, place.id, budget);
      checkReading(budget, paper, input);
      const reading = normaliseReading(budget, input);
      const { reference } = input;
      return db.transaction().execute(async (tx) => {
        await assertOpenForPaper(tx, place, budget);
        const entry = (sheetId: string, stage: 'first' | 'second') =>
          repo.insertEntry(tx, { placeId: place.id, sheetId, stage, enteredBy: userId, ...reading });
        const audit = (action: Parameters<typeof recordAudit>[2]['action'], sheetId: string, details = {}) =>
          recordAudit(tx, actor, {
            action,
            subjectType: 'paper_sheet',
            subjectId: sheetId,
            placeId: place.id,
            details: { budgetId: budget.id, reference, ...details },
          });

        const created = await repo.claimSheet(tx, place.id, budget.id, reference);
        if (created) {
          await entry(created, 'first');
          await audit('paper_sheet.entered', created, { stage: 'first', spoilt: reading.spoilt });
          return 'first';
        }

        const sheet = await repo.lockSheet(tx, place.id, budget.id, { reference });
        if (!sheet) throw new NotFoundError();
        if (sheet.status !== 'awaiting_second') {
          throw new ValidationError(
            'reference',
            sheet.status === 'mismatch'
              ? `Sheet ${reference} has been entered twice and the entries differ: it is waiting to be resolved`
              : `Sheet ${reference} has already been entered twice: check the number on the sheet`,
          );
        }
        const [first] = await repo.entriesOf(tx, place.id, sheet.id);
        if (!first) throw new NotFoundError();
        if (first.entered_by === userId) {
          throw new ValidationError(
            'reference',
            `You entered sheet ${reference} the first time. Someone else must enter it the second time`,
          );
        }
        await entry(sheet.id, 'second');
        await audit('paper_sheet.entered', sheet.id, { stage: 'second', spoilt: reading.spoilt });
        if (!sameReading(readingOf(first), reading)) {
          await repo.setStatus(tx, place.id, sheet.id, 'mismatch');
          await audit('paper_sheet.mismatched', sheet.id);
          return 'mismatch';
        }
        if (reading.spoilt) {
          await repo.setStatus(tx, place.id, sheet.id, 'spoilt');
          await audit('paper_sheet.spoilt', sheet.id, { stage: 'second' });
          return 'spoilt';
        }
        const ballot = await recordBallot(tx, {
          placeId: place.id,
          budget,
          paper,
          channel: 'paper',
          districtId: reading.districtId,
          choices: input.choices,
          paperSheetId: sheet.id,
        });
        await repo.setStatus(tx, place.id, sheet.id, 'matched');
        await audit('paper_sheet.matched', sheet.id, { ballotId: ballot.id });
        return 'matched';
      });
    },

    /** A sheet whose two readings differ, both shown side by side, for someone who entered neither. */
    async sheetToResolve(actor: Actor, place: PlaceSummary, budget: Budget, sheetId: string) {
      authorise(actor, 'ballots.enter_paper', place.id);
      await assertOpenForPaper(db, place, budget);
      const sheet = await repo.findSheet(db, place.id, budget.id, sheetId);
      if (!sheet) throw new NotFoundError();
      if (sheet.status !== 'mismatch') throw refuseNotMismatch(sheet.reference, sheet.status);
      const entries = await sheetEntries(place, sheet.id);
      if (entries.some((e) => e.entered_by === actor.user!.id)) throw refuseOwnEntry(sheet.reference);
      const first = entries.find((e) => e.stage === 'first');
      const second = entries.find((e) => e.stage === 'second');
      if (!first || !second) throw new NotFoundError();
      const paper = await ballotPaper(db, place.id, budget);
      return {
        sheet,
        paper,
        firstBy: first.entered_by_name,
        secondBy: second.entered_by_name,
        rows: compareReadings(budget, paper.projects, readingOf(first), readingOf(second)),
      };
    },

    /** The resolver's reading is final: a ballot, or a spoilt sheet. */
    async resolveSheet(
      actor: Actor,
      place: PlaceSummary,
      budget: Budget,
      sheetId: string,
      input: SheetInput,
    ): Promise<{ reference: string; outcome: 'resolved' | 'spoilt' }> {
      authorise(actor, 'ballots.enter_paper', place.id);
      const userId = actor.user!.id;
      await assertOpenForPaper(db, place, budget);
      const paper = await ballotPaper(db, place.id, budget);
      checkReading(budget, paper, input);
      const reading = normaliseReading(budget, input);
      return db.transaction().execute(async (tx) => {
        await assertOpenForPaper(tx, place, budget);
        const sheet = await repo.lockSheet(tx, place.id, budget.id, { id: sheetId });
        if (!sheet) throw new NotFoundError();
        if (sheet.status !== 'mismatch') throw refuseNotMismatch(sheet.reference, sheet.status);
        const entries = await repo.entriesOf(tx, place.id, sheet.id);
        if (entries.some((e) => e.entered_by === userId)) throw refuseOwnEntry(sheet.reference);
        await repo.insertEntry(tx, {
          placeId: place.id,
          sheetId: sheet.id,
          stage: 'resolution',
          enteredBy: userId,
          ...reading,
        });
        const details = { budgetId: budget.id, reference: sheet.reference };
        if (reading.spoilt) {
          await repo.setStatus(tx, place.id, sheet.id, 'spoilt');
          await recordAudit(tx, actor, {
            action: 'paper_sheet.spoilt',
            subjectType: 'paper_sheet',
            subjectId: sheet.id,
            placeId: place.id,
            details: { ...details, stage: 'resolution' },
          });
          return { reference: sheet.reference, outcome: 'spoilt' as const };
        }
        const ballot = await recordBallot(tx, {
          placeId: place.id,
          budget,
          paper,
          channel: 'paper',
          districtId: reading.districtId,
          choices: input.choices,
          paperSheetId: sheet.id,
        });
        await repo.setStatus(tx, place.id, sheet.id, 'resolved');
        await recordAudit(tx, actor, {
          action: 'paper_sheet.resolved',
          subjectType: 'paper_sheet',
          subjectId: sheet.id,
          placeId: place.id,
          details: { ...details, ballotId: ballot.id },
        });
        return { reference: sheet.reference, outcome: 'resolved' as const };
      });
    },
  };
}
