import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runTransaction } from '../db/transactions.js';
import { User } from '../models/index.js';
import { testDialect, TestServer } from '../testing/testServer.js';
import { UserCache } from './userCache.js';

describe(`user cache (${testDialect})`, () => {
  let server: TestServer;
  let userId: number;

  before(async () => {
    server = await TestServer.start();
    userId = (await server.signUp('cached')).userId;
  });

  after(async () => {
    await server.close();
  });

  test('serves a repeat lookup from memory', async () => {
    const cache = new UserCache(60_000);

    const first = cache.get(userId);
    const second = cache.get(userId);

    assert.equal(second, first);
    assert.equal((await first)?.nickname, 'cached');
    cache.dispose();
  });

  test('reloads after a save', async () => {
    const cache = new UserCache(60_000);
    const before = await cache.get(userId);

    await User.update({ role: 'admin' }, { where: { id: userId } });
    const afterBulk = await cache.get(userId);
    const instance = await User.findByPk(userId);
    if (instance === null) {
      throw new Error('user missing');
    }
    instance.role = 'user';
    await instance.save();
    const afterSave = await cache.get(userId);

    assert.equal(before?.role, 'user');
    assert.equal(afterBulk?.role, 'admin');
    assert.equal(afterSave?.role, 'user');
    cache.dispose();
  });

  test('reloads once a change in a transaction commits', async () => {
    const cache = new UserCache(60_000);
    let readInside: boolean | undefined;

    await runTransaction(server.running.services.sequelize, async (transaction) => {
      await User.update({ isActive: false }, { where: { id: userId }, transaction });
      // Read outside the transaction, so it returns the row as last committed.
      readInside = (await cache.get(userId))?.isActive;
    });
    const afterCommit = await cache.get(userId);
    await User.update({ isActive: true }, { where: { id: userId } });

    assert.equal(readInside, true);
    assert.equal(afterCommit?.isActive, false);
    cache.dispose();
  });

  test('reloads after the TTL', async () => {
    const cache = new UserCache(1);
    const first = cache.get(userId);
    await first;
    await new Promise((resolve) => setTimeout(resolve, 5));

    assert.notEqual(cache.get(userId), first);
    cache.dispose();
  });

  test('forgets a deleted user', async () => {
    const cache = new UserCache(60_000);
    const doomed = await server.signUp('doomed');
    assert.notEqual(await cache.get(doomed.userId), null);

    await User.destroy({ where: { id: doomed.userId } });

    assert.equal(await cache.get(doomed.userId), null);
    cache.dispose();
  });
});
