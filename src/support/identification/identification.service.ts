import { recordAudit } from '../../platform/audit/audit.service.ts';
import type { Actor } from '../../platform/auth/actor.ts';
import { authorise } from '../../platform/auth/policy.ts';
import type { Database } from '../../platform/db/database.ts';
import { ValidationError } from '../../platform/errors.ts';
import type { PlaceSummary } from '../../platform/views/place-context.ts';
import * as participants from '../participants/participants.repository.ts';
import type { ProgrammesService } from '../programmes/programmes.service.ts';
import { readIdentificationCsv } from './identification-csv.ts';
import { flagsFor } from './indicators.ts';

export interface ImportSummary {
  rows: number;
  created: number;
  updated: number;
  /** Children already reviewed: their minimised record is left as it is. */
  unchanged: number;
}

export type IdentificationService = ReturnType<typeof createIdentificationService>;

/** Importing a year group's school data and flagging each child against the programme's indicators. */
export function createIdentificationService(deps: { db: Database; programmes: ProgrammesService }) {
  const { db, programmes } = deps;

  return {
    /**
     * Checks every line first and stores nothing when any is wrong; otherwise writes every child, the import
     * summary and its audit event in one transaction.
     */
    async importCsv(
      actor: Actor,
      place: PlaceSummary,
      input: { programmeId: string; cohortId: string; settingId: string; filename: string; bytes: Buffer },
    ): Promise<ImportSummary> {
      authorise(actor, 'programmes.manage', place.id);
      const { programme, cohort, indicators } = await programmes.cohortWithRules(place, input.cohortId);
      if (programme.id !== input.programmeId)
        throw new ValidationError('cohortId', 'Choose a cohort of this programme');
      if (!(await programmes.setting(place, programme.id, input.settingId))) {
        throw new ValidationError('settingId', 'Choose a setting of this programme');
      }
      if (indicators.length === 0) {
        throw new ValidationError(
          'file',
          'Add the programme’s indicators before importing, so each child can be flagged',
        );
      }
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(input.bytes);
      } catch {
        throw new ValidationError(
          'file',
          'The file must be UTF-8 text (save it from a spreadsheet as “CSV UTF-8”)',
        );
      }
      const { rows, problems } = readIdentificationCsv(text, indicators, cohort.yearGroup);
      if (problems.length > 0) {
        const count = problems.length === 1 ? 'a problem' : `${problems.length} problems`;
        throw ValidationError.of([
          {
            field: 'file',
            message: `The file has ${count}, so nothing was imported: correct it and upload it again`,
          },
          ...problems.map((p) => ({ field: 'file', message: `Line ${p.line}: ${p.message}` })),
        ]);
      }
      const children = rows.map((r) => {
        const flags = flagsFor(indicators, r.measures);
        return { ...r, flaggedDomains: flags.domains, flagCount: flags.count };
      });
      return db.transaction().execute(async (tx) => {
        const { created, updated } = await participants.upsertIdentified(
          tx,
          place.id,
          { programmeId: programme.id, cohortId: cohort.id, settingId: input.settingId },
          children,
        );
        const summary = { rows: rows.length, created, updated, unchanged: rows.length - created - updated };
        const importId = await participants.insertImport(tx, place.id, {
          programmeId: programme.id,
          cohortId: cohort.id,
          settingId: input.settingId,
          filename: input.filename.slice(0, 200),
          ...summary,
          importedBy: actor.user?.id ?? null,
        });
        await recordAudit(tx, actor, {
          action: 'identification.imported',
          subjectType: 'programme',
          subjectId: programme.id,
          placeId: place.id,
          details: { importId, cohortId: cohort.id, settingId: input.settingId, ...summary },
        });
        return summary;
      });
    },
  };
}
