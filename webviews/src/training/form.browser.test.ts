/// <reference types="node" />
/* eslint-disable no-restricted-imports -- this suite runs in Node and drives the task form webview
   in headless chromium through playwright-core. */
// The training task form in headless chromium, against a stub of the VS Code webview API, fed the
// messages the extension would send. Run:
// node scripts/webview-tests.mjs webviews/src/training/form.browser.test.ts
import assert from 'node:assert/strict';
import { after, afterEach, before, suite, test } from 'node:test';
import type { Page } from 'playwright-core';
import { TRAINING_DEFAULTS } from '../../../shared/src/api/training.js';
import type {
  TrainingFormHostMessage,
  TrainingFormState,
  TrainingFormWebviewMessage,
} from '../../../shared/src/protocol/training.js';
import { startWebviewHarness, type WebviewHarness } from '../chat/testing/webviewPage.js';
import { trainingDefaults } from './testing/builders.js';

interface StubWindow {
  posted: TrainingFormWebviewMessage[];
  violations: string[];
  savedState: TrainingFormState | undefined;
}

let harness: WebviewHarness;

before(async () => {
  harness = await startWebviewHarness('webviews/src/training/form/main.ts', 'training-form-app');
});

after(async () => {
  await harness?.close();
});

afterEach(() => {
  assert.deepEqual(harness.pageErrors.splice(0), [], 'the page threw');
});

async function post(page: Page, message: TrainingFormHostMessage): Promise<void> {
  await page.evaluate((data) => window.postMessage(data, '*'), message);
}

async function postedOfType<Type extends TrainingFormWebviewMessage['type']>(
  page: Page,
  type: Type,
): Promise<Extract<TrainingFormWebviewMessage, { type: Type }>[]> {
  const all = await page.evaluate(() => (window as unknown as StubWindow).posted);
  return all.filter((message) => message.type === type) as Extract<
    TrainingFormWebviewMessage,
    { type: Type }
  >[];
}

/** Opens the form and sends the defaults with two datasets and two hosts. */
async function openForm(state?: TrainingFormState): Promise<Page> {
  const page = await harness.open(state);
  await page.waitForFunction(() =>
    (window as unknown as StubWindow).posted.some((message) => message.type === 'ready'),
  );
  await post(page, {
    type: 'init',
    signedIn: true,
    defaults: trainingDefaults(),
    datasets: [
      { id: 7, name: 'alpaca excerpt', schema: 'alpaca', recordCount: 24, invalidCount: 0 },
      { id: 8, name: 'chats', schema: 'sharegpt', recordCount: 120, invalidCount: 3 },
    ],
    hosts: [
      { id: 3, name: 'gpu-01', maxConcurrentRuns: 1, activeRuns: 0, queuedTasks: 0, ready: true },
      { id: 4, name: 'gpu-02', maxConcurrentRuns: 2, activeRuns: 1, queuedTasks: 2, ready: false },
    ],
  });
  await form(page).locator('#field-name').waitFor();
  return page;
}

const form = (page: Page) => page.locator('training-form-app');
const field = (page: Page, key: string) => form(page).locator(`[data-field="${key}"]`);

async function fieldError(page: Page, key: string): Promise<string | null> {
  const error = field(page, key).locator('.error');
  return (await error.count()) === 0 ? null : error.textContent();
}

async function fillTask(page: Page): Promise<void> {
  await form(page).locator('#field-name').fill('support-bot');
  await form(page).locator('#field-baseModel').fill('Qwen/Qwen2.5-0.5B-Instruct');
  await form(page).locator('#field-datasetId').selectOption('7');
  await form(page).locator('#field-gpuHostId').selectOption('3');
}

suite('training form', () => {
  test('shows the defaults with their explanations', async () => {
    const page = await openForm();
    assert.equal(await form(page).locator('#field-parameters-learningRate').inputValue(), '0.0001');
    assert.equal(await form(page).locator('#field-parameters-loraTargets').inputValue(), 'all');
    assert.equal(await form(page).locator('#field-parameters-scheduler').inputValue(), 'cosine');
    assert.equal(
      await field(page, 'parameters.learningRate').locator('.hint').textContent(),
      'Advice on learningRate.',
    );
    assert.equal(
      await form(page).locator('.summary').textContent(),
      'Effective batch: 2 × 8 = 16 records per update.',
    );
    const hostOption = form(page).locator('#field-gpuHostId option[value="4"]');
    assert.equal(
      (await hostOption.textContent())?.trim(),
      'gpu-02 · 1/2 running · 2 queued · host key not confirmed',
    );
    assert.deepEqual(await page.evaluate(() => (window as unknown as StubWindow).violations), []);
    await page.close();
  });

  test('validation messages mirror the server ranges', async () => {
    const page = await openForm();
    const cases: [key: string, text: string, message: string][] = [
      ['parameters.learningRate', '0', 'must be a number above 0 and at most 1'],
      ['parameters.learningRate', 'fast', 'must be a number above 0 and at most 1'],
      ['parameters.batchSize', '2.5', 'must be a whole number from 1 to 1024'],
      ['parameters.loraDropout', '0.95', 'must be a number from 0 to 0.9'],
      ['parameters.cutoffLength', '8', 'must be a whole number from 16 to 1048576'],
      ['parameters.loraTargets', 'all, q_proj', 'must be ["all"] alone or a list of module names'],
      [
        'parameters.loraTargets',
        'q-proj',
        'must be a module name of letters, digits, _ and . such as q_proj',
      ],
      [
        'parameters.template',
        'qwen 2',
        'must be a LLaMA-Factory template name such as qwen or llama3',
      ],
    ];
    for (const [key, text, message] of cases) {
      const input = field(page, key).locator('input');
      await input.fill(text);
      await input.blur();
      assert.equal(await fieldError(page, key), message, `${key} = ${text}`);
      assert.equal(await input.getAttribute('aria-invalid'), 'true');
    }
    await field(page, 'parameters.learningRate').locator('input').fill('2e-4');
    assert.equal(await fieldError(page, 'parameters.learningRate'), null);

    await form(page).locator('#create').click();
    assert.equal(await fieldError(page, 'name'), 'must not be empty');
    assert.equal(await fieldError(page, 'baseModel'), 'must not be empty');
    assert.equal(await fieldError(page, 'datasetId'), 'pick a dataset');
    assert.equal(await fieldError(page, 'gpuHostId'), 'pick a GPU host');
    assert.deepEqual(await postedOfType(page, 'submit'), []);
    await page.close();
  });

  test('submit sends the typed request', async () => {
    const page = await openForm();
    await fillTask(page);
    await field(page, 'parameters.learningRate').locator('input').fill('2e-4');
    await field(page, 'parameters.loraTargets').locator('input').fill('q_proj, v_proj');
    await field(page, 'parameters.quantizationBits').locator('select').selectOption('4');
    await field(page, 'parameters.swanlab').locator('input').check();
    await form(page).locator('#create-start').click();
    const [submit] = await postedOfType(page, 'submit');
    assert.ok(submit, 'nothing was submitted');
    assert.equal(submit.start, true);
    assert.equal(submit.request.name, 'support-bot');
    assert.equal(submit.request.baseModel, 'Qwen/Qwen2.5-0.5B-Instruct');
    assert.equal(submit.request.datasetId, 7);
    assert.equal(submit.request.gpuHostId, 3);
    assert.deepEqual(submit.request.parameters, {
      ...TRAINING_DEFAULTS,
      learningRate: 0.0002,
      loraTargets: ['q_proj', 'v_proj'],
      quantizationBits: 4,
      swanlab: true,
    });
    await page.close();
  });

  test('server messages show next to their fields', async () => {
    const page = await openForm();
    await fillTask(page);
    await form(page).locator('#create').click();
    await post(page, { type: 'busy', busy: true });
    await form(page).locator('#create[disabled]').waitFor();
    await post(page, { type: 'busy', busy: false });
    await form(page).locator('#create:not([disabled])').waitFor();
    await post(page, {
      type: 'rejected',
      message: 'Invalid body.datasetId: dataset 7 was not found; upload it or pick one of yours',
      fieldErrors: { datasetId: 'dataset 7 was not found; upload it or pick one of yours' },
    });
    await field(page, 'datasetId').locator('.error').waitFor();
    assert.equal(
      await fieldError(page, 'datasetId'),
      'dataset 7 was not found; upload it or pick one of yours',
    );
    assert.match(
      (await form(page).locator('.form-error').textContent()) ?? '',
      /Invalid body\.datasetId/,
    );
    // Picking another dataset clears the server's message for that field.
    await form(page).locator('#field-datasetId').selectOption('8');
    assert.equal(await fieldError(page, 'datasetId'), null);
    await page.close();
  });

  test('restores the typed values after a reload', async () => {
    const page = await openForm({
      values: { name: 'kept name', 'parameters.epochs': '5' },
    });
    assert.equal(await form(page).locator('#field-name').inputValue(), 'kept name');
    assert.equal(await form(page).locator('#field-parameters-epochs').inputValue(), '5');
    assert.equal(await form(page).locator('#field-parameters-batchSize').inputValue(), '2');
    await form(page).locator('#field-name').fill('changed');
    const saved = await page.evaluate(() => (window as unknown as StubWindow).savedState);
    assert.equal(saved?.values.name, 'changed');
    await page.close();
  });
});
