import type { z } from 'zod';
import { recordAudit } from '../../platform/audit/audit.service.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import { authorise } from '../../platform/auth/policy.ts';
import type { Database } from '../../platform/db/database.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import type { IndicatorRule } from '../identification/indicators.ts';
import type { LifeStage, SettingKind } from '../support.table.ts';
import * as repo from './programmes.repository.ts';
import type {
  cohortSchema,
  indicatorSchema,
  ProgrammeForm,
  settingSchema,
  teamMemberSchema,
  teamSchema,
} from './programmes.schema.ts';

/** What the support pillar needs of the directory: organisations by kind, and who belongs to which. */
export interface SupportDirectory {
  organizationOptions(
    place: PlaceSummary,
    kinds?: ('school' | 'nursery' | 'college')[],
  ): Promise<{ id: string; name: string; kind: string }[]>;
  /** Directory organisations the person is a member of (their settings, as school staff). */
  memberOrganizationIds(actor: Actor, place: PlaceSummary): Promise<string[]>;
}

export interface Programme {
  id: string;
  name: string;
  summary: string;
  startsOn: string;
  endsOn: string;
  retentionYears: number;
  caseloadLimit: number;
}

export interface Setting {
  id: string;
  name: string;
  kind: SettingKind;
  organizationId: string | null;
}

export interface Cohort {
  id: string;
  programmeId: string;
  name: string;
  yearGroup: number;
  intakeYear: number;
  lifeStage: LifeStage;
}

export interface Indicator extends IndicatorRule {
  id: string;
}

type ProgrammeRow = NonNullable<Awaited<ReturnType<typeof repo.findProgramme>>>;

function toProgramme(row: ProgrammeRow): Programme {
  return {
    id: row.id,
    name: row.name,
    summary: row.summary,
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    retentionYears: row.retention_years,
    caseloadLimit: row.caseload_limit,
  };
}

function toCohort(row: NonNullable<Awaited<ReturnType<typeof repo.findCohort>>>): Cohort {
  return {
    id: row.id,
    programmeId: row.programme_id,
    name: row.name,
    yearGroup: row.year_group,
    intakeYear: row.intake_year,
    lifeStage: row.life_stage,
  };
}

function toSetting(row: NonNullable<Awaited<ReturnType<typeof repo.findSetting>>>): Setting {
  return { id: row.id, name: row.name, kind: row.kind, organizationId: row.organization_id };
}

function toIndicator(row: Awaited<ReturnType<typeof repo.allIndicators>>[number]): Indicator {
  return {
    id: row.id,
    domain: row.domain,
    columnName: row.column_name,
    label: row.label,
    direction: row.direction,
    threshold: row.threshold === null ? null : Number(row.threshold),
  };
}

type Page = { limit: number; offset: number };

/** The lists a programme page shows, each read a page at a time. */
export const PROGRAMME_PARTS = ['settings', 'cohorts', 'teams', 'indicators', 'imports'] as const;
export type ProgrammePart = (typeof PROGRAMME_PARTS)[number];

export type ProgrammesService = ReturnType<typeof createProgrammesService>;

/** Programmes with their settings, cohorts, teams and indicators: set up by officers and place admins. */
export function createProgrammesService(deps: { db: Database; directory: SupportDirectory }) {
  const { db, directory } = deps;

  async function programme(place: PlaceSummary, id: string): Promise<Programme> {
    const row = await repo.findProgramme(db, place.id, id);
    if (!row) throw new NotFoundError();
    return toProgramme(row);
  }

  async function audit(
    actor: Actor,
    place: PlaceSummary,
    tx: Parameters<typeof recordAudit>[0],
    action: Parameters<typeof recordAudit>[2]['action'],
    programmeId: string,
    details: Record<string, unknown>,
  ) {
    await recordAudit(tx, actor, {
      action,
      subjectType: 'programme',
      subjectId: programmeId,
      placeId: place.id,
      details,
    });
  }

  const parts = {
    settings: async (placeId: string, programmeId: string, page: Page) => {
      const { rows, total } = await repo.listSettings(db, placeId, programmeId, page);
      return { rows: rows.map(toSetting), total };
    },
    cohorts: async (placeId: string, programmeId: string, page: Page) => {
      const { rows, total } = await repo.listCohorts(db, placeId, programmeId, page);
      return { rows: rows.map(toCohort), total };
    },
    teams: (placeId: string, programmeId: string, page: Page) =>
      repo.listTeams(db, placeId, programmeId, page),
    indicators: async (placeId: string, programmeId: string, page: Page) => {
      const { rows, total } = await repo.listIndicators(db, placeId, programmeId, page);
      return { rows: rows.map(toIndicator), total };
    },
    imports: (placeId: string, programmeId: string, page: Page) =>
      repo.listImports(db, placeId, programmeId, page),
  };
  type Parts = { [K in ProgrammePart]: Awaited<ReturnType<(typeof parts)[K]>> };

  return {
    async listProgrammes(actor: Actor, place: PlaceSummary, page: { limit: number; offset: number }) {
      authorise(actor, 'programmes.manage', place.id);
      const { rows, total } = await repo.listProgrammes(db, place.id, page);
      return { programmes: rows.map(toProgramme), total };
    },

    async getProgramme(actor: Actor, place: PlaceSummary, id: string): Promise<Programme> {
      authorise(actor, 'programmes.manage', place.id);
      return programme(place, id);
    },

    /** Programme, cohort and indicators as the import and review pages need them; no authorisation of its own. */
    async cohortWithRules(place: PlaceSummary, cohortId: string) {
      const row = await repo.findCohort(db, place.id, cohortId);
      if (!row) throw new NotFoundError();
      const cohort = toCohort(row);
      const prog = await programme(place, cohort.programmeId);
      return { programme: prog, cohort, indicators: await this.indicators(place, prog.id) };
    },

    /** Every indicator of the programme, as flagging applies them. */
    async indicators(place: PlaceSummary, programmeId: string): Promise<Indicator[]> {
      return (await repo.allIndicators(db, place.id, programmeId)).map(toIndicator);
    },

    /** Every setting of the programme, for choosing one on a form. */
    async settings(place: PlaceSummary, programmeId: string): Promise<Setting[]> {
      return (await repo.allSettings(db, place.id, programmeId)).map(toSetting);
    },

    /** One setting of the programme, or undefined: checks a chosen setting however many there are. */
    async setting(place: PlaceSummary, programmeId: string, id: string): Promise<Setting | undefined> {
      const row = await repo.findSetting(db, place.id, programmeId, id);
      return row ? toSetting(row) : undefined;
    },

    /** Every cohort of the programme, for choosing one on a form. */
    async cohorts(place: PlaceSummary, programmeId: string): Promise<Cohort[]> {
      return (await repo.allCohorts(db, place.id, programmeId)).map(toCohort);
    },

    /** The programme with the first page of each of its lists. */
    async overview(actor: Actor, place: PlaceSummary, id: string, page: Page) {
      const prog = await this.getProgramme(actor, place, id);
      const lists = await Promise.all(PROGRAMME_PARTS.map((part) => parts[part](place.id, id, page)));
      return {
        programme: prog,
        parts: Object.fromEntries(PROGRAMME_PARTS.map((part, i) => [part, lists[i]])) as Parts,
      };
    },

    /** One page of one of the programme's lists. */
    async part<K extends ProgrammePart>(
      actor: Actor,
      place: PlaceSummary,
      id: string,
      part: K,
      page: Page,
    ): Promise<{ programme: Programme; list: Parts[K] }> {
      const prog = await this.getProgramme(actor, place, id);
      return { programme: prog, list: (await parts[part](place.id, id, page)) as Parts[K] };
    },

    async createProgramme(actor: Actor, place: PlaceSummary, form: ProgrammeForm): Promise<string> {
      authorise(actor, 'programmes.manage', place.id);
      if (await repo.programmeNameTaken(db, place.id, form.name)) {
        throw new ValidationError('name', 'A programme with this name already exists');
      }
      return db.transaction().execute(async (tx) => {
        const id = await repo.insertProgramme(tx, place.id, form);
        await audit(actor, place, tx, 'programme.created', id, { name: form.name });
        return id;
      });
    },

    async updateProgramme(actor: Actor, place: PlaceSummary, id: string, form: ProgrammeForm): Promise<void> {
      authorise(actor, 'programmes.manage', place.id);
      await programme(place, id);
      if (await repo.programmeNameTaken(db, place.id, form.name, id)) {
        throw new ValidationError('name', 'A programme with this name already exists');
      }
      await db.transaction().execute(async (tx) => {
        await repo.updateProgramme(tx, place.id, id, form);
        await audit(actor, place, tx, 'programme.updated', id, { name: form.name });
      });
    },

    settingOrganisations(place: PlaceSummary) {
      return directory.organizationOptions(place, ['school', 'nursery', 'college']);
    },

    async addSetting(
      actor: Actor,
      place: PlaceSummary,
      programmeId: string,
      form: z.output<typeof settingSchema>,
    ): Promise<void> {
      authorise(actor, 'programmes.manage', place.id);
      await programme(place, programmeId);
      let name = form.name;
      if (form.organizationId) {
        const organisation = (await this.settingOrganisations(place)).find(
          (o) => o.id === form.organizationId,
        );
        if (!organisation) {
          throw new ValidationError('organizationId', 'Choose a school, nursery or college from the list');
        }
        if (name === '') name = organisation.name;
      }
      await db.transaction().execute(async (tx) => {
        const id = await repo.insertSetting(tx, place.id, programmeId, { ...form, name });
        if (!id) throw new ValidationError('name', 'This programme already has a setting with that name');
        await audit(actor, place, tx, 'programme.setting_added', programmeId, {
          settingId: id,
          name,
          organizationId: form.organizationId,
        });
      });
    },

    async addCohort(
      actor: Actor,
      place: PlaceSummary,
      programmeId: string,
      form: z.output<typeof cohortSchema>,
    ): Promise<void> {
      authorise(actor, 'programmes.manage', place.id);
      await programme(place, programmeId);
      await db.transaction().execute(async (tx) => {
        const id = await repo.insertCohort(tx, place.id, programmeId, form);
        if (!id) throw new ValidationError('name', 'This programme already has a cohort with that name');
        await audit(actor, place, tx, 'programme.cohort_added', programmeId, {
          cohortId: id,
          name: form.name,
        });
      });
    },

    /** Everyone holding the link worker role in the place, for choosing one on a form. */
    async linkWorkers(place: PlaceSummary) {
      return repo.linkWorkersOfPlace(db, place.id);
    },

    /** Whether the person holds the link worker role in the place: checks a chosen one by lookup. */
    async isLinkWorker(place: PlaceSummary, userId: string): Promise<boolean> {
      return repo.isLinkWorker(db, place.id, userId);
    },

    async createTeam(
      actor: Actor,
      place: PlaceSummary,
      programmeId: string,
      form: z.output<typeof teamSchema>,
    ): Promise<void> {
      authorise(actor, 'programmes.manage', place.id);
      await programme(place, programmeId);
      if (!(await repo.isLinkWorker(db, place.id, form.leadUserId))) {
        throw new ValidationError('leadUserId', 'The team lead must be a link worker of this place');
      }
      await db.transaction().execute(async (tx) => {
        const id = await repo.insertTeam(tx, place.id, programmeId, form);
        if (!id) throw new ValidationError('name', 'This programme already has a team with that name');
        await repo.addTeamMember(tx, place.id, id, form.leadUserId);
        await audit(actor, place, tx, 'programme.team_created', programmeId, {
          teamId: id,
          name: form.name,
          leadUserId: form.leadUserId,
        });
      });
    },

    async addTeamMember(
      actor: Actor,
      place: PlaceSummary,
      teamId: string,
      form: z.output<typeof teamMemberSchema>,
    ): Promise<string> {
      authorise(actor, 'programmes.manage', place.id);
      const team = await repo.findTeam(db, place.id, teamId);
      if (!team) throw new NotFoundError();
      if (!(await repo.isLinkWorker(db, place.id, form.userId))) {
        throw new ValidationError('userId', 'Team members must be link workers of this place');
      }
      await db.transaction().execute(async (tx) => {
        const added = await repo.addTeamMember(tx, place.id, team.id, form.userId);
        if (!added) throw new ValidationError('userId', 'That link worker is already in the team');
        await audit(actor, place, tx, 'programme.team_member_added', team.programme_id, {
          teamId: team.id,
          userId: form.userId,
        });
      });
      return team.programme_id;
    },

    async team(place: PlaceSummary, teamId: string) {
      const team = await repo.findTeam(db, place.id, teamId);
      if (!team) throw new NotFoundError();
      return team;
    },

    async addIndicator(
      actor: Actor,
      place: PlaceSummary,
      programmeId: string,
      form: z.output<typeof indicatorSchema>,
    ): Promise<void> {
      authorise(actor, 'programmes.manage', place.id);
      await programme(place, programmeId);
      await db.transaction().execute(async (tx) => {
        const id = await repo.insertIndicator(tx, place.id, programmeId, form);
        if (!id)
          throw new ValidationError(
            'columnName',
            'This programme already has an indicator reading that column',
          );
        await audit(actor, place, tx, 'programme.indicator_added', programmeId, {
          indicatorId: id,
          columnName: form.columnName,
          direction: form.direction,
          threshold: form.threshold,
        });
      });
    },

    async removeIndicator(actor: Actor, place: PlaceSummary, programmeId: string, id: string): Promise<void> {
      authorise(actor, 'programmes.manage', place.id);
      await db.transaction().execute(async (tx) => {
        const removed = await repo.deleteIndicator(tx, place.id, programmeId, id);
        if (!removed) throw new NotFoundError();
        await audit(actor, place, tx, 'programme.indicator_removed', programmeId, {
          indicatorId: id,
          columnName: removed.column_name,
        });
      });
    },

    /** A page of the cohorts a link worker or school staff member may review, for their start page. */
    async reviewableCohorts(
      place: PlaceSummary,
      userId: string,
      linkWorker: boolean,
      organizationIds: string[],
      page: { limit: number; offset: number },
    ) {
      const { rows, total } = await repo.reviewableCohorts(
        db,
        place.id,
        userId,
        linkWorker,
        organizationIds,
        page,
      );
      return { cohorts: rows, total };
    },
  };
}
