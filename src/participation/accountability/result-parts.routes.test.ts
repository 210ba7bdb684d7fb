import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { anonymousActor } from '../../platform/auth/actor.ts';
import { pageRequest } from '../../platform/pagination.ts';
import { Agent } from '../../testing/agent.ts';
import { buildTestApp, type TestApp } from '../../testing/harness.ts';

let t: TestApp;
let place: { id: string; slug: string; name: string };
let programmeId: string;
let path = '';

const part = (n: number) => `Part ${String(n).padStart(3, '0')}`;
const parts = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => part(from + i));

/** The titles in the table of parts, in the order shown. */
function partsShown(html: string): string[] {
  const start = html.indexOf('id="parts"');
  if (start === -1) return [];
  const section = html.slice(start, html.indexOf('id="timeline"'));
  return [...section.matchAll(/>(Part \d{3})<\/a>/g)].map((m) => m[1]!);
}

/** The timeline's entries, in the order shown. */
function updatesShown(html: string): string[] {
  return [...html.slice(html.indexOf('id="timeline"')).matchAll(/Update (\d{2})\./g)].map((m) => m[1]!);
}

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  const db = t.database.db;
  const programme = await db
    .insertInto('decisions')
    .values({
      place_id: place.id,
      process_id: null,
      source_type: 'manual',
      source_id: null,
      title: 'Greener streets programme',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  programmeId = programme.id;
  path = `/places/riverside/results/${programmeId}`;
  // 230 parts, more than the old cap of 200: the first 25 by title not started (0%), 195 done (100%) and the
  // last 10 dropped. Rolled up from every counted part: 195 × 100 / 220 = 88.6, shown as 89%. From the page
  // shown it would be 0%; from the first 200 by title, 87.5 (88%); with the dropped ones counted, 85%.
  await sql`
    INSERT INTO decisions (place_id, source_type, source_id, title, parent_id, status, progress, drop_reason)
    SELECT ${place.id}, 'manual', NULL, 'Part ' || lpad(n::text, 3, '0'), ${programmeId}::uuid,
      CASE WHEN n <= 25 THEN 'not_started' WHEN n <= 220 THEN 'done' ELSE 'dropped' END,
      CASE WHEN n <= 25 OR n > 220 THEN 0 ELSE 100 END,
      CASE WHEN n > 220 THEN 'No longer needed' END
    FROM generate_series(1, 230) n
  `.execute(db);
  // 27 updates on the programme's own timeline, newest first, so that its second page holds two.
  await sql`
    INSERT INTO result_updates (place_id, decision_id, body, status, progress, created_at)
    SELECT ${place.id}, ${programmeId}::uuid, 'Update ' || lpad(n::text, 2, '0') || '.', 'in_progress', 50,
      now() - (28 - n) * interval '1 minute'
    FROM generate_series(1, 27) n
  `.execute(db);
});
after(() => t.close());

describe('GET /places/:slug/results/:id: the parts of a result', () => {
  it('shows the first 25 parts by title, with the count of all of them and progress rolled up from all', async () => {
    const page = await new Agent(t.app).get(path);
    assert.equal(page.statusCode, 200);
    assert.deepEqual(partsShown(page.body), parts(1, 25));
    assert.match(page.body, /Showing 1 to 25 of 230 parts of Greener streets programme, by title/);
    assert.match(page.body, /worked out from all 230 parts/);
    assert.match(page.body, /89% done \(from its parts\)/);
    assert.match(page.body, /aria-label="Pages of parts"/);
    assert.match(page.body, new RegExp(`href="${path}\\?parts=2#parts"`));
    assert.match(page.body, new RegExp(`href="${path}\\?parts=10#parts"`));
  });

  it('shows the next parts on later pages, past the old cap of 200', async () => {
    const agent = new Agent(t.app);
    const second = await agent.get(`${path}?parts=2`);
    assert.deepEqual(partsShown(second.body), parts(26, 50));
    assert.match(second.body, /Showing 26 to 50 of 230 parts/);
    assert.match(second.body, /89% done \(from its parts\)/);

    const ninth = await agent.get(`${path}?parts=9`);
    assert.deepEqual(partsShown(ninth.body), parts(201, 225));
    const last = await agent.get(`${path}?parts=10`);
    assert.deepEqual(partsShown(last.body), parts(226, 230));
    assert.match(last.body, /Showing 226 to 230 of 230 parts/);
    assert.doesNotMatch(last.body, /parts=11/);

    const service = await t.services.results.resultPage(
      anonymousActor('test'),
      place,
      programmeId,
      pageRequest('9'),
    );
    assert.equal(service.parts.total, 230);
    assert.deepEqual(
      service.parts.rows.map((r) => r.title),
      parts(201, 225),
    );
    assert.equal(service.result.progress, 89);
  });

  it('pages the parts and the timeline each on its own, each link keeping the other list’s page', async () => {
    const page = await new Agent(t.app).get(`${path}?page=2&parts=3`);
    assert.equal(page.statusCode, 200);
    assert.deepEqual(partsShown(page.body), parts(51, 75));
    assert.deepEqual(updatesShown(page.body), ['02', '01']);
    assert.match(page.body, new RegExp(`href="${path}\\?page=2&amp;parts=4#parts"`));
    assert.match(page.body, new RegExp(`href="${path}\\?parts=3#timeline"`));
    assert.match(page.body, /aria-label="Pages of the timeline"/);
  });

  it('offers a way back from a page of parts beyond the end, and reads a bad page as the first', async () => {
    const agent = new Agent(t.app);
    const beyond = await agent.get(`${path}?parts=11`);
    assert.equal(beyond.statusCode, 200);
    assert.deepEqual(partsShown(beyond.body), []);
    assert.match(
      beyond.body,
      new RegExp(
        `past the end of the list of parts\\. <a class="govuk-link" href="${path}#parts">Go to the first page`,
      ),
    );
    assert.match(beyond.body, /89% done \(from its parts\)/);
    for (const bad of ['abc', '0', '99999999999']) {
      const page = await agent.get(`${path}?parts=${bad}`);
      assert.equal(page.statusCode, 200, bad);
      assert.deepEqual(partsShown(page.body), parts(1, 25), bad);
    }
    const timeline = await agent.get(`${path}?page=5`);
    assert.match(
      timeline.body,
      new RegExp(`past the end of the timeline\\. <a class="govuk-link" href="${path}#timeline"`),
    );
  });

  it('shows a part’s page without a list of parts', async () => {
    const child = await t.database.db
      .selectFrom('decisions')
      .select('id')
      .where('title', '=', part(1))
      .executeTakeFirstOrThrow();
    const page = await new Agent(t.app).get(`/places/riverside/results/${child.id}`);
    assert.equal(page.statusCode, 200);
    assert.doesNotMatch(page.body, /Parts of this result/);
    assert.match(page.body, /Part of.*Greener streets programme/s);
  });
});
