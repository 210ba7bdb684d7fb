import { randomBytes } from 'node:crypto';
import { recordAudit } from '../../../platform/audit/audit.service.ts';
import type { Actor } from '../../../platform/auth/actor.ts';
import { authorise } from '../../../platform/auth/policy.ts';
import type { Database } from '../../../platform/db/database.ts';
import { ValidationError } from '../../../platform/errors.ts';
import { type Letter, lettersToPdf } from '../../../platform/pdf/letters.ts';
import type { PlaceSummary } from '../../../platform/views/place-context.ts';
import { formatCode, hashCode, newCode, normaliseCode } from '../../budgeting/ballots/codes/access-code.ts';
import { type CsvRecord, CsvSyntaxError, readCsv } from '../../budgeting/csv-reader.ts';
import type { AssembliesService, Assembly } from '../assemblies/assemblies.service.ts';
import { type AssemblyFeature, householdOf, pseudonymOf } from '../assemblies/quotas.ts';
import type { Answers } from '../assemblies.table.ts';
import { SeededStream, seededShuffle } from '../selection/draw.ts';
import { fold, ID_COLUMNS, readRespondents, SelectionInputError } from '../selection/selection-csv.ts';
import * as repo from './recruitment.repository.ts';

/** A refusal of the code itself: the page asks for the code again. */
export class InvitationRefused extends ValidationError {
  constructor(message: string) {
    super('code', message);
  }
}

export const ADDRESS_COLUMNS = ['address_line_1', 'address_line_2', 'town', 'postcode'] as const;
export const MAX_INVITATIONS = 5000;

function csvRecords(text: string, field: string): CsvRecord[] {
  try {
    return readCsv(text.replace(/^\uFEFF/, ''), ',');
  } catch (error) {
    if (error instanceof CsvSyntaxError)
      throw new ValidationError(field, `Line ${error.line}: ${error.message}`);
    throw error;
  }
}

/** Reads an address list (columns address_line_1, address_line_2, town, postcode; any case, any order). */
export function readAddresses(text: string): repo.AddressRow[] {
  const rows = csvRecords(text, 'file');
  const header = rows[0];
  if (!header) throw new ValidationError('file', 'The file is empty');
  const names = header.fields.map(fold);
  const col = (name: string) => names.indexOf(name);
  if (col('address_line_1') < 0 || col('postcode') < 0) {
    throw new ValidationError('file', `The first line must name the columns ${ADDRESS_COLUMNS.join(', ')}`);
  }
  const problems: { field: string; message: string }[] = [];
  const out: repo.AddressRow[] = [];
  for (const row of rows.slice(1)) {
    const cell = (name: string) => (col(name) >= 0 ? (row.fields[col(name)] ?? '').trim() : '');
    if (row.fields.every((f) => f.trim() === '')) continue;
    const line1 = cell('address_line_1');
    const postcode = cell('postcode').toUpperCase();
    if (!line1 || !postcode) {
      problems.push({
        field: 'file',
        message: `Line ${row.line}: the first address line and the postcode are needed`,
      });
      continue;
    }
    out.push({
      line1,
      line2: cell('address_line_2'),
      town: cell('town'),
      postcode,
      household: householdOf([line1, postcode])!,
    });
  }
  if (problems.length > 0) throw ValidationError.of(problems.slice(0, 20));
  if (out.length === 0) throw new ValidationError('file', 'The file lists no addresses');
  return out;
}

export interface OpenInvitation {
  code: string;
  assembly: Assembly;
  features: AssemblyFeature[];
  address: string[];
}

export interface Registration {
  name: string;
  email: string | null;
  phone: string | null;
  answers: Answers;
  specialConsent: boolean;
}

export type RecruitmentService = ReturnType<typeof createRecruitmentService>;

export function createRecruitmentService(deps: {
  db: Database;
  baseUrl: string;
  assemblies: AssembliesService;
  compressLetters?: boolean;
}) {
  const { db, assemblies } = deps;
  const registerUrl = (place: PlaceSummary) => `${deps.baseUrl}/places/${place.slug}/assemblies/register`;

  async function openInvitation(place: PlaceSummary, typed: string, options: { spending?: boolean } = {}) {
    const normalised = normaliseCode(typed);
    if (!normalised) {
      throw new InvitationRefused(
        'Enter the code exactly as it is printed on your letter, like K7PX-9QMR-3HTW',
      );
    }
    const row = await repo.findInvitation(db, place.id, hashCode(normalised));
    if (!row)
      throw new InvitationRefused(
        'We do not recognise that code. Check it against your letter and try again',
      );
    if (row.used_at && !options.spending) {
      throw new InvitationRefused(
        'This code has already been used to register. Each letter lets one person register',
      );
    }
    const assembly = await assemblies.getAssembly(place, row.assembly_id);
    if (assembly.status !== 'recruiting') {
      throw new InvitationRefused(`Registration for ${assembly.title} is closed`);
    }
    return { row, assembly, code: formatCode(normalised) };
  }

  /** Keeps only answers that are values of the features; special-category answers only with consent. */
  function keptAnswers(features: readonly AssemblyFeature[], answers: Answers, consent: boolean): Answers {
    const kept: Answers = {};
    for (const f of features) {
      const value = answers[f.id];
      if (!value || !f.values.some((v) => v.id === value)) continue;
      if (f.specialCategory && !consent) continue;
      kept[f.id] = value;
    }
    return kept;
  }

  return {
    registerUrl,

    async addressSummary(
      actor: Actor,
      place: PlaceSummary,
      assembly: Assembly,
      page: { limit: number; offset: number },
    ) {
      authorise(actor, 'assemblies.manage', place.id);
      const counts = await repo.addressCounts(db, place.id, assembly.id);
      const draws = await repo.listDraws(db, place.id, assembly.id, page);
      return { counts, draws: draws.rows, totalDraws: draws.total };
    },

    async uploadAddresses(actor: Actor, place: PlaceSummary, assembly: Assembly, text: string) {
      authorise(actor, 'assemblies.manage', place.id);
      const rows = readAddresses(text);
      return db.transaction().execute(async (tx) => {
        const added = await repo.insertAddresses(tx, place.id, assembly.id, rows);
        await recordAudit(tx, actor, {
          action: 'assembly.addresses_uploaded',
          subjectType: 'assembly',
          subjectId: assembly.id,
          placeId: place.id,
          details: { read: rows.length, added },
        });
        return { read: rows.length, added };
      });
    },

    /**
     * Draws `quantity` uninvited addresses with the seed (recorded; a fresh random one when none is
     * given) and makes one single-use code per address. Returns the letters as one PDF: the codes exist
     * nowhere else, only their hashes are stored.
     */
    async drawInvitations(
      actor: Actor,
      place: PlaceSummary,
      assembly: Assembly,
      input: { quantity: number; seed: string | null },
    ) {
      authorise(actor, 'assemblies.manage', place.id);
      const seed = input.seed ?? randomBytes(16).toString('hex');
      const letters: Letter[] = [];
      const drawId = await db.transaction().execute(async (tx) => {
        await assemblies.lock(tx, place.id, assembly.id);
        const open = await repo.uninvitedAddresses(tx, place.id, assembly.id);
        if (open.length === 0)
          throw new ValidationError('quantity', 'Every address on the list has been invited already');
        if (input.quantity > open.length) {
          throw new ValidationError('quantity', `Only ${open.length} addresses have not been invited yet`);
        }
        const byId = new Map(open.map((a) => [a.id, a]));
        const chosen = seededShuffle(
          open.map((a) => a.id),
          new SeededStream(seed),
        ).slice(0, input.quantity);
        const drawId = await repo.insertDraw(tx, {
          placeId: place.id,
          assemblyId: assembly.id,
          seed,
          quantity: chosen.length,
          createdBy: actor.user?.id ?? null,
        });
        const rows = chosen.map((addressId) => {
          const code = newCode();
          const a = byId.get(addressId)!;
          letters.push(
            invitationLetter(place, assembly, registerUrl(place), code, [
              a.line1,
              a.line2,
              a.town,
              a.postcode,
            ]),
          );
          return {
            placeId: place.id,
            assemblyId: assembly.id,
            drawId,
            addressId,
            codeHash: hashCode(normaliseCode(code)!),
          };
        });
        await repo.insertInvitations(tx, rows);
        await recordAudit(tx, actor, {
          action: 'assembly.invitations_drawn',
          subjectType: 'assembly',
          subjectId: assembly.id,
          placeId: place.id,
          details: { quantity: chosen.length, seed },
        });
        return drawId;
      });
      const pdf = await lettersToPdf(letters, {
        title: `Invitations: ${assembly.title}`,
        author: place.name,
        ...(deps.compressLetters === false ? { compress: false } : {}),
      });
      return { pdf, filename: `assembly-invitations-${drawId.slice(0, 8)}.pdf`, seed };
    },

    /** The registration form for a valid, unused code (public, no account). */
    async openInvitation(place: PlaceSummary, typed: string): Promise<OpenInvitation> {
      const { row, assembly, code } = await openInvitation(place, typed);
      return {
        code,
        assembly,
        features: await assemblies.features(place, assembly.id),
        address: [row.line1, row.line2, row.town, row.postcode].filter((l) => l !== ''),
      };
    },

    /**
     * Registers one person with a code. Spending the code (an UPDATE … WHERE used_at IS NULL) and the
     * unique invitation_id on registrants both stand between a code and a second registration.
     */
    async register(actor: Actor, place: PlaceSummary, typed: string, input: Registration) {
      const { row, assembly } = await openInvitation(place, typed, { spending: true });
      const features = await assemblies.features(place, assembly.id);
      const missing = features.filter((f) => !f.specialCategory && !input.answers[f.id]);
      if (missing.length > 0) {
        throw ValidationError.of(
          missing.map((f) => ({ field: `feature-${f.id}`, message: `Answer: ${f.question}` })),
        );
      }
      const answers = keptAnswers(features, input.answers, input.specialConsent);
      try {
        return await db.transaction().execute(async (tx) => {
          if (!(await repo.spendInvitation(tx, place.id, row.id))) {
            throw new InvitationRefused(
              'This code has already been used to register. Each letter lets one person register',
            );
          }
          const n = await assemblies.nextRegistrantNumbers(tx, place.id, assembly.id, 1);
          await repo.insertRegistrants(tx, [
            {
              placeId: place.id,
              assemblyId: assembly.id,
              invitationId: row.id,
              source: 'code',
              pseudonym: pseudonymOf(n),
              externalId: null,
              name: input.name,
              email: input.email,
              phone: input.phone,
              address: [row.line1, row.line2, row.town, row.postcode].filter((l) => l !== '').join(', '),
              household: row.household,
              answers,
              specialConsent: input.specialConsent,
            },
          ]);
          await recordAudit(tx, actor, {
            action: 'assembly.registered',
            subjectType: 'assembly',
            subjectId: assembly.id,
            placeId: place.id,
            details: { pseudonym: pseudonymOf(n) },
          });
          return { assembly, pseudonym: pseudonymOf(n) };
        });
      } catch (error) {
        // Two registrations racing on one code: the database refuses the second.
        if (error instanceof Error && /unique|duplicate/i.test(error.message)) {
          throw new InvitationRefused(
            'This code has already been used to register. Each letter lets one person register',
          );
        }
        throw error;
      }
    },

    /**
     * Imports registrants from CSV through the engine's reader: one column per feature with quotas (named
     * as the feature), an id column (nationbuilder_id, unique_id or id), optional name columns and the
     * address columns named. Answers to special-category features are kept only when the officer confirms
     * the people consented.
     */
    async importRegistrants(
      actor: Actor,
      place: PlaceSummary,
      assembly: Assembly,
      input: { text: string; addressColumns: string[]; consent: boolean },
    ) {
      authorise(actor, 'assemblies.manage', place.id);
      const features = (await assemblies.features(place, assembly.id)).filter((f) => f.values.length > 0);
      if (features.length === 0)
        throw new ValidationError('file', 'Add the features and their values before importing');
      const categories = {
        features: features.map((f) => ({
          name: f.name,
          values: f.values.map((v) => ({ name: v.name, min: v.min, max: v.max })),
        })),
      };
      let respondents: ReturnType<typeof readRespondents>;
      try {
        respondents = readRespondents(input.text, categories, { addressColumns: input.addressColumns });
      } catch (error) {
        if (error instanceof SelectionInputError) throw new ValidationError('file', error.message);
        throw error;
      }
      // Names and contacts are read beside the engine's reader, which keeps only what selection needs.
      const records = csvRecords(input.text, 'file');
      const names = records[0]!.fields.map(fold);
      const idName = ID_COLUMNS.find((c) => names.includes(c));
      const at = (name: string) => names.indexOf(name);
      const extra = new Map<
        string,
        { name: string; email: string | null; phone: string | null; address: string }
      >();
      records.slice(1).forEach((r, i) => {
        if (r.fields.every((f) => f.trim() === '')) return;
        const cell = (name: string) => (at(name) >= 0 ? (r.fields[at(name)] ?? '').trim() : '');
        const id = idName ? cell(idName) : String(extra.size + 1);
        const name =
          cell('name') ||
          [cell('first_name'), cell('last_name')].filter(Boolean).join(' ') ||
          `Respondent ${id || i + 1}`;
        extra.set(id, {
          name,
          email: cell('email') || null,
          phone: cell('phone') || cell('mobile_number') || null,
          address: input.addressColumns
            .map((c) => cell(fold(c)))
            .filter(Boolean)
            .join(', '),
        });
      });
      const already = await repo.existingExternalIds(
        db,
        place.id,
        assembly.id,
        respondents.map((r) => r.id),
      );
      if (already.size > 0) {
        throw new ValidationError(
          'file',
          `Already imported: ${[...already].slice(0, 5).join(', ')}${already.size > 5 ? ' …' : ''}`,
        );
      }
      return db.transaction().execute(async (tx) => {
        const first = await assemblies.nextRegistrantNumbers(tx, place.id, assembly.id, respondents.length);
        await repo.insertRegistrants(
          tx,
          respondents.map((r, i) => {
            const answers: Answers = {};
            features.forEach((f, fi) => {
              if (f.specialCategory && !input.consent) return;
              answers[f.id] = f.values[r.values[fi]!]!.id;
            });
            const more = extra.get(r.id)!;
            return {
              placeId: place.id,
              assemblyId: assembly.id,
              invitationId: null,
              source: 'import' as const,
              pseudonym: pseudonymOf(first + i),
              externalId: r.id,
              name: more.name,
              email: more.email,
              phone: more.phone,
              address: more.address,
              household: r.household,
              answers,
              specialConsent: input.consent,
            };
          }),
        );
        await recordAudit(tx, actor, {
          action: 'assembly.registrants_imported',
          subjectType: 'assembly',
          subjectId: assembly.id,
          placeId: place.id,
          details: {
            count: respondents.length,
            addressColumns: input.addressColumns,
            consent: input.consent,
          },
        });
        return respondents.length;
      });
    },

    /** The registrants, with their contacts: personal data, so the read is audited. */
    async listRegistrants(
      actor: Actor,
      place: PlaceSummary,
      assembly: Assembly,
      page: { limit: number; offset: number; page: number },
    ) {
      authorise(actor, 'assemblies.manage', place.id);
      const result = await repo.listRegistrants(db, place.id, assembly.id, page);
      await recordAudit(db, actor, {
        action: 'assembly.registrants_viewed',
        subjectType: 'assembly',
        subjectId: assembly.id,
        placeId: place.id,
        details: { page: page.page },
      });
      return result;
    },
  };
}

/** One invitation letter: to the household at the address, with the web address and the code. */
export function invitationLetter(
  place: PlaceSummary,
  assembly: Assembly,
  url: string,
  code: string,
  address: string[],
): Letter {
  return {
    blocks: [
      { kind: 'heading', text: place.name },
      { kind: 'address', lines: ['The resident(s)', ...address.filter((l) => l !== '')] },
      { kind: 'title', text: `You are invited: ${assembly.title}` },
      {
        kind: 'paragraph',
        text: `Your household has been chosen at random to be invited to ${assembly.title}, a citizens’ assembly of ${assembly.panelSize} residents. ${assembly.purpose}`,
      },
      {
        kind: 'paragraph',
        text: 'Anyone aged 16 or over who lives at this address can register. Members are then chosen by a fair lottery so that the assembly looks like the place as a whole.',
      },
      { kind: 'paragraph', text: 'To register, go to this web address:' },
      { kind: 'emphasis', text: url },
      { kind: 'code', label: 'and enter this code:', text: code },
      {
        kind: 'note',
        text: 'This code lets one person register, once. You do not need an account. Keep this letter until you have registered.',
      },
    ],
  };
}
