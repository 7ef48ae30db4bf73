/// <reference types="node" />
/* eslint-disable no-restricted-imports -- this suite runs in Node and drives the monitor webview in
   headless chromium through playwright-core. */
// The training monitor webview in headless chromium, against a stub of the VS Code webview API.
// The bundle is built from source and served on loopback under a CSP without 'unsafe-inline'. It
// gets the host messages the extension would send, with a trainer log recorded from the stand-in.
// Run: node scripts/webview-tests.mjs webviews/src/training/monitor.browser.test.ts
import assert from 'node:assert/strict';
import { after, afterEach, before, suite, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { ApiTrainingMetric } from '../../../shared/src/api/training.js';
import type {
  MonitorHostMessage,
  MonitorState,
  MonitorWebviewMessage,
} from '../../../shared/src/protocol/training.js';
import { startWebviewHarness, type WebviewHarness } from '../chat/testing/webviewPage.js';
import { recordedLog, recordedMetrics, trainingTask } from './testing/builders.js';

/** MAX_DOM_LINES of training-log-view.ts, which cannot load in Node because it defines elements. */
const MAX_DOM_LINES = 1000;

interface StubWindow {
  posted: MonitorWebviewMessage[];
  violations: string[];
  savedState: MonitorState | undefined;
}

let harness: WebviewHarness;

before(async () => {
  harness = await startWebviewHarness(
    'webviews/src/training/monitor/main.ts',
    'training-monitor-app',
  );
});

after(async () => {
  await harness?.close();
});

afterEach(() => {
  assert.deepEqual(harness.pageErrors.splice(0), [], 'the page threw');
});

async function post(page: Page, message: MonitorHostMessage): Promise<void> {
  await page.evaluate((data) => window.postMessage(data, '*'), message);
}

async function posted(page: Page): Promise<MonitorWebviewMessage[]> {
  return page.evaluate(() => (window as unknown as StubWindow).posted);
}

async function waitForPosted<Type extends MonitorWebviewMessage['type']>(
  page: Page,
  type: Type,
): Promise<Extract<MonitorWebviewMessage, { type: Type }>> {
  await page.waitForFunction(
    (wanted) => (window as unknown as StubWindow).posted.some((item) => item.type === wanted),
    type,
  );
  return (await posted(page)).filter((item) => item.type === type).at(-1) as Extract<
    MonitorWebviewMessage,
    { type: Type }
  >;
}

/** Opens the monitor and sends the task with the recorded metrics and log. */
async function openMonitor(metrics = recordedMetrics(), logLines = recordedLog()): Promise<Page> {
  const page = await harness.open();
  await waitForPosted(page, 'ready');
  await post(page, {
    type: 'init',
    signedIn: true,
    task: trainingTask(1, { name: 'support-bot' }),
    datasetName: 'alpaca excerpt',
    hostName: 'gpu-01',
    metrics,
    logLines,
    logTruncated: false,
    connection: { state: 'live' },
    overlays: [],
  });
  return page;
}

/** What a chart draws: its line labels and uPlot's data (steps first). */
interface Drawn {
  labels: string[];
  data: (number | null)[][];
}

/** Waits until the chart with `heading` draws data that `accept` takes, and returns it. */
async function drawnChart(
  page: Page,
  heading: string,
  accept: (drawn: Drawn) => boolean = (drawn) => drawn.data.length > 0,
): Promise<Drawn> {
  let last: Drawn | undefined;
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    last = await page.evaluate((wanted) => {
      const app = document.querySelector('training-monitor-app');
      const chart = [...(app?.shadowRoot?.querySelectorAll('training-chart') ?? [])].find(
        (element) => element.heading === wanted,
      );
      return {
        labels: chart?.drawnLabels ?? [],
        data: (chart?.drawnData ?? []).map((series) => [...series]),
      };
    }, heading);
    if (accept(last)) {
      return last;
    }
    await page.waitForTimeout(30);
  }
  throw new Error(`The ${heading} chart never drew the expected data: ${JSON.stringify(last)}`);
}

function seriesOf(drawn: Drawn, label: string): (number | null)[] {
  const index = drawn.labels.indexOf(label);
  assert.ok(index >= 0, `no line "${label}" among ${drawn.labels.join(', ')}`);
  return drawn.data[index + 1] as (number | null)[];
}

/** Computes the debiased EMA here, independently of the webview's code. */
function expectedEma(values: readonly number[], weight: number): number[] {
  const result: number[] = [];
  let average = 0;
  values.forEach((value, index) => {
    average = weight * average + (1 - weight) * value;
    result.push(average / (1 - weight ** (index + 1)));
  });
  return result;
}

function assertClose(actual: readonly (number | null)[], expected: readonly number[]): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((value, index) => {
    assert.ok(
      value !== null && Math.abs(value - (expected[index] as number)) < 1e-9,
      `point ${index}: ${value} is not ${expected[index]}`,
    );
  });
}

const app = (page: Page) => page.locator('training-monitor-app');

suite('training monitor charts', () => {
  test('renders curves from a recorded series', async () => {
    const metrics = recordedMetrics();
    const page = await openMonitor(metrics);
    const loss = await drawnChart(page, 'Loss');
    assert.deepEqual(loss.labels, ['loss (raw)', 'loss', 'eval loss']);
    assert.deepEqual(
      loss.data[0],
      metrics.map((metric) => metric.step),
    );
    assert.deepEqual(
      seriesOf(loss, 'loss (raw)'),
      metrics.map((metric) => metric.loss),
    );
    const evalLoss = seriesOf(loss, 'eval loss');
    assert.deepEqual(
      evalLoss.flatMap((value, index) => (value === null ? [] : [loss.data[0]?.[index]])),
      [4, 8, 12, 16, 20, 24, 28, 32, 36, 40],
    );
    assert.equal(evalLoss[3], metrics[3]?.evalLoss);

    const lr = await drawnChart(page, 'Learning rate');
    assert.deepEqual(lr.labels, ['learning rate']);
    assert.deepEqual(
      seriesOf(lr, 'learning rate'),
      metrics.map((metric) => metric.lr),
    );

    const header = app(page).locator('header');
    assert.equal(await header.locator('h1').textContent(), 'support-bot');
    assert.equal(await header.locator('[data-status]').textContent(), 'running');
    assert.match((await header.locator('.details').textContent()) ?? '', /alpaca excerpt · gpu-01/);
    const progress = (await app(page).locator('.progress-text').textContent()) ?? '';
    assert.match(progress, /50\.0% · step 20\/40 · epoch 2\.00 · 2 min elapsed · 2 min left/);
    assert.deepEqual(await page.evaluate(() => (window as unknown as StubWindow).violations), []);
    await page.close();
  });

  test('smoothing changes the drawn series', async () => {
    const metrics = recordedMetrics();
    const losses = metrics.map((metric) => metric.loss as number);
    const page = await openMonitor(metrics);
    const initial = await drawnChart(page, 'Loss');
    assertClose(seriesOf(initial, 'loss'), expectedEma(losses, 0.6));

    await app(page).locator('#smoothing').fill('0.9');
    const smoother = await drawnChart(
      page,
      'Loss',
      (drawn) => Math.abs((drawn.data[2]?.[5] ?? 0) - expectedEma(losses, 0.9)[5]!) < 1e-9,
    );
    assertClose(seriesOf(smoother, 'loss'), expectedEma(losses, 0.9));
    assert.deepEqual(seriesOf(smoother, 'loss (raw)'), losses);

    await app(page).locator('#smoothing').fill('0');
    const raw = await drawnChart(page, 'Loss', (drawn) => !drawn.labels.includes('loss (raw)'));
    assert.deepEqual(raw.labels, ['loss', 'eval loss']);
    assert.deepEqual(seriesOf(raw, 'loss'), losses);
    const saved = await page.evaluate(() => (window as unknown as StubWindow).savedState);
    assert.equal(saved?.smoothing, 0);
    assert.equal(saved?.taskId, 1);
    await page.close();
  });

  test('live metrics are appended and replace their step', async () => {
    const metrics = recordedMetrics();
    const page = await openMonitor(metrics.slice(0, 10));
    await drawnChart(page, 'Loss', (drawn) => drawn.data[0]?.length === 10);
    // Three messages in a row, as a burst of events arrives; the chart draws them in one frame.
    for (const metric of metrics.slice(10, 13)) {
      await post(page, { type: 'metrics', metrics: [metric] });
    }
    const replaced: ApiTrainingMetric = { ...(metrics[4] as ApiTrainingMetric), loss: 9.5 };
    await post(page, { type: 'metrics', metrics: [replaced] });
    // The appends and the replacement may land in different frames, so wait for both.
    const drawn = await drawnChart(
      page,
      'Loss',
      (next) => next.data[0]?.length === 13 && seriesOf(next, 'loss (raw)')[4] === 9.5,
    );
    assert.deepEqual(
      drawn.data[0],
      metrics.slice(0, 13).map((metric) => metric.step),
    );
    assert.equal(seriesOf(drawn, 'loss (raw)')[4], 9.5);
    await page.close();
  });

  test('overlay draws another task', async () => {
    const metrics = recordedMetrics();
    const page = await openMonitor(metrics);
    await app(page).locator('#compare').click();
    await waitForPosted(page, 'listOverlayCandidates');
    await post(page, {
      type: 'overlayCandidates',
      candidates: [{ taskId: 2, name: 'baseline', status: 'completed' }],
    });
    await app(page).locator('#overlay-picker').selectOption('2');
    const added = await waitForPosted(page, 'addOverlay');
    assert.equal(added.taskId, 2);

    const overlayMetrics = metrics.map((metric) => ({
      ...metric,
      step: metric.step + 2,
      loss: metric.loss === null ? null : metric.loss + 1,
    }));
    await post(page, {
      type: 'overlays',
      overlays: [{ taskId: 2, name: 'baseline', metrics: overlayMetrics }],
    });
    const loss = await drawnChart(page, 'Loss', (drawn) => drawn.labels.length === 5);
    assert.deepEqual(loss.labels, [
      'loss (raw)',
      'loss',
      'eval loss',
      'baseline: loss',
      'baseline: eval loss',
    ]);
    // Steps 1 to 42: the union of both runs' steps.
    assert.deepEqual(
      loss.data[0],
      Array.from({ length: 42 }, (_, index) => index + 1),
    );
    const overlayLoss = seriesOf(loss, 'baseline: loss');
    assert.equal(overlayLoss[0], null);
    assert.ok(overlayLoss[2] !== null);
    const lr = await drawnChart(page, 'Learning rate', (drawn) => drawn.labels.length === 2);
    assert.deepEqual(lr.labels, ['learning rate', 'baseline: learning rate']);

    await app(page).locator('[data-overlay="2"] button').click();
    const removed = await waitForPosted(page, 'removeOverlay');
    assert.equal(removed.taskId, 2);
    await page.close();
  });
});

/** Lines of different levels, as LLaMA-Factory and Python write them. */
const MIXED_LINES = [
  '[INFO|trainer.py:2048] >> ***** Running training *****',
  '[WARNING|logging.py:329] >> `use_cache=True` is incompatible with gradient checkpointing.',
  '01/02/2025 10:00:00 - DEBUG - llamafactory.data.loader - Loading dataset demo.json',
  'Traceback (most recent call last):',
  '  File "train.py", line 3, in <module>',
  'RuntimeError: CUDA out of memory.',
];

async function lineTexts(page: Page): Promise<string[]> {
  return app(page).locator('training-log-view .line').allTextContents();
}

async function openLog(page: Page): Promise<void> {
  await app(page).locator('[data-tab="log"]').click();
  await app(page).locator('training-log-view .lines').waitFor();
}

suite('training monitor log', () => {
  test('filters lines by level', async () => {
    const page = await openMonitor(recordedMetrics(), MIXED_LINES);
    await openLog(page);
    assert.deepEqual(await lineTexts(page), MIXED_LINES);
    const classes = await app(page)
      .locator('training-log-view .line')
      .evaluateAll((lines: Element[]): string[] => lines.map((line) => line.className));
    assert.deepEqual(classes, [
      'line info',
      'line warning',
      'line debug',
      'line error',
      'line error',
      'line error',
    ]);

    await app(page).locator('training-log-view [data-level="info"]').click();
    await app(page).locator('training-log-view [data-level="debug"]').click();
    await page.waitForFunction(
      () =>
        document
          .querySelector('training-monitor-app')
          ?.shadowRoot?.querySelector('training-log-view')
          ?.shadowRoot?.querySelectorAll('.line').length === 4,
    );
    assert.deepEqual(await lineTexts(page), MIXED_LINES.slice(1, 2).concat(MIXED_LINES.slice(3)));
    const saved = await page.evaluate(() => (window as unknown as StubWindow).savedState);
    assert.deepEqual(saved?.levels, ['warning', 'error']);

    await app(page).locator('training-log-view #export').click();
    const exported = await waitForPosted(page, 'exportLog');
    assert.deepEqual(exported.lines, MIXED_LINES.slice(1, 2).concat(MIXED_LINES.slice(3)));
    await page.close();
  });

  test('pause holds new lines until resumed', async () => {
    const page = await openMonitor(recordedMetrics(), ['first line']);
    await openLog(page);
    await app(page).locator('training-log-view #pause').click();
    await post(page, { type: 'log', lines: ['second line', 'third line'], gap: false });
    await app(page).locator('training-log-view .waiting').waitFor();
    assert.equal(
      await app(page).locator('training-log-view .waiting').textContent(),
      '2 new lines waiting',
    );
    assert.deepEqual(await lineTexts(page), ['first line']);

    await app(page).locator('training-log-view #pause').click();
    await page.waitForFunction(
      () =>
        document
          .querySelector('training-monitor-app')
          ?.shadowRoot?.querySelector('training-log-view')
          ?.shadowRoot?.querySelectorAll('.line').length === 3,
    );
    assert.deepEqual(await lineTexts(page), ['first line', 'second line', 'third line']);
    await page.close();
  });

  test('follow keeps the newest line in view', async () => {
    const lines = Array.from({ length: 200 }, (_, index) => `line ${index}`);
    const page = await openMonitor(recordedMetrics(), lines);
    await openLog(page);
    const scroller = app(page).locator('training-log-view .lines');
    const distanceFromEnd = () =>
      scroller.evaluate(
        (element) => element.scrollHeight - element.scrollTop - element.clientHeight,
      );
    await page.waitForFunction(() => true);
    assert.ok((await distanceFromEnd()) < 2, 'the log is not scrolled to its end');

    // Scrolling up stops following, so new lines leave the position alone.
    await scroller.evaluate((element) => {
      element.scrollTop = 0;
    });
    await page.waitForFunction(
      () =>
        document
          .querySelector('training-monitor-app')
          ?.shadowRoot?.querySelector('training-log-view')
          ?.shadowRoot?.querySelector('#follow')
          ?.getAttribute('aria-pressed') === 'false',
    );
    await post(page, { type: 'log', lines: ['line 200'], gap: false });
    await page.waitForTimeout(50);
    assert.equal(await scroller.evaluate((element) => element.scrollTop), 0);
    const saved = await page.evaluate(() => (window as unknown as StubWindow).savedState);
    assert.equal(saved?.follow, false);

    await app(page).locator('training-log-view #follow').click();
    await page.waitForTimeout(50);
    assert.ok((await distanceFromEnd()) < 2, 'Follow did not scroll to the end');
    await page.close();
  });

  test('log keeps a bounded number of lines in the DOM', async () => {
    const page = await openMonitor(recordedMetrics(), []);
    await openLog(page);
    const batch = (from: number) =>
      Array.from({ length: 500 }, (_, index) => `line ${from + index}`);
    for (let from = 0; from < 3000; from += 500) {
      await post(page, { type: 'log', lines: batch(from), gap: false });
    }
    await page.waitForFunction(
      () =>
        document
          .querySelector('training-monitor-app')
          ?.shadowRoot?.querySelector('training-log-view')
          ?.shadowRoot?.querySelector('.lines')?.lastElementChild?.textContent === 'line 2999',
    );
    const texts = await lineTexts(page);
    assert.equal(texts.length, MAX_DOM_LINES);
    assert.equal(texts[0], `line ${3000 - MAX_DOM_LINES}`);
    await page.close();
  });

  test('marks a gap after a reconnection', async () => {
    const page = await openMonitor(recordedMetrics(), ['before']);
    await post(page, {
      type: 'connection',
      connection: { state: 'reconnecting', retryInMs: 2000, reason: 'the event stream ended' },
    });
    const connection = app(page).locator('[data-connection]');
    await page.waitForFunction(
      () =>
        document
          .querySelector('training-monitor-app')
          ?.shadowRoot?.querySelector('[data-connection]')
          ?.getAttribute('data-connection') === 'reconnecting',
    );
    assert.equal(await connection.textContent(), 'reconnecting in 2 s (the event stream ended)');
    await post(page, { type: 'log', lines: ['after'], gap: true });
    await post(page, { type: 'connection', connection: { state: 'live' } });
    await openLog(page);
    const texts = await lineTexts(page);
    assert.equal(texts.length, 3);
    assert.equal(texts[0], 'before');
    assert.match(texts[1] ?? '', /Lines may be missing here/);
    assert.equal(texts[2], 'after');
    await page.close();
  });
});

suite('training monitor report', () => {
  test('report tab renders the Markdown report', async () => {
    const page = await openMonitor();
    await app(page).locator('[data-tab="report"]').click();
    await waitForPosted(page, 'loadReport');
    await post(page, {
      type: 'report',
      markdown: '# Report of support-bot\n\n| loss | value |\n| --- | --- |\n| best | 3.52 |\n',
      error: null,
    });
    const body = app(page).locator('.markdown-body');
    await body.locator('h1').waitFor();
    assert.equal(await body.locator('h1').textContent(), 'Report of support-bot');
    assert.equal(await body.locator('td').nth(1).textContent(), '3.52');
    await page.close();
  });
});
