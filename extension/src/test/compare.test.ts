import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type {
  ApiComparison,
  ApiComparisonResult,
  ComparisonExport,
} from '../../../shared/src/api/compare.js';
import type { ApiModelConfig } from '../../../shared/src/api/modelConfigs.js';
import type { ApiProvider } from '../../../shared/src/api/providers.js';
import type { CompareHostMessage } from '../../../shared/src/protocol/compare.js';
import { signIn } from '../auth/signIn.js';
import type { WorkbenchApi } from '../extension.js';
import type { ComparePanel } from '../panels/comparePanel.js';
import {
  activateExtension,
  readTestConfig,
  waitFor,
  type FakeProviderName,
  type TestConfig,
} from './environment.js';

// The compare panel end to end: the real server and the runner's fake OpenAI, Anthropic and
// Ollama servers, driven through the panel's message handler as its webview would.

/** Dollars per million tokens that every config of this suite is priced at. */
const PRICES = { priceInputPerMTok: 3, priceOutputPerMTok: 15 };

/** The fakes' default answers: text and token counts, which the runner does not change. */
const EXPECTED: {
  name: string;
  content: string;
  promptTokens: number;
  completionTokens: number;
}[] = [
  { name: 'Compare GPT-4o', content: 'Hello there.', promptTokens: 12, completionTokens: 5 },
  { name: 'Compare Claude', content: 'Hello!', promptTokens: 12, completionTokens: 2 },
  { name: 'Compare Llama', content: 'Hello from Ollama.', promptTokens: 12, completionTokens: 3 },
];

suite('compare panel', () => {
  let config: TestConfig;
  let api: WorkbenchApi;
  let panel: ComparePanel;
  let configIds: number[];
  const posted: CompareHostMessage[] = [];
  const exportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-workbench-compare-export-'));
  let listener: vscode.Disposable | undefined;

  async function addConfig(
    fake: FakeProviderName,
    kind: string,
    modelId: string,
    displayName: string,
  ): Promise<number> {
    const endpoint = config.providers[fake];
    const { provider } = await api.client.request<{ provider: ApiProvider }>(
      'POST',
      '/api/providers',
      {
        body: {
          kind,
          name: `${displayName} provider`,
          baseUrl: endpoint.baseUrl,
          // The Ollama fake takes no key, and the server rejects a blank one.
          ...(endpoint.apiKey === '' ? {} : { apiKey: endpoint.apiKey }),
        },
      },
    );
    const { modelConfig } = await api.client.request<{ modelConfig: ApiModelConfig }>(
      'POST',
      '/api/model-configs',
      { body: { providerId: provider.id, modelId, displayName, ...PRICES } },
    );
    return modelConfig.id;
  }

  function postedOf<Type extends CompareHostMessage['type']>(type: Type) {
    return posted.filter((message) => message.type === type) as Extract<
      CompareHostMessage,
      { type: Type }
    >[];
  }

  suiteSetup(async () => {
    config = readTestConfig();
    api = await activateExtension();
    if ((await api.store.user()) === undefined) {
      await signIn(api.store, {
        serverUrl: config.serverUrl,
        login: config.login,
        password: config.password,
      });
    }
    configIds = [
      await addConfig('openai', 'openai', 'gpt-4o', 'Compare GPT-4o'),
      await addConfig('anthropic', 'anthropic', 'claude-sonnet-4-5-20250929', 'Compare Claude'),
      await addConfig('ollama', 'ollama', 'llama3.2:latest', 'Compare Llama'),
    ];
  });

  suiteTeardown(async () => {
    listener?.dispose();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(exportDir, { recursive: true, force: true });
  });

  test('opens with the enabled models', async () => {
    panel = await vscode.commands.executeCommand<ComparePanel>('llmWorkbench.compare.open');
    listener = panel.onDidPost((message) => posted.push(message));

    // The host sends `init` only after the webview's script ran and posted `ready`.
    const models = await waitFor('the models message', () => postedOf('models').at(-1), 30_000);
    assert.deepEqual(postedOf('init').at(-1), { type: 'init', signedIn: true });
    for (const [index, id] of configIds.entries()) {
      const option = models.models.find((model) => model.id === id);
      assert.equal(option?.displayName, EXPECTED[index]?.name);
    }
    assert.deepEqual(postedOf('systemPrompts').at(-1), { type: 'systemPrompts', prompts: [] });
  });

  test('runs three slots with metrics', async () => {
    posted.length = 0;

    await panel.handle({
      type: 'run',
      prompt: 'Greet {{who}}.',
      variables: { who: 'the team' },
      slots: [
        { modelConfigId: configIds[0]!, systemPrompt: 'Be warm.' },
        { modelConfigId: configIds[1]! },
        { modelConfigId: configIds[2]!, systemPrompt: '' },
      ],
    });

    assert.deepEqual(
      postedOf('busy').map((message) => message.busy),
      [true, false],
    );
    assert.deepEqual(
      postedOf('slotStart').map((message) => message.result.slot),
      [0, 1, 2],
    );
    assert.deepEqual(
      postedOf('slotEnd')
        .map((message) => message.result.slot)
        .sort(),
      [0, 1, 2],
    );
    const comparison = postedOf('complete').at(-1)?.comparison;
    assert.ok(comparison !== undefined, 'no complete message');
    assert.equal(comparison.prompt, 'Greet the team.');
    assert.equal(comparison.promptTemplate, 'Greet {{who}}.');
    for (const [slot, expected] of EXPECTED.entries()) {
      assertResult(comparison.results[slot], slot, expected);
    }
    const streamed = postedOf('slotDelta')
      .filter((message) => message.slot === 0)
      .map((message) => message.content)
      .join('');
    assert.equal(streamed, 'Hello there.');
  });

  test('rates, picks and exports', async () => {
    const comparison = postedOf('complete').at(-1)!.comparison;
    const [first, second] = comparison.results as [ApiComparisonResult, ApiComparisonResult];
    const target = vscode.Uri.file(path.join(exportDir, 'picked.json'));
    panel.dialogs = {
      pickExportTarget: () => Promise.resolve(target),
      pickComparison: (list) => Promise.resolve(list.find((item) => item.id === comparison.id)),
    };

    await panel.handle({
      type: 'rate',
      comparisonId: comparison.id,
      resultId: first.id,
      rating: 5,
    });
    await panel.handle({ type: 'pickBest', comparisonId: comparison.id, resultId: second.id });
    await panel.handle({ type: 'export', comparisonId: comparison.id, format: 'md' });

    const exported = JSON.parse(fs.readFileSync(target.fsPath, 'utf8')) as ComparisonExport;
    assert.equal(exported.comparison.id, comparison.id, 'the .json file name picks JSON');
    assert.equal(exported.comparison.bestResultId, second.id);
    assert.equal(exported.comparison.results[0]?.rating, 5);
    assert.deepEqual(postedOf('notice'), []);

    posted.length = 0;
    await panel.handle({ type: 'openHistory' });
    const reopened = postedOf('comparison').at(-1)?.comparison as ApiComparison;
    assert.equal(reopened.id, comparison.id);
    assert.equal(reopened.results[0]?.rating, 5);
  });
});

/** Checks one slot's stored answer and metrics against the fake's default answer. */
function assertResult(
  result: ApiComparisonResult | undefined,
  slot: number,
  expected: (typeof EXPECTED)[number],
): void {
  assert.ok(result !== undefined, `no result for slot ${slot}`);
  const where = `slot ${slot} (${expected.name})`;

  assert.equal(result.status, 'complete', `${where}: ${JSON.stringify(result.error)}`);
  assert.equal(result.modelConfigName, expected.name);
  assert.equal(result.content, expected.content, where);
  assert.deepEqual(
    result.usage,
    {
      promptTokens: expected.promptTokens,
      completionTokens: expected.completionTokens,
      reasoningTokens: 0,
    },
    where,
  );
  assert.equal(result.answerTokens, expected.completionTokens, where);

  const cost =
    (expected.promptTokens * PRICES.priceInputPerMTok +
      expected.completionTokens * PRICES.priceOutputPerMTok) /
    1e6;
  assert.ok(Math.abs((result.cost ?? -1) - cost) < 1e-12, `${where}: cost ${result.cost}`);
  assert.ok(result.ttftMs !== null, `${where}: no TTFT`);
  assert.ok(result.ttftMs >= 0, `${where}: TTFT ${result.ttftMs}`);
  assert.equal(result.ttfaMs, result.ttftMs, `${where}: no reasoning, so TTFA is TTFT`);
  assert.ok(result.latencyMs !== null, `${where}: no latency`);
  assert.ok(
    result.latencyMs >= result.ttftMs,
    `${where}: latency ${result.latencyMs} before TTFT ${result.ttftMs}`,
  );

  if (result.tokensPerSecond !== null) {
    assert.ok(result.answerMs !== null, `${where}: a speed without an answer time`);
    assert.ok(result.answerMs > 0, `${where}: answer time ${result.answerMs}`);
    assert.ok(result.tokensPerSecond > 0, `${where}: ${result.tokensPerSecond} tokens/s`);
  }
}
