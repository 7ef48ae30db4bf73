import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../testing/fakeProviders/openai.js';
import { testDialect, TestServer } from '../testing/testServer.js';
import {
  createChatSession,
  createModelConfig,
  createProvider,
  joinedText,
  only,
  postForStream,
  type Account,
} from './testKit.js';

/** Forty pieces 40 ms apart: an answer that takes well over a second to stream. */
const SLOW_PIECES = Array.from({ length: 40 }, (_, index) => `part${index} `);

describe(`chat answers at shutdown (${testDialect})`, () => {
  let server: TestServer;
  let openai: FakeOpenAiServer;
  let alice: Account;
  let configId: number;

  before(async () => {
    server = await TestServer.start();
    openai = await startFakeOpenAiServer();
    alice = await server.signUp('alice');
    const providerId = await createProvider(server, alice, {
      kind: 'openai',
      baseUrl: openai.baseUrl,
      apiKey: openai.apiKey,
    });
    configId = await createModelConfig(server, alice, { providerId, modelId: 'gpt-4o' });
  });

  after(async () => {
    await server.close();
    await openai.close();
  });

  test('shutdown stops a streaming answer', async () => {
    openai.answerWith({ content: SLOW_PIECES, chunkDelayMs: 40 });
    const session = await createChatSession(server, alice, { modelConfigId: configId });
    let closing: Promise<void> | undefined;
    const started = Date.now();

    const reply = await postForStream(
      server,
      alice.accessToken,
      `/api/chat/sessions/${session.id}/messages`,
      {
        body: { content: 'Count slowly.', stream: true },
        onEvent: (event) => {
          if (event.type === 'content' && closing === undefined) {
            closing = server.running.close();
          }
        },
      },
    );
    await closing;

    // The shutdown grace time is 10 s; the answer ends long before it.
    assert.ok(Date.now() - started < 5_000, `the stream took ${Date.now() - started} ms`);
    const done = only(reply, 'done');
    assert.equal(done.status, 'stopped');
    assert.equal(done.finishReason, 'aborted');
    const streamed = joinedText(reply, 'content');
    assert.ok(streamed.length < SLOW_PIECES.join('').length, 'the answer was cut short');
    assert.equal(openai.openStreams, 0, 'the provider connection is closed');
  });
});
