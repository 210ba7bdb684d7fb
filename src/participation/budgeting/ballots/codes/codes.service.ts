import { recordAudit } from '../../../../platform/audit/audit.service.ts';
import type { Actor } from '../../../../platform/auth/actor.ts';
import { authorise } from '../../../../platform/auth/policy.ts';
import type { Database } from '../../../../platform/db/database.ts';
import { NotFoundError, ValidationError } from '../../../../platform/errors.ts';
import { lettersToPdf } from '../../../../platform/pdf/letters.ts';
import type { PlaceSummary } from '../../../../platform/views/place-context.ts';
import type { Process } from '../../../processes/processes.service.ts';
import type { Budget } from '../../budgets/budgets.service.ts';
import { votingStatus } from '../../budgets/voting-window.ts';
import type { Choice, Section } from '../ballot-rules.ts';
import { ballotPaper, checkChoices, recordBallot, sectionsForVoter } from '../ballot-store.ts';
import { formatCode, hashCode, newCode, normaliseCode, type RandomIndex } from './access-code.ts';
import { codeLetter, dateText } from './code-letter.ts';
import * as repo from './codes.repository.ts';
import { MAX_LETTERS } from './codes.schema.ts';

/** A refusal of the code itself: the page goes back to asking for a code. */
export class CodeRefused extends ValidationError {
  constructor(message: string) {
    super('code', message);
  }
}

export interface AccessCodesDeps {
  db: Database;
  /** The site's own address, for the web address printed on letters. */
  baseUrl: string;
  budgets: { getBudget(place: PlaceSummary, id: string): Promise<Budget> };
  processes: { getProcess(place: PlaceSummary, id: string): Promise<Process> };
  /** Where codes' randomness comes from: crypto.randomInt unless a test supplies a seeded source. */
  random?: RandomIndex;
  /** Letters are compressed unless a test wants to read them back as plain text. */
  compressLetters?: boolean;
}

/** A ballot opened with a valid code. */
export interface CodeBallot {
  budget: Budget;
  /** The code as printed, carried in a hidden field from page to page. */
  code: string;
  /** The voter's sections once their district is known (or when there are no districts). */
  sections: Section[] | null;
  districtId: string | null;
}

export type AccessCodesService = ReturnType<typeof createAccessCodesService>;

export function createAccessCodesService(deps: AccessCodesDeps) {
  const { db, budgets, processes } = deps;

  /**
   * The code's row and budget, or a refusal saying exactly what is wrong with it. Checked again, under
   * locks, when the ballot is cast.
   */
  async function checkCode(place: PlaceSummary, typed: string, options: { casting?: boolean } = {}) {
    const normalised = normaliseCode(typed);
    if (!normalised) {
      throw new CodeRefused('Enter the code exactly as it is printed on your letter, like K7PX-9QMR-3HTW');
    }
    const row = await repo.findCode(db, place.id, hashCode(normalised));
    if (!row)
      throw new CodeRefused('We do not recognise that code. Check it against your letter and try again');
    if (row.voided_at) {
      throw new CodeRefused(`This code has been cancelled. Contact ${place.name} to ask for a new letter`);
    }
    // When casting, whether the code is still unused is decided only by the atomic update.
    if (row.used_at && !options.casting) throw new CodeRefused('This code has already been used');
    const budget = await budgets.getBudget(place, row.budget_id);
    const status = votingStatus(budget);
    if (status === 'upcoming') {
      throw new CodeRefused(
        `Voting on ${budget.title} opens on ${dateText(budget.votingOpensOn)}. Come back then with your code`,
      );
    }
    if (status === 'closed') {
      throw new CodeRefused(`Voting on ${budget.title} closed on ${dateText(budget.votingClosesOn)}`);
    }
    return { row, budget, code: formatCode(normalised) };
  }

  const voteUrl = (place: PlaceSummary) => `${deps.baseUrl}/places/${place.slug}/vote`;

  return {
    /** The web address printed on letters. */
    voteUrl,

    async listBatches(
      actor: Actor,
      place: PlaceSummary,
      budget: Budget,
      page: { limit: number; offset: number },
    ) {
      authorise(actor, 'ballots.issue_codes', place.id);
      const { rows, total } = await repo.listBatches(db, place.id, budget.id, page);
      return {
        total,
        batches: rows.map((r) => ({
          id: r.id,
          quantity: r.quantity,
          issuedAt: r.created_at,
          issuedBy: r.issued_by ?? 'Unknown',
          used: Number(r.used ?? 0),
          voidedAt: r.voided_at,
          voidedBy: r.voided_by,
          voidReason: r.void_reason,
        })),
      };
    },

    async getBatch(actor: Actor, place: PlaceSummary, budget: Budget, batchId: string) {
      authorise(actor, 'ballots.issue_codes', place.id);
      const batch = await repo.findBatch(db, place.id, budget.id, batchId);
      if (!batch) throw new NotFoundError();
      return {
        id: batch.id,
        quantity: batch.quantity,
        issuedAt: batch.created_at,
        voidedAt: batch.voided_at,
      };
    },

    /**
     * Makes a batch of single-use codes and the letters that carry them. Only each code's hash is
     * stored, so the returned PDF is the one and only copy of the codes. The letters are drawn before
     * the transaction so that it stays short; if storing fails, the letters are never sent.
     */
    async issueBatch(
      actor: Actor,
      place: PlaceSummary,
      budget: Budget,
      quantity: number,
    ): Promise<{ batchId: string; pdf: Buffer; filename: string }> {
      authorise(actor, 'ballots.issue_codes', place.id);
      if (!Number.isInteger(quantity) || quantity < 1 || quantity > MAX_LETTERS) {
        throw new ValidationError(
          'quantity',
          `Number of letters must be between 1 and ${MAX_LETTERS.toLocaleString('en-GB')}`,
        );
      }
      if (votingStatus(budget) === 'closed') {
        throw new ValidationError(
          'quantity',
          `Voting on ${budget.title} closed on ${dateText(budget.votingClosesOn)}, so new codes could not be used`,
        );
      }
      const process = await processes.getProcess(place, budget.processId);
      const codes = new Set<string>();
      while (codes.size < quantity) codes.add(newCode(deps.random));
      const pdf = await lettersToPdf(
        [...codes].map((code) =>
          codeLetter({
            placeName: place.name,
            budget,
            processTitle: process.title,
            voteUrl: voteUrl(place),
            code,
          }),
        ),
        {
          title: `Codes to vote: ${budget.title}`,
          author: place.name,
          compress: deps.compressLetters ?? true,
        },
      );
      const hashes = [...codes].map((code) => hashCode(normaliseCode(code)!));
      const batchId = await db.transaction().execute(async (tx) => {
        const id = await repo.insertBatch(tx, {
          placeId: place.id,
          budgetId: budget.id,
          quantity,
          createdBy: actor.user!.id,
        });
        await repo.insertCodes(tx, place.id, budget.id, id, hashes);
        await recordAudit(tx, actor, {
          action: 'access_codes.issued',
          subjectType: 'access_code_batch',
          subjectId: id,
          placeId: place.id,
          details: { budgetId: budget.id, quantity },
        });
        return id;
      });
      const day = new Date().toISOString().slice(0, 10);
      return { batchId, pdf, filename: `voting-codes-${day}-${quantity}-letters.pdf` };
    },

    /** Stops every unused code of a batch from working, e.g. when letters are lost. */
    async voidBatch(actor: Actor, place: PlaceSummary, budget: Budget, batchId: string, reason: string) {
      authorise(actor, 'ballots.issue_codes', place.id);
      await db.transaction().execute(async (tx) => {
        const voided = await repo.voidBatch(tx, place.id, budget.id, batchId, {
          voidedBy: actor.user!.id,
          reason,
        });
        if (!voided) {
          if (!(await repo.findBatch(tx, place.id, budget.id, batchId))) throw new NotFoundError();
          throw new ValidationError('reason', 'This batch has already been voided');
        }
        await recordAudit(tx, actor, {
          action: 'access_codes.voided',
          subjectType: 'access_code_batch',
          subjectId: batchId,
          placeId: place.id,
          details: {
            budgetId: budget.id,
            quantity: voided.quantity,
            unused: await repo.unusedInBatch(tx, place.id, batchId),
            reason,
          },
        });
      });
    },

    /**
     * Opens the ballot a code belongs to. With a district (or a budget without districts) the voter's
     * sections come back; a budget with districts and none chosen yet asks for one first.
     */
    async openBallot(place: PlaceSummary, typed: string, districtId?: string | null): Promise<CodeBallot> {
      const { budget, code } = await checkCode(place, typed);
      if (budget.districts.length > 0 && districtId === undefined) {
        return { budget, code, sections: null, districtId: null };
      }
      const paper = await ballotPaper(db, place.id, budget);
      const district = budget.districts.length > 0 ? (districtId ?? null) : null;
      return { budget, code, sections: sectionsForVoter(budget, paper, district), districtId: district };
    },

    /**
     * Casts the ballot of a code. The code is marked used and the ballot stored in one transaction:
     * if the ballot breaks a rule, the code stays unused; if two people cast with one code at once,
     * one ballot is stored and the other is told the code has been used.
     */
    async castWithCode(
      actor: Actor,
      place: PlaceSummary,
      input: { code: string; districtId: string | null; choices: readonly Choice[] },
    ): Promise<{ budget: Budget; ballotId: string }> {
      const { row, budget } = await checkCode(place, input.code, { casting: true });
      const paper = await ballotPaper(db, place.id, budget);
      const districtId = budget.districts.length > 0 ? input.districtId : null;
      checkChoices(budget, sectionsForVoter(budget, paper, districtId), input.choices);
      const ballotId = await db.transaction().execute(async (tx) => {
        const batch = await repo.lockBatchForUse(tx, place.id, row.batch_id);
        if (!batch || batch.voided_at) {
          throw new CodeRefused(
            `This code has been cancelled. Contact ${place.name} to ask for a new letter`,
          );
        }
        if (!(await repo.useCode(tx, place.id, row.id)))
          throw new CodeRefused('This code has already been used');
        const ballot = await recordBallot(tx, {
          placeId: place.id,
          budget,
          paper,
          channel: 'code',
          districtId,
          choices: input.choices,
          accessCodeId: row.id,
        });
        // No actor: a code ballot is not tied to anyone, even if they happen to be signed in.
        await recordAudit(tx, actor, {
          action: 'ballot.cast_with_code',
          subjectType: 'ballot',
          subjectId: ballot.id,
          placeId: place.id,
          actorId: null,
          details: { budgetId: budget.id, batchId: row.batch_id },
        });
        return ballot.id;
      });
      return { budget, ballotId };
    },
  };
}
