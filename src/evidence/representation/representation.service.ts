import { recordAudit } from '../../platform/audit/audit.service.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import { authorise } from '../../platform/auth/policy.ts';
import type { Database } from '../../platform/db/database.ts';
import { ForbiddenError, ValidationError } from '../../platform/errors.ts';
import { type BarChart, barChart } from '../../platform/views/bar-chart.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import { PREFER_NOT, readProfileCsv } from './profile-csv.ts';
import type { Scope } from './representation.repository.ts';
import * as repo from './representation.repository.ts';
import { compareDimension, type DimensionComparison } from './representation-index.ts';
import { type Cell, smallCount } from './suppression.ts';

export type { Scope };
export const SCOPES: Scope[] = ['everyone', 'online', 'code', 'paper'];
export const SCOPE_LABELS: Record<Scope, string> = {
  everyone: 'Everyone who took part',
  online: 'Voted online',
  code: 'Voted with an access code',
  paper: 'Voted on paper',
};

export interface ProfileCategory {
  category: string;
  population: number | null;
  /** 0–1. */
  share: number;
}

export interface Dimension {
  key: string;
  label: string;
  categories: ProfileCategory[];
}

export interface Profile {
  filename: string;
  uploadedAt: Date;
  dimensions: Dimension[];
}

export interface ProcessLookup {
  getProcess(place: PlaceSummary, id: string): Promise<{ id: string; title: string }>;
}

export interface DimensionView extends DimensionComparison {
  key: string;
  label: string;
  chart: BarChart;
}

export interface Dashboard {
  process: { id: string; title: string };
  scope: Scope;
  profile: Profile | null;
  /** Budget ballots by channel, each a count on its own. */
  channels: { online: Cell; code: Cell; paper: Cell; imported: Cell };
  hasBallots: boolean;
  /** The signed-in people in this view (asked), and those with no account (not asked). */
  asked: Cell;
  notAsked: Cell;
  answeredAny: Cell;
  dimensions: DimensionView[];
}

function toNumber(value: string | number | null): number | null {
  return value === null ? null : Number(value);
}

export type RepresentationService = ReturnType<typeof createRepresentationService>;

export function createRepresentationService(deps: { db: Database; processes: ProcessLookup }) {
  const { db, processes } = deps;

  async function loadProfile(placeId: string): Promise<Profile | null> {
    const [upload, rows] = await Promise.all([repo.findProfile(db, placeId), repo.profileRows(db, placeId)]);
    if (!upload) return null;
    const dimensions: Dimension[] = [];
    for (const row of rows) {
      let dimension = dimensions.find((d) => d.key === row.dimension);
      if (!dimension) {
        dimension = { key: row.dimension, label: row.dimension_label, categories: [] };
        dimensions.push(dimension);
      }
      dimension.categories.push({
        category: row.category,
        population: toNumber(row.population),
        share: Number(row.share),
      });
    }
    return { filename: upload.filename, uploadedAt: upload.uploaded_at, dimensions };
  }

  function signedIn(actor: Actor): string {
    if (!actor.user) throw new ForbiddenError('You need to sign in to see this page');
    return actor.user.id;
  }

  return {
    /** The place's profile, for the people who analyse and manage it. */
    async profile(actor: Actor, place: PlaceSummary): Promise<Profile | null> {
      authorise(actor, 'evidence.analyse', place.id);
      return loadProfile(place.id);
    },

    /** For other features (turnout by area): the profile, read by someone already authorised. */
    profileForAggregates: loadProfile,

    /** Replaces the profile with the file's, or stores nothing and reports every problem with its line. */
    async uploadProfile(actor: Actor, place: PlaceSummary, file: { filename: string; bytes: Buffer }) {
      authorise(actor, 'population_profile.manage', place.id);
      const { rows, problems } = readProfileCsv(file.bytes.toString('utf8'));
      if (problems.length > 0) {
        throw ValidationError.of(
          problems.map((p) => ({ field: 'file', message: `Line ${p.line}: ${p.message}` })),
        );
      }
      await db.transaction().execute(async (tx) => {
        await repo.replaceProfile(
          tx,
          place.id,
          { filename: file.filename.slice(0, 200), uploadedBy: actor.user!.id },
          rows,
        );
        await recordAudit(tx, actor, {
          action: 'population_profile.uploaded',
          subjectType: 'place',
          subjectId: place.id,
          placeId: place.id,
          details: { filename: file.filename.slice(0, 200), categories: rows.length },
        });
      });
      return rows.length;
    },

    /** The questions of a place (its profile's dimensions) and the person's own answers. */
    async questions(actor: Actor, place: PlaceSummary) {
      const userId = signedIn(actor);
      const [profile, answers] = await Promise.all([
        loadProfile(place.id),
        repo.answersOf(db, place.id, userId),
      ]);
      return {
        dimensions: profile?.dimensions ?? [],
        answers: Object.fromEntries(answers.map((a) => [a.dimension, a.answer])) as Record<string, string>,
        consentedAt: answers[0]?.consented_at ?? null,
      };
    },

    /**
     * Stores the person's answers in place of any earlier ones, only with their consent. A question left
     * blank is not stored; "prefer not to say" is.
     */
    async saveAnswers(
      actor: Actor,
      place: PlaceSummary,
      input: { consent: boolean; answers: Record<string, string> },
    ) {
      const userId = signedIn(actor);
      if (!input.consent) {
        throw new ValidationError(
          'consent',
          'Tick the box to say you agree to your answers being used this way',
        );
      }
      const profile = await loadProfile(place.id);
      if (!profile) throw new ValidationError('consent', 'This place has no questions to answer yet');
      const answers: { dimension: string; answer: string }[] = [];
      const problems: { field: string; message: string }[] = [];
      for (const dimension of profile.dimensions) {
        const answer = input.answers[dimension.key] ?? '';
        if (answer === '') continue;
        if (answer !== PREFER_NOT && !dimension.categories.some((c) => c.category === answer)) {
          problems.push({
            field: `q-${dimension.key}`,
            message: `Choose one of the answers for ${dimension.label.toLowerCase()}`,
          });
        } else answers.push({ dimension: dimension.key, answer });
      }
      if (problems.length > 0) throw ValidationError.of(problems);
      await db.transaction().execute(async (tx) => {
        await repo.replaceAnswers(tx, place.id, userId, answers, new Date());
        // That they answered, never what.
        await recordAudit(tx, actor, {
          action: 'about_you.answered',
          subjectType: 'user',
          subjectId: userId,
          placeId: place.id,
          details: { questions: answers.length },
        });
      });
      return answers.length;
    },

    async deleteAnswers(actor: Actor, place: PlaceSummary): Promise<number> {
      const userId = signedIn(actor);
      return db.transaction().execute(async (tx) => {
        const removed = await repo.deleteAnswers(tx, place.id, userId);
        await recordAudit(tx, actor, {
          action: 'about_you.deleted',
          subjectType: 'user',
          subjectId: userId,
          placeId: place.id,
        });
        return removed;
      });
    },

    /** A page of the places a signed-in person may answer questions for. */
    async placesToAnswer(actor: Actor, page: { limit: number; offset: number }) {
      return repo.placesWithProfiles(db, signedIn(actor), page);
    },

    /** The person's own answers everywhere, for the account's data download. */
    async exportOf(userId: string) {
      const rows = await repo.allAnswersOf(db, userId);
      return rows.map((r) => ({
        place: r.slug,
        question: r.dimension,
        answer: r.answer === PREFER_NOT ? 'Prefer not to say' : r.answer,
        consentedAt: r.consented_at,
        updatedAt: r.updated_at,
      }));
    },

    async processList(actor: Actor, place: PlaceSummary, page: { limit: number; offset: number }) {
      authorise(actor, 'evidence.analyse', place.id);
      return repo.processesOfPlace(db, place.id, page);
    },

    /** Who took part in a process against the population, aggregates only, every small count suppressed. */
    async dashboard(actor: Actor, place: PlaceSummary, processId: string, scope: Scope): Promise<Dashboard> {
      authorise(actor, 'evidence.analyse', place.id);
      const process = await processes.getProcess(place, processId);
      const [profile, channels, counts] = await Promise.all([
        loadProfile(place.id),
        repo.ballotsByChannel(db, place.id, process.id),
        repo.answerCounts(db, place.id, process.id, scope),
      ]);
      const notAsked =
        scope === 'everyone'
          ? channels.code + channels.paper + channels.imported
          : scope === 'code'
            ? channels.code
            : scope === 'paper'
              ? channels.paper
              : 0;
      const count = (dimension: string, answer: string) =>
        counts.counts.find((c) => c.dimension === dimension && c.answer === answer)?.count ?? 0;
      const dimensions = (profile?.dimensions ?? []).map((d): DimensionView => {
        const categories = d.categories.map((c) => ({
          category: c.category,
          populationShare: c.share,
          participants: count(d.key, c.category),
        }));
        const preferNot = count(d.key, PREFER_NOT);
        // Answers to categories no longer in the profile (it was replaced) count as not answered.
        const given = categories.reduce((s, c) => s + c.participants, 0) + preferNot;
        const comparison = compareDimension(categories, preferNot, counts.people - given);
        const charted = comparison.categories.filter((c) => c.index !== null);
        return {
          key: d.key,
          label: d.label,
          ...comparison,
          chart: barChart(
            charted.map((c) => ({ label: c.category, value: c.index!, marked: c.index! < 80 })),
            ['point', 'points'],
            { markedText: 'under-represented' },
          ),
        };
      });
      const hasBallots = channels.online + channels.code + channels.paper + channels.imported > 0;
      return {
        process: { id: process.id, title: process.title },
        scope,
        profile,
        channels: {
          online: smallCount(channels.online),
          code: smallCount(channels.code),
          paper: smallCount(channels.paper),
          imported: smallCount(channels.imported),
        },
        hasBallots,
        asked: smallCount(counts.people),
        notAsked: smallCount(notAsked),
        answeredAny: counts.people >= 5 ? smallCount(counts.answeredAny) : { kind: 'withheld' },
        dimensions,
      };
    },
  };
}
