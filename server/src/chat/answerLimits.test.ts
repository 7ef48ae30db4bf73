import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { QueryTypes } from 'sequelize';
import type {
  ChatStreamEvent,
  ChatStreamEvents,
  SendChatMessageResponse,
} from '../../../shared/src/api/chat.js';
import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import { SseParser } from '../../../shared/src/sse/codec.js';
import { ChatMessage, UsageRecord } from '../models/index.js';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../testing/fakeProviders/openai.js';
import { testDialect, TestServer } from '../testing/testServer.js';
import { INTERRUPTED_AFTER_MS } from './interruptedAnswers.js';
import { chatRuntime } from './runtime.js';
import {
  createChatSession,
  createModelConfig,
  createProvider,
  joinedText,
  listMessages,
  only,
  postForStream,
  waitFor,
  type Account,
} from './testKit.js';

/** Answer pieces slow enough that a test can act while they stream. */
const SLOW_PIECES = Array.from({ length: 40 }, (_, index) => `part${index} `);

/**
 * An answer of 15,000,000 characters: more than the socket buffers between server and client
 * hold, and less than MySQL's 16 MiB MEDIUMTEXT column.
 */
const HUGE_PIECES = Array.from({ length: 750 }, () => 'x'.repeat(20_000));
const HUGE_LENGTH = 15_000_000;

/** A streamed reply read with a raw request whose reading the test can hold back. */
interface HeldStream {
  /**
   * Reads the rest of the body and returns its events, and whether the response ended normally
   * rather than being cut off.
   */
  readAll(): Promise<{ events: ChatStreamEvent[]; ended: boolean }>;
}

/**
 * Splits an HTTP/1.1 chunked body into its data, and reports whether it reached the last chunk.
 * A body cut off partway keeps the data that arrived.
 */
function dechunk(raw: Buffer): { data: Buffer; ended: boolean } {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd === -1) {
      return { data: Buffer.concat(parts), ended: false };
    }
    const size = Number.parseInt(raw.toString('latin1', offset, lineEnd), 16);
    if (size === 0) {
      return { data: Buffer.concat(parts), ended: true };
    }
    const start = lineEnd + 2;
    parts.push(raw.subarray(start, Math.min(start + size, raw.length)));
    offset = start + size + 2;
    if (offset > raw.length) {
      return { data: Buffer.concat(parts), ended: false };
    }
  }
}

describe(`chat answer limits and backpressure (${testDialect})`, () => {
  let server: TestServer;
  let openai: FakeOpenAiServer;
  let alice: Account;
  let bob: Account;
  let configId: number;
  let bobConfigId: number;

  before(async () => {
    server = await TestServer.start({ AUTH_MAX_FAILURES: '1000', CHAT_MAX_ANSWER_CHARS: '1000' });
    openai = await startFakeOpenAiServer();
    alice = await server.signUp('alice');
    bob = await server.signUp('bob');
    configId = await ownConfig(alice);
    bobConfigId = await ownConfig(bob);
  });

  after(async () => {
    await server.close();
    await openai.close();
  });

  async function ownConfig(owner: Account): Promise<number> {
    const providerId = await createProvider(server, owner, {
      kind: 'openai',
      baseUrl: openai.baseUrl,
      apiKey: openai.apiKey,
    });
    return createModelConfig(server, owner, { providerId, modelId: 'gpt-4o' });
  }

  const send = (owner: Account, sessionId: number, body: Record<string, unknown>) =>
    postForStream(server, owner.accessToken, `/api/chat/sessions/${sessionId}/messages`, {
      body,
    });

  /** Runs `work` with runtime settings changed, restoring them afterwards. */
  async function withRuntime<T>(
    changes: Partial<Pick<ReturnType<typeof chatRuntime>, 'maxAnswerChars' | 'writeTimeoutMs'>>,
    work: () => Promise<T>,
  ): Promise<T> {
    const runtime = chatRuntime(server.running.services);
    const saved = {
      maxAnswerChars: runtime.maxAnswerChars,
      writeTimeoutMs: runtime.writeTimeoutMs,
    };
    Object.assign(runtime, changes);
    try {
      return await work();
    } finally {
      Object.assign(runtime, saved);
    }
  }

  /** POSTs a streamed message with node:http, leaving the body unread until `readAll`. */
  /**
   * Sends a streamed message over a raw connection and stops reading once the response starts.
   * A paused socket leaves what arrives in the kernel, so `readAll` still gets every byte the
   * server sent before it closed the connection, which an HTTP client would drop on a cut.
   */
  async function holdStream(
    owner: Account,
    sessionId: number,
    content: string,
  ): Promise<HeldStream> {
    const body = JSON.stringify({ content, stream: true });
    const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
    await once(socket, 'connect');
    const received: Buffer[] = [];
    const closed = once(socket, 'close');
    // A reset after the server's cut ends the read like a close does.
    socket.on('error', () => undefined);
    socket.write(
      `POST /api/chat/sessions/${sessionId}/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Authorization: Bearer ${owner.accessToken}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    const [first] = (await once(socket, 'data')) as [Buffer];
    socket.pause();
    received.push(first);
    return {
      readAll: async () => {
        socket.on('data', (chunk: Buffer) => received.push(chunk));
        socket.resume();
        await closed;
        const raw = Buffer.concat(received);
        const headEnd = raw.indexOf('\r\n\r\n');
        const { data, ended } = dechunk(raw.subarray(headEnd + 4));
        const events: ChatStreamEvent[] = [];
        for (const { event, data: text } of new SseParser().push(data)) {
          events.push({ type: event, data: JSON.parse(text) as unknown } as ChatStreamEvent);
        }
        return { events, ended };
      },
    };
  }

  /** Returns the newest assistant message of a session, read from the database. */
  async function latestAnswer(sessionId: number): Promise<ChatMessage> {
    const answer = await ChatMessage.findOne({
      where: { sessionId, role: 'assistant' },
      order: [['id', 'DESC']],
    });
    assert.ok(answer !== null, `session ${sessionId} has an answer`);
    return answer;
  }

  test('long answer cut at the limit', async () => {
    openai.answerWith({
      reasoning: Array.from({ length: 6 }, () => 'r'.repeat(100)),
      content: Array.from({ length: 40 }, () => 'c'.repeat(50)),
      chunkDelayMs: 10,
    });
    const session = await createChatSession(server, alice, { modelConfigId: configId });

    const reply = await send(alice, session.id, { content: 'Talk a lot', stream: true });

    const done = only(reply, 'done');
    assert.equal(done.status, 'complete');
    assert.equal(done.finishReason, 'length');
    assert.equal(done.message.reasoning, 'r'.repeat(600));
    assert.equal(done.message.content, 'c'.repeat(400));
    assert.equal(joinedText(reply, 'content'), 'c'.repeat(400));
    assert.equal(joinedText(reply, 'reasoning'), 'r'.repeat(600));
    await waitFor('the provider stream to be aborted', () => openai.openStreams === 0, 1000);
    const stored = await latestAnswer(session.id);
    assert.equal(stored.content.length + (stored.reasoning?.length ?? 0), 1000);
    assert.equal(stored.finishReason, 'length');
  });

  test('limit applies to JSON replies', async () => {
    openai.answerWith({ content: Array.from({ length: 30 }, () => 'j'.repeat(100)) });
    const session = await createChatSession(server, alice, { modelConfigId: configId });

    const reply = await send(alice, session.id, { content: 'Long JSON', stream: false });

    const answer = (reply.body as SendChatMessageResponse).assistantMessage;
    assert.equal(answer.status, 'complete');
    assert.equal(answer.finishReason, 'length');
    assert.equal(answer.content, 'j'.repeat(1000));
  });

  test('surrogate pair not split at the limit', async () => {
    openai.answerWith({ content: ['a'.repeat(999), '😀😀'] });
    const session = await createChatSession(server, alice, { modelConfigId: configId });

    const reply = await send(alice, session.id, { content: 'Emoji', stream: true });

    assert.equal(only(reply, 'done').message.content, 'a'.repeat(999));
  });

  test('answers per user limited', async () => {
    const runtime = chatRuntime(server.running.services);
    runtime.maxAnswersPerUser = 2;
    openai.answerWith({ content: SLOW_PIECES, chunkDelayMs: 30 });
    try {
      const sessions = await Promise.all(
        [1, 2, 3].map(() => createChatSession(server, alice, { modelConfigId: configId })),
      );
      const bobSession = await createChatSession(server, bob, { modelConfigId: bobConfigId });
      let started = 0;
      const running = sessions.slice(0, 2).map((session) =>
        postForStream(server, alice.accessToken, `/api/chat/sessions/${session.id}/messages`, {
          body: { content: 'Slow', stream: true },
          onEvent: (event) => {
            if (event.type === 'start') {
              started += 1;
            }
          },
        }),
      );
      await waitFor('two answers to start', () => started === 2);

      const third = await server.request<ApiErrorBody>(
        'POST',
        `/api/chat/sessions/${sessions[2]!.id}/messages`,
        { token: alice.accessToken, body: { content: 'One more', stream: true } },
      );
      const byBob = await send(bob, bobSession.id, { content: 'Mine', stream: true });
      await Promise.all(running);
      const afterwards = await send(alice, sessions[2]!.id, { content: 'Now', stream: true });

      assert.equal(third.status, 429);
      assert.equal(third.body.error.code, 'too_many_answers');
      assert.match(third.body.error.message, /CHAT_MAX_ANSWERS_PER_USER=2/);
      assert.equal(only(byBob, 'done').status, 'complete');
      assert.equal(only(afterwards, 'done').status, 'complete');
      assert.equal(await ChatMessage.count({ where: { sessionId: sessions[2]!.id } }), 2);
    } finally {
      runtime.maxAnswersPerUser = server.config.chatMaxAnswersPerUser;
    }
  });

  test('slow reader holds the provider back', async () => {
    openai.answerWith({ content: HUGE_PIECES });
    const session = await createChatSession(server, alice, { modelConfigId: configId });

    await withRuntime({ maxAnswerChars: 100_000_000 }, async () => {
      const held = await holdStream(alice, session.id, 'Everything please');
      // Without backpressure the server reads the whole answer into memory and stores it while
      // the client still reads nothing; with it, the answer waits for the client.
      const statusesWhilePaused = new Set<string>();
      for (let poll = 0; poll < 40; poll += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        statusesWhilePaused.add((await latestAnswer(session.id)).status);
      }
      const { events, ended } = await held.readAll();

      assert.deepEqual([...statusesWhilePaused], ['streaming']);
      assert.equal(ended, true);
      const done = events.find(
        (event): event is { type: 'done'; data: ChatStreamEvents['done'] } => event.type === 'done',
      );
      assert.equal(done?.data.status, 'complete');
      const streamed = events
        .filter((event) => event.type === 'content')
        .map((event) => (event.data as { text: string }).text)
        .join('');
      assert.equal(streamed.length, HUGE_LENGTH);
      assert.equal((await latestAnswer(session.id)).content.length, HUGE_LENGTH);
    });
  });

  test('reader that stops reading is cut off', async () => {
    openai.answerWith({ content: HUGE_PIECES });
    const session = await createChatSession(server, alice, { modelConfigId: configId });

    await withRuntime({ maxAnswerChars: 100_000_000, writeTimeoutMs: 300 }, async () => {
      const held = await holdStream(alice, session.id, 'Never read');

      await waitFor(
        'the answer to be stored',
        async () => (await latestAnswer(session.id)).status !== 'streaming',
        10_000,
      );
      // The client reads what reached it before the server closed the connection, with no end.
      const { events, ended } = await held.readAll();
      const stored = await latestAnswer(session.id);

      assert.equal(stored.status, 'stopped');
      assert.equal(stored.finishReason, 'aborted');
      assert.ok(stored.content.length < HUGE_LENGTH, `${stored.content.length} characters`);
      assert.equal(ended, false);
      assert.equal(events[0]?.type, 'start');
      assert.ok(
        events.every((event) => event.type !== 'done' && event.type !== 'error'),
        'the stream was cut without a last event',
      );
      assert.ok(
        server.log.some((line) => line.includes('read nothing within the write timeout')),
        'the cut is logged',
      );
    });
  });

  test('config deleted mid-answer keeps the usage', async () => {
    const providerId = await createProvider(server, alice, {
      kind: 'openai',
      baseUrl: openai.baseUrl,
      apiKey: openai.apiKey,
    });
    const doomedId = await createModelConfig(server, alice, {
      providerId,
      modelId: 'gpt-4o',
      priceInputPerMTok: 1,
      priceOutputPerMTok: 2,
    });
    const session = await createChatSession(server, alice, { modelConfigId: doomedId });
    openai.answerWith({
      content: SLOW_PIECES.slice(0, 10),
      chunkDelayMs: 30,
      usage: { promptTokens: 7, completionTokens: 11 },
    });
    const recordsBefore = await UsageRecord.count();
    let deleted: number[] = [];

    const reply = await send(alice, session.id, { content: 'Meter me', stream: true });
    const replyWithDelete = await postForStream(
      server,
      alice.accessToken,
      `/api/chat/sessions/${session.id}/messages`,
      {
        body: { content: 'Meter me again', stream: true },
        onEvent: async (event) => {
          if (event.type === 'content' && deleted.length === 0) {
            const config = await server.request('DELETE', `/api/model-configs/${doomedId}`, {
              token: alice.accessToken,
            });
            const provider = await server.request('DELETE', `/api/providers/${providerId}`, {
              token: alice.accessToken,
            });
            deleted = [config.status, provider.status];
          }
        },
      },
    );

    assert.equal(only(reply, 'done').message.modelConfigId, doomedId);
    assert.deepEqual(deleted, [204, 200]);
    const done = only(replyWithDelete, 'done');
    assert.equal(done.status, 'complete');
    assert.equal(done.message.modelConfigId, null);
    assert.equal((await latestAnswer(session.id)).modelConfigId, null);
    const records = await UsageRecord.findAll({ order: [['id', 'ASC']] });
    assert.equal(records.length, recordsBefore + 2);
    const kept = records.at(-1)!;
    assert.equal(kept.modelId, 'gpt-4o');
    assert.equal(kept.modelConfigId, null);
    assert.equal(kept.providerId, null);
    assert.equal(kept.userId, alice.userId);
    assert.equal(kept.completionTokens, 11);
    assert.equal(kept.cost, (7 * 1 + 11 * 2) / 1_000_000);
  });

  test('answer the database rejects stored as an error', async () => {
    const sequelize = server.running.services.sequelize;
    const trigger =
      testDialect === 'sqlite'
        ? `CREATE TRIGGER reject_long_answer BEFORE UPDATE OF content ON chat_messages
           WHEN length(NEW.content) > 500
           BEGIN SELECT RAISE(ABORT, 'content too long for this test'); END`
        : `CREATE TRIGGER reject_long_answer BEFORE UPDATE ON chat_messages FOR EACH ROW
           BEGIN
             IF CHAR_LENGTH(NEW.content) > 500 THEN
               SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'content too long for this test';
             END IF;
           END`;
    await sequelize.query(trigger);
    try {
      openai.answerWith({
        content: Array.from({ length: 10 }, () => 'z'.repeat(90)),
        usage: { promptTokens: 3, completionTokens: 9 },
      });
      const session = await createChatSession(server, alice, { modelConfigId: configId });

      const streamed = await send(alice, session.id, { content: 'Too long', stream: true });
      const json = await send(alice, session.id, { content: 'Too long', stream: false });

      const failure = only(streamed, 'error');
      assert.equal(failure.message.status, 'error');
      assert.equal(failure.message.content, '');
      assert.equal(failure.message.finishReason, 'error');
      assert.match(failure.error.message, /The answer of 900 characters could not be stored/);
      assert.deepEqual(failure.message.error, failure.error);
      assert.equal(failure.message.usage?.completionTokens, 9);
      const answer = (json.body as SendChatMessageResponse).assistantMessage;
      assert.equal(answer.status, 'error');
      assert.equal(answer.content, '');
      const listed = await listMessages(server, alice, session.id);
      assert.deepEqual(
        listed.map((message) => message.status),
        ['complete', 'error', 'complete', 'error'],
      );
      assert.deepEqual(listed[1]?.error, failure.error);
    } finally {
      await sequelize.query('DROP TRIGGER reject_long_answer');
    }
  });

  test('turn the database rejects aborts the provider request', async () => {
    const sequelize = server.running.services.sequelize;
    const trigger =
      testDialect === 'sqlite'
        ? `CREATE TRIGGER reject_question BEFORE INSERT ON chat_messages
           WHEN NEW.content = 'Rejected question'
           BEGIN SELECT RAISE(ABORT, 'question rejected for this test'); END`
        : `CREATE TRIGGER reject_question BEFORE INSERT ON chat_messages FOR EACH ROW
           BEGIN
             IF NEW.content = 'Rejected question' THEN
               SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'question rejected for this test';
             END IF;
           END`;
    await sequelize.query(trigger);
    try {
      // One answer first leaves an open connection to the provider, so the early request is
      // written at once instead of waiting for a connection that the failure would cancel.
      openai.answerWith({ content: ['warm'] });
      const warmup = await createChatSession(server, alice, { modelConfigId: configId });
      await send(alice, warmup.id, { content: 'Warm up', stream: false });
      // A slow answer, so the request is still open when storing the question fails.
      openai.answerWith({ content: ['late'], chunkDelayMs: 2_000 });
      const session = await createChatSession(server, alice, { modelConfigId: configId });
      const requestsBefore = openai.requests.length;

      const reply = await send(alice, session.id, { content: 'Rejected question', stream: true });

      assert.equal(reply.status, 500, JSON.stringify(reply.body));
      // The request went out before the INSERT failed and was then cut off, so the provider may
      // record it a moment after the reply.
      const deadline = Date.now() + 2_000;
      while (openai.requests.length === requestsBefore && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(openai.requests.length, requestsBefore + 1, 'the request was sent early');
      assert.deepEqual(await listMessages(server, alice, session.id), []);
      const [stored] = await sequelize.query<{ title: string | null }>(
        'SELECT title FROM chat_sessions WHERE id = ?',
        { replacements: [session.id], type: QueryTypes.SELECT },
      );
      assert.equal(stored?.title, null, 'the failed question gave the session no title');
      // The session takes the next message at once, because the early request was released.
      openai.answerWith({ content: ['fine'] });
      const next = await send(alice, session.id, { content: 'Accepted question', stream: false });
      assert.equal(next.status, 200, JSON.stringify(next.body));
    } finally {
      await sequelize.query('DROP TRIGGER reject_question');
    }
  });

  test(
    'answer over the MEDIUMTEXT column stored as an error',
    { skip: testDialect === 'sqlite' && 'SQLite has no 16 MiB column limit' },
    async () => {
      // 17,000,000 bytes, past MEDIUMTEXT's 16,777,215.
      openai.answerWith({ content: Array.from({ length: 850 }, () => 'x'.repeat(20_000)) });
      const session = await createChatSession(server, alice, { modelConfigId: configId });

      const reply = await withRuntime({ maxAnswerChars: 20_000_000 }, () =>
        send(alice, session.id, { content: 'Write a lot', stream: true }),
      );

      const failure = only(reply, 'error');
      assert.equal(failure.message.status, 'error');
      assert.equal(failure.message.content, '');
      assert.match(
        failure.error.message,
        /The answer of 17,000,000 characters could not be stored/,
      );
      const stored = await latestAnswer(session.id);
      assert.equal(stored.status, 'error');
      assert.deepEqual(stored.error, failure.error);
    },
  );

  test('interrupted answers marked stopped', async () => {
    const session = await createChatSession(server, alice, { modelConfigId: configId });
    const common = { sessionId: session.id, reasoning: null, reasoningBlocks: null };
    const answerFields = {
      ...common,
      role: 'assistant' as const,
      status: 'streaming' as const,
      modelConfigId: configId,
      modelId: 'gpt-4o',
      promptTokens: null,
      completionTokens: null,
      reasoningTokens: null,
      ttftMs: null,
      ttfaMs: null,
      latencyMs: null,
      finishReason: null,
      providerFinishReason: null,
      error: null,
    };
    const question = { ...answerFields, role: 'user' as const, status: 'complete' as const };
    await ChatMessage.create({ ...question, content: 'Before the crash' });
    const stale = await ChatMessage.create({ ...answerFields, content: '' });
    await ChatMessage.create({ ...question, content: 'On another server' });
    const fresh = await ChatMessage.create({ ...answerFields, content: '' });
    await server.running.services.sequelize.query(
      'UPDATE chat_messages SET updated_at = ? WHERE id = ?',
      { replacements: [new Date(Date.now() - INTERRUPTED_AFTER_MS - 5000), stale.id] },
    );

    const listed = await listMessages(server, alice, session.id);

    const byId = new Map(listed.map((message) => [message.id, message]));
    assert.equal(byId.get(stale.id)?.status, 'stopped');
    assert.equal(byId.get(stale.id)?.finishReason, 'aborted');
    assert.equal(byId.get(fresh.id)?.status, 'streaming');
  });
});
