import { recordAudit } from '../../../platform/audit/audit.service.ts';
import type { Actor } from '../../../platform/auth/actor.ts';
import { authorise, can } from '../../../platform/auth/policy.ts';
import type { Database } from '../../../platform/db/database.ts';
import { NotFoundError, ValidationError } from '../../../platform/errors.ts';
import type { PlaceSummary } from '../../../platform/views/place-context.ts';
import { today } from '../../processes/phases.ts';
import type { Process } from '../../processes/processes.service.ts';
import { ballotPaper } from '../ballots/ballot-store.ts';
import { allBallots } from '../ballots/ballots.repository.ts';
import { sectionElection } from '../ballots/election.ts';
import type { Budget } from '../budgets/budgets.service.ts';
import { votingStatus } from '../budgets/voting-window.ts';
import { checkPb, writePb } from '../pabulib.ts';
import { electionForFile, pbFileName } from './pb-export.ts';
import { planImport } from './pb-import.ts';
import * as repo from './transfer.repository.ts';

/** Problems listed at most; a file with more is usually the wrong file, and the first ones say why. */
export const MAX_PROBLEMS = 50;
export const AREA = 'area';

export interface ImportResult {
  budgetId: string;
  title: string;
  projects: number;
  ballots: number;
}

export interface ExportLink {
  href: string;
  text: string;
}

export type TransferService = ReturnType<typeof createTransferService>;

/** The .pb download of each section, named by section when there is more than one. */
export function pbExportLinks(
  place: PlaceSummary,
  budgetId: string,
  sections: readonly { districtId: string | null; name: string }[],
): ExportLink[] {
  const base = `/places/${place.slug}/budgets/${budgetId}/export.pb`;
  return sections.map((s) => ({
    href: `${base}?section=${encodeURIComponent(s.districtId ?? AREA)}`,
    text: sections.length > 1 ? `Download the ballots for ${s.name} (.pb)` : 'Download the ballots (.pb)',
  }));
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Importing pabulib .pb files as budgets with their ballots, and exporting a budget's sections as .pb files.
 * Anonymised ballots are open data once voting has closed; before then only staff may export.
 */
export function createTransferService(deps: { db: Database }) {
  const { db } = deps;

  const sectionKey = (districtId: string | null): string => districtId ?? AREA;

  function canExport(actor: Actor, place: PlaceSummary, budget: Budget): boolean {
    return votingStatus(budget) === 'closed' || can(actor, 'budgets.manage', place.id);
  }

  return {
    /**
     * Checks the whole file and, only if it has no problem at all, creates the budget, its projects and its
     * ballots in one transaction. Every problem found is listed with its line; nothing is stored otherwise.
     */
    async importPb(
      actor: Actor,
      place: PlaceSummary,
      process: Process,
      upload: { filename: string; bytes: Buffer },
    ): Promise<ImportResult> {
      authorise(actor, 'budgets.manage', place.id);
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(upload.bytes);
      } catch {
        throw new ValidationError('file', 'The file must be UTF-8 text, as pabulib .pb files are');
      }
      const checked = checkPb(text, MAX_PROBLEMS);
      let problems = checked.problems.map((p) => ({ line: p.line, message: capitalise(p.problem) }));
      let plan = null;
      if (checked.election && checked.lines) {
        const planned = planImport(checked.election, checked.lines, today());
        problems = planned.problems.map((p) => ({ line: p.line, message: capitalise(p.message) }));
        plan = planned.plan;
      }
      if (!plan) {
        const listed = [...problems].sort((a, b) => a.line - b.line).slice(0, MAX_PROBLEMS);
        // The first message is the one shown beside the field; the summary lists every line after it.
        const count = problems.length === 1 ? 'a problem' : `${problems.length} problems`;
        const messages = [
          {
            field: 'file',
            message: !checked.stoppedEarly
              ? `The file has ${count}: correct ${problems.length === 1 ? 'it' : 'them'} and upload it again`
              : problems.length >= MAX_PROBLEMS
                ? `The file has at least ${count}, so checking stopped: correct these and upload it again`
                : `The file has ${count}, and checking stopped at the last because nothing after it can be read: correct ${problems.length === 1 ? 'it' : 'them'} and upload it again`,
          },
          ...listed.map((p) => ({ field: 'file', message: `Line ${p.line}: ${p.message}` })),
        ];
        throw ValidationError.of(messages);
      }

      const ready = plan;
      const budgetId = await db.transaction().execute(async (tx) => {
        const id = await repo.insertBudget(tx, place.id, process.id, ready.budget);
        const projectIds = await repo.insertProjects(tx, place.id, id, ready.projects);
        await repo.insertBallots(tx, place.id, id, ready, projectIds);
        await recordAudit(tx, actor, {
          action: 'budget.imported',
          subjectType: 'budget',
          subjectId: id,
          placeId: place.id,
          details: {
            processId: process.id,
            filename: upload.filename.slice(0, 200),
            voteType: ready.budget.ballotKind,
            projects: ready.projects.length,
            ballots: ready.ballots.length,
            items: ready.items,
          },
        });
        return id;
      });
      return {
        budgetId,
        title: ready.budget.title,
        projects: ready.projects.length,
        ballots: ready.ballots.length,
      };
    },

    /** Whether this person may download the budget's ballots now. */
    canExport,

    /** A download link per section, for the budget page; none for those who may not export yet. */
    async exportLinks(actor: Actor, place: PlaceSummary, budget: Budget): Promise<ExportLink[]> {
      if (!canExport(actor, place, budget)) return [];
      const paper = await ballotPaper(db, place.id, budget);
      return pbExportLinks(place, budget.id, paper.sections);
    },

    /**
     * One section of a budget as a .pb file. Everyone may once voting has closed; staff at any time, and
     * a staff export while voting is still open or yet to open is audited.
     */
    async exportPb(
      actor: Actor,
      place: PlaceSummary,
      budget: Budget,
      section: string,
    ): Promise<{ filename: string; text: string }> {
      const closed = votingStatus(budget) === 'closed';
      if (!closed) authorise(actor, 'budgets.manage', place.id);
      // One snapshot, so that ballots cast while the file is read cannot split it.
      return db
        .transaction()
        .setIsolationLevel('repeatable read')
        .execute(async (tx) => {
          const paper = await ballotPaper(tx, place.id, budget);
          const chosen = paper.sections.find((s) => sectionKey(s.districtId) === section);
          if (!chosen) throw new NotFoundError();
          const stored = await allBallots(tx, place.id, budget.id);
          const election = sectionElection(budget, place.name, chosen, paper.projects, stored);
          const pbFields = new Map(paper.projects.map((p) => [p.id, p.pbFields]));
          const text = writePb(electionForFile(election, budget.pbMeta, pbFields, stored));
          if (!closed) {
            await recordAudit(tx, actor, {
              action: 'budget.exported',
              subjectType: 'budget',
              subjectId: budget.id,
              placeId: place.id,
              details: { section, ballots: election.election.ballots.length },
            });
          }
          return { filename: pbFileName(place.slug, budget.title, chosen.name), text };
        });
    },
  };
}
