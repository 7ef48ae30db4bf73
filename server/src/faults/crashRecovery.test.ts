// A server killed with SIGKILL in the middle of a chat answer or a resumable upload, then started
// again on the same data folder and database.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import type { ApiChatMessage } from '../../../shared/src/api/chat.js';
import { postForStream } from '../chat/testKit.js';
import { INTERRUPTED_AFTER_MS } from '../chat/interruptedAnswers.js';
import { connectDatabase } from '../db/connect.js';
import { createLogger } from '../logger.js';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../testing/fakeProviders/openai.js';
import { createTestDatabase, testDialect, type TestServer } from '../testing/testServer.js';
import {
  callJson,
  killHard,
  logInAdmin,
  startServerProcess,
  type ServerProcess,
} from './serverProcess.js';

describe(`crash recovery after SIGKILL (${testDialect})`, () => {
  let dataDir: string;
  let database: { url: string; drop(): Promise<void> };
  let openai: FakeOpenAiServer;
  const servers: ServerProcess[] = [];

  const start = async () => {
    const server = await startServerProcess(dataDir, database.url);
    servers.push(server);
    return server;
  };

  before(async () => {
    openai = await startFakeOpenAiServer();
  });

  afterEach(async () => {
    for (const server of servers.splice(0)) {
      await killHard(server);
    }
    await database.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  after(async () => {
    await openai.close();
  });

  /** Gives each test its own data folder and database. */
  const freshData = async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lw-crash-'));
    database = await createTestDatabase(dataDir);
  };

  /**
   * Moves the `updated_at` of every `streaming` answer back by more than INTERRUPTED_AFTER_MS, as
   * if the server had stayed down that long, without the test waiting that long.
   */
  const ageStreamingAnswers = async () => {
    const sequelize = await connectDatabase(database.url, createLogger('silent'));
    try {
      await sequelize.query(
        "UPDATE chat_messages SET updated_at = :past WHERE status = 'streaming'",
        { replacements: { past: new Date(Date.now() - INTERRUPTED_AFTER_MS - 60_000) } },
      );
    } finally {
      await sequelize.close();
    }
  };

  test('killed chat answer stopped at restart', async () => {
    await freshData();
    const first = await start();
    let token = await logInAdmin(first.url);
    const provider = await callJson<{ provider: { id: number } }>(
      first.url,
      'POST',
      '/api/providers',
      {
        token,
        body: { name: 'crash', kind: 'openai', baseUrl: openai.baseUrl, apiKey: openai.apiKey },
      },
    );
    assert.equal(provider.status, 201, JSON.stringify(provider.body));
    const modelConfig = await callJson<{ modelConfig: { id: number } }>(
      first.url,
      'POST',
      '/api/model-configs',
      { token, body: { providerId: provider.body.provider.id, modelId: 'gpt-4o' } },
    );
    assert.equal(modelConfig.status, 201, JSON.stringify(modelConfig.body));
    const session = await callJson<{ session: { id: number } }>(
      first.url,
      'POST',
      '/api/chat/sessions',
      { token, body: { modelConfigId: modelConfig.body.modelConfig.id } },
    );
    assert.equal(session.status, 201, JSON.stringify(session.body));
    const sessionId = session.body.session.id;
    const messagesPath = `/api/chat/sessions/${sessionId}/messages`;

    // A slow answer: 40 pieces 100 ms apart, so the kill lands well inside it.
    openai.answerWith({
      content: Array.from({ length: 40 }, (_, index) => `piece${index} `),
      chunkDelayMs: 100,
    });
    let contentEvents = 0;
    const interrupted = await postForStream({ url: first.url } as TestServer, token, messagesPath, {
      body: { content: 'Tell a long story.', stream: true },
      onEvent: async (event, controller) => {
        if (event.type === 'content') {
          contentEvents += 1;
          if (contentEvents === 3) {
            await killHard(first);
            controller.abort();
          }
        }
      },
    });
    assert.equal(interrupted.status, 200);
    assert.equal(contentEvents, 3, 'the stream ended before the kill');
    const started = interrupted.events.find((event) => event.type === 'start');
    assert.ok(started !== undefined, 'no start event before the kill');
    const answerId = started.data.assistantMessage.id;

    await ageStreamingAnswers();
    const second = await start();
    token = await logInAdmin(second.url);
    const afterRestart = await callJson<{ messages: ApiChatMessage[] }>(
      second.url,
      'GET',
      messagesPath,
      { token },
    );
    assert.equal(afterRestart.status, 200);
    const messages = afterRestart.body.messages;
    assert.deepEqual(
      messages.map((message) => message.role),
      ['user', 'assistant'],
    );
    const answer = messages.find((message) => message.id === answerId);
    assert.ok(answer !== undefined, `answer ${answerId} is missing after the restart`);
    assert.equal(answer.status, 'stopped');
    assert.equal(answer.finishReason, 'aborted');
    // The relay keeps the text in memory until the answer ends, so a killed answer has none.
    assert.equal(answer.content, '');

    openai.answerWith({ content: ['Back again.'] });
    const next = await postForStream({ url: second.url } as TestServer, token, messagesPath, {
      body: { content: 'Are you there?', stream: true },
    });
    assert.equal(next.status, 200, next.raw);
    const done = next.events.find((event) => event.type === 'done');
    assert.ok(done !== undefined, `no done event in ${next.raw}`);
    const final = await callJson<{ messages: ApiChatMessage[] }>(second.url, 'GET', messagesPath, {
      token,
    });
    assert.deepEqual(
      final.body.messages.map((message) => [message.role, message.status]),
      [
        ['user', 'complete'],
        ['assistant', 'stopped'],
        ['user', 'complete'],
        ['assistant', 'complete'],
      ],
    );
    assert.equal(final.body.messages.at(-1)?.content, 'Back again.');
  });

  test('killed upload resumes from offset', async () => {
    await freshData();
    const file = Buffer.from(
      Array.from({ length: 400 }, (_, index) =>
        JSON.stringify({ instruction: `Question ${index}`, output: `Answer ${index}` }),
      ).join('\n') + '\n',
    );
    const third = Math.floor(file.length / 3);
    const first = await start();
    let token = await logInAdmin(first.url);
    const created = await callJson<{ uploadId: string }>(
      first.url,
      'POST',
      '/api/datasets/uploads',
      {
        token,
        body: {
          fileName: 'crash.jsonl',
          sizeBytes: file.length,
          sha256: createHash('sha256').update(file).digest('hex'),
        },
      },
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const uploadId = created.body.uploadId;
    const target = { url: first.url, token, uploadId, totalBytes: file.length };
    const chunkStatus = await putChunk(target, 0, file.subarray(0, third));
    assert.equal(chunkStatus, 200);

    // The second chunk is half sent when the server dies.
    const second = file.subarray(third, 2 * third);
    const request = http.request(`${first.url}/api/datasets/uploads/${uploadId}`, {
      method: 'PUT',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'application/octet-stream',
        'Content-Length': String(second.length),
        'Content-Range': `bytes ${third}-${2 * third - 1}/${file.length}`,
      },
    });
    const requestEnded = new Promise<void>((resolve) => {
      request.on('error', () => resolve());
      request.on('response', () => resolve());
    });
    request.write(second.subarray(0, Math.floor(second.length / 2)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await killHard(first);
    await requestEnded;

    const restarted = await start();
    token = await logInAdmin(restarted.url);
    const resumed = await callJson<{ upload: { receivedBytes: number } }>(
      restarted.url,
      'GET',
      `/api/datasets/uploads/${uploadId}`,
      { token },
    );
    assert.equal(resumed.status, 200, JSON.stringify(resumed.body));
    const offset = resumed.body.upload.receivedBytes;
    assert.equal(offset, third, 'the offset must be that of the last whole chunk');
    const restTarget = { url: restarted.url, token, uploadId, totalBytes: file.length };
    const restStatus = await putChunk(restTarget, offset, file.subarray(offset));
    assert.equal(restStatus, 200);
    const completed = await callJson<{ dataset: { recordCount: number; invalidCount: number } }>(
      restarted.url,
      'POST',
      `/api/datasets/uploads/${uploadId}/complete`,
      { token, body: {} },
    );
    assert.equal(completed.status, 201, JSON.stringify(completed.body));
    assert.equal(completed.body.dataset.recordCount, 400);
    assert.equal(completed.body.dataset.invalidCount, 0);

    const uploadsDir = path.join(dataDir, 'datasets', 'uploads');
    const tmpDir = path.join(dataDir, 'datasets', 'tmp');
    assert.deepEqual(listFiles(uploadsDir), [], 'upload parts left after completion');
    assert.deepEqual(listFiles(tmpDir), [], 'temporary files left after completion');
  });
});

/** An upload that chunks are sent to. */
interface UploadTarget {
  url: string;
  token: string;
  uploadId: string;
  totalBytes: number;
}

/** Sends one chunk of a resumable upload and returns the status. */
async function putChunk(target: UploadTarget, firstByte: number, bytes: Buffer): Promise<number> {
  const response = await fetch(`${target.url}/api/datasets/uploads/${target.uploadId}`, {
    method: 'PUT',
    headers: {
      Authorization: `Bearer ${target.token}`,
      'Content-Type': 'application/octet-stream',
      'Content-Range': `bytes ${firstByte}-${firstByte + bytes.length - 1}/${target.totalBytes}`,
    },
    body: bytes,
  });
  await response.arrayBuffer();
  return response.status;
}

/** Returns the file names in a folder, or none when it does not exist. */
function listFiles(folder: string): string[] {
  return fs.existsSync(folder) ? fs.readdirSync(folder) : [];
}
