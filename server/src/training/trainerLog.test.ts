import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration, parseTrainerLine, type TrainerRecord } from './trainerLog.js';

const EMPTY: Omit<TrainerRecord, 'step'> = {
  totalSteps: null,
  loss: null,
  evalLoss: null,
  lr: null,
  epoch: null,
  percent: null,
  elapsedMs: null,
  remainingMs: null,
  throughput: null,
};

test('parseTrainerLine reads both key sets and partial records', () => {
  const cases: [string, string, TrainerRecord][] = [
    [
      'LLaMA-Factory 0.9 training record',
      '{"current_steps": 10, "total_steps": 100, "loss": 1.25, "lr": 9.5e-05, "epoch": 0.1, ' +
        '"percentage": 10.0, "elapsed_time": "0:00:42", "remaining_time": "0:06:18", ' +
        '"throughput": 1523.4, "total_tokens": 64000}',
      {
        ...EMPTY,
        step: 10,
        totalSteps: 100,
        loss: 1.25,
        lr: 9.5e-5,
        epoch: 0.1,
        percent: 10,
        elapsedMs: 42_000,
        remainingMs: 378_000,
        throughput: 1523.4,
      },
    ],
    [
      'older record with learning_rate and nulls',
      '{"current_steps": 5, "total_steps": 50, "loss": 2.0, "eval_loss": null, ' +
        '"predict_loss": null, "reward": null, "learning_rate": 5e-05, "epoch": 0.3, ' +
        '"percentage": 10.0, "elapsed_time": "0:00:05", "remaining_time": "0:00:45"}',
      {
        ...EMPTY,
        step: 5,
        totalSteps: 50,
        loss: 2,
        lr: 5e-5,
        epoch: 0.3,
        percent: 10,
        elapsedMs: 5000,
        remainingMs: 45_000,
      },
    ],
    [
      'evaluation only',
      '{"current_steps": 20, "total_steps": 40, "eval_loss": 1.5, "epoch": 1.0}',
      { ...EMPTY, step: 20, totalSteps: 40, evalLoss: 1.5, epoch: 1 },
    ],
    [
      'end of training without loss or lr',
      '{"current_steps": 40, "total_steps": 40, "epoch": 2.0, "percentage": 100.0}',
      { ...EMPTY, step: 40, totalSteps: 40, epoch: 2, percent: 100 },
    ],
    [
      'NaN loss',
      '{"current_steps": 3, "total_steps": 9, "loss": NaN, "lr": 0.001}',
      { ...EMPTY, step: 3, totalSteps: 9, lr: 0.001 },
    ],
  ];
  for (const [name, line, expected] of cases) {
    assert.deepEqual(parseTrainerLine(line), { record: expected }, name);
  }
});

test('parseTrainerLine reports lines it cannot use', () => {
  for (const line of ['{"current_steps": 3', '[1, 2]', '{"loss": 1.0}', 'Traceback']) {
    const parsed = parseTrainerLine(line);

    assert.ok('error' in parsed, line);
  }
});

test('parseDuration reads timedelta strings', () => {
  assert.equal(parseDuration('0:00:00'), 0);
  assert.equal(parseDuration('1:02:03'), 3_723_000);
  assert.equal(parseDuration('1 day, 0:00:01'), 86_401_000);
  assert.equal(parseDuration('3 days, 2:00:00'), (3 * 24 + 2) * 3_600_000);
  assert.equal(parseDuration('soon'), null);
  assert.equal(parseDuration(12), null);
});
