/// <reference types="node" />
/* eslint-disable no-restricted-imports -- this suite runs in Node and drives the compare webview
   in headless chromium through playwright-core. */
// The compare webview in headless chromium, against a stub of the VS Code webview API: the bundle
// is built from source, served on loopback under a CSP without 'unsafe-inline', and driven by the
// host messages the extension would send. Run: node scripts/webview-tests.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, suite, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { ApiComparison, ApiComparisonResult } from '../../../shared/src/api/compare.js';
import type {
  CompareHostMessage,
  CompareModelOption,
  CompareWebviewMessage,
} from '../../../shared/src/protocol/compare.js';
import { startWebviewHarness, type WebviewHarness } from '../chat/testing/webviewPage.js';

interface StubWindow {
  posted: CompareWebviewMessage[];
  violations: string[];
  savedState: unknown;
}

const MODELS: CompareModelOption[] = [
  { id: 11, displayName: 'GPT-4o', providerName: 'OpenAI', modelId: 'gpt-4o' },
  { id: 12, displayName: 'Reasoner', providerName: 'DeepSeek', modelId: 'deepseek-reasoner' },
  { id: 13, displayName: 'Claude', providerName: 'Anthropic', modelId: 'claude-sonnet-4-5' },
];

function result(slot: number, fields: Partial<ApiComparisonResult> = {}): ApiComparisonResult {
  const model = MODELS[slot]!;
  return {
    id: 100 + slot,
    comparisonId: 7,
    slot,
    modelConfigId: model.id,
    modelConfigName: model.displayName,
    modelId: model.modelId,
    providerName: model.providerName,
    systemPrompt: null,
    content: `Answer ${slot + 1}`,
    reasoning: null,
    status: 'complete',
    usage: { promptTokens: 10, completionTokens: 40, reasoningTokens: 0 },
    answerTokens: 40,
    ttftMs: 200,
    ttfaMs: 200,
    answerMs: 400,
    latencyMs: 900,
    tokensPerSecond: 100,
    cost: 0.0004,
    finishReason: 'stop',
    providerFinishReason: 'stop',
    error: null,
    rating: null,
    createdAt: '2025-01-02T03:04:05.000Z',
    updatedAt: '2025-01-02T03:04:05.000Z',
    ...fields,
  };
}

/** Three finished results: slot 0 is fastest to its first token, slot 1 reasons and streams fastest, slot 2 failed. */
const FINISHED = [
  result(0, { ttftMs: 150, ttfaMs: 150, latencyMs: 700, tokensPerSecond: 90, cost: 0.0003 }),
  result(1, {
    reasoning: 'Weigh it.',
    usage: { promptTokens: 10, completionTokens: 100, reasoningTokens: 60 },
    ttftMs: 300,
    ttfaMs: 900,
    latencyMs: 1400,
    tokensPerSecond: 160,
    cost: 0.0009,
  }),
  result(2, {
    status: 'error',
    content: '',
    usage: null,
    answerTokens: null,
    ttftMs: null,
    ttfaMs: null,
    answerMs: null,
    latencyMs: 40,
    tokensPerSecond: null,
    cost: null,
    finishReason: 'error',
    error: { code: 'rate_limited', message: 'The provider rate-limited the request.', status: 429 },
  }),
];

function comparisonOf(results: ApiComparisonResult[], fields: Partial<ApiComparison> = {}) {
  return {
    id: 7,
    prompt: 'Compare tea and coffee.',
    promptTemplate: 'Compare {{thing}}.',
    variables: { thing: 'tea and coffee' },
    bestResultId: null,
    results,
    createdAt: '2025-01-02T03:04:05.000Z',
    updatedAt: '2025-01-02T03:04:05.000Z',
    ...fields,
  } satisfies ApiComparison;
}

let harness: WebviewHarness;

before(async () => {
  harness = await startWebviewHarness('webviews/src/compare/main.ts', 'compare-app');
});

after(async () => {
  await harness?.close();
});

afterEach(() => {
  assert.deepEqual(harness.pageErrors.splice(0), [], 'the page threw');
});

async function post(page: Page, message: CompareHostMessage): Promise<void> {
  await page.evaluate((data) => window.postMessage(data, '*'), message);
}

async function postedMessages(page: Page): Promise<CompareWebviewMessage[]> {
  return page.evaluate(() => (window as unknown as StubWindow).posted);
}

async function waitForPosted<Type extends CompareWebviewMessage['type']>(
  page: Page,
  type: Type,
): Promise<Extract<CompareWebviewMessage, { type: Type }>> {
  await page.waitForFunction(
    (wanted) => (window as unknown as StubWindow).posted.some((item) => item.type === wanted),
    type,
  );
  const messages = await postedMessages(page);
  return messages.filter((item) => item.type === type).at(-1) as Extract<
    CompareWebviewMessage,
    { type: Type }
  >;
}

async function clearPosted(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as StubWindow).posted.length = 0;
  });
}

/** Opens the webview signed in with the three models. */
async function openCompare(options: { width?: number; state?: unknown } = {}): Promise<Page> {
  const page = await harness.open(options.state);
  if (options.width !== undefined) {
    await page.setViewportSize({ width: options.width, height: 900 });
  }
  await waitForPosted(page, 'ready');
  await post(page, { type: 'init', signedIn: true });
  await post(page, { type: 'models', models: MODELS });
  await page
    .locator('compare-column[data-column="2"] select[data-role="model"] option')
    .nth(3)
    .waitFor({ state: 'attached' });
  return page;
}

const column = (page: Page, index: number) =>
  page.locator(`compare-column[data-column="${index}"]`);

/** Shows the finished comparison as the history or a reload would. */
async function showFinished(page: Page, fields: Partial<ApiComparison> = {}): Promise<void> {
  await post(page, { type: 'comparison', comparison: comparisonOf(FINISHED, fields) });
  await column(page, 2).locator('[role="alert"]').waitFor();
}

suite('compare webview', () => {
  test('sends the picked columns with variables', async () => {
    const page = await openCompare();
    await column(page, 0).locator('select[data-role="model"]').selectOption('13');
    await column(page, 2).locator('select[data-role="model"]').selectOption('11');
    await column(page, 2).locator('textarea[data-role="system-prompt"]').fill('Be brief.');
    await page.locator('textarea[data-role="prompt"]').fill('Explain {{topic}} to {{ who }}.');
    await page.locator('input[data-variable="topic"]').fill('SSE');
    await page.locator('input[data-variable="who"]').fill('a child');

    await page.locator('vscode-button[data-action="send"]').click();
    const run = await waitForPosted(page, 'run');

    assert.deepEqual(run, {
      type: 'run',
      prompt: 'Explain {{topic}} to {{ who }}.',
      variables: { topic: 'SSE', who: 'a child' },
      slots: [
        { modelConfigId: 13, systemPrompt: '' },
        { modelConfigId: 11, systemPrompt: 'Be brief.' },
      ],
    });
    const saved = (await page.evaluate(() => (window as unknown as StubWindow).savedState)) as {
      columns: unknown;
    };
    assert.deepEqual(saved.columns, [
      { modelConfigId: 13, systemPrompt: '' },
      { modelConfigId: null, systemPrompt: '' },
      { modelConfigId: 11, systemPrompt: 'Be brief.' },
    ]);
    await page.close();
  });

  test('streams each column and shows metrics', async () => {
    const page = await openCompare();
    await column(page, 1).locator('select[data-role="model"]').selectOption('12');
    await column(page, 2).locator('select[data-role="model"]').selectOption('13');
    await page.locator('textarea[data-role="prompt"]').fill('Hi');
    await page.locator('vscode-button[data-action="send"]').click();
    await waitForPosted(page, 'run');
    await post(page, { type: 'busy', busy: true });

    // Slot 0 of the run is column 1 and slot 1 is column 2.
    const slot0 = result(0, { id: 200, slot: 0, modelConfigName: 'Reasoner', status: 'streaming' });
    const slot1 = result(1, { id: 201, slot: 1, modelConfigName: 'Claude', status: 'streaming' });
    await post(page, { type: 'slotStart', comparisonId: 9, result: slot0 });
    await post(page, { type: 'slotStart', comparisonId: 9, result: slot1 });
    await post(page, {
      type: 'slotDelta',
      comparisonId: 9,
      slot: 0,
      reasoning: 'Thinking hard',
      content: '',
    });
    await post(page, {
      type: 'slotDelta',
      comparisonId: 9,
      slot: 1,
      reasoning: '',
      content: 'Claude **speaks**',
    });
    await column(page, 2).locator('chat-live-message strong').waitFor();
    assert.equal(
      await column(page, 1).locator('chat-live-message .reasoning-text').textContent(),
      'Thinking hard',
    );
    assert.equal(await column(page, 0).locator('chat-live-message').count(), 0);
    assert.equal(await page.locator('vscode-button[data-action="stop"]').count(), 1);

    await post(page, {
      type: 'slotEnd',
      comparisonId: 9,
      result: {
        ...slot1,
        status: 'complete',
        content: 'Claude **speaks**',
        ttftMs: 100,
        latencyMs: 500,
        tokensPerSecond: 50,
      },
    });
    await column(page, 2).locator('[data-role="metrics"]').waitFor();
    assert.equal(
      await column(page, 2).locator('[data-role="metrics"]').textContent(),
      'first token 100 ms · 500 ms · 50.0 tok/s · $0.000400',
    );
    assert.equal(
      await column(page, 1).locator('chat-live-message').count(),
      1,
      'slot 0 still streams',
    );

    await post(page, {
      type: 'complete',
      comparison: comparisonOf(
        [
          {
            ...slot0,
            status: 'complete',
            content: 'Reasoned.',
            reasoning: 'Thinking hard',
            ttftMs: 300,
            latencyMs: 1200,
            tokensPerSecond: 80,
          },
          {
            ...slot1,
            status: 'complete',
            content: 'Claude **speaks**',
            ttftMs: 100,
            latencyMs: 500,
            tokensPerSecond: 50,
          },
        ],
        { id: 9 },
      ),
    });
    await post(page, { type: 'busy', busy: false });
    await column(page, 1).locator('.markdown-body').getByText('Reasoned.').waitFor();
    assert.equal(
      await column(page, 1).locator('details.reasoning .reasoning-text').textContent(),
      'Thinking hard',
    );
    const headers = await page.locator('compare-metrics thead th').allTextContents();
    assert.deepEqual(
      headers.map((text) => text.trim()),
      ['Metric', 'Reasoner', 'Claude'],
    );
    await page.close();
  });

  test('marks the best value per row', async () => {
    const page = await openCompare();
    await showFinished(page);

    const rows = await page.locator('compare-metrics tbody tr').evaluateAll((elements) =>
      elements.map((row) => ({
        label: row.querySelector('th')?.textContent?.trim(),
        cells: [...row.querySelectorAll('td')].map((cell) => ({
          text: cell.textContent?.replace('✓', '').trim(),
          best: cell.hasAttribute('data-best'),
        })),
      })),
    );
    const row = (label: string) => rows.find((item) => item.label === label)!;

    assert.deepEqual(row('Time to first token').cells, [
      { text: '150 ms', best: true },
      { text: '300 ms', best: false },
      { text: '–', best: false },
    ]);
    // The failed slot's short latency does not compete.
    assert.deepEqual(
      row('Total latency').cells.map((cell) => cell.best),
      [true, false, false],
    );
    assert.deepEqual(row('Tokens per second').cells, [
      { text: '90.0 tok/s', best: false },
      { text: '160.0 tok/s', best: true },
      { text: '–', best: false },
    ]);
    assert.deepEqual(
      row('Cost').cells.map((cell) => cell.best),
      [true, false, false],
    );
    assert.deepEqual(
      row('Reasoning tokens').cells.map((cell) => [cell.text, cell.best]),
      [
        ['0', false],
        ['60', false],
        ['–', false],
      ],
    );
    assert.equal(
      await column(page, 2).locator('[role="alert"]').textContent(),
      'The provider rate-limited the request.',
    );
    await page.close();
  });

  test('shows a stored comparison and reruns it', async () => {
    const page = await openCompare();
    await showFinished(page);

    assert.equal(
      await page.locator('textarea[data-role="prompt"]').inputValue(),
      'Compare {{thing}}.',
    );
    assert.equal(await page.locator('input[data-variable="thing"]').inputValue(), 'tea and coffee');
    assert.equal(await column(page, 1).locator('select[data-role="model"]').inputValue(), '12');
    await clearPosted(page);
    await page.locator('vscode-button[data-action="rerun"]').click();
    const run = await waitForPosted(page, 'run');

    assert.deepEqual(
      run.slots.map((slot) => slot.modelConfigId),
      [11, 12, 13],
    );
    assert.deepEqual(run.variables, { thing: 'tea and coffee' });
    await page.close();
  });

  test('copy, best, rating and export post to the host', async () => {
    const page = await openCompare();
    await showFinished(page);
    await clearPosted(page);

    await column(page, 0).locator('[data-action="copy"]').click();
    assert.deepEqual(await waitForPosted(page, 'copy'), { type: 'copy', text: 'Answer 1' });
    await column(page, 1).locator('[data-action="best"]').click();
    assert.deepEqual(await waitForPosted(page, 'pickBest'), {
      type: 'pickBest',
      comparisonId: 7,
      resultId: 101,
    });
    await page.locator('compare-column[data-column="1"][best]').waitFor();
    assert.equal(await column(page, 1).locator('.best-badge').textContent(), 'Best');
    await column(page, 1).locator('[data-rating="4"]').click();
    assert.deepEqual(await waitForPosted(page, 'rate'), {
      type: 'rate',
      comparisonId: 7,
      resultId: 101,
      rating: 4,
    });
    assert.equal(await column(page, 1).locator('.star.on').count(), 4);
    await page.locator('vscode-button[data-action="export-md"]').click();
    assert.deepEqual(await waitForPosted(page, 'export'), {
      type: 'export',
      comparisonId: 7,
      format: 'md',
    });
    await page.locator('vscode-button[data-action="history"]').click();
    await waitForPosted(page, 'openHistory');
    await page.close();
  });

  test('saved system prompts fill the field', async () => {
    const page = await openCompare();
    assert.equal(await column(page, 0).locator('select[data-role="saved-prompt"]').count(), 0);

    await post(page, {
      type: 'systemPrompts',
      prompts: [{ id: 5, name: 'Terse', content: 'Answer in one sentence.' }],
    });
    await column(page, 0).locator('select[data-role="saved-prompt"]').selectOption('5');

    assert.equal(
      await column(page, 0).locator('textarea[data-role="system-prompt"]').inputValue(),
      'Answer in one sentence.',
    );
    await page.close();
  });

  test('columns stack in a narrow panel', async () => {
    const lefts = async (page: Page) =>
      page
        .locator('compare-column')
        .evaluateAll((columns) =>
          columns.map((element) => Math.round(element.getBoundingClientRect().left)),
        );
    const wide = await openCompare({ width: 1200 });
    const narrow = await openCompare({ width: 480 });

    const wideLefts = await lefts(wide);
    const narrowLefts = await lefts(narrow);

    assert.equal(new Set(wideLefts).size, 3, `wide columns at ${wideLefts.join(', ')}`);
    assert.equal(new Set(narrowLefts).size, 1, `narrow columns at ${narrowLefts.join(', ')}`);
    const overflow = await narrow.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    assert.ok(overflow <= 0, `the narrow page scrolls sideways by ${overflow} px`);
    await wide.close();
    await narrow.close();
  });

  test('no CSP violations', async () => {
    const page = await openCompare();
    await showFinished(page);

    assert.deepEqual(await page.evaluate(() => (window as unknown as StubWindow).violations), []);
    await page.close();
  });

  test('styles use theme variables only', () => {
    const folder = path.join(import.meta.dirname, '.');
    for (const file of fs
      .readdirSync(folder)
      .filter((name) => name.endsWith('.ts') && !name.includes('.test.'))) {
      const text = fs.readFileSync(path.join(folder, file), 'utf8');
      assert.doesNotMatch(
        text,
        /#[0-9a-fA-F]{3,8}\b|rgba?\(|hsla?\(/,
        `${file} has a colour literal`,
      );
    }
  });
});
