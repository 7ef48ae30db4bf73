import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LoadCache } from './loadCache.js';

describe('LoadCache', () => {
  test('concurrent misses share one load', async () => {
    let loads = 0;
    const cache = new LoadCache(60_000, (key: number) => {
      loads += 1;
      return Promise.resolve(key * 2);
    });

    const [first, second] = await Promise.all([cache.get(4), cache.get(4)]);

    assert.equal(first, 8);
    assert.equal(second, 8);
    assert.equal(loads, 1);
  });

  test('failed load is loaded again', async () => {
    let loads = 0;
    const cache = new LoadCache(60_000, () => {
      loads += 1;
      return loads === 1 ? Promise.reject(new Error('database down')) : Promise.resolve('row');
    });

    await assert.rejects(cache.get('key'), /database down/);
    const retried = await cache.get('key');

    assert.equal(retried, 'row');
    assert.equal(loads, 2);
  });

  test('forget drops one key or all', async () => {
    let loads = 0;
    const cache = new LoadCache(60_000, (key: string) => {
      loads += 1;
      return Promise.resolve(key);
    });
    await Promise.all([cache.get('a'), cache.get('b')]);

    cache.forget('a');
    await Promise.all([cache.get('a'), cache.get('b')]);
    const afterOne = loads;
    cache.forget();
    await Promise.all([cache.get('a'), cache.get('b')]);

    assert.equal(afterOne, 3);
    assert.equal(loads, 5);
  });
});
