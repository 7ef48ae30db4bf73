import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  TRAINING_DEFAULTS,
  type ApiTrainingMetric,
  type ApiTrainingTask,
} from '../../../shared/src/api/training.js';
import { buildReport, renderHtml, renderMarkdown } from './report.js';

function taskWith(overrides: Partial<ApiTrainingTask>): ApiTrainingTask {
  return {
    id: 4,
    ownerId: 1,
    name: 'demo',
    baseModel: 'org/model',
    datasetId: 2,
    gpuHostId: 1,
    parameters: { ...TRAINING_DEFAULTS, swanlab: true },
    status: 'completed',
    progress: { step: 3, totalSteps: 3, percent: 100, epoch: 1, remainingMs: 0, elapsedMs: 1000 },
    runDir: '/runs/4',
    processGroup: 100,
    exitCode: 0,
    errorTail: null,
    adapterPath: '/runs/4/output',
    swanlabUrl: 'https://swanlab.cn/@team/demo/runs/abc',
    queuePosition: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T01:02:03.000Z',
    ...overrides,
  };
}

function metric(step: number, fields: Partial<ApiTrainingMetric>): ApiTrainingMetric {
  const empty = { loss: null, evalLoss: null, lr: null, epoch: null, throughput: null };
  return { step, totalSteps: 3, time: '2026-01-01T00:00:00.000Z', ...empty, ...fields };
}

const METRICS = [
  metric(1, { loss: 2.5, lr: 1e-4, throughput: 100 }),
  metric(2, { loss: 1.5, lr: 8e-5, evalLoss: 1.9, throughput: 300 }),
  metric(3, { loss: 1.75, lr: 2e-5 }),
];
const DATASET = { id: 2, name: 'alpaca', recordCount: 24, sizeBytes: 2048 };

test('buildReport summarizes losses and throughput', () => {
  const report = buildReport(taskWith({}), METRICS, DATASET);

  assert.equal(report.durationMs, 3_723_000);
  assert.equal(report.steps, 3);
  assert.equal(report.firstLoss, 2.5);
  assert.equal(report.lastLoss, 1.75);
  assert.deepEqual(report.bestLoss, { value: 1.5, step: 2 });
  assert.deepEqual(report.bestEvalLoss, { value: 1.9, step: 2 });
  assert.equal(report.meanThroughput, 200);
  assert.deepEqual(report.curves.lr, [
    [1, 1e-4],
    [2, 8e-5],
    [3, 2e-5],
  ]);
});

test('renderMarkdown escapes user text and fences the error', () => {
  const task = taskWith({
    name: 'a | b\n# heading',
    status: 'failed',
    exitCode: 1,
    errorTail: 'Traceback\n```\nValueError: x',
  });

  const markdown = renderMarkdown(buildReport(task, METRICS, DATASET));

  assert.match(markdown, /^# Training report: a \\\| b # heading$/m);
  assert.match(markdown, /\| Duration \| 1h 02m 03s \|/);
  assert.match(markdown, /\| SwanLab \| <https:\/\/swanlab\.cn\/@team\/demo\/runs\/abc> \|/);
  assert.match(markdown, /\n````text\nTraceback\n```\nValueError: x\n````\n/);
});

test('renderHtml escapes user text', () => {
  const task = taskWith({ name: '<script>alert(1)</script>', baseModel: '"><img src=x>' });

  const html = renderHtml(buildReport(task, METRICS, DATASET));

  assert.equal(html.includes('<script>alert'), false);
  assert.equal(html.includes('<img'), false);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /<a href="https:\/\/swanlab\.cn\/@team\/demo\/runs\/abc" rel="noreferrer">/);
  assert.equal((html.match(/<polyline /g) ?? []).length, 3);
});
