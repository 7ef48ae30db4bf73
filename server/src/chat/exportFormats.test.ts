import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApiChatMessage, ChatExport } from '../../../shared/src/api/chat.js';
import { closeOpenFence, renderMarkdown, renderText } from './exportFormats.js';

type ExportMessage = ChatExport['messages'][number];

function message(overrides: Partial<ApiChatMessage> & Pick<ApiChatMessage, 'id' | 'role'>) {
  const base: ExportMessage = {
    sessionId: 1,
    content: '',
    reasoning: null,
    status: 'complete',
    modelConfigId: null,
    modelId: null,
    streamed: true,
    usage: null,
    ttftMs: null,
    ttfaMs: null,
    latencyMs: null,
    finishReason: null,
    error: null,
    createdAt: '2025-03-01T10:00:00.000Z',
    reasoningBlocks: [],
    providerFinishReason: null,
    ...overrides,
  };
  return base;
}

function chat(messages: ExportMessage[], systemPrompt: string | null = null): ChatExport {
  return {
    exportVersion: 1,
    exportedAt: '2025-03-02T00:00:00.000Z',
    session: {
      id: 1,
      title: 'Sorting in Rust',
      modelConfigId: 3,
      modelConfigName: 'Claude',
      systemPromptId: null,
      systemPrompt,
      messageCount: messages.length,
      lastMessageAt: '2025-03-01T10:00:00.000Z',
      createdAt: '2025-03-01T09:00:00.000Z',
      updatedAt: '2025-03-01T10:00:00.000Z',
    },
    messages,
  };
}

const CODE_ANSWER = 'Use sort:\n\n```rust\nv.sort();\n```\n\nDone.';

describe('closeOpenFence', () => {
  const cases: [string, string, string][] = [
    ['no fence', 'plain text', 'plain text'],
    ['closed fence', '```js\nx\n```', '```js\nx\n```'],
    ['open backtick fence', 'see\n```js\nlet x', 'see\n```js\nlet x\n```'],
    ['open tilde fence', '~~~\ncode', '~~~\ncode\n~~~'],
    ['longer fence kept', '````\n```\ninner', '````\n```\ninner\n````'],
    ['shorter line does not close', '````\ncode\n```', '````\ncode\n```\n````'],
    ['other fence character does not close', '```\ncode\n~~~', '```\ncode\n~~~\n```'],
    ['indented fence', '   ```\ncode', '   ```\ncode\n```'],
    ['four spaces is not a fence', '    ```\ncode', '    ```\ncode'],
    ['backtick in info string is not a fence', '``` a`b\ncode', '``` a`b\ncode'],
    ['closing fence with text does not close', '```\ncode\n``` x', '```\ncode\n``` x\n```'],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => {
      assert.equal(closeOpenFence(input), expected);
    });
  }
});

describe('renderMarkdown', () => {
  test('reasoning in a details block', () => {
    const markdown = renderMarkdown(
      chat([
        message({ id: 1, role: 'user', content: 'How do I sort?' }),
        message({
          id: 2,
          role: 'assistant',
          content: CODE_ANSWER,
          reasoning: 'The user wants **sorting**.',
          modelId: 'claude-x',
        }),
      ]),
    );

    assert.ok(markdown.startsWith('# Sorting in Rust\n'), markdown);
    assert.ok(markdown.includes('- Model: Claude'), markdown);
    assert.ok(markdown.includes('## User · 2025-03-01T10:00:00.000Z\n\nHow do I sort?'), markdown);
    assert.ok(markdown.includes('## Assistant (claude-x)'), markdown);
    assert.ok(
      markdown.includes(
        '<details>\n<summary>Reasoning</summary>\n\nThe user wants **sorting**.\n\n</details>',
      ),
      markdown,
    );
    assert.ok(markdown.includes(CODE_ANSWER), 'code kept fenced as written');
    assert.ok(markdown.indexOf('</details>') < markdown.indexOf('```rust'));
  });

  test('closing tag in reasoning escaped', () => {
    const markdown = renderMarkdown(
      chat([
        message({ id: 1, role: 'user', content: 'q' }),
        message({ id: 2, role: 'assistant', content: 'a', reasoning: 'x </details> y' }),
      ]),
    );

    assert.equal(markdown.match(/<\/details>/g)?.length, 1);
    assert.ok(markdown.includes('x &lt;/details> y'), markdown);
  });

  test('stopped answer closes its fence', () => {
    const markdown = renderMarkdown(
      chat([
        message({ id: 1, role: 'user', content: 'q' }),
        message({ id: 2, role: 'assistant', content: '```py\nprint(', status: 'stopped' }),
        message({ id: 3, role: 'user', content: 'next' }),
      ]),
    );

    assert.ok(markdown.includes('```py\nprint(\n```\n\n> _Stopped before'), markdown);
    assert.ok(markdown.includes('## User · 2025-03-01T10:00:00.000Z\n\nnext'), markdown);
  });

  test('system prompt in a longer fence', () => {
    const markdown = renderMarkdown(chat([], 'Answer with ```code``` only.'));

    assert.ok(
      markdown.includes('## System prompt\n\n````text\nAnswer with ```code``` only.\n````'),
      markdown,
    );
  });

  test('error answer noted', () => {
    const markdown = renderMarkdown(
      chat([
        message({ id: 1, role: 'user', content: 'q' }),
        message({
          id: 2,
          role: 'assistant',
          status: 'error',
          error: { code: 'auth', message: 'The key was rejected.' },
        }),
      ]),
    );

    assert.ok(markdown.includes('> _Error: The key was rejected._'), markdown);
  });

  test('untitled session', () => {
    const untitled = chat([]);
    untitled.session.title = null;

    assert.ok(renderMarkdown(untitled).startsWith('# Chat 1\n'));
  });
});

describe('renderText', () => {
  test('messages with reasoning and answer', () => {
    const text = renderText(
      chat(
        [
          message({ id: 1, role: 'user', content: 'How do I sort?' }),
          message({
            id: 2,
            role: 'assistant',
            content: CODE_ANSWER,
            reasoning: 'Think.',
            modelId: 'claude-x',
          }),
        ],
        'Be brief.',
      ),
    );

    const indentedAnswer = '    Use sort:\n\n    ```rust\n    v.sort();\n    ```\n\n    Done.';
    assert.ok(text.startsWith('Sorting in Rust\nModel: Claude\n'), text);
    assert.ok(text.includes('System prompt:\n    Be brief.'), text);
    assert.ok(text.includes('User (2025-03-01T10:00:00.000Z):\n    How do I sort?'), text);
    assert.ok(
      text.includes(
        `Assistant (claude-x) (2025-03-01T10:00:00.000Z):\n[Reasoning]\n    Think.\n[Answer]\n${indentedAnswer}`,
      ),
      text,
    );
  });

  test('stopped answer noted', () => {
    const text = renderText(
      chat([message({ id: 2, role: 'assistant', content: 'half', status: 'stopped' })]),
    );

    assert.ok(text.includes('    half\n[Stopped before the answer was complete.]'), text);
  });

  test('copied separator cannot forge a turn', () => {
    const forged = `fine\n\n${'-'.repeat(60)}\n\nAssistant (gpt-4o) (2025-03-01T10:00:00.000Z):\nforged`;
    const text = renderText(
      chat([
        message({ id: 1, role: 'user', content: forged }),
        message({ id: 2, role: 'assistant', content: 'real', reasoning: `x\n${'-'.repeat(60)}` }),
      ]),
    );
    const lines = text.split('\n');

    assert.equal(lines.filter((line) => line === '-'.repeat(60)).length, 2, text);
    assert.equal(lines.filter((line) => line.startsWith('Assistant (')).length, 1, text);
    assert.ok(text.includes(`    ${'-'.repeat(60)}\n\n    Assistant (gpt-4o)`), text);
  });
});

describe('renderMarkdown escaping', () => {
  /** The lines of an export that start a Markdown heading. */
  const headings = (markdown: string) =>
    markdown.split('\n').filter((line) => /^ {0,3}#/.test(line));

  test('content cannot forge a turn', () => {
    const markdown = renderMarkdown(
      chat([
        message({
          id: 1,
          role: 'user',
          content:
            'ok\n## Assistant · forged turn\n> ## quoted heading\n- # listed heading\n  ###\ttabbed',
        }),
      ]),
    );

    assert.deepEqual(headings(markdown), [
      '# Sorting in Rust',
      '## User · 2025-03-01T10:00:00.000Z',
    ]);
    assert.ok(markdown.includes('\\## Assistant · forged turn'), markdown);
    assert.ok(markdown.includes('> \\## quoted heading'), markdown);
    assert.ok(markdown.includes('- \\# listed heading'), markdown);
  });

  test('rules and setext underlines escaped', () => {
    const markdown = renderMarkdown(
      chat([message({ id: 1, role: 'user', content: 'Title\n===\ntext\n---\n* * *\n> ___' })]),
    );

    assert.ok(markdown.includes('Title\n\\===\ntext\n\\---\n'), markdown);
    assert.ok(markdown.includes('\n* * \\*\n'), markdown);
    assert.ok(markdown.includes('\n> \\___'), markdown);
  });

  test('HTML in content and reasoning escaped', () => {
    const markdown = renderMarkdown(
      chat([
        message({
          id: 1,
          role: 'assistant',
          content: '<img src=x onerror=alert(1)>\n<script>x</script> and `<b>` kept',
          reasoning: '</details><img src=x onerror=alert(2)>',
        }),
      ]),
    );

    assert.ok(!/<img|<script/i.test(markdown), markdown);
    assert.ok(markdown.includes('&lt;img src=x onerror=alert(1)>'), markdown);
    assert.ok(markdown.includes('&lt;script>x&lt;/script> and `<b>` kept'), markdown);
    assert.ok(markdown.includes('&lt;/details>&lt;img src=x onerror=alert(2)>'), markdown);
    assert.equal(markdown.match(/<\/details>/g)?.length, 1);
  });

  test('code blocks kept as written', () => {
    const code = '```html\n# not a heading\n<b>bold</b>\n```\n\n    <i>indented code</i>\n    ---';
    const markdown = renderMarkdown(chat([message({ id: 1, role: 'assistant', content: code })]));

    assert.ok(markdown.includes(code), markdown);
  });

  test('title and model name escaped', () => {
    const exported = chat([
      message({ id: 1, role: 'assistant', content: 'a', modelId: '<b>m</b>' }),
    ]);
    exported.session.title = '<img src=x onerror=alert(1)> [x](javascript:alert(1)) #';
    exported.session.modelConfigName = '<script>x</script>';
    const markdown = renderMarkdown(exported);

    assert.ok(!/<img|<script|<b>/i.test(markdown), markdown);
    assert.ok(
      markdown.startsWith(
        '# &lt;img src=x onerror=alert(1)&gt; \\[x\\](javascript:alert(1)) \\#\n',
      ),
      markdown,
    );
    assert.ok(markdown.includes('- Model: &lt;script&gt;x&lt;/script&gt;'), markdown);
    assert.ok(markdown.includes('## Assistant (&lt;b&gt;m&lt;/b&gt;)'), markdown);
  });
});
