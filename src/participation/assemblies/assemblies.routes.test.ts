import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Actor } from '../../platform/auth/actor.ts';
import { Agent, errorSummary } from '../../testing/agent.ts';
import { buildTestApp, TEST_PASSWORD, type TestApp } from '../../testing/harness.ts';
import type { Assembly } from './assemblies/assemblies.service.ts';
import { createPanelsService } from './panels/panels.service.ts';

const FIXTURE = new URL('../../../../shared/sortition/sortition-algorithms/', import.meta.url);
const featuresCsv = readFileSync(new URL('features.csv', FIXTURE), 'utf8');
const candidatesCsv = readFileSync(new URL('candidates.csv', FIXTURE), 'utf8');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');

describe('Citizens’ assemblies: access, the assembly at work, cancelling and the uniform lottery', () => {
  let t: TestApp;
  let place: { id: string; slug: string; name: string };
  let officer: Actor;
  let officerAgent: Agent;
  let residentAgent: Agent;
  let assembly: Assembly;
  let base = '';

  async function fixtureAssembly(title: string): Promise<Assembly> {
    const { assemblies, assemblyRecruitment } = t.services;
    const id = await assemblies.createAssembly(officer, place, {
      title,
      purpose: 'How should Riverside cut its carbon emissions?',
      panelSize: 22,
      startsOn: null,
      endsOn: null,
    });
    const created = await assemblies.getAssembly(place, id);
    await assemblies.uploadQuotas(officer, place, created, featuresCsv);
    await assemblyRecruitment.importRegistrants(officer, place, created, {
      text: candidatesCsv,
      addressColumns: ['primary_address1', 'primary_zip'],
      consent: false,
    });
    return created;
  }

  const auditCount = async (action: string) =>
    (
      await t.database.db
        .selectFrom('audit_events')
        .select('id')
        .where('action', '=', action as never)
        .execute()
    ).length;

  before(async () => {
    t = await buildTestApp();
    place = await t.createPlace('riverside', 'Riverside');
    const id = await t.createUser({
      email: 'olu@example.org',
      roles: [{ placeId: place.id, role: 'officer' }],
    });
    await t.createUser({ email: 'ada@example.org', roles: [{ placeId: place.id, role: 'resident' }] });
    officer = (await t.services.accounts.loadActor(id, 'test'))!;
    officerAgent = new Agent(t.app);
    await officerAgent.submit('/sign-in', { email: 'olu@example.org', password: TEST_PASSWORD });
    residentAgent = new Agent(t.app);
    await residentAgent.submit('/sign-in', { email: 'ada@example.org', password: TEST_PASSWORD });
    assembly = await fixtureAssembly('Access');
    base = `/places/riverside/assemblies/${assembly.id}`;
  });
  after(() => t.close());

  describe('officer pages', () => {
    const officerPages = [
      '/edit',
      '/features',
      '/addresses',
      '/registrants',
      '/quota-check',
      '/selection',
      '/members',
      '/work',
      '/work/sessions/new',
      '/work/documents/new',
      '/work/recommendations/new',
    ];

    it('refuses a resident every officer page with 403', async () => {
      for (const path of officerPages) {
        const res = await residentAgent.get(`${base}${path}`);
        assert.equal(res.statusCode, 403, path);
      }
    });

    it('sends a visitor to sign in from every officer page', async () => {
      const visitor = new Agent(t.app);
      for (const path of officerPages) {
        const res = await visitor.get(`${base}${path}`);
        assert.equal(res.statusCode, 302, path);
        assert.equal(res.headers.location, `/sign-in?next=${encodeURIComponent(`${base}${path}`)}`);
      }
    });

    it('refuses a resident’s posts to the officer forms, writing nothing', async () => {
      const posts: [string, Record<string, string>][] = [
        ['/work/sessions/new', { heldOn: '2027-03-06', location: 'Library', agenda: 'Welcome' }],
        ['/work/recommendations/new', { title: 'Free buses', body: 'On Sundays.' }],
        ['/selection', { algorithm: 'maximin' }],
        ['/quota-check', {}],
      ];
      for (const [path, fields] of posts) {
        const res = await residentAgent.submit('/places/riverside/assemblies', fields, `${base}${path}`);
        assert.equal(res.statusCode, 403, path);
      }
      const db = t.database.db;
      assert.equal((await db.selectFrom('assembly_sessions').select('id').execute()).length, 0);
      assert.equal((await db.selectFrom('assembly_recommendations').select('id').execute()).length, 0);
      assert.equal((await db.selectFrom('assembly_selections').select('id').execute()).length, 0);
    });

    it('answers 404 for an assembly that does not exist or a malformed id, to officers too', async () => {
      for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id']) {
        assert.equal((await officerAgent.get(`/places/riverside/assemblies/${id}`)).statusCode, 404);
        assert.equal((await officerAgent.get(`/places/riverside/assemblies/${id}/work`)).statusCode, 404);
        assert.equal((await officerAgent.get(`/places/riverside/assemblies/${id}/report`)).statusCode, 404);
      }
    });

    it('answers 404 to residents and visitors for the report of an assembly with no selection', async () => {
      assert.equal((await residentAgent.get(`${base}/report`)).statusCode, 404);
      assert.equal((await new Agent(t.app).get(`${base}/report`)).statusCode, 404);
      assert.equal((await residentAgent.get(`${base}/report/probabilities.csv`)).statusCode, 404);
    });

    it('audits every read of the registrants, who read them and which page', async () => {
      const before = await auditCount('assembly.registrants_viewed');
      const page = await officerAgent.get(`${base}/registrants`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /Registrants \(150\)/);
      await officerAgent.get(`${base}/registrants?page=2`);
      const rows = await t.database.db
        .selectFrom('audit_events')
        .select(['actor_id', 'details'])
        .where('action', '=', 'assembly.registrants_viewed')
        .orderBy('occurred_at')
        .execute();
      assert.equal(rows.length, before + 2);
      assert.equal(rows.at(-1)!.actor_id, officer.user!.id);
      assert.deepEqual(rows.at(-1)!.details, { page: 2 });
    });
  });

  describe('the assembly at work', () => {
    it('adds a session, refusing an impossible date with the posted values kept', async () => {
      const form = `${base}/work/sessions/new`;
      const bad = await officerAgent.submit(form, { heldOn: '2027-02-30', location: 'Library', agenda: '' });
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(errorSummary(bad.body), [
        'The date must be a real date, like 2027-03-01',
        'Enter the agenda',
      ]);
      assert.match(bad.body, /value="Library"/);
      const ok = await officerAgent.submit(form, {
        heldOn: '2027-03-06',
        location: 'Riverside Library',
        agenda: 'Welcome and evidence',
      });
      assert.equal(ok.statusCode, 303);
      assert.equal(ok.headers.location, `${base}/work`);
      const work = await officerAgent.get(`${base}/work`);
      assert.match(work.body, /Riverside Library/);
      assert.equal(await auditCount('assembly.session_added'), 1);
    });

    it('takes a PDF upload, serves it back, and refuses a file that is not a PDF or a link and a file together', async () => {
      const form = `${base}/work/documents/new`;
      const notPdf = await officerAgent.submitMultipart(
        form,
        { title: 'Minutes' },
        { file: { filename: 'minutes.pdf', contentType: 'application/pdf', bytes: Buffer.from('<html>') } },
      );
      assert.equal(notPdf.statusCode, 400);
      assert.deepEqual(errorSummary(notPdf.body), ['The file must be a PDF']);
      const both = await officerAgent.submitMultipart(
        form,
        { title: 'Minutes', url: 'https://www.example.org/minutes.pdf' },
        { file: { filename: 'minutes.pdf', contentType: 'application/pdf', bytes: PDF } },
      );
      assert.equal(both.statusCode, 400);
      assert.deepEqual(errorSummary(both.body), ['Give a web address or upload a PDF, not both']);
      const badUrl = await officerAgent.submitMultipart(
        form,
        { title: 'Minutes', url: 'javascript:alert(1)' },
        {},
      );
      assert.equal(badUrl.statusCode, 400);
      assert.match(errorSummary(badUrl.body)[0]!, /starting with https:\/\//);
      assert.equal((await t.database.db.selectFrom('assembly_documents').select('id').execute()).length, 0);

      const ok = await officerAgent.submitMultipart(
        form,
        { title: 'Minutes of the first session' },
        { file: { filename: 'minutes 1.pdf', contentType: 'application/pdf', bytes: PDF } },
      );
      assert.equal(ok.statusCode, 303);
      const doc = await t.database.db
        .selectFrom('assembly_documents')
        .select(['id', 'filename'])
        .executeTakeFirstOrThrow();
      assert.equal(doc.filename, 'minutes_1.pdf');
      const file = await officerAgent.get(`${base}/documents/${doc.id}`);
      assert.equal(file.statusCode, 200);
      assert.equal(file.headers['content-type'], 'application/pdf');
      assert.equal(file.rawPayload.subarray(0, 5).toString('latin1'), '%PDF-');
      assert.equal(await auditCount('assembly.document_added'), 1);
    });

    it('publishes a recommendation and its response, which becomes a decision, audited', async () => {
      const bad = await officerAgent.submit(`${base}/work/recommendations/new`, { title: '', body: '' });
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(errorSummary(bad.body), [
        'Enter the title of the recommendation',
        'Enter the text of the recommendation',
      ]);
      const ok = await officerAgent.submit(`${base}/work/recommendations/new`, {
        title: 'Insulate every council home',
        body: 'By 2030, starting with the coldest.',
      });
      assert.equal(ok.statusCode, 303);
      const rec = await t.database.db
        .selectFrom('assembly_recommendations')
        .select('id')
        .executeTakeFirstOrThrow();
      const path = `${base}/work/recommendations/${rec.id}/response`;
      const none = await officerAgent.submit(path, { reason: 'Funded.' });
      assert.equal(none.statusCode, 400);
      assert.deepEqual(errorSummary(none.body), [
        'Choose the response: accepted, partly accepted or not accepted',
      ]);
      assert.equal(
        (await officerAgent.submit(path, { response: 'accepted', reason: 'Funded.' })).statusCode,
        303,
      );
      const decision = await t.database.db
        .selectFrom('decisions')
        .select(['title', 'source_type'])
        .where('source_id', '=', rec.id)
        .executeTakeFirstOrThrow();
      assert.equal(decision.title, 'Insulate every council home');
      assert.equal(await auditCount('assembly.recommendation_published'), 1);
      assert.equal(await auditCount('assembly.recommendation_answered'), 1);
      // Once the assembly is out of draft, everyone sees the response on its page.
      await t.services.assemblies.updateAssembly(officer, place, assembly.id, {
        ...assembly,
        status: 'sitting',
      });
      const publicPage = await new Agent(t.app).get(base);
      assert.match(publicPage.body, /Accepted<\/strong> Funded\./);
      assert.equal(
        (await officerAgent.get(`${base}/work/recommendations/00000000-0000-4000-8000-000000000000/response`))
          .statusCode,
        404,
      );
    });
  });

  describe('selection', () => {
    it('cancels a selection part-way through the computation, leaving no result', async () => {
      const cancelling = await fixtureAssembly('Cancelled mid-way');
      let cancelled: Promise<void> | undefined;
      let reports = 0;
      const panels = createPanelsService({
        db: t.database.db,
        assemblies: t.services.assemblies,
        runner: {
          progressEveryMs: 0,
          afterProgress: (id) => {
            reports += 1;
            cancelled ??= panels.cancel(officer, place, cancelling, id);
          },
        },
      });
      const id = await panels.requestSelection(officer, place, cancelling, {
        algorithm: 'leximin',
        uniformPanels: null,
      });
      await panels.runner.runPending();
      await cancelled;
      const row = await t.database.db
        .selectFrom('assembly_selections')
        .select(['status', 'result', 'steps_total'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.ok(reports >= 1, 'the computation had started');
      assert.equal(row.status, 'cancelled');
      assert.equal(row.result, null);
      assert.equal(await auditCount('assembly.selection_cancelled'), 1);
      // A new selection can be asked for at once.
      const again = await panels.requestSelection(officer, place, cancelling, {
        algorithm: 'maximin',
        uniformPanels: null,
      });
      await panels.cancel(officer, place, cancelling, again);
    });

    it('draws the panel from a uniform lottery over m panels, fixed when published', async () => {
      const uniform = await fixtureAssembly('Uniform');
      const path = `/places/riverside/assemblies/${uniform.id}/selection`;
      const refused = await officerAgent.submit(path, { algorithm: 'maximin', uniformPanels: '1' });
      assert.equal(refused.statusCode, 400);
      assert.deepEqual(errorSummary(refused.body), [
        'The number of panels must be a whole number from 2 to 1,000',
      ]);
      const started = await officerAgent.submit(path, { algorithm: 'maximin', uniformPanels: '20' });
      assert.equal(started.statusCode, 303);
      const self = started.headers.location as string;
      await t.services.assemblyPanels.runner.runPending();
      // Finished but not published: officers only.
      const report = `/places/riverside/assemblies/${uniform.id}/report`;
      const unpublished = `${report}?selection=${self.split('/').at(-1)}`;
      for (const path of [report, unpublished, `${report}/probabilities.csv`]) {
        assert.equal((await residentAgent.get(path)).statusCode, 404, path);
        assert.equal((await new Agent(t.app).get(path)).statusCode, 404, path);
      }
      assert.equal((await officerAgent.get(unpublished)).statusCode, 200);
      assert.equal((await officerAgent.submit(self, {}, `${self}/publish`)).statusCode, 303);
      assert.equal((await officerAgent.submit(self, { seed: 'uniform-42' }, `${self}/draw`)).statusCode, 303);
      const row = await t.database.db
        .selectFrom('assembly_selections')
        .select(['result', 'panel'])
        .where('assembly_id', '=', uniform.id)
        .executeTakeFirstOrThrow();
      const result = row.result as { uniform?: { panels: string[][] } };
      assert.equal(result.uniform!.panels.length, 20);
      const panel = row.panel as { members: string[]; panelIndex: number; uniform: boolean };
      assert.equal(panel.uniform, true);
      assert.deepEqual([...panel.members].sort(), [...result.uniform!.panels[panel.panelIndex]!].sort());
      const selected = await t.database.db
        .selectFrom('assembly_registrants')
        .select('pseudonym')
        .where('assembly_id', '=', uniform.id)
        .where('status', '=', 'selected')
        .execute();
      assert.equal(selected.length, 22);
      const published = await new Agent(t.app).get(report);
      assert.equal(published.statusCode, 200);
      assert.match(published.body, /Over 20 equally likely panels/);
    });
  });
  describe('changing and deleting the assembly at work', () => {
    let sitting: Assembly;
    let path = '';

    before(async () => {
      const { assemblies } = t.services;
      const id = await assemblies.createAssembly(officer, place, {
        title: 'At work',
        purpose: 'How should Riverside travel?',
        panelSize: 22,
        startsOn: null,
        endsOn: null,
      });
      sitting = await assemblies.getAssembly(place, id);
      await assemblies.updateAssembly(officer, place, id, { ...sitting, status: 'sitting' });
      path = `/places/riverside/assemblies/${id}`;
    });

    const rowsOf = (html: string, section: string) => {
      const start = html.indexOf(`id="${section}"`);
      const rest = html.slice(start);
      const end = rest.indexOf('<h2', 10);
      return end === -1 ? rest : rest.slice(0, end);
    };

    it('pages the sessions and documents 25 at a time on the public page and the work page, each list on its own', async () => {
      const work = t.services.assemblyWork;
      for (let i = 1; i <= 27; i++) {
        const day = String(i).padStart(2, '0');
        await work.addSession(officer, place, sitting, {
          heldOn: `2027-01-${day}`,
          location: `Hall ${i}`,
          agenda: `Agenda number ${i}.`,
        });
        await work.addDocument(officer, place, sitting, {
          title: `Paper ${i}`,
          url: `https://www.example.org/paper-${i}.pdf`,
          filename: null,
          content: null,
        });
      }
      for (const [page, prefix] of [
        [await officerAgent.get(`${path}/work`), 'work'],
        [await new Agent(t.app).get(path), 'public'],
      ] as const) {
        assert.equal(page.statusCode, 200, prefix);
        const sessions = rowsOf(page.body, 'sessions');
        assert.equal(sessions.match(/Agenda number \d+\./g)!.length, 25, prefix);
        assert.doesNotMatch(sessions, /Agenda number 26\./, prefix);
        assert.equal(rowsOf(page.body, 'documents').match(/>Paper \d+</g)!.length, 25, prefix);
        assert.match(sessions, /aria-label="Pages of sessions"/, prefix);
        assert.match(page.body, /aria-label="Pages of documents"/, prefix);
      }
      // The second page of sessions keeps the documents where they were, and lands on the sessions.
      const work2 = await officerAgent.get(`${path}/work?documents=2`);
      assert.match(
        rowsOf(work2.body, 'sessions'),
        new RegExp(`href="${path}/work\\?sessions=2&amp;documents=2#sessions"`),
      );
      const second = await new Agent(t.app).get(`${path}?sessions=2&documents=2`);
      assert.deepEqual(rowsOf(second.body, 'sessions').match(/Agenda number \d+\./g), [
        'Agenda number 26.',
        'Agenda number 27.',
      ]);
      assert.deepEqual(rowsOf(second.body, 'documents').match(/>Paper \d+</g), ['>Paper 26<', '>Paper 27<']);
      assert.equal((await new Agent(t.app).get(`${path}?sessions=999`)).statusCode, 200);
    });

    it('changes a session, keeping the posted values on an error, and deletes it after asking, audited', async () => {
      const session = await t.database.db
        .selectFrom('assembly_sessions')
        .select('id')
        .where('assembly_id', '=', sitting.id)
        .where('location', '=', 'Hall 1')
        .executeTakeFirstOrThrow();
      const edit = `${path}/work/sessions/${session.id}/edit`;
      const form = await officerAgent.get(edit);
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /value="2027-01-01"/);
      assert.equal((await residentAgent.get(edit)).statusCode, 403);
      const bad = await officerAgent.submit(edit, {
        heldOn: '2027-13-01',
        location: 'Town Hall',
        agenda: 'Evidence',
      });
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(errorSummary(bad.body), ['The date must be a real date, like 2027-03-01']);
      assert.match(bad.body, /value="Town Hall"/);
      const ok = await officerAgent.submit(edit, {
        heldOn: '2027-01-02',
        location: 'Town Hall',
        agenda: 'Evidence',
      });
      assert.equal(ok.statusCode, 303);
      assert.equal(ok.headers.location, `${path}/work`);
      const changed = await t.database.db
        .selectFrom('assembly_sessions')
        .select(['held_on', 'location', 'agenda'])
        .where('id', '=', session.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(
        { ...changed, held_on: String(changed.held_on).slice(0, 10) },
        {
          held_on: '2027-01-02',
          location: 'Town Hall',
          agenda: 'Evidence',
        },
      );
      assert.equal(await auditCount('assembly.session_changed'), 1);

      const remove = `${path}/work/sessions/${session.id}/delete`;
      const confirm = await officerAgent.get(remove);
      assert.equal(confirm.statusCode, 200);
      assert.match(confirm.body, /Delete this session\?/);
      assert.match(confirm.body, /Town Hall: Evidence/);
      assert.equal((await residentAgent.submit(path, {}, remove)).statusCode, 403);
      assert.equal((await officerAgent.submit(remove, {})).statusCode, 303);
      const left = await t.database.db
        .selectFrom('assembly_sessions')
        .select('id')
        .where('id', '=', session.id)
        .execute();
      assert.equal(left.length, 0);
      assert.equal(await auditCount('assembly.session_deleted'), 1);
      assert.equal((await officerAgent.get(remove)).statusCode, 404);
      assert.equal((await officerAgent.get(`${path}/work/sessions/not-an-id/edit`)).statusCode, 404);
    });

    it('will not reach another assembly’s session or document through this assembly', async () => {
      const other = await t.database.db
        .selectFrom('assembly_sessions')
        .select('id')
        .where('assembly_id', '=', assembly.id)
        .executeTakeFirstOrThrow();
      assert.equal((await officerAgent.get(`${path}/work/sessions/${other.id}/edit`)).statusCode, 404);
      const before = await t.database.db.selectFrom('assembly_sessions').select('id').execute();
      const res = await officerAgent.submit(`${base}/work`, {}, `${path}/work/sessions/${other.id}/delete`);
      assert.equal(res.statusCode, 404);
      assert.equal(
        (await t.database.db.selectFrom('assembly_sessions').select('id').execute()).length,
        before.length,
      );
    });

    it('changes a document’s title keeping its PDF, or swaps it for a link, and deletes it, audited', async () => {
      const work = t.services.assemblyWork;
      const id = await work.addDocument(officer, place, sitting, {
        title: 'Minutes',
        url: null,
        filename: 'minutes.pdf',
        content: PDF,
      });
      const edit = `${path}/work/documents/${id}/edit`;
      const form = await officerAgent.get(edit);
      assert.equal(form.statusCode, 200);
      assert.match(form.body, /The uploaded PDF is minutes\.pdf/);
      const kept = await officerAgent.submitMultipart(
        edit,
        { title: 'Minutes of the first session', url: '' },
        {},
      );
      assert.equal(kept.statusCode, 303);
      let row = await t.database.db
        .selectFrom('assembly_documents')
        .select(['title', 'url', 'content'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(row.title, 'Minutes of the first session');
      assert.ok(row.content && Buffer.from(row.content).equals(PDF), 'the PDF is kept');

      const linked = await officerAgent.submitMultipart(
        edit,
        { title: 'Minutes of the first session', url: 'https://www.example.org/minutes.pdf' },
        {},
      );
      assert.equal(linked.statusCode, 303);
      row = await t.database.db
        .selectFrom('assembly_documents')
        .select(['title', 'url', 'content'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(row.url, 'https://www.example.org/minutes.pdf');
      assert.equal(row.content, null);
      // Now a link, it needs its web address.
      const empty = await officerAgent.submitMultipart(edit, { title: 'Minutes', url: '' }, {});
      assert.equal(empty.statusCode, 400);
      assert.deepEqual(errorSummary(empty.body), ['Enter a web address or choose a PDF to upload']);
      assert.equal(await auditCount('assembly.document_changed'), 2);

      const remove = `${path}/work/documents/${id}/delete`;
      assert.match((await officerAgent.get(remove)).body, /Delete “Minutes of the first session”\?/);
      assert.equal((await officerAgent.submit(remove, {})).statusCode, 303);
      assert.equal(
        (await t.database.db.selectFrom('assembly_documents').select('id').where('id', '=', id).execute())
          .length,
        0,
      );
      assert.equal(await auditCount('assembly.document_deleted'), 1);
    });

    it('corrects a recommendation, and its decision’s title with it; deleting it deletes its decision too, after a warning', async () => {
      const work = t.services.assemblyWork;
      const id = await work.publishRecommendation(officer, place, sitting, {
        title: 'Free buses',
        body: 'On Sundays.',
      });
      await work.respond(officer, place, sitting, id, { response: 'partly', reason: 'For six months.' });
      const edit = `${path}/work/recommendations/${id}/edit`;
      const bad = await officerAgent.submit(edit, { title: '', body: 'On Sundays and holidays.' });
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(errorSummary(bad.body), ['Enter the title of the recommendation']);
      assert.match(bad.body, /On Sundays and holidays\./);
      assert.equal(
        (
          await officerAgent.submit(edit, {
            title: 'Free buses on Sundays',
            body: 'On Sundays and holidays.',
          })
        ).statusCode,
        303,
      );
      const decision = () =>
        t.database.db.selectFrom('decisions').select('title').where('source_id', '=', id).execute();
      assert.deepEqual(await decision(), [{ title: 'Free buses on Sundays' }]);
      assert.equal(await auditCount('assembly.recommendation_changed'), 1);

      const remove = `${path}/work/recommendations/${id}/delete`;
      const confirm = await officerAgent.get(remove);
      assert.match(
        confirm.body,
        /Its official response \(partly accepted\) is deleted with it, and so is the decision kept for it/,
      );
      const done = await officerAgent.submit(remove, {});
      assert.equal(done.statusCode, 303);
      const page = await officerAgent.get(done.headers.location as string);
      assert.match(
        page.body,
        /The recommendation “Free buses on Sundays” and the decision kept for it have been deleted\./,
      );
      assert.deepEqual(await decision(), []);
      assert.equal(
        (
          await t.database.db
            .selectFrom('assembly_recommendations')
            .select('id')
            .where('id', '=', id)
            .execute()
        ).length,
        0,
      );
      const audit = await t.database.db
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'assembly.recommendation_deleted')
        .executeTakeFirstOrThrow();
      assert.deepEqual(audit.details, {
        recommendation: id,
        title: 'Free buses on Sundays',
        response: 'partly',
        decisionRemoved: true,
      });
      assert.doesNotMatch((await new Agent(t.app).get(path)).body, /Free buses/);
    });
  });
});
