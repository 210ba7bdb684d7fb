import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Actor } from '../../platform/auth/actor.ts';
import { pageRequest } from '../../platform/pagination.ts';
import { pdfText } from '../../platform/pdf/pdf-text.ts';
import { Agent, errorSummary } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';
import type { Assembly } from './assemblies/assemblies.service.ts';
import { createSelectionRunner } from './panels/selection.jobs.ts';
import { createRecruitmentService } from './recruitment/recruitment.service.ts';

const FIXTURE = new URL('../../../../shared/sortition/sortition-algorithms/', import.meta.url);
const featuresCsv = readFileSync(new URL('features.csv', FIXTURE), 'utf8');
const candidatesCsv = readFileSync(new URL('candidates.csv', FIXTURE), 'utf8');
const FIRST_PAGE = pageRequest(undefined);

describe('Citizens’ assemblies', () => {
  let t: TestApp;
  let place: { id: string; slug: string; name: string };
  let officer: Actor;
  let officerAgent: Agent;

  async function newAssembly(title: string, panelSize = 22): Promise<Assembly> {
    const { assemblies } = t.services;
    const id = await assemblies.createAssembly(officer, place, {
      title,
      purpose: 'How should Riverside cut its carbon emissions?',
      panelSize,
      startsOn: null,
      endsOn: null,
    });
    return assemblies.getAssembly(place, id);
  }

  before(async () => {
    t = await buildTestApp();
    place = await t.createPlace('riverside', 'Riverside');
    const id = await t.createUser({
      email: 'olu@example.org',
      roles: [{ placeId: place.id, role: 'officer' }],
    });
    officer = (await t.services.accounts.loadActor(id, 'test'))!;
    officerAgent = new Agent(t.app);
    await officerAgent.submit('/sign-in', { email: 'olu@example.org', password: TEST_PASSWORD });
  });
  after(() => t.close());

  describe('quotas and the quota check', () => {
    it('shows the smallest relaxation of infeasible quotas and applies it in one click, audited', async () => {
      const { assemblies, assemblyRecruitment } = t.services;
      const assembly = await newAssembly('Infeasible', 22);
      await assemblies.uploadQuotas(officer, place, assembly, featuresCsv);
      await assemblyRecruitment.importRegistrants(officer, place, assembly, {
        text: candidatesCsv,
        addressColumns: ['primary_address1', 'primary_zip'],
        consent: false,
      });
      // Ask for more women than a panel of 22 can hold alongside the men's minimum.
      const features = await assemblies.features(place, assembly.id);
      const gender = features.find((f) => f.name === 'Gender')!;
      await assemblies.saveFeature(officer, place, assembly, gender.id, {
        name: 'Gender',
        question: 'Gender',
        specialCategory: false,
        values: gender.values.map((v) =>
          v.name === 'Female' ? { ...v, min: 14, max: 14, minFlex: 0, maxFlex: 22 } : v,
        ),
      });
      const path = `/places/riverside/assemblies/${assembly.id}/quota-check`;
      const page = await officerAgent.get(path);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /No panel meets these quotas/);
      assert.match(page.body, /Gender\/Female: min 14 → 12/);
      const applied = await officerAgent.submit(path, {});
      assert.equal(applied.statusCode, 303);
      const after = await officerAgent.get(path);
      assert.match(after.body, /The quotas can be met/);
      const female = (await assemblies.features(place, assembly.id))
        .find((f) => f.name === 'Gender')!
        .values.find((v) => v.name === 'Female')!;
      assert.equal(female.min, 12);
      const audit = await t.database.db
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'assembly.relaxation_applied')
        .execute();
      assert.equal(audit.length, 1);
    });

    it('refuses a quotas file in no known shape, naming the problem', async () => {
      const assembly = await newAssembly('Bad quotas');
      const res = await officerAgent.submitMultipart(
        `/places/riverside/assemblies/${assembly.id}/features`,
        {},
        { file: { filename: 'q.csv', contentType: 'text/csv', bytes: Buffer.from('a,b\n1,2\n') } },
        `/places/riverside/assemblies/${assembly.id}/quotas`,
      );
      assert.equal(res.statusCode, 400);
      assert.match(errorSummary(res.body)[0]!, /header must be/);
    });
  });

  describe('invitations and registration with a code', () => {
    let assembly: Assembly;
    let codes: string[];
    let ethnicityId: string;

    before(async () => {
      const { assemblies } = t.services;
      assembly = await newAssembly('Letters', 2);
      await assemblies.saveFeature(officer, place, assembly, null, {
        name: 'Age band',
        question: 'How old are you?',
        specialCategory: false,
        values: [
          { name: '16-39', min: 1, max: 1, minFlex: null, maxFlex: null },
          { name: '40+', min: 1, max: 1, minFlex: null, maxFlex: null },
        ],
      });
      ethnicityId = await assemblies.saveFeature(officer, place, assembly, null, {
        name: 'Ethnicity',
        question: 'What is your ethnic group?',
        specialCategory: true,
        values: [
          { name: 'White', min: 0, max: 1, minFlex: null, maxFlex: null },
          { name: 'Other', min: 1, max: 2, minFlex: null, maxFlex: null },
        ],
      });
      await assemblies.updateAssembly(officer, place, assembly.id, { ...assembly, status: 'recruiting' });
      const recruitment = createRecruitmentService({
        db: t.database.db,
        baseUrl: 'http://commonweal.test',
        assemblies,
        compressLetters: false,
      });
      await recruitment.uploadAddresses(
        officer,
        place,
        assembly,
        'address_line_1,address_line_2,town,postcode\n1 Mill Lane,,Riverside,RV1 1AA\n2 Mill Lane,,Riverside,RV1 1AA\n3 Mill Lane,,Riverside,RV1 1AB\n1 mill lane,,Riverside,rv1 1aa\n',
      );
      const { pdf, seed } = await recruitment.drawInvitations(officer, place, assembly, {
        quantity: 3,
        seed: 'lottery-7',
      });
      assert.equal(seed, 'lottery-7');
      const text = pdfText(pdf).flat().join('\n');
      codes = [...text.matchAll(/[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}/g)].map(
        (m) => m[0],
      );
      assert.equal(codes.length, 3, 'one letter per address, the duplicate address skipped');
      assert.match(text, /http:\/\/commonweal\.test\/places\/riverside\/assemblies\/register/);
      const stored = await t.database.db.selectFrom('assembly_invitations').select('code_hash').execute();
      for (const code of codes) assert.ok(!stored.some((s) => s.code_hash.includes(code.replace(/-/g, ''))));
    });

    async function registerWith(code: string, extra: Record<string, string> = {}) {
      const agent = new Agent(t.app);
      const form = await agent.submit('/places/riverside/assemblies/register', { code });
      assert.equal(form.statusCode, 200, form.body);
      const features = await t.services.assemblies.features(place, assembly.id);
      const age = features.find((f) => f.name === 'Age band')!;
      return agent.postRaw('/places/riverside/assemblies/register/details', {
        _csrf: agent.csrfToken(),
        code,
        name: 'Ada Lovell',
        email: 'ada@example.org',
        [`feature-${age.id}`]: age.values[0]!.id,
        ...extra,
      });
    }

    it('registers a household member with the address from the letter, and refuses the code a second time', async () => {
      const features = await t.services.assemblies.features(place, assembly.id);
      const ethnicity = features.find((f) => f.id === ethnicityId)!;
      const first = await registerWith(codes[0]!, {
        [`feature-${ethnicityId}`]: ethnicity.values[1]!.id,
        specialConsent: 'yes',
      });
      assert.equal(first.statusCode, 303);
      assert.match(
        first.headers.location as string,
        new RegExp(`/places/riverside/assemblies/${assembly.id}/registered$`),
      );
      const confirmation = await new Agent(t.app).get(first.headers.location as string);
      assert.match(confirmation.body, /Thank you for registering/);
      const row = await t.database.db
        .selectFrom('assembly_registrants')
        .selectAll()
        .where('assembly_id', '=', assembly.id)
        .executeTakeFirstOrThrow();
      assert.equal(row.answers[ethnicityId], ethnicity.values[1]!.id);
      assert.ok(row.household);
      const again = await new Agent(t.app).submit('/places/riverside/assemblies/register', {
        code: codes[0]!,
      });
      assert.equal(again.statusCode, 400);
      assert.match(errorSummary(again.body)[0]!, /already been used/);
    });

    it('does not store special-category answers without consent, so the person cannot be selected', async () => {
      const features = await t.services.assemblies.features(place, assembly.id);
      const ethnicity = features.find((f) => f.id === ethnicityId)!;
      const res = await registerWith(codes[1]!, { [`feature-${ethnicityId}`]: ethnicity.values[0]!.id });
      assert.equal(res.statusCode, 303);
      const rows = await t.database.db
        .selectFrom('assembly_registrants')
        .select(['answers', 'special_consent'])
        .where('assembly_id', '=', assembly.id)
        .where('special_consent', '=', false)
        .execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.answers[ethnicityId], undefined);
      const check = await t.services.assemblies.quotaCheck(officer, place, assembly);
      assert.deepEqual(
        check.excluded.map((e) => e.missing),
        [['Ethnicity']],
      );
    });

    it('lets only one of many simultaneous registrations with one code through (database-enforced)', async () => {
      const features = await t.services.assemblies.features(place, assembly.id);
      const age = features.find((f) => f.name === 'Age band')!;
      const attempts = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          t.services.assemblyRecruitment.register(
            { user: null, roles: new Map(), requestId: `r${i}` } as unknown as Actor,
            place,
            codes[2]!,
            {
              name: `Person ${i}`,
              email: `p${i}@example.org`,
              phone: null,
              answers: { [age.id]: age.values[1]!.id },
              specialConsent: false,
            },
          ),
        ),
      );
      assert.equal(attempts.filter((a) => a.status === 'fulfilled').length, 1);
      for (const a of attempts) {
        if (a.status === 'rejected') assert.match(String(a.reason?.message), /already been used/);
      }
      const invitation = await t.database.db
        .selectFrom('assembly_registrants')
        .select('id')
        .where('assembly_id', '=', assembly.id)
        .execute();
      assert.equal(invitation.length, 3);
    });

    it('lets one of many people posting the same code at the same moment register, and tells the rest why', async () => {
      const { assemblyRecruitment } = t.services;
      await assemblyRecruitment.uploadAddresses(
        officer,
        place,
        assembly,
        'address_line_1,address_line_2,town,postcode\n4 Mill Lane,,Riverside,RV1 1AC\n',
      );
      const { pdf } = await assemblyRecruitment.drawInvitations(officer, place, assembly, {
        quantity: 1,
        seed: 'lottery-8',
      });
      const [code] = [
        ...pdfText(pdf)
          .flat()
          .join('\n')
          .matchAll(/[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){2}/g),
      ];
      assert.ok(code);
      const features = await t.services.assemblies.features(place, assembly.id);
      const age = features.find((f) => f.name === 'Age band')!;
      // Every browser has the form open (the code still unused) before any of them posts it.
      const agents = await Promise.all(
        Array.from({ length: 6 }, async () => {
          const agent = new Agent(t.app);
          const form = await agent.submit('/places/riverside/assemblies/register', { code: code[0] });
          assert.equal(form.statusCode, 200);
          return agent;
        }),
      );
      const answers = await Promise.all(
        agents.map((agent, i) =>
          agent.postRaw('/places/riverside/assemblies/register/details', {
            _csrf: agent.csrfToken(),
            code: code[0],
            name: `Neighbour ${i}`,
            email: `neighbour${i}@example.org`,
            [`feature-${age.id}`]: age.values[0]!.id,
          }),
        ),
      );
      assert.deepEqual(answers.map((a) => a.statusCode).sort(), [303, 400, 400, 400, 400, 400]);
      for (const refused of answers.filter((a) => a.statusCode === 400)) {
        assert.match(errorSummary(refused.body)[0]!, /already been used/);
      }
      const invitation = await t.database.db
        .selectFrom('assembly_invitations as i')
        .innerJoin('assembly_invitation_draws as d', 'd.id', 'i.draw_id')
        .select(['i.id', 'i.used_at'])
        .where('i.assembly_id', '=', assembly.id)
        .where('d.seed', '=', 'lottery-8')
        .executeTakeFirstOrThrow();
      assert.ok(invitation.used_at);
      const registered = await t.database.db
        .selectFrom('assembly_registrants')
        .select('name')
        .where('invitation_id', '=', invitation.id)
        .execute();
      assert.equal(registered.length, 1);
      const winner = answers.findIndex((a) => a.statusCode === 303);
      assert.equal(registered[0]!.name, `Neighbour ${winner}`);
    });
  });

  describe('selection as a background job, publication, the seed and the report', () => {
    let assembly: Assembly;
    let selectionId: string;

    before(async () => {
      const { assemblies, assemblyRecruitment } = t.services;
      assembly = await newAssembly('Fixture', 22);
      await assemblies.uploadQuotas(officer, place, assembly, featuresCsv);
      await assemblyRecruitment.importRegistrants(officer, place, assembly, {
        text: candidatesCsv,
        addressColumns: ['primary_address1', 'primary_zip'],
        consent: false,
      });
    });

    it('cancels a selection at once, leaving no result', async () => {
      const { assemblyPanels } = t.services;
      const id = await assemblyPanels.requestSelection(officer, place, assembly, {
        algorithm: 'maximin',
        uniformPanels: null,
      });
      await assemblyPanels.cancel(officer, place, assembly, id);
      await assemblyPanels.runner.runPending();
      const row = await t.database.db
        .selectFrom('assembly_selections')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(row.status, 'cancelled');
      assert.equal(row.result, null);
    });

    it('resumes a selection left running by a stopped process, from the start, to the same answer', async () => {
      const { assemblyPanels } = t.services;
      selectionId = await assemblyPanels.requestSelection(officer, place, assembly, {
        algorithm: 'maximin',
        uniformPanels: null,
      });
      // As if a process had claimed it and then stopped.
      await t.database.db
        .updateTable('assembly_selections')
        .set({ status: 'running', steps_done: 3, steps_total: 10 })
        .where('id', '=', selectionId)
        .execute();
      // A new process's runner takes it up again.
      const restarted = createSelectionRunner({ db: t.database.db });
      await restarted.runPending();
      await restarted.stop();
      const page = await officerAgent.get(
        `/places/riverside/assemblies/${assembly.id}/selection/${selectionId}`,
      );
      assert.match(page.body, /Finished/);
      assert.match(page.body, /9\.09%/);
      const progress = JSON.parse(
        (
          await officerAgent.get(
            `/places/riverside/assemblies/${assembly.id}/selection/${selectionId}/progress`,
          )
        ).body,
      );
      assert.equal(progress.finished, true);
      assert.equal(progress.percent, 100);
    });

    it('keeps the report from the public until the distribution is published, then draws from the published seed', async () => {
      const visitor = new Agent(t.app);
      const reportPath = `/places/riverside/assemblies/${assembly.id}/report`;
      assert.equal((await visitor.get(reportPath)).statusCode, 404);
      const self = `/places/riverside/assemblies/${assembly.id}/selection/${selectionId}`;
      assert.equal((await officerAgent.submit(self, {}, `${self}/publish`)).statusCode, 303);
      const refused = await officerAgent.submit(self, { seed: '' }, `${self}/draw`);
      assert.equal(refused.statusCode, 400);
      assert.equal(
        (await officerAgent.submit(self, { seed: '04 11 23 35 42 49' }, `${self}/draw`)).statusCode,
        303,
      );

      const selected = await t.database.db
        .selectFrom('assembly_registrants')
        .select(['pseudonym', 'household'])
        .where('assembly_id', '=', assembly.id)
        .where('status', '=', 'selected')
        .execute();
      assert.equal(selected.length, 22);
      const households = selected.map((s) => s.household).filter((h) => h !== null);
      assert.equal(new Set(households).size, households.length, 'never two from one household');

      const report = await visitor.get(reportPath);
      assert.equal(report.statusCode, 200);
      assert.match(
        report.body,
        /Smallest selection probability\s*<\/dt>\s*<dd class="govuk-summary-list__value">\s*9\.09%/,
      );
      assert.match(report.body, /04 11 23 35 42 49/);
      assert.match(report.body, /<svg role="img"/);
      assert.doesNotMatch(report.body, /outside the quota/);
      const csv = await visitor.get(`${reportPath}/probabilities.csv`);
      assert.equal(csv.body.trim().split('\n').length, 151);
      const total = csv.body
        .trim()
        .split('\n')
        .slice(1)
        .reduce((s, l) => s + Number(l.split(',')[1]), 0);
      assert.ok(Math.abs(total - 22) < 0.01);
      assert.equal((await visitor.get(`${reportPath}/respondents.csv`)).statusCode, 404);
    });

    it('replaces a member who dropped out from the rest of the pool, outside households already selected', async () => {
      const { assemblyPanels } = t.services;
      const before = await assemblyPanels.members(officer, place, assembly, FIRST_PAGE);
      const leaving = before.rows[0]!.pseudonym;
      const chosen = await assemblyPanels.replace(officer, place, assembly, {
        dropped: [leaving],
        seed: 'replace-1',
      });
      assert.equal(chosen.length, 1);
      const afterRows = (await assemblyPanels.members(officer, place, assembly, FIRST_PAGE)).rows;
      assert.equal(afterRows.filter((r) => r.status === 'selected').length, 22);
      assert.equal(afterRows.find((r) => r.pseudonym === leaving)!.status, 'dropped_out');
      const households = afterRows.map((r) => r.household).filter((h) => h !== null);
      assert.equal(new Set(households).size, households.length);
      const audit = await t.database.db
        .selectFrom('audit_events')
        .select('id')
        .where('action', '=', 'assembly.replacements_drawn')
        .execute();
      assert.equal(audit.length, 1);
    });

    it('pages the replacements 25 at a time, oldest first, past the old cap of 100', async () => {
      const { assemblyPanels } = t.services;
      const selection = await t.database.db
        .selectFrom('assembly_selections')
        .select('id')
        .where('assembly_id', '=', assembly.id)
        .where('published_at', 'is not', null)
        .executeTakeFirstOrThrow();
      // 129 more after the one drawn above (130 in all), a minute apart so that their order is known.
      await sql`
        INSERT INTO assembly_replacements (place_id, assembly_id, selection_id, dropped, chosen, seed, created_at)
        SELECT ${place.id}, ${assembly.id}, ${selection.id},
          jsonb_build_array('gone-' || lpad(n::text, 3, '0')), jsonb_build_array('new-' || lpad(n::text, 3, '0')),
          'paged-' || lpad(n::text, 3, '0'), now() + n * interval '1 minute'
        FROM generate_series(1, 129) n
      `.execute(t.database.db);
      const path = `/places/riverside/assemblies/${assembly.id}/members`;
      const seeds = (html: string) =>
        [...html.slice(html.indexOf('Replacements so far')).matchAll(/\(seed <code>([^<]+)<\/code>\)/g)].map(
          (m) => m[1],
        );
      const paged = (from: number, to: number) =>
        Array.from({ length: to - from + 1 }, (_, i) => `paged-${String(from + i).padStart(3, '0')}`);

      const first = await officerAgent.get(path);
      assert.equal(first.statusCode, 200);
      assert.match(first.body, /Showing 1 to 25 of 130 replacements, oldest first/);
      assert.deepEqual(seeds(first.body), ['replace-1', ...paged(1, 24)]);
      assert.match(first.body, new RegExp(`href="${path}\\?page=2"`));
      assert.match(first.body, new RegExp(`href="${path}\\?page=6"`));
      // The panel's checkboxes are not paged: every current member is there to be marked.
      assert.equal(first.body.match(/name="dropped"/g)!.length, 22);

      const second = await officerAgent.get(`${path}?page=2`);
      assert.match(second.body, /Showing 26 to 50 of 130 replacements/);
      assert.deepEqual(seeds(second.body), paged(25, 49));
      assert.match(second.body, /gone-025 replaced by new-025 \(seed <code>paged-025<\/code>\)/);

      const last = await officerAgent.get(`${path}?page=6`);
      assert.match(last.body, /Showing 126 to 130 of 130 replacements/);
      assert.deepEqual(seeds(last.body), paged(125, 129));
      assert.doesNotMatch(last.body, /href="[^"]*page=7"/);

      const service = await assemblyPanels.members(officer, place, assembly, pageRequest('5'));
      assert.equal(service.replacements.total, 130);
      assert.deepEqual(
        service.replacements.rows.map((r) => r.seed),
        paged(100, 124),
      );

      const beyond = await officerAgent.get(`${path}?page=7`);
      assert.equal(beyond.statusCode, 200);
      assert.deepEqual(seeds(beyond.body), []);
      assert.match(
        beyond.body,
        new RegExp(
          `past the end of the list of replacements\\. <a class="govuk-link" href="${path}">Go to the first page`,
        ),
      );
      for (const bad of ['abc', '-1', '99999999999']) {
        const page = await officerAgent.get(`${path}?page=${bad}`);
        assert.equal(page.statusCode, 200, bad);
        assert.match(page.body, /Showing 1 to 25 of 130 replacements/, bad);
      }
    });

    it('keeps an accepted recommendation as a decision, and drops it when the answer becomes no', async () => {
      const { assemblyWork } = t.services;
      const id = await assemblyWork.publishRecommendation(officer, place, assembly, {
        title: 'Free buses on Sundays',
        body: 'Make buses free on Sundays for a year.',
      });
      await assemblyWork.respond(officer, place, assembly, id, {
        response: 'partly',
        reason: 'For six months first.',
      });
      const decisions = await t.database.db
        .selectFrom('decisions')
        .selectAll()
        .where('source_id', '=', id)
        .execute();
      assert.equal(decisions.length, 1);
      assert.equal(decisions[0]!.source_type, 'assembly_recommendation');
      await assemblyWork.respond(officer, place, assembly, id, {
        response: 'not_accepted',
        reason: 'No money.',
      });
      assert.equal(
        (await t.database.db.selectFrom('decisions').select('id').where('source_id', '=', id).execute())
          .length,
        0,
      );
      const page = await new Agent(t.app).get(`/places/riverside/assemblies/${assembly.id}`);
      assert.match(page.body, /Not accepted/);
    });
  });
});
