/// <reference types="node" />
/* eslint-disable no-restricted-imports -- this suite runs in Node and drives the chat webview in
   headless chromium through playwright-core. */
// The chat webview in headless chromium, against a stub of the VS Code webview API: the bundle
// is built from source, served on loopback under a CSP without 'unsafe-inline', and driven by
// the host messages the extension would send. Run: node scripts/webview-tests.mjs
import assert from 'node:assert/strict';
import { after, afterEach, before, suite, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { ApiChatMessage } from '../../../shared/src/api/chat.js';
import type { ChatHostMessage, ChatWebviewMessage } from '../../../shared/src/protocol/chat.js';
import { chatMessage, chatSession, MODELS } from './testing/builders.js';
import { startWebviewHarness, type WebviewHarness } from './testing/webviewPage.js';

/** MESSAGE_PAGE of chat-message-list.ts, which cannot load in Node because it defines elements. */
const MESSAGE_PAGE = 60;

/** What the stub page keeps on `window`. */
interface StubWindow {
  posted: ChatWebviewMessage[];
  violations: string[];
  savedState: unknown;
}

let harness: WebviewHarness;

before(async () => {
  harness = await startWebviewHarness('webviews/src/chat/main.ts', 'chat-app');
});

after(async () => {
  await harness?.close();
});

afterEach(() => {
  assert.deepEqual(harness.pageErrors.splice(0), [], 'the page threw');
});

/** Sends a host message the way VS Code delivers one: a message event on the window. */
async function post(page: Page, message: ChatHostMessage): Promise<void> {
  await page.evaluate((data) => window.postMessage(data, '*'), message);
}

async function postedMessages(page: Page): Promise<ChatWebviewMessage[]> {
  return page.evaluate(() => (window as unknown as StubWindow).posted);
}

/** Waits until the webview posted a message of `type`, and returns the last such message. */
async function waitForPosted<Type extends ChatWebviewMessage['type']>(
  page: Page,
  type: Type,
): Promise<Extract<ChatWebviewMessage, { type: Type }>> {
  await page.waitForFunction(
    (wanted) => (window as unknown as StubWindow).posted.some((item) => item.type === wanted),
    type,
  );
  const messages = await postedMessages(page);
  return messages.filter((item) => item.type === type).at(-1) as Extract<
    ChatWebviewMessage,
    { type: Type }
  >;
}

async function clearPosted(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as StubWindow).posted.length = 0;
  });
}

/** Opens the webview, waits for `ready` and sends the signed-in state with models and sessions. */
async function openChat(state?: unknown): Promise<Page> {
  const page = await harness.open(state);
  await waitForPosted(page, 'ready');
  await post(page, { type: 'init', signedIn: true, show: null });
  await post(page, { type: 'models', models: MODELS });
  await post(page, {
    type: 'sessions',
    query: '',
    sessions: [chatSession(1), chatSession(2, { title: 'Second' })],
    total: 2,
    append: false,
  });
  return page;
}

async function showConversation(page: Page, messages: ApiChatMessage[]): Promise<void> {
  await post(page, { type: 'conversation', session: chatSession(1), messages, live: null });
  const lastId = messages.at(-1)?.id;
  if (lastId !== undefined) {
    await page.locator(`[data-message-id="${lastId}"]`).waitFor();
  }
}

async function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as StubWindow).violations);
}

const MARKDOWN = [
  '# Plan',
  '',
  'Some **bold** text and `inline code`.',
  '',
  '- first',
  '- second',
  '',
  '| name | count |',
  '| :--- | ----: |',
  '| a | 1 |',
  '',
  '```ts',
  'const answer: number = 42;',
  '```',
  '',
  '![diagram](https://example.invalid/diagram.png)',
].join('\n');

suite('chat webview rendering', () => {
  test('renders Markdown with highlighted code', async () => {
    const page = await openChat();
    await showConversation(page, [
      chatMessage(1, { role: 'user', content: 'Show me <b>code</b>' }),
      chatMessage(2, { content: MARKDOWN }),
    ]);
    const answer = page.locator('[data-message-id="2"] .markdown-body');
    assert.equal(await answer.locator('h1').textContent(), 'Plan');
    assert.equal(await answer.locator('strong').textContent(), 'bold');
    assert.equal(await answer.locator('li').count(), 2);
    assert.equal(await answer.locator('td.align-right').textContent(), '1');
    assert.equal(await answer.locator('.code-block .code-language').textContent(), 'ts');
    assert.equal(await answer.locator('code .hljs-keyword').first().textContent(), 'const');
    assert.equal(await answer.locator('code .hljs-number').textContent(), '42');
    // An image would load remote content, so it is shown as a link instead.
    assert.equal(await answer.locator('img').count(), 0);
    assert.equal(await answer.locator('a.image-link').textContent(), 'Image: diagram');
    // The user's text is shown as typed, not as HTML.
    const user = page.locator('[data-message-id="1"] .user-text');
    assert.equal(await user.textContent(), 'Show me <b>code</b>');
    assert.deepEqual(await violations(page), []);
    await page.close();
  });

  test('copy buttons post the text', async () => {
    const page = await openChat();
    await showConversation(page, [chatMessage(2, { content: MARKDOWN })]);
    await clearPosted(page);
    await page.locator('[data-message-id="2"] .copy-code').click();
    const copied = await waitForPosted(page, 'copy');
    assert.equal(copied.text, 'const answer: number = 42;\n');
    assert.equal(await page.locator('[data-message-id="2"] .copy-code').textContent(), 'Copied');
    await clearPosted(page);
    await page.locator('[data-message-id="2"] [data-action="copy"]').click();
    assert.equal((await waitForPosted(page, 'copy')).text, MARKDOWN);
    await page.close();
  });

  test('sanitizes hostile HTML and links', async () => {
    const page = await openChat();
    const hostile = [
      '<script>window.pwned = "script"</script>',
      '<img src="x" onerror="window.pwned = \'img\'">',
      '[click me](javascript:window.pwned="link")',
      '<a href="javascript:window.pwned=1">raw link</a>',
      '[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
      '<iframe src="https://example.invalid"></iframe>',
      '<svg onload="window.pwned = \'svg\'"></svg>',
      '[safe](https://example.invalid/docs)',
    ].join('\n\n');
    await showConversation(page, [
      chatMessage(2, { content: hostile, reasoning: '<img src=x onerror="window.pwned=2">' }),
    ]);

    const answer = page.locator('[data-message-id="2"]');
    for (const selector of ['script', 'img', 'iframe', 'svg', '[onerror]', '[onload]']) {
      assert.equal(await answer.locator(selector).count(), 0, `${selector} was rendered`);
    }

    const hrefs = await answer
      .locator('.markdown-body a')
      .evaluateAll((links) => links.map((link) => link.getAttribute('href')));
    // The iframe's URL, shown as text, is linked like any other web address in the text.
    assert.deepEqual(hrefs, ['https://example.invalid', 'https://example.invalid/docs']);

    const text = await answer.locator('.markdown-body').textContent();
    assert.match(text ?? '', /<script>window\.pwned = "script"<\/script>/);
    assert.equal(
      await page.evaluate(() => (window as unknown as { pwned?: unknown }).pwned),
      undefined,
    );
    assert.equal(
      await answer.locator('.markdown-body a').first().getAttribute('rel'),
      'noopener noreferrer',
    );
    await page.close();
  });

  test('2,000 messages open within 1.5 s', async () => {
    const page = await openChat();
    const messages = Array.from({ length: 2000 }, (_, index) =>
      chatMessage(index + 1, {
        role: index % 2 === 0 ? 'user' : 'assistant',
        content:
          index % 10 === 9
            ? `Answer ${index + 1} with code:\n\n\`\`\`python\nprint(${index})\n\`\`\``
            : `Message **${index + 1}** of the session.`,
      }),
    );
    const elapsedMs = await page.evaluate(
      async (conversation) => {
        const started = performance.now();
        window.postMessage(conversation, '*');
        const list = document
          .querySelector('chat-app')
          ?.shadowRoot?.querySelector('chat-message-list');
        for (;;) {
          await new Promise(requestAnimationFrame);
          if (list?.shadowRoot?.querySelector('[data-message-id="2000"]') !== null) {
            break;
          }
        }
        await new Promise(requestAnimationFrame);
        return performance.now() - started;
      },
      { type: 'conversation', session: chatSession(1), messages, live: null } as ChatHostMessage,
    );
    assert.ok(elapsedMs < 1500, `rendering took ${Math.round(elapsedMs)} ms`);
    assert.equal(await page.locator('chat-message').count(), MESSAGE_PAGE);

    const scroller = page.locator('chat-message-list .scroller');
    const atBottom = await scroller.evaluate(
      (element) => element.scrollHeight - element.scrollTop - element.clientHeight < 2,
    );
    assert.ok(atBottom, 'the conversation does not open at its newest message');

    await scroller.evaluate((element) => {
      element.scrollTop = 0;
    });
    await page.waitForFunction((count) => {
      const list = document
        .querySelector('chat-app')
        ?.shadowRoot?.querySelector('chat-message-list');
      return (list?.shadowRoot?.querySelectorAll('chat-message').length ?? 0) >= count;
    }, MESSAGE_PAGE * 2);
    const firstShown = await page
      .locator('chat-message article')
      .first()
      .getAttribute('data-message-id');
    assert.equal(firstShown, String(2000 - 2 * MESSAGE_PAGE + 1));
    await page.close();
  });
});

suite('chat webview streaming', () => {
  const session = chatSession(1);
  const user = chatMessage(1, { role: 'user', content: 'Think first' });
  const streaming = chatMessage(2, { content: '', status: 'streaming', usage: null });

  async function startStream(page: Page): Promise<void> {
    await post(page, {
      type: 'streamStart',
      sessionId: session.id,
      userMessage: user,
      assistantMessage: streaming,
      replacedMessageId: null,
    });
    await page.locator('chat-live-message').waitFor();
  }

  test('reasoning panel folds when the answer starts', async () => {
    const page = await openChat();
    await showConversation(page, []);
    await startStream(page);
    const details = page.locator('chat-live-message details.reasoning');
    assert.equal(await details.isHidden(), true, 'the panel shows before any reasoning');

    await post(page, {
      type: 'streamDelta',
      sessionId: 1,
      messageId: 2,
      reasoning: 'Weighing <b>options</b>…',
      content: '',
    });
    // The panel is open but hidden before the first reasoning, so wait until it shows.
    await page.waitForFunction(() => {
      const list = document
        .querySelector('chat-app')
        ?.shadowRoot?.querySelector('chat-message-list');
      const panel = list?.shadowRoot?.querySelector<HTMLDetailsElement>(
        'chat-live-message details.reasoning',
      );
      return panel !== null && panel !== undefined && !panel.hidden && panel.open;
    });
    assert.match(
      (await details.locator('summary').textContent()) ?? '',
      /^Thinking… \d+\.\d s · ≈ \d+ tokens$/,
    );
    assert.equal(
      await details.locator('.reasoning-text').textContent(),
      'Weighing <b>options</b>…',
    );

    await post(page, {
      type: 'streamDelta',
      sessionId: 1,
      messageId: 2,
      reasoning: '',
      content: 'The **answer**',
    });
    await page.locator('chat-live-message .markdown-body strong').waitFor();
    assert.equal(await details.evaluate((element) => (element as HTMLDetailsElement).open), false);
    assert.match(
      (await details.locator('summary').textContent()) ?? '',
      /^Thought for \d+\.\d s · /,
    );

    const final = chatMessage(2, {
      content: 'The **answer**',
      reasoning: 'Weighing <b>options</b>…',
      ttftMs: 200,
      ttfaMs: 4400,
      latencyMs: 5000,
      usage: { promptTokens: 10, completionTokens: 60, reasoningTokens: 42 },
    });
    await post(page, { type: 'streamEnd', sessionId: 1, message: final });
    await page.locator('chat-message [data-message-id="2"]').waitFor();
    assert.equal(await page.locator('chat-live-message').count(), 0);
    const finished = page.locator('[data-message-id="2"] details.reasoning');
    assert.equal(await finished.evaluate((element) => (element as HTMLDetailsElement).open), false);
    assert.equal(await finished.locator('summary').textContent(), 'Thought for 4.2 s · 42 tokens');
    await page.close();
  });

  test('10,000 streamed tokens render in bounded DOM updates', async () => {
    const page = await openChat();
    const history = Array.from({ length: 20 }, (_, index) =>
      chatMessage(index + 100, { role: index % 2 === 0 ? 'user' : 'assistant' }),
    );
    await showConversation(page, history);
    await post(page, {
      type: 'streamStart',
      sessionId: 1,
      userMessage: chatMessage(200, { role: 'user', content: 'Write a lot' }),
      assistantMessage: chatMessage(201, { content: '', status: 'streaming', usage: null }),
      replacedMessageId: null,
    });
    await page.locator('chat-live-message').waitFor();

    const result = await page.evaluate(async (count) => {
      const list = document
        .querySelector('chat-app')
        ?.shadowRoot?.querySelector('chat-message-list');
      const root = list?.shadowRoot;
      if (root === null || root === undefined) {
        throw new Error('no message list');
      }
      let mutationBatches = 0;
      let finishedMessageMutations = 0;
      const observer = new MutationObserver((records) => {
        mutationBatches += 1;
        for (const record of records) {
          const element =
            record.target instanceof Element ? record.target : record.target.parentElement;
          if (
            element?.closest('chat-message') !== null &&
            element?.closest('chat-message') !== undefined
          ) {
            finishedMessageMutations += 1;
          }
        }
      });
      observer.observe(root, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      });
      let frames = 0;
      let counting = true;
      const tick = () => {
        frames += 1;
        if (counting) {
          requestAnimationFrame(tick);
        }
      };
      requestAnimationFrame(tick);
      // Tokens arrive 20 at a time, with a task boundary between, so that frames interleave.
      const yieldChannel = new MessageChannel();
      const nextTask = () =>
        new Promise<void>((resolve) => {
          yieldChannel.port1.onmessage = () => resolve();
          yieldChannel.port2.postMessage(null);
        });
      const started = performance.now();
      for (let index = 0; index < count; index += 1) {
        if (index % 20 === 0) {
          await nextTask();
        }
        // A paragraph ends every 200 tokens and a code block every 500; both start a block.
        const paragraphStart = index % 200 === 0 || index % 500 === 251;
        let token = `${paragraphStart ? '' : ' '}w${index}`;
        if (index % 200 === 199) {
          token = ' end.\n\n';
        } else if (index % 500 === 250) {
          token = '\n```js\nlet x = 1;\n```\n\n';
        }
        window.postMessage(
          { type: 'streamDelta', sessionId: 1, messageId: 201, reasoning: '', content: token },
          '*',
        );
      }
      const live = root.querySelector('chat-live-message .markdown-body');
      while (!(live?.textContent ?? '').includes(`w${count - 2}`)) {
        await new Promise(requestAnimationFrame);
      }
      await new Promise(requestAnimationFrame);
      counting = false;
      observer.disconnect();
      return {
        mutationBatches,
        finishedMessageMutations,
        frames,
        elapsedMs: performance.now() - started,
        totalLength: live?.textContent?.length ?? 0,
        tailLength:
          root.querySelector('chat-live-message .markdown-tail')?.textContent?.length ?? 0,
        codeBlocks: root.querySelectorAll('chat-live-message .code-block').length,
      };
    }, 10_000);

    assert.equal(result.finishedMessageMutations, 0, 'earlier messages were rendered again');
    assert.ok(
      result.mutationBatches <= result.frames + 2,
      `${result.mutationBatches} DOM update batches in ${result.frames} frames`,
    );
    assert.ok(result.mutationBatches < 1000, `${result.mutationBatches} DOM update batches`);
    // Finished paragraphs are rendered once; only the last one is parsed again on each frame.
    assert.ok(
      result.tailLength < 2000,
      `the re-parsed tail is ${result.tailLength} of ${result.totalLength} characters`,
    );
    assert.equal(result.codeBlocks, 20);
    await page.close();
  });

  test('a reloaded webview picks up the stream', async () => {
    const page = await openChat();
    await post(page, {
      type: 'conversation',
      session,
      messages: [user, { ...streaming, reasoning: 'Earlier thoughts', content: 'Half an' }],
      live: { messageId: 2, reasoningMs: 3000, answering: true },
    });
    await page.locator('chat-live-message .markdown-body').getByText('Half an').waitFor();
    await post(page, {
      type: 'streamDelta',
      sessionId: 1,
      messageId: 2,
      reasoning: '',
      content: ' answer',
    });
    await page.locator('chat-live-message .markdown-body').getByText('Half an answer').waitFor();
    const details = page.locator('chat-live-message details.reasoning');
    assert.equal(await details.evaluate((element) => (element as HTMLDetailsElement).open), false);
    assert.match((await details.locator('summary').textContent()) ?? '', /^Thought for 3\.0 s/);
    await page.close();
  });

  test('stop and regenerate post their requests', async () => {
    const page = await openChat();
    await showConversation(page, []);
    await startStream(page);
    await clearPosted(page);
    await page.locator('chat-composer vscode-button', { hasText: 'Stop' }).click();
    assert.deepEqual(await waitForPosted(page, 'stop'), { type: 'stop', sessionId: 1 });

    await post(page, {
      type: 'streamEnd',
      sessionId: 1,
      message: { ...streaming, content: 'Partial', status: 'stopped', finishReason: 'aborted' },
    });
    await post(page, { type: 'busy', sessionId: 1, busy: false });
    const stopped = page.locator('[data-message-id="2"]');
    await stopped.getByText('Stopped').waitFor();
    await stopped.locator('[data-action="regenerate"]').click();
    assert.deepEqual(await waitForPosted(page, 'regenerate'), {
      type: 'regenerate',
      sessionId: 1,
      messageId: 2,
      stream: true,
    });
    // Only the last answer can be regenerated.
    assert.equal(await page.locator('[data-message-id="1"] [data-action="regenerate"]').count(), 0);
    await page.close();
  });
});

suite('chat webview input', () => {
  test('Enter sends and Shift+Enter adds a line', async () => {
    const page = await openChat();
    await showConversation(page, [chatMessage(1, { role: 'user' }), chatMessage(2)]);
    await clearPosted(page);
    const box = page.locator('chat-composer textarea');
    await box.click();
    await page.keyboard.type('first line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    assert.equal((await postedMessages(page)).filter((item) => item.type === 'send').length, 0);
    await page.keyboard.press('Enter');
    assert.deepEqual(await waitForPosted(page, 'send'), {
      type: 'send',
      sessionId: 1,
      modelConfigId: null,
      content: 'first line\nsecond line',
      stream: true,
    });
    assert.equal(await box.inputValue(), '');
    await page.locator('.message.pending').getByText('second line').waitFor();
    await page.close();
  });

  test('a failed send restores the draft', async () => {
    const page = await openChat();
    await showConversation(page, []);
    await page.locator('chat-composer textarea').fill('Lost words');
    await page.keyboard.press('Enter');
    await waitForPosted(page, 'send');
    await post(page, { type: 'notice', level: 'error', message: 'The model config is disabled.' });
    await post(page, { type: 'busy', sessionId: 1, busy: false });
    await page.locator('.notice').getByText('The model config is disabled.').waitFor();
    assert.equal(await page.locator('chat-composer textarea').inputValue(), 'Lost words');
    assert.equal(await page.locator('.message.pending').count(), 0);
    await page.close();
  });

  test('stream toggle and model picker', async () => {
    const page = await openChat();
    await page.locator('vscode-checkbox').click();
    await page.locator('chat-composer textarea').fill('No stream please');
    await page.keyboard.press('Enter');
    assert.deepEqual(await waitForPosted(page, 'send'), {
      type: 'send',
      sessionId: null,
      modelConfigId: 10,
      content: 'No stream please',
      stream: false,
    });
    const saved = await page.evaluate(() => (window as unknown as StubWindow).savedState);
    assert.equal((saved as { stream: boolean }).stream, false);

    await showConversation(page, []);
    await clearPosted(page);
    await page.locator('vscode-dropdown').click();
    await page.locator('vscode-option', { hasText: 'o3-mini' }).click();
    assert.deepEqual(await waitForPosted(page, 'setModel'), {
      type: 'setModel',
      sessionId: 1,
      modelConfigId: 11,
    });
    await page.close();
  });

  test('session list searches, renames and deletes', async () => {
    const page = await openChat();
    await clearPosted(page);
    await page.locator('chat-session-list vscode-text-field').locator('input').fill('seco');
    assert.deepEqual(await waitForPosted(page, 'loadSessions'), {
      type: 'loadSessions',
      query: 'seco',
      page: 1,
    });

    await page.locator('li[data-session-id="2"]').click();
    assert.deepEqual(await waitForPosted(page, 'openSession'), {
      type: 'openSession',
      sessionId: 2,
    });

    await page.locator('li[data-session-id="2"]').hover();
    await page.locator('li[data-session-id="2"] [data-action="rename"]').click();
    const input = page.locator('li[data-session-id="2"] input.rename');
    await input.fill('  Renamed   chat ');
    await input.press('Enter');
    assert.deepEqual(await waitForPosted(page, 'renameSession'), {
      type: 'renameSession',
      sessionId: 2,
      title: 'Renamed chat',
    });

    await page.locator('li[data-session-id="1"]').hover();
    await page.locator('li[data-session-id="1"] [data-action="delete"]').click();
    assert.deepEqual(await waitForPosted(page, 'deleteSession'), {
      type: 'deleteSession',
      sessionId: 1,
    });
    await post(page, { type: 'sessionRemoved', sessionId: 1 });
    await page.locator('li[data-session-id="1"]').waitFor({ state: 'detached' });
    await page.close();
  });

  test('saved state reopens the last session', async () => {
    const saved = {
      activeSessionId: 7,
      stream: true,
      modelConfigId: 11,
      drafts: { '7': 'Half typed' },
    };
    const page = await harness.open(saved);
    await waitForPosted(page, 'ready');
    await post(page, { type: 'init', signedIn: true, show: null });
    assert.deepEqual(await waitForPosted(page, 'openSession'), {
      type: 'openSession',
      sessionId: 7,
    });
    await post(page, { type: 'models', models: MODELS });
    await post(page, { type: 'conversation', session: chatSession(7), messages: [], live: null });
    await page.locator('chat-app h1').getByText('Session 7').waitFor();
    assert.equal(await page.locator('chat-composer textarea').inputValue(), 'Half typed');
    await page.close();
  });

  test('model picker follows the open session', async () => {
    const page = await openChat();
    const picker = page.locator('chat-app vscode-dropdown[aria-label="Model"]');
    const selectedValue = () => picker.evaluate((element) => (element as HTMLSelectElement).value);

    await showConversation(page, []);
    await page.locator('chat-app h1').getByText('Session 1').waitFor();
    const first = await selectedValue();
    await post(page, {
      type: 'conversation',
      session: chatSession(2, { title: 'Second', modelConfigId: 11 }),
      messages: [],
      live: null,
    });
    await page.locator('chat-app h1').getByText('Second').waitFor();
    await page.waitForFunction(() => {
      const dropdown = document
        .querySelector('chat-app')
        ?.shadowRoot?.querySelector<HTMLSelectElement>('vscode-dropdown[aria-label="Model"]');
      return dropdown?.value === '11';
    });
    const second = await selectedValue();

    assert.equal(first, '10');
    assert.equal(second, '11');
    await page.close();
  });

  test('model picker shows the model a new chat opened with', async () => {
    const page = await harness.open();
    await waitForPosted(page, 'ready');
    await post(page, { type: 'init', signedIn: true, show: { newChatModelId: 11 } });
    await post(page, { type: 'models', models: MODELS });

    await page.waitForFunction(() => {
      const dropdown = document
        .querySelector('chat-app')
        ?.shadowRoot?.querySelector<HTMLSelectElement>('vscode-dropdown[aria-label="Model"]');
      return dropdown?.value === '11';
    });
    const label = await page
      .locator('chat-app vscode-dropdown[aria-label="Model"]')
      .evaluate((element) => element.shadowRoot?.querySelector('.selected-value')?.textContent);
    assert.match(label ?? '', /o3-mini/);
    await page.close();
  });

  test('signed out shows Sign In', async () => {
    const page = await harness.open();
    await waitForPosted(page, 'ready');
    await post(page, { type: 'init', signedIn: false, show: null });
    await page.locator('vscode-button', { hasText: 'Sign In' }).click();
    await waitForPosted(page, 'signIn');
    await page.close();
  });
});
