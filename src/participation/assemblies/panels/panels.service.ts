import { recordAudit } from '../../../platform/audit/audit.service.ts';
import type { Actor } from '../../../platform/auth/actor.ts';
import { authorise, can } from '../../../platform/auth/policy.ts';
import type { Database } from '../../../platform/db/database.ts';
import { NotFoundError, ValidationError } from '../../../platform/errors.ts';
import type { PlaceSummary } from '../../../platform/views/place-context.ts';
import type { AssembliesService, Assembly } from '../assemblies/assemblies.service.ts';
import type { SelectionStatus } from '../assemblies.table.ts';
import type { Algorithm } from '../selection/distribution.ts';
import { drawPanel, inputHash, SeededStream, uniformLottery } from '../selection/draw.ts';
import { describeChange, InfeasibleQuotasError } from '../selection/feasibility.ts';
import { findReplacements } from '../selection/replacements.ts';
import {
  distributionHash,
  probabilityStats,
  pseudonymousHouseholds,
  quotaRows,
  restore,
  type SelectionInputs,
  type StoredLottery,
} from './panel-report.ts';
import * as repo from './panels.repository.ts';
import { createSelectionRunner, type SelectionRunnerDeps } from './selection.jobs.ts';

export const STATUS_TEXT: Record<SelectionStatus, { text: string; tag: string }> = {
  queued: { text: 'Waiting to start', tag: 'govuk-tag--grey' },
  running: { text: 'Running', tag: 'govuk-tag--blue' },
  done: { text: 'Finished', tag: 'govuk-tag--green' },
  failed: { text: 'Failed', tag: 'govuk-tag--red' },
  cancelled: { text: 'Cancelled', tag: 'govuk-tag--grey' },
};

type SummaryRow = NonNullable<Awaited<ReturnType<typeof repo.activeSelection>>>;

export interface SelectionSummary {
  id: string;
  algorithm: Algorithm;
  uniformPanels: number | null;
  status: SelectionStatus;
  statusText: string;
  statusTag: string;
  active: boolean;
  stepsDone: number;
  stepsTotal: number;
  percent: number;
  progressText: string;
  inputHash: string;
  distributionHash: string | null;
  error: string | null;
  createdAt: Date;
  publishedAt: Date | null;
  seed: string | null;
  drawnAt: Date | null;
}

function toSummary(row: SummaryRow): SelectionSummary {
  const total = Math.max(1, row.steps_total);
  return {
    id: row.id,
    algorithm: row.algorithm,
    uniformPanels: row.uniform_panels,
    status: row.status,
    statusText: STATUS_TEXT[row.status].text,
    statusTag: STATUS_TEXT[row.status].tag,
    active: row.status === 'queued' || row.status === 'running',
    stepsDone: row.status === 'done' ? total : row.steps_done,
    stepsTotal: total,
    percent: row.status === 'done' ? 100 : Math.floor((row.steps_done * 100) / total),
    progressText: row.progress_text || (row.status === 'queued' ? 'Waiting for the selection to start.' : ''),
    inputHash: row.input_hash,
    distributionHash: row.distribution_hash,
    error: row.error,
    createdAt: row.created_at,
    publishedAt: row.published_at,
    seed: row.seed,
    drawnAt: row.drawn_at,
  };
}

const percent = (p: number) => `${(p * 100).toFixed(2)}%`;

export type PanelsService = ReturnType<typeof createPanelsService>;

export function createPanelsService(deps: {
  db: Database;
  assemblies: AssembliesService;
  log?: { error(details: Record<string, unknown>, message: string): void };
  runner?: Omit<SelectionRunnerDeps, 'db' | 'log'>;
}) {
  const { db, assemblies } = deps;
  const runner = createSelectionRunner({ ...deps.runner, db, ...(deps.log ? { log: deps.log } : {}) });

  async function loadSelection(place: PlaceSummary, assembly: Assembly, id: string) {
    const row = await repo.findSelection(db, place.id, assembly.id, id);
    if (!row) throw new NotFoundError();
    return row;
  }

  return {
    runner,

    async selectionsPage(
      actor: Actor,
      place: PlaceSummary,
      assembly: Assembly,
      page: { limit: number; offset: number },
    ) {
      authorise(actor, 'assemblies.manage', place.id);
      const { rows, total } = await repo.listSelections(db, place.id, assembly.id, page);
      const published = await repo.publishedSelection(db, place.id, assembly.id);
      return { selections: rows.map(toSummary), total, published: published ? toSummary(published) : null };
    },

    /** Fixes the inputs (quotas and the registrants who can be drawn) and queues the computation. */
    async requestSelection(
      actor: Actor,
      place: PlaceSummary,
      assembly: Assembly,
      input: { algorithm: Algorithm; uniformPanels: number | null },
    ): Promise<string> {
      authorise(actor, 'assemblies.manage', place.id);
      const pool = await assemblies.drawablePool(place, assembly);
      if (pool.features.length === 0) {
        throw new ValidationError('algorithm', 'Set the quotas of at least one feature before selecting');
      }
      if (pool.respondents.length < assembly.panelSize) {
        throw new ValidationError(
          'algorithm',
          `Only ${pool.respondents.length} registrants can be drawn, fewer than the ${assembly.panelSize} members needed`,
        );
      }
      const inputs: SelectionInputs = {
        categories: pool.categories,
        respondents: pseudonymousHouseholds(pool.respondents),
        k: assembly.panelSize,
        algorithm: input.algorithm,
        addressColumns: ['household'],
      };
      const id = await db.transaction().execute(async (tx) => {
        await assemblies.lock(tx, place.id, assembly.id);
        if (await repo.publishedSelection(tx, place.id, assembly.id)) {
          throw new ValidationError(
            'algorithm',
            'A selection has been published already; it cannot be run again',
          );
        }
        if (await repo.activeSelection(tx, place.id, assembly.id)) {
          throw new ValidationError(
            'algorithm',
            'A selection is already under way. Wait for it, or cancel it',
          );
        }
        const id = await repo.insertSelection(tx, {
          placeId: place.id,
          assemblyId: assembly.id,
          algorithm: input.algorithm,
          uniformPanels: input.uniformPanels,
          inputs,
          inputHash: inputHash(inputs),
          requestedBy: actor.user?.id ?? null,
        });
        await assemblies.setStatus(tx, place.id, assembly.id, 'selecting');
        await recordAudit(tx, actor, {
          action: 'assembly.selection_requested',
          subjectType: 'assembly_selection',
          subjectId: id,
          placeId: place.id,
          details: {
            algorithm: input.algorithm,
            uniformPanels: input.uniformPanels,
            pool: inputs.respondents.length,
          },
        });
        return id;
      });
      runner.wake();
      return id;
    },

    async getSelection(actor: Actor, place: PlaceSummary, assembly: Assembly, id: string) {
      authorise(actor, 'assemblies.manage', place.id);
      const row = await loadSelection(place, assembly, id);
      const lottery = row.result as StoredLottery | null;
      return {
        ...toSummary(row),
        minimum: lottery ? percent(lottery.minimum) : null,
        panelCount: lottery?.panels.length ?? 0,
        panelMembers: (row.panel as { members: string[] } | null)?.members ?? [],
      };
    },

    async cancel(actor: Actor, place: PlaceSummary, assembly: Assembly, id: string) {
      authorise(actor, 'assemblies.manage', place.id);
      const done = await db.transaction().execute(async (tx) => {
        const ok = await repo.cancelSelection(tx, place.id, assembly.id, id);
        if (ok) {
          await recordAudit(tx, actor, {
            action: 'assembly.selection_cancelled',
            subjectType: 'assembly_selection',
            subjectId: id,
            placeId: place.id,
          });
        }
        return ok;
      });
      if (!done) throw new ValidationError('selection', 'This selection has already finished');
      runner.cancelled(id);
    },

    /**
     * Publishes a finished distribution: from now on it is fixed, and anyone can see its hash. For the
     * uniform lottery, the m panels are fixed now too (rounded with the distribution hash as their seed).
     */
    async publish(actor: Actor, place: PlaceSummary, assembly: Assembly, id: string) {
      authorise(actor, 'assemblies.manage', place.id);
      const row = await loadSelection(place, assembly, id);
      if (row.status !== 'done')
        throw new ValidationError('selection', 'Only a finished selection can be published');
      if (row.published_at)
        throw new ValidationError('selection', 'This selection has been published already');
      const lottery = row.result as StoredLottery;
      const inputs = row.inputs as SelectionInputs;
      const hash = distributionHash(lottery);
      let result: StoredLottery = lottery;
      if (row.uniform_panels) {
        const { pool, distribution } = restore(inputs, lottery);
        const uniform = await uniformLottery(pool, distribution, row.uniform_panels, hash);
        result = {
          ...lottery,
          uniform: { panels: uniform.panels.map((p) => [...p]), maxDeviation: uniform.maxDeviation },
        };
      }
      await db.transaction().execute(async (tx) => {
        await assemblies.lock(tx, place.id, assembly.id);
        if (await repo.publishedSelection(tx, place.id, assembly.id)) {
          throw new ValidationError('selection', 'A selection of this assembly has been published already');
        }
        await repo.publishSelection(tx, place.id, id, hash, result);
        await recordAudit(tx, actor, {
          action: 'assembly.selection_published',
          subjectType: 'assembly_selection',
          subjectId: id,
          placeId: place.id,
          details: { distributionHash: hash, inputHash: row.input_hash },
        });
      });
    },

    /** Draws the panel from the published distribution with the published seed, and marks the members. */
    async draw(actor: Actor, place: PlaceSummary, assembly: Assembly, id: string, seed: string) {
      authorise(actor, 'assemblies.manage', place.id);
      return db.transaction().execute(async (tx) => {
        await assemblies.lock(tx, place.id, assembly.id);
        const row = await repo.findSelection(tx, place.id, assembly.id, id, true);
        if (!row) throw new NotFoundError();
        if (!row.published_at)
          throw new ValidationError('seed', 'Publish the distribution before drawing the panel');
        if (row.seed !== null) throw new ValidationError('seed', 'The panel has been drawn already');
        const lottery = row.result as StoredLottery;
        const inputs = row.inputs as SelectionInputs;
        let panel: { members: string[]; panelIndex: number; uniform: boolean };
        if (lottery.uniform) {
          const index = new SeededStream(seed).below(lottery.uniform.panels.length);
          panel = { members: lottery.uniform.panels[index]!, panelIndex: index, uniform: true };
        } else {
          const { pool, distribution } = restore(inputs, lottery);
          const drawn = drawPanel(pool, distribution, seed);
          panel = { members: [...drawn.members], panelIndex: drawn.panelIndex, uniform: false };
        }
        await repo.saveDraw(tx, place.id, id, { seed, panel, drawnBy: actor.user?.id ?? null });
        await repo.markRegistrants(tx, place.id, assembly.id, panel.members, 'selected');
        await assemblies.setStatus(tx, place.id, assembly.id, 'sitting');
        await recordAudit(tx, actor, {
          action: 'assembly.panel_drawn',
          subjectType: 'assembly_selection',
          subjectId: id,
          placeId: place.id,
          details: { seed, panelIndex: panel.panelIndex, members: panel.members.length },
        });
        return panel.members;
      });
    },

    /**
     * The current panel for officers: every member with names, to mark drop-outs, and one page of the
     * replacements drawn so far with how many there are.
     */
    async members(
      actor: Actor,
      place: PlaceSummary,
      assembly: Assembly,
      replacementsPage: { limit: number; offset: number },
    ) {
      authorise(actor, 'assemblies.manage', place.id);
      const rows = await repo.registrantsByStatus(db, place.id, assembly.id);
      const replacements = await repo.listReplacements(db, place.id, assembly.id, replacementsPage);
      return { rows, replacements };
    },

    /**
     * Replaces the members who dropped out from the rest of the selection's pool against the unfilled
     * quotas (engine: MAXIMIN, then a seeded draw), leaving out every household that has had anyone on
     * the panel, drop-outs included.
     */
    async replace(
      actor: Actor,
      place: PlaceSummary,
      assembly: Assembly,
      input: { dropped: string[]; seed: string },
    ) {
      authorise(actor, 'assemblies.manage', place.id);
      const row = await repo.publishedSelection(db, place.id, assembly.id);
      if (!row || row.seed === null)
        throw new ValidationError('dropped', 'Draw the panel before replacing anyone');
      const inputs = row.inputs as SelectionInputs;
      const onPanel = await repo.registrantsByStatus(db, place.id, assembly.id);
      const current = onPanel.filter((r) => r.status === 'selected').map((r) => r.pseudonym);
      const earlier = onPanel.filter((r) => r.status === 'dropped_out').map((r) => r.pseudonym);
      const unknown = input.dropped.filter((p) => !current.includes(p));
      if (unknown.length > 0) throw new ValidationError('dropped', 'Choose members of the current panel');
      const byId = new Map(inputs.respondents.map((r) => [r.id, r]));
      const goneHouseholds = new Set(earlier.map((p) => byId.get(p)?.household).filter((h) => h != null));
      // Earlier drop-outs and their housemates stay out of the pool for good.
      const respondents = inputs.respondents.filter(
        (r) =>
          current.includes(r.id) ||
          (!earlier.includes(r.id) && (r.household === null || !goneHouseholds.has(r.household))),
      );
      let chosen: string[];
      try {
        const result = await findReplacements(inputs.categories, respondents, current, input.dropped, {
          seed: input.seed,
        });
        chosen = [...result.drawn!.members];
      } catch (error) {
        if (error instanceof InfeasibleQuotasError) {
          const how = error.relaxation
            ? ` The smallest relaxation would be: ${error.relaxation.map(describeChange).join('; ')}.`
            : '';
          throw new ValidationError(
            'dropped',
            `No replacements from the rest of the pool can meet the unfilled quotas.${how}`,
          );
        }
        if (error instanceof RangeError) throw new ValidationError('dropped', error.message);
        throw error;
      }
      await db.transaction().execute(async (tx) => {
        await assemblies.lock(tx, place.id, assembly.id);
        await repo.markRegistrants(tx, place.id, assembly.id, input.dropped, 'dropped_out');
        await repo.markRegistrants(tx, place.id, assembly.id, chosen, 'selected', true);
        await repo.insertReplacement(tx, {
          placeId: place.id,
          assemblyId: assembly.id,
          selectionId: row.id,
          dropped: input.dropped,
          chosen,
          seed: input.seed,
          createdBy: actor.user?.id ?? null,
        });
        await recordAudit(tx, actor, {
          action: 'assembly.replacements_drawn',
          subjectType: 'assembly',
          subjectId: assembly.id,
          placeId: place.id,
          details: { dropped: input.dropped, chosen, seed: input.seed },
        });
      });
      return chosen;
    },

    /** The report: public once the distribution is published, officers only before (from a finished run). */
    async report(actor: Actor, place: PlaceSummary, assembly: Assembly, selectionId?: string) {
      const officer = can(actor, 'assemblies.manage', place.id);
      let row = await repo.publishedSelection(db, place.id, assembly.id);
      if (!row && officer && selectionId)
        row = await repo.findSelection(db, place.id, assembly.id, selectionId);
      if (row?.status !== 'done') throw new NotFoundError();
      const lottery = row.result as StoredLottery;
      const inputs = row.inputs as SelectionInputs;
      const onPanel = row.seed === null ? [] : await repo.registrantsByStatus(db, place.id, assembly.id);
      const members = onPanel.filter((r) => r.status === 'selected').map((r) => r.pseudonym);
      return {
        selection: toSummary(row),
        officer,
        k: inputs.k,
        poolSize: inputs.respondents.length,
        stats: probabilityStats(lottery.probabilities),
        quotas: row.seed === null ? [] : quotaRows(inputs, members),
        drawn: row.seed !== null,
        panelCount: lottery.panels.length,
        uniform: lottery.uniform
          ? { m: lottery.uniform.panels.length, maxDeviation: lottery.uniform.maxDeviation }
          : null,
        replacements: onPanel.filter((r) => r.replacement).length,
        probabilities: lottery.probabilities,
        inputs,
      };
    },
  };
}
