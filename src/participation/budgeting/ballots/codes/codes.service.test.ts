import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Actor } from '../../../../platform/auth/actor.ts';
import { ForbiddenError } from '../../../../platform/errors.ts';
import { pdfPageCount, pdfText } from '../../../../platform/pdf/pdf-text.ts';
import { buildTestApp, type TestApp } from '../../../../testing/harness.ts';
import { addDays, today } from '../../../processes/phases.ts';
import { hashCode, newCode, normaliseCode, type RandomIndex } from './access-code.ts';
import { CodeRefused, createAccessCodesService } from './codes.service.ts';
import { createTestBudget, type TestBudget } from './test-budget.ts';

let t: TestApp;
let place: { id: string; slug: string; name: string };
let officer: Actor;
let resident: Actor;
let budget: TestBudget;

/** A repeatable source of "random" indexes (xorshift), so a test knows which codes to expect. */
function seeded(seed: number): RandomIndex {
  let x = seed >>> 0 || 1;
  return (max) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % max;
  };
}

before(async () => {
  t = await buildTestApp();
  place = await t.createPlace('riverside', 'Riverside');
  const processId = await t.createProcess({ placeId: place.id, title: 'Riverside spends 2027' });
  const officerId = await t.createUser({
    email: 'officer@example.test',
    roles: [{ placeId: place.id, role: 'officer' }],
  });
  const residentId = await t.createUser({
    email: 'rosa@example.test',
    roles: [{ placeId: place.id, role: 'resident' }],
  });
  officer = (await t.services.accounts.loadActor(officerId, 'test-officer'))!;
  resident = (await t.services.accounts.loadActor(residentId, 'test-resident'))!;
  budget = await createTestBudget(t.database.db, {
    placeId: place.id,
    processId,
    title: 'Parks and streets',
    opensOn: addDays(today(), -1),
    closesOn: addDays(today(), 7),
    projects: [
      { title: 'Trees on Mill Lane', cost: '3000' },
      { title: 'Benches by the river', cost: '1500' },
    ],
  });
});
after(async () => {
  await t.close();
});

function service(random?: RandomIndex) {
  return createAccessCodesService({
    db: t.database.db,
    baseUrl: 'https://vote.example.test',
    budgets: t.services.budgets,
    processes: t.services.processes,
    random,
    compressLetters: false,
  });
}

describe('accessCodes.issueBatch with a seeded code source', () => {
  it('prints exactly the codes drawn, one letter each, and stores exactly their hashes', async () => {
    const expectedSource = seeded(20270301);
    const expected = Array.from({ length: 7 }, () => newCode(expectedSource));
    const b = await t.services.budgets.getBudget(place, budget.id);
    const { batchId, pdf } = await service(seeded(20270301)).issueBatch(officer, place, b, 7);
    assert.doesNotMatch(pdf.toString('latin1'), /FlateDecode/);
    assert.equal(pdfPageCount(pdf), 7);
    const printed = pdfText(pdf).map((lines) =>
      lines.find((l) => /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(l)),
    );
    assert.deepEqual(printed, expected);
    // The plain text shows the address to vote at, from the configured base URL.
    assert.match(pdf.toString('latin1'), /<[0-9a-f]+>/);
    assert.ok(pdfText(pdf)[0]!.includes('https://vote.example.test/places/riverside/vote'));
    const stored = await t.database.db
      .selectFrom('access_codes')
      .select('code_hash')
      .where('batch_id', '=', batchId)
      .execute();
    assert.deepEqual(
      stored.map((r) => r.code_hash).sort(),
      expected.map((c) => hashCode(normaliseCode(c)!)).sort(),
    );
  });

  it('is refused to anyone without the capability, in the service itself', async () => {
    const b = await t.services.budgets.getBudget(place, budget.id);
    await assert.rejects(service().issueBatch(resident, place, b, 1), ForbiddenError);
    await assert.rejects(service().listBatches(resident, place, b, { limit: 25, offset: 0 }), ForbiddenError);
    await assert.rejects(service().voidBatch(resident, place, b, budget.id, 'No'), ForbiddenError);
  });
});

describe('accessCodes.castWithCode', () => {
  it('stores one ballot when two casts with one code race, and tells the other the code is used', async () => {
    const b = await t.services.budgets.getBudget(place, budget.id);
    const expected = newCode(seeded(42));
    await service(seeded(42)).issueBatch(officer, place, b, 1);
    const cast = (projectId: string) =>
      service().castWithCode(resident, place, { code: expected, districtId: null, choices: [{ projectId }] });
    // Both pass the first check before either transaction runs; only the atomic update decides.
    const results = await Promise.allSettled([
      cast(budget.projects['Trees on Mill Lane']!),
      cast(budget.projects['Benches by the river']!),
    ]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(fulfilled.length, 1);
    assert.equal(rejected.length, 1);
    assert.ok(rejected[0]!.reason instanceof CodeRefused, String(rejected[0]!.reason));
    assert.equal(rejected[0]!.reason.message, 'This code has already been used');
    const code = await t.database.db
      .selectFrom('access_codes')
      .select(['id', 'used_at'])
      .where('code_hash', '=', hashCode(normaliseCode(expected)!))
      .executeTakeFirstOrThrow();
    assert.ok(code.used_at);
    const ballots = await t.database.db
      .selectFrom('ballots')
      .select('id')
      .where('access_code_id', '=', code.id)
      .execute();
    assert.equal(ballots.length, 1);
    const items = await t.database.db
      .selectFrom('ballot_items')
      .select('project_id')
      .where('ballot_id', '=', ballots[0]!.id)
      .execute();
    assert.equal(items.length, 1);
  });
});
