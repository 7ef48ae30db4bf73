import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readTrainingSettings } from './settings.js';

test('readTrainingSettings has defaults', () => {
  const settings = readTrainingSettings({});

  assert.equal(settings.pollIntervalMs, 2000);
  assert.equal(settings.stopGraceMs, 120_000);
  assert.equal(settings.sseKeepAliveMs, 15_000);
});

test('readTrainingSettings names invalid values', () => {
  assert.equal(readTrainingSettings({ TRAINING_LEASE_MS: '2000' }).leaseMs, 2000);
  assert.throws(
    () => readTrainingSettings({ TRAINING_POLL_INTERVAL_MS: 'fast' }),
    /TRAINING_POLL_INTERVAL_MS must be a whole number of milliseconds/,
  );
  assert.throws(
    () => readTrainingSettings({ TRAINING_LEASE_MS: '10' }),
    /TRAINING_LEASE_MS must be between 500 and 3600000/,
  );
});
