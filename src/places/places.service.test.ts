import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Actor } from '../platform/auth/actor.ts';
import type { DatabaseHandle } from '../platform/db/database.ts';
import { NotFoundError } from '../platform/errors.ts';
import { freshDatabase } from '../testing/harness.ts';
import { createPlacesService, PLACE_CACHE_MS } from './places.service.ts';

let database: DatabaseHandle;
let clock = 1_000_000;
let admin: Actor;

before(async () => {
  database = await freshDatabase();
  const user = await database.db
    .insertInto('users')
    .values({
      email: 'admin@example.test',
      name: 'Admin',
      password_hash: null,
      email_verified_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  admin = {
    user: {
      id: user.id,
      name: 'Admin',
      email: 'admin@example.test',
      emailVerified: true,
      isInstanceAdmin: true,
    },
    roles: new Map(),
    requestId: 'test',
  };
});
after(() => database.close());

describe('finding a place by its web address', () => {
  it('remembers it for a while, sees another process’s change after that, and forgets at once its own', async () => {
    const db = database.db;
    const places = createPlacesService({
      db,
      accounts: { findActiveAccountByEmail: async () => undefined },
      now: () => clock,
    });
    const row = await db
      .insertInto('places')
      .values({ slug: 'brook', name: 'Brook', summary: '', contact_email: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    assert.equal((await places.placeBySlug('brook')).name, 'Brook');

    // Another process renames it: this one keeps the name it read until the cache time has passed.
    await db.updateTable('places').set({ name: 'Brook Vale' }).where('id', '=', row.id).execute();
    assert.equal((await places.placeBySlug('brook')).name, 'Brook');
    clock += PLACE_CACHE_MS + 1;
    assert.equal((await places.placeBySlug('brook')).name, 'Brook Vale');

    // This process changes it: the old address stops working at once.
    await places.updatePlace(admin, row.id, {
      slug: 'brookside',
      name: 'Brookside',
      summary: '',
      contactEmail: null,
    });
    await assert.rejects(places.placeBySlug('brook'), NotFoundError);
    assert.equal((await places.placeBySlug('brookside')).name, 'Brookside');
  });

  it('never remembers an unknown address', async () => {
    const db = database.db;
    const places = createPlacesService({
      db,
      accounts: { findActiveAccountByEmail: async () => undefined },
      now: () => clock,
    });
    await assert.rejects(places.placeBySlug('marsh'), NotFoundError);
    await db
      .insertInto('places')
      .values({ slug: 'marsh', name: 'Marsh', summary: '', contact_email: null })
      .execute();
    assert.equal((await places.placeBySlug('marsh')).name, 'Marsh');
  });
});
