import { recordAudit } from '../../platform/audit/audit.service.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import { authorise } from '../../platform/auth/policy.ts';
import { ChangeNotice } from '../../platform/changes.ts';
import type { Database } from '../../platform/db/database.ts';
import { NotFoundError, RefusalError, ValidationError } from '../../platform/errors.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import { checkEligibility, isPostcode, normalisePostcode, type Verification } from './eligibility.ts';
import {
  ACTION_LABELS,
  currentPhase,
  type ParticipationAction,
  type Phase,
  type ProcessStatus,
  phaseProblems,
  processStatus,
  today,
} from './phases.ts';
import * as repo from './processes.repository.ts';
import type { Eligibility } from './processes.table.ts';

export interface Process {
  id: string;
  placeId: string;
  title: string;
  summary: string;
  body: string;
  area: string | null;
  categories: string[];
  eligibility: Eligibility;
  minimumAge: number | null;
  supportThreshold: number | null;
  supportsPerResident: number | null;
  phases: Phase[];
  createdAt: Date;
}

export interface ProcessInput extends repo.ProcessValues {
  phases: repo.PhaseValues[];
}

type ProcessRow = NonNullable<Awaited<ReturnType<typeof repo.findProcess>>>;
type PhaseRow = Awaited<ReturnType<typeof repo.findPhases>>[number];

function toPhase(row: PhaseRow): Phase {
  return {
    id: row.id,
    position: row.position,
    name: row.name,
    description: row.description,
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    allows: {
      propose: row.allows_propose,
      support: row.allows_support,
      comment: row.allows_comment,
      vote: row.allows_vote,
    },
  };
}

function toProcess(row: ProcessRow, phases: PhaseRow[]): Process {
  return {
    id: row.id,
    placeId: row.place_id,
    title: row.title,
    summary: row.summary,
    body: row.body,
    area: row.area,
    categories: row.categories,
    eligibility: row.eligibility,
    minimumAge: row.minimum_age,
    supportThreshold: row.support_threshold,
    supportsPerResident: row.supports_per_resident,
    phases: phases.filter((p) => p.process_id === row.id).map(toPhase),
    createdAt: row.created_at,
  };
}

/** A process read as JSON inside another query (processOfBudgetJson), where its time is text. */
export function processFromJson(
  json: Omit<ProcessRow, 'created_at' | 'updated_at'> & {
    created_at: string | Date;
    updated_at: string | Date;
    phases: readonly JsonOf<PhaseRow>[];
  },
): Process {
  // toPhase reads no times, so the phases serve as they are.
  const phases = json.phases.map((p) => p as unknown as PhaseRow);
  return toProcess(
    { ...json, created_at: new Date(json.created_at), updated_at: new Date(json.updated_at) },
    phases,
  );
}

/** A row as it arrives inside JSON: its times as text. */
type JsonOf<T> = { [K in keyof T]: T[K] extends Date ? string | Date : T[K] };

export function describePhase(process: Process, on = today()) {
  const phase = currentPhase(process.phases, on);
  return { phase, status: processStatus(process.phases, on) };
}

export type ProcessesService = ReturnType<typeof createProcessesService>;

export function createProcessesService(deps: { db: Database }) {
  const { db } = deps;
  const changed = new ChangeNotice();

  async function verificationOf(placeId: string, userId: string): Promise<Verification | undefined> {
    const row = await repo.findVerification(db, placeId, userId);
    return row && { method: row.method, dateOfBirth: row.date_of_birth };
  }

  function validatePhases(phases: repo.PhaseValues[]) {
    const problem = phaseProblems(phases)[0];
    if (problem) throw new ValidationError('phase1Name', problem);
    if (phases.length === 0) throw new ValidationError('phase1Name', 'Add at least one phase');
  }

  async function getProcess(place: PlaceSummary, id: string): Promise<Process> {
    const row = await repo.findProcessWithPhases(db, place.id, id);
    if (!row) throw new NotFoundError();
    return toProcess(row, row.phases);
  }

  return {
    getProcess,

    async listProcesses(place: PlaceSummary, status: ProcessStatus, page: { limit: number; offset: number }) {
      const { rows, total } = await repo.listProcesses(db, place.id, status, today(), page);
      const phases = await repo.findPhases(
        db,
        place.id,
        rows.map((r) => r.id),
      );
      return { processes: rows.map((r) => toProcess(r, phases)), total };
    },

    /** Every process of the place, newest first, whatever its phase (processes are public): for open data. */
    async listAllProcesses(place: PlaceSummary, page: { limit: number; offset: number }) {
      const { rows, total } = await repo.listAllProcesses(db, place.id, page);
      const phases = await repo.findPhases(
        db,
        place.id,
        rows.map((r) => r.id),
      );
      return { processes: rows.map((r) => toProcess(r, phases)), total };
    },

    async createProcess(actor: Actor, place: PlaceSummary, input: ProcessInput): Promise<string> {
      authorise(actor, 'processes.manage', place.id);
      validatePhases(input.phases);
      return db.transaction().execute(async (tx) => {
        const { id } = await repo.insertProcess(tx, place.id, actor.user!.id, input);
        await repo.replacePhases(tx, place.id, id, input.phases);
        await recordAudit(tx, actor, {
          action: 'process.created',
          subjectType: 'process',
          subjectId: id,
          placeId: place.id,
          details: { title: input.title },
        });
        return id;
      });
    },

    async updateProcess(actor: Actor, place: PlaceSummary, id: string, input: ProcessInput): Promise<void> {
      authorise(actor, 'processes.manage', place.id);
      validatePhases(input.phases);
      await getProcess(place, id);
      await db.transaction().execute(async (tx) => {
        await repo.updateProcess(tx, place.id, id, input);
        await repo.replacePhases(tx, place.id, id, input.phases);
        await recordAudit(tx, actor, {
          action: 'process.updated',
          subjectType: 'process',
          subjectId: id,
          placeId: place.id,
          details: { title: input.title },
        });
      });
      changed.tell(place.id);
    },

    /** Calls `listener` with the place whenever this process saves one of its processes (phases, eligibility). */
    onChange(listener: (placeId: string) => void): void {
      changed.listen(listener);
    },

    /**
     * Whether this person may take this action in this process now. Returns
     * nothing, or throws a refusal that says why and how to qualify.
     */
    async assertCanAct(
      actor: Actor,
      place: PlaceSummary,
      process: Process,
      action: ParticipationAction,
    ): Promise<void> {
      const on = today();
      const phase = currentPhase(process.phases, on);
      if (!phase?.allows[action]) {
        const open = process.phases.find((p) => p.allows[action] && p.endsOn >= on);
        // "Proposals are", "Voting is".
        const many = action !== 'vote';
        throw new RefusalError(
          'phase_closed',
          `${ACTION_LABELS[action]} ${many ? 'are' : 'is'} not open in ${phase ? `the ${phase.name} phase` : 'this process at the moment'}.`,
          open
            ? `${many ? 'They open' : 'It opens'} in the ${open.name} phase, from ${open.startsOn}.`
            : `${many ? 'They have' : 'It has'} closed for this process.`,
        );
      }
      const result = checkEligibility(
        process,
        {
          signedIn: actor.user !== null,
          emailVerified: actor.user?.emailVerified ?? false,
          // Only the verified eligibilities look at a residence check.
          verification:
            actor.user && process.eligibility !== 'signed_in'
              ? await verificationOf(place.id, actor.user.id)
              : undefined,
        },
        on,
      );
      if (!result.eligible) {
        const link =
          result.code === 'not_signed_in'
            ? { href: `/sign-in?next=/places/${place.slug}/processes/${process.id}`, text: 'Sign in' }
            : result.code === 'not_verified'
              ? { href: `/places/${place.slug}/verify?process=${process.id}`, text: 'Confirm you live here' }
              : undefined;
        throw new RefusalError(result.code, result.reason, result.howToQualify, link);
      }
    },

    /** For showing, not enforcing: what the person could do now. */
    async whatCanIDo(actor: Actor, place: PlaceSummary, process: Process) {
      const on = today();
      const phase = currentPhase(process.phases, on);
      const result = checkEligibility(
        process,
        {
          signedIn: actor.user !== null,
          emailVerified: actor.user?.emailVerified ?? false,
          // Only the verified eligibilities look at a residence check.
          verification:
            actor.user && process.eligibility !== 'signed_in'
              ? await verificationOf(place.id, actor.user.id)
              : undefined,
        },
        on,
      );
      return { phase, eligibility: result };
    },

    async verificationOf(place: PlaceSummary, userId: string) {
      const row = await repo.findVerification(db, place.id, userId);
      return (
        row && {
          method: row.method,
          postcode: row.postcode,
          dateOfBirth: row.date_of_birth,
          verifiedAt: row.verified_at,
        }
      );
    },

    /** A resident confirms they live here: their postcode must be in the place's list. */
    async verifyByPostcode(
      actor: Actor,
      place: PlaceSummary,
      postcode: string,
      dateOfBirth: string,
    ): Promise<void> {
      const user = actor.user!;
      const normalised = normalisePostcode(postcode);
      if (!(await repo.postcodeIsInPlace(db, place.id, normalised))) {
        throw new ValidationError(
          'postcode',
          `This postcode is not in ${place.name}. If you think it should be, contact the council.`,
        );
      }
      await db.transaction().execute(async (tx) => {
        const existing = await repo.findVerification(tx, place.id, user.id);
        // An in-person verification is stronger: keep it.
        if (existing?.method === 'in_person') return;
        await repo.upsertVerification(tx, {
          placeId: place.id,
          userId: user.id,
          method: 'postcode',
          postcode: normalised,
          dateOfBirth,
          verifiedBy: null,
          note: null,
        });
        await recordAudit(tx, actor, {
          action: 'resident.verified',
          subjectType: 'user',
          subjectId: user.id,
          placeId: place.id,
          details: { method: 'postcode' },
        });
      });
    },

    /** A member of staff records that they checked a resident's address and age in person. */
    async verifyInPerson(
      actor: Actor,
      place: PlaceSummary,
      person: { id: string },
      input: { dateOfBirth: string; postcode: string | null; note: string },
    ): Promise<void> {
      authorise(actor, 'residents.verify', place.id);
      await db.transaction().execute(async (tx) => {
        await repo.upsertVerification(tx, {
          placeId: place.id,
          userId: person.id,
          method: 'in_person',
          postcode: input.postcode ? normalisePostcode(input.postcode) : null,
          dateOfBirth: input.dateOfBirth,
          verifiedBy: actor.user!.id,
          note: input.note,
        });
        await recordAudit(tx, actor, {
          action: 'resident.verified',
          subjectType: 'user',
          subjectId: person.id,
          placeId: place.id,
          details: { method: 'in_person' },
        });
      });
    },

    async postcodeCount(actor: Actor, place: PlaceSummary): Promise<number> {
      authorise(actor, 'residents.verify', place.id);
      return repo.countPostcodes(db, place.id);
    },

    /** Replaces the place's postcode list; every line must be a UK postcode. */
    async replacePostcodes(actor: Actor, place: PlaceSummary, text: string): Promise<number> {
      authorise(actor, 'residents.verify', place.id);
      const lines = text
        .split(/[\r\n,;]+/)
        .map((l) => l.trim())
        .filter(Boolean);
      const bad = lines.findIndex((l) => !isPostcode(l));
      if (bad >= 0)
        throw new ValidationError('postcodes', `Line ${bad + 1}, “${lines[bad]}”, is not a UK postcode`);
      if (lines.length === 0) throw new ValidationError('postcodes', 'Enter at least one postcode');
      const postcodes = [...new Set(lines.map(normalisePostcode))];
      await db.transaction().execute(async (tx) => {
        await repo.replacePostcodes(tx, place.id, postcodes);
        await recordAudit(tx, actor, {
          action: 'place.postcodes_replaced',
          subjectType: 'place',
          subjectId: place.id,
          placeId: place.id,
          details: { count: postcodes.length },
        });
      });
      return postcodes.length;
    },
  };
}
