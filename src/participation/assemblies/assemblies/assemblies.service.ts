import { recordAudit } from '../../../platform/audit/audit.service.ts';
import type { Actor } from '../../../platform/auth/actor.ts';
import { authorise, can } from '../../../platform/auth/policy.ts';
import type { Database } from '../../../platform/db/database.ts';
import { NotFoundError, ValidationError } from '../../../platform/errors.ts';
import type { PlaceSummary } from '../../../platform/views/place-context.ts';
import type { AssemblyStatus } from '../assemblies.table.ts';
import { checkFeasibility, describeChange, type QuotaChange } from '../selection/feasibility.ts';
import { buildPool } from '../selection/pool.ts';
import { readCategories, SelectionInputError } from '../selection/selection-csv.ts';
import * as repo from './assemblies.repository.ts';
import type { AssemblyInput, FeatureInput } from './assemblies.schema.ts';
import {
  type AssemblyFeature,
  categoriesOf,
  type Excluded,
  type FeatureValue,
  type PoolMember,
  quotaFeatures,
  respondentsOf,
} from './quotas.ts';

export interface Assembly {
  id: string;
  title: string;
  purpose: string;
  panelSize: number;
  startsOn: string | null;
  endsOn: string | null;
  status: AssemblyStatus;
  registrantCount: number;
  createdAt: Date;
}

type AssemblyRow = NonNullable<Awaited<ReturnType<typeof repo.findAssembly>>>;

function toAssembly(row: AssemblyRow): Assembly {
  return {
    id: row.id,
    title: row.title,
    purpose: row.purpose,
    panelSize: row.panel_size,
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    status: row.status,
    registrantCount: row.registrant_count,
    createdAt: row.created_at,
  };
}

export interface QuotaCheck {
  feasible: boolean;
  /** Null when feasible, or when no loosening within the flexible bounds helps. */
  relaxation: readonly QuotaChange[] | null;
  /** In words, one line per changed bound. */
  relaxationText: string[];
  poolSize: number;
  excluded: Excluded[];
  quotaFeatureCount: number;
}

export type AssembliesService = ReturnType<typeof createAssembliesService>;

export function createAssembliesService(deps: { db: Database }) {
  const { db } = deps;

  async function load(place: PlaceSummary, id: string): Promise<Assembly> {
    const row = await repo.findAssembly(db, place.id, id);
    if (!row) throw new NotFoundError();
    return toAssembly(row);
  }

  async function features(place: PlaceSummary, assemblyId: string): Promise<AssemblyFeature[]> {
    const { features: rows, values } = await repo.listFeatures(db, place.id, assemblyId);
    return rows.map((f) => ({
      id: f.id,
      name: f.name,
      question: f.question,
      specialCategory: f.special_category,
      values: values
        .filter((v) => v.feature_id === f.id)
        .map((v) => ({
          id: v.id,
          name: v.name,
          min: v.min,
          max: v.max,
          minFlex: v.min_flex,
          maxFlex: v.max_flex,
        })),
    }));
  }

  /** Registrants not yet on the panel, as the engine sees them. */
  async function drawablePool(place: PlaceSummary, assembly: Assembly) {
    const all = await features(place, assembly.id);
    const quota = quotaFeatures(all, assembly.panelSize);
    const rows = await repo.poolMembers(db, place.id, assembly.id);
    const members: PoolMember[] = rows
      .filter((r) => r.status === 'registered')
      .map((r) => ({ pseudonym: r.pseudonym, answers: r.answers, household: r.household }));
    return { features: quota, categories: categoriesOf(quota), ...respondentsOf(quota, members) };
  }

  /** Writes a feature's values: those named as before keep their id (and registrants' answers). */
  async function writeValues(
    tx: Parameters<typeof repo.insertValue>[0],
    place: PlaceSummary,
    assemblyId: string,
    featureId: string,
    existing: readonly FeatureValue[],
    wanted: readonly Omit<FeatureValue, 'id'>[],
    removeMissing: boolean,
  ) {
    const byName = new Map(existing.map((v) => [v.name.toLocaleLowerCase('en'), v]));
    let position = 0;
    for (const v of wanted) {
      position += 1;
      const old = byName.get(v.name.toLocaleLowerCase('en'));
      if (old) {
        await repo.updateValue(tx, place.id, old.id, { ...v, position });
        byName.delete(v.name.toLocaleLowerCase('en'));
      } else {
        await repo.insertValue(tx, { ...v, placeId: place.id, assemblyId, featureId, position });
      }
    }
    if (!removeMissing) return;
    const gone = [...byName.values()];
    if (gone.length === 0) return;
    const counts = await repo.answerCounts(tx, place.id, assemblyId);
    const answered = gone.filter((v) => (counts.get(v.id) ?? 0) > 0);
    if (answered.length > 0) {
      throw new ValidationError(
        'values',
        `Registrants have already answered ${answered.map((v) => `“${v.name}”`).join(', ')}, so it must stay`,
      );
    }
    await repo.deleteValues(
      tx,
      place.id,
      gone.map((v) => v.id),
    );
  }

  return {
    getAssembly: load,
    features,
    drawablePool,

    /** Public: every assembly past its draft; officers also see drafts. */
    async listAssemblies(actor: Actor, place: PlaceSummary, page: { limit: number; offset: number }) {
      const officer = can(actor, 'assemblies.manage', place.id);
      const { rows, total } = await repo.listAssemblies(db, place.id, officer, page);
      return { assemblies: rows.map(toAssembly), total, officer };
    },

    /** An assembly as anyone may see it: drafts only for officers. */
    async viewAssembly(actor: Actor, place: PlaceSummary, id: string) {
      const assembly = await load(place, id);
      const officer = can(actor, 'assemblies.manage', place.id);
      if (assembly.status === 'draft' && !officer) throw new NotFoundError();
      return { assembly, officer };
    },

    async createAssembly(actor: Actor, place: PlaceSummary, input: AssemblyInput): Promise<string> {
      authorise(actor, 'assemblies.manage', place.id);
      return db.transaction().execute(async (tx) => {
        const id = await repo.insertAssembly(tx, {
          ...input,
          placeId: place.id,
          createdBy: actor.user?.id ?? null,
        });
        await recordAudit(tx, actor, {
          action: 'assembly.created',
          subjectType: 'assembly',
          subjectId: id,
          placeId: place.id,
          details: { title: input.title, panelSize: input.panelSize },
        });
        return id;
      });
    },

    async updateAssembly(
      actor: Actor,
      place: PlaceSummary,
      id: string,
      input: AssemblyInput & { status: AssemblyStatus },
    ) {
      authorise(actor, 'assemblies.manage', place.id);
      await db.transaction().execute(async (tx) => {
        if (!(await repo.findAssembly(tx, place.id, id, true))) throw new NotFoundError();
        await repo.updateAssembly(tx, place.id, id, input);
        await recordAudit(tx, actor, {
          action: 'assembly.updated',
          subjectType: 'assembly',
          subjectId: id,
          placeId: place.id,
          details: { status: input.status, panelSize: input.panelSize },
        });
      });
    },

    async saveFeature(
      actor: Actor,
      place: PlaceSummary,
      assembly: Assembly,
      featureId: string | null,
      input: FeatureInput,
    ): Promise<string> {
      authorise(actor, 'assemblies.manage', place.id);
      const current = await features(place, assembly.id);
      const existing = featureId ? current.find((f) => f.id === featureId) : undefined;
      if (featureId && !existing) throw new NotFoundError();
      const clash = current.find(
        (f) => f.id !== featureId && f.name.toLocaleLowerCase('en') === input.name.toLocaleLowerCase('en'),
      );
      if (clash) throw new ValidationError('name', `There is already a feature called “${clash.name}”`);
      const tooHigh = input.values.find((v) => v.min > assembly.panelSize);
      if (tooHigh) {
        throw new ValidationError(
          'values',
          `The minimum for “${tooHigh.name}” is above the panel size of ${assembly.panelSize}`,
        );
      }
      return db.transaction().execute(async (tx) => {
        let id = featureId;
        if (id) await repo.updateFeature(tx, place.id, id, input);
        else id = await repo.insertFeature(tx, { ...input, placeId: place.id, assemblyId: assembly.id });
        await writeValues(tx, place, assembly.id, id, existing?.values ?? [], input.values, true);
        await recordAudit(tx, actor, {
          action: 'assembly.quotas_changed',
          subjectType: 'assembly',
          subjectId: assembly.id,
          placeId: place.id,
          details: { feature: input.name, values: input.values },
        });
        return id;
      });
    },

    /**
     * Quotas from a CSV in any of the engine's shapes: features and values are matched by name (case
     * ignored) and their bounds replaced; new ones are added; nothing is removed.
     */
    async uploadQuotas(actor: Actor, place: PlaceSummary, assembly: Assembly, text: string) {
      authorise(actor, 'assemblies.manage', place.id);
      let categories: ReturnType<typeof readCategories>;
      try {
        categories = readCategories(text);
      } catch (error) {
        if (error instanceof SelectionInputError) throw new ValidationError('file', error.message);
        throw error;
      }
      const current = await features(place, assembly.id);
      await db.transaction().execute(async (tx) => {
        for (const f of categories.features) {
          const existing = current.find(
            (c) => c.name.toLocaleLowerCase('en') === f.name.toLocaleLowerCase('en'),
          );
          const id =
            existing?.id ??
            (await repo.insertFeature(tx, {
              placeId: place.id,
              assemblyId: assembly.id,
              name: f.name,
              question: f.name,
              specialCategory: false,
            }));
          const wanted = f.values.map((v) => ({
            name: v.name,
            min: v.min,
            max: v.max,
            minFlex: v.minFlex ?? null,
            maxFlex: v.maxFlex ?? null,
          }));
          // Values the file leaves out keep their place after the file's own.
          const kept = (existing?.values ?? []).filter(
            (v) => !wanted.some((w) => w.name.toLocaleLowerCase('en') === v.name.toLocaleLowerCase('en')),
          );
          await writeValues(tx, place, assembly.id, id, existing?.values ?? [], [...wanted, ...kept], false);
        }
        await recordAudit(tx, actor, {
          action: 'assembly.quotas_changed',
          subjectType: 'assembly',
          subjectId: assembly.id,
          placeId: place.id,
          details: { uploaded: categories.features.map((f) => f.name) },
        });
      });
      return categories.features.length;
    },

    /** Can a panel of k be drawn from the registrants now? If not, the smallest relaxation. */
    async quotaCheck(actor: Actor, place: PlaceSummary, assembly: Assembly): Promise<QuotaCheck> {
      authorise(actor, 'assemblies.manage', place.id);
      const pool = await drawablePool(place, assembly);
      const base = {
        poolSize: pool.respondents.length,
        excluded: pool.excluded,
        quotaFeatureCount: pool.features.length,
      };
      if (pool.features.length === 0 || pool.respondents.length < assembly.panelSize) {
        return { ...base, feasible: false, relaxation: null, relaxationText: [] };
      }
      const result = await checkFeasibility(buildPool(pool.categories, pool.respondents), assembly.panelSize);
      if (result.feasible) return { ...base, feasible: true, relaxation: null, relaxationText: [] };
      return {
        ...base,
        feasible: false,
        relaxation: result.relaxation,
        relaxationText: (result.relaxation ?? []).map(describeChange),
      };
    },

    /** Applies the smallest relaxation, worked out again now (never taken from the form). */
    async applyRelaxation(actor: Actor, place: PlaceSummary, assembly: Assembly): Promise<string[]> {
      authorise(actor, 'assemblies.manage', place.id);
      const pool = await drawablePool(place, assembly);
      if (pool.features.length === 0 || pool.respondents.length < assembly.panelSize) {
        throw new ValidationError('relaxation', 'There are not enough registrants to draw a panel yet');
      }
      const result = await checkFeasibility(buildPool(pool.categories, pool.respondents), assembly.panelSize);
      if (result.feasible)
        throw new ValidationError('relaxation', 'The quotas can already be met: nothing to change');
      if (!result.relaxation) {
        throw new ValidationError(
          'relaxation',
          'No loosening of the quotas within their flexible bounds makes a panel possible',
        );
      }
      const changes = result.relaxation;
      await db.transaction().execute(async (tx) => {
        for (const change of changes) {
          const feature = pool.features.find((f) => f.name === change.feature)!;
          const value = feature.values.find((v) => v.name === change.value)!;
          await repo.updateBounds(tx, place.id, value.id, {
            min: change.min?.to ?? value.min,
            max: change.max?.to ?? value.max,
          });
        }
        await recordAudit(tx, actor, {
          action: 'assembly.relaxation_applied',
          subjectType: 'assembly',
          subjectId: assembly.id,
          placeId: place.id,
          details: { changes: changes.map(describeChange) },
        });
      });
      return changes.map(describeChange);
    },

    /** Takes `count` pseudonymous numbers for new registrants (inside the caller's transaction). */
    nextRegistrantNumbers: repo.nextRegistrantNumbers,
    setStatus: repo.setStatus,
    /** Takes the assembly's row lock, so that draws and selections on it are served in turn. */
    lock: (tx: Parameters<typeof repo.insertAssembly>[0], placeId: string, id: string) =>
      repo.findAssembly(tx, placeId, id, true),
  };
}
