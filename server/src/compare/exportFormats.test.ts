import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApiComparisonResult, ComparisonExport } from '../../../shared/src/api/compare.js';
import { renderComparisonMarkdown } from './exportFormats.js';

function result(slot: number, fields: Partial<ApiComparisonResult> = {}): ApiComparisonResult {
  return {
    id: 100 + slot,
    comparisonId: 7,
    slot,
    modelConfigId: 1,
    modelConfigName: `Model ${slot + 1}`,
    modelId: 'model-id',
    providerName: 'Provider',
    systemPrompt: null,
    content: 'Answer.',
    reasoning: null,
    status: 'complete',
    usage: { promptTokens: 10, completionTokens: 20, reasoningTokens: 5 },
    answerTokens: 15,
    ttftMs: 120,
    ttfaMs: 300,
    answerMs: 250,
    latencyMs: 700,
    tokensPerSecond: 60,
    cost: 0.00012,
    finishReason: 'stop',
    providerFinishReason: 'stop',
    error: null,
    rating: null,
    createdAt: '2025-01-02T03:04:05.000Z',
    updatedAt: '2025-01-02T03:04:06.000Z',
    ...fields,
  };
}

function exportOf(results: ApiComparisonResult[], bestResultId: number | null = null) {
  const data: ComparisonExport = {
    exportVersion: 1,
    exportedAt: '2025-01-03T00:00:00.000Z',
    comparison: {
      id: 7,
      prompt: 'Say {{x}}',
      promptTemplate: null,
      variables: null,
      bestResultId,
      results,
      createdAt: '2025-01-02T03:04:00.000Z',
      updatedAt: '2025-01-02T03:04:06.000Z',
    },
  };
  return data;
}

function rowOf(markdown: string, label: string): string | undefined {
  return markdown.split('\n').find((line) => line.startsWith(`| ${label} |`));
}

describe('comparison Markdown export', () => {
  test('escapes table cells', () => {
    const markdown = renderComparisonMarkdown(exportOf([result(0, { modelConfigName: 'A|B\nC' })]));

    assert.equal(rowOf(markdown, 'Metric'), '| Metric | Slot 1: A\\|B<br>C |');
  });

  test('formats each metric', () => {
    const markdown = renderComparisonMarkdown(exportOf([result(0, { tokensPerSecond: 61.26 })]));

    const expected: [string, string][] = [
      ['Time to first token', '120 ms'],
      ['Time to first answer token', '300 ms'],
      ['Answer time', '250 ms'],
      ['Total latency', '700 ms'],
      ['Tokens per second', '61.3'],
      ['Cost', '$0.000120'],
      ['Answer tokens', '15'],
      ['Error', '–'],
    ];
    for (const [label, cell] of expected) {
      assert.equal(rowOf(markdown, label), `| ${label} | ${cell} |`);
    }
  });

  test('notes failed and stopped slots', () => {
    const markdown = renderComparisonMarkdown(
      exportOf([
        result(0, {
          status: 'error',
          content: '',
          error: { code: 'rate_limited', message: 'Rate limited by the provider.' },
        }),
        result(1, { status: 'stopped', content: 'Partial' }),
      ]),
    );

    assert.equal(
      rowOf(markdown, 'Error'),
      '| Error | rate_limited: Rate limited by the provider. | – |',
    );
    assert.ok(markdown.includes('> _Error: Rate limited by the provider._'));
    assert.ok(markdown.includes('Partial\n\n> _Stopped before the answer was complete._'));
  });

  test('shows template and variables', () => {
    const data = exportOf([result(0)]);
    data.comparison.prompt = 'Say hi';
    data.comparison.promptTemplate = 'Say {{x}}';
    data.comparison.variables = { x: 'hi' };

    const markdown = renderComparisonMarkdown(data);

    assert.ok(markdown.includes('## Prompt\n\n```text\nSay hi\n```'));
    assert.ok(markdown.includes('### Template\n\n```text\nSay {{x}}\n```'));
    assert.ok(markdown.includes('| Name | Value |\n| --- | --- |\n| x | hi |'));
  });

  test('keeps reasoning inside its details block', () => {
    const markdown = renderComparisonMarkdown(
      exportOf([result(0, { reasoning: 'Step </details> escape' })], 100),
    );

    assert.ok(markdown.includes('Step &lt;/details> escape'));
    assert.ok(markdown.includes('- Best answer: Slot 1: Model 1'));
  });
});
