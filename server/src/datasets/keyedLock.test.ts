import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { KeyedLock } from './keyedLock.js';

describe('KeyedLock', () => {
  test('tasks under one key run one at a time in order', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const task = (name: string, ms: number) => async () => {
      events.push(`${name} start`);
      await delay(ms);
      events.push(`${name} end`);
    };

    await Promise.all([lock.run('a', task('first', 20)), lock.run('a', task('second', 1))]);

    assert.deepEqual(events, ['first start', 'first end', 'second start', 'second end']);
  });

  test('tasks under different keys overlap', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const task = (name: string, ms: number) => async () => {
      events.push(`${name} start`);
      await delay(ms);
      events.push(`${name} end`);
    };

    await Promise.all([lock.run('a', task('a', 20)), lock.run('b', task('b', 1))]);

    assert.deepEqual(events, ['a start', 'b start', 'b end', 'a end']);
  });

  test('a failed task releases the key', async () => {
    const lock = new KeyedLock();

    await assert.rejects(
      lock.run('a', () => Promise.reject(new Error('boom'))),
      /boom/,
    );
    const result = await lock.run('a', () => Promise.resolve(42));

    assert.equal(result, 42);
    assert.equal(lock.isHeld('a'), false);
  });
});
