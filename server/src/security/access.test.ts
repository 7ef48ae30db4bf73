// Checks authentication, admin-only access and ownership on every operation of
// /api/openapi.json, then scans every response and log line of the run for secrets.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import jwt from 'jsonwebtoken';
import { multipart, rawRequest } from '../datasets/testing/requests.js';
import { ChatMessage } from '../models/chatMessage.js';
import { ChatSession } from '../models/chatSession.js';
import { Comparison } from '../models/comparison.js';
import { ComparisonResult } from '../models/comparisonResult.js';
import { ProviderModel } from '../models/providerModel.js';
import { TrainingTask } from '../models/trainingTask.js';
import { TestServer } from '../testing/testServer.js';
import {
  assertClientError,
  fillPath,
  forEachLimited,
  listOperations,
  operationName,
  send,
  type ApiOperation,
  type SendOptions,
  type SentResponse,
} from './apiOperations.js';

const MISSING_ID = '999999';

/** The API key user A gives a provider; it must never come back in a response or the log. */
const PROVIDER_API_KEY = `sk-access-test-${randomBytes(12).toString('hex')}`;

/** A private key sent as a GPU host's SSH key; it must never come back either. */
const PRIVATE_KEY_MARKER = '-----BEGIN OPENSSH PRIVATE KEY-----';

interface Account {
  accessToken: string;
  refreshToken: string;
  userId: number;
  password: string;
}

let server: TestServer;
let operations: ApiOperation[];
let alice: Account;
let bob: Account;
let admin: Account;
/** Every response of the run, for the secret scan. */
const responses: SentResponse[] = [];

async function call(method: string, urlPath: string, options: SendOptions = {}) {
  const response = await send(server, method, urlPath, options);
  responses.push(response);
  return response;
}

before(async () => {
  server = await TestServer.start({ MAX_UPLOAD_MB: '1', AUTH_MAX_FAILURES: '1000' });
  alice = await server.signUp('AccessAlice', 'alice-password-123');
  bob = await server.signUp('AccessBob', 'bob-password-123');
  admin = { ...(await server.logInAdmin()), password: 'admin-password-1' };
  operations = await listOperations(server);
});

after(async () => {
  await server.close();
});

/** Decodes the claims of `token` without checking its signature. */
function claimsOf(token: string): Record<string, unknown> {
  return jwt.decode(token) as Record<string, unknown>;
}

function base64Url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Tokens that look like alice's access token but must all be rejected. */
function badTokens(): Record<string, string> {
  const claims = claimsOf(alice.accessToken);
  const now = Math.floor(Date.now() / 1000);
  const [header, , signature] = alice.accessToken.split('.');
  return {
    'wrong key': jwt.sign(claims, randomBytes(32).toString('hex'), { algorithm: 'HS256' }),
    expired: jwt.sign({ ...claims, iat: now - 3600, exp: now - 1800 }, server.config.jwtSecret, {
      algorithm: 'HS256',
    }),
    'alg none': `${base64Url({ alg: 'none', typ: 'JWT' })}.${base64Url(claims)}.`,
    'APP_SECRET key': jwt.sign(claims, server.config.appSecret, { algorithm: 'HS256' }),
    'role changed to admin': `${header}.${base64Url({ ...claims, role: 'admin' })}.${signature}`,
    'refresh token': alice.refreshToken,
    garbage: 'not-a-token',
  };
}

describe('authentication on every operation', () => {
  test('no token gets 401', async () => {
    const secured = operations.filter((operation) => operation.secured);
    assert.ok(secured.length >= 70, `only ${secured.length} secured operations`);
    const findings: string[] = [];
    await forEachLimited(secured, 4, async (operation) => {
      const response = await call(operation.method, fillPath(operation, MISSING_ID));
      collect(findings, () => assertClientError(response, operationName(operation), 401));
    });
    assert.deepEqual(findings, []);
  });

  test('forged and misused tokens get 401', async () => {
    const tokens = Object.entries(badTokens());
    const findings: string[] = [];
    const cases = operations
      .filter((operation) => operation.secured)
      .flatMap((operation) => tokens.map(([kind, token]) => ({ operation, kind, token })));
    await forEachLimited(cases, 4, async ({ operation, kind, token }) => {
      const response = await call(operation.method, fillPath(operation, MISSING_ID), { token });
      const label = `${operationName(operation)} with ${kind}`;
      collect(findings, () => assertClientError(response, label, 401));
    });
    assert.deepEqual(findings, []);
  });

  test('plain user gets 403 on admin routes', async () => {
    const adminOnly = operations.filter((operation) => operation.adminOnly);
    assert.ok(adminOnly.length >= 10, `only ${adminOnly.length} admin operations`);
    const findings: string[] = [];
    await forEachLimited(adminOnly, 4, async (operation) => {
      const response = await call(operation.method, fillPath(operation, MISSING_ID), {
        token: alice.accessToken,
      });
      collect(findings, () => assertClientError(response, operationName(operation), 403));
    });
    assert.deepEqual(findings, []);
  });
});

function firstLine(error: unknown): string {
  const [line = ''] = (error as Error).message.split('\n');
  return line.slice(0, 400);
}

function collect(findings: string[], check: () => void): void {
  try {
    check();
  } catch (error) {
    findings.push(firstLine(error));
  }
}

/** Ids of one resource of each owned kind, created as alice. */
interface OwnedIds {
  id: Record<string, string>;
  messageId: string;
  resultId: string;
}

async function createAliceResources(): Promise<Record<string, OwnedIds>> {
  const token = alice.accessToken;
  const provider = await call('POST', '/api/providers', {
    token,
    body: { kind: 'openai', name: 'Alice OpenAI', apiKey: PROVIDER_API_KEY },
  });
  assert.equal(provider.status, 201, provider.text);
  const providerId = (provider.json as { provider: { id: number } }).provider.id;
  await ProviderModel.create({
    providerId,
    modelId: 'gpt-access',
    displayName: 'gpt-access',
    type: 'chat',
    capabilities: ['chat'],
    contextLength: 8192,
  });
  const config = await call('POST', '/api/model-configs', {
    token,
    body: { providerId, modelId: 'gpt-access', displayName: 'Access GPT' },
  });
  assert.equal(config.status, 201, config.text);
  const configId = (config.json as { modelConfig: { id: number } }).modelConfig.id;

  const prompt = await call('POST', '/api/prompts', {
    token,
    body: {
      name: 'Alice prompt',
      format: 'openai',
      content: '[{"role": "system", "content": "You are terse."}]\n',
    },
  });
  assert.equal(prompt.status, 201, prompt.text);
  const promptId = (prompt.json as { prompt: { id: number } }).prompt.id;

  const { body, contentType } = multipart([
    {
      name: 'file',
      fileName: 'alice.json',
      data: JSON.stringify([{ instruction: 'say hi', input: '', output: 'hi' }]),
    },
  ]);
  const dataset = await rawRequest(`${server.url}/api/datasets`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType },
    body,
  });
  assert.equal(dataset.status, 201, dataset.text);
  const datasetId = (dataset.json as { dataset: { id: number } }).dataset.id;

  const upload = await call('POST', '/api/datasets/uploads', {
    token,
    body: { fileName: 'later.jsonl', sizeBytes: 10 },
  });
  assert.equal(upload.status, 201, upload.text);
  const uploadId = String((upload.json as { upload: { id: string | number } }).upload.id);

  const session = await ChatSession.create({
    ownerId: alice.userId,
    modelConfigId: configId,
    title: 'Alice chat',
    systemPromptId: null,
    systemPrompt: null,
    lastMessageAt: new Date(),
  });
  const message = await ChatMessage.create({
    sessionId: session.id,
    role: 'user',
    content: 'hello',
    reasoning: null,
    reasoningBlocks: null,
    status: 'complete',
    modelConfigId: null,
    modelId: null,
    promptTokens: null,
    completionTokens: null,
    reasoningTokens: null,
    ttftMs: null,
    ttfaMs: null,
    latencyMs: null,
    finishReason: null,
    providerFinishReason: null,
    error: null,
  });
  const comparison = await Comparison.create({
    ownerId: alice.userId,
    prompt: 'compare this',
    promptTemplate: null,
    variables: null,
    bestResultId: null,
  });
  const result = await ComparisonResult.create({
    comparisonId: comparison.id,
    slot: 0,
    modelConfigId: configId,
    modelConfigName: 'Access GPT',
    modelId: 'gpt-access',
    providerName: 'Alice OpenAI',
    systemPrompt: null,
    content: 'answer',
    reasoning: null,
    status: 'complete',
    promptTokens: null,
    completionTokens: null,
    reasoningTokens: null,
    ttftMs: null,
    ttfaMs: null,
    answerMs: null,
    latencyMs: null,
    tokensPerSecond: null,
    cost: null,
    finishReason: 'stop',
    providerFinishReason: null,
    error: null,
    rating: null,
  });
  const defaults = await call('GET', '/api/training/defaults', { token });
  const task = await TrainingTask.create({
    ownerId: alice.userId,
    name: 'Alice tuning',
    baseModel: 'Qwen/Qwen2.5-0.5B',
    datasetId,
    datasetSnapshot: null,
    gpuHostId: null,
    parameters: (defaults.json as unknown as { defaults: TrainingTask['parameters'] }).defaults,
    status: 'pending',
    totalSteps: null,
    epoch: null,
    remainingMs: null,
    elapsedMs: null,
    runDir: null,
    processGroup: null,
    exitCode: null,
    errorTail: null,
    adapterPath: null,
    swanlabUrl: null,
    resumeCheckpoint: null,
    stopRequestedAt: null,
    queuedAt: null,
    startedAt: null,
    finishedAt: null,
    watcherId: null,
    watcherExpiresAt: null,
  });

  const plain = (id: number | string) => ({ id: { id: String(id) }, messageId: '', resultId: '' });
  return {
    '/api/providers/': plain(providerId),
    '/api/model-configs/': plain(configId),
    '/api/prompts/': plain(promptId),
    '/api/datasets/uploads/': plain(uploadId),
    '/api/datasets/': plain(datasetId),
    '/api/chat/sessions/': {
      id: { id: String(session.id) },
      messageId: String(message.id),
      resultId: '',
    },
    '/api/compare/': {
      id: { id: String(comparison.id) },
      messageId: '',
      resultId: String(result.id),
    },
    '/api/training/tasks/': plain(task.id),
  };
}

/**
 * Returns a request that passes validation, so the ownership check decides the status. Routes
 * whose body has no required field get `{}`.
 */
function validRequestFor(operation: ApiOperation, ids: OwnedIds): SendOptions {
  const bodies: Record<string, SendOptions> = {
    'PUT /api/datasets/uploads/{id}': {
      body: Buffer.from('{"a":1}\n'),
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': 'bytes 0-7/10' },
    },
    'POST /api/chat/sessions/{id}/messages': { body: { content: 'hello' } },
    'PUT /api/compare/{id}/best': { body: { resultId: Number(ids.resultId) } },
    'PUT /api/compare/{id}/results/{resultId}/rating': { body: { rating: 1 } },
  };
  return bodies[operationName(operation)] ?? (operation.body === undefined ? {} : { body: {} });
}

let created: Promise<Record<string, OwnedIds>> | undefined;

function aliceResources(): Promise<Record<string, OwnedIds>> {
  created ??= createAliceResources();
  return created;
}

describe('ownership on every operation with an id', () => {
  test("another user's resources get 404", async () => {
    const owned = await aliceResources();
    const prefixes = Object.keys(owned);
    const withId = operations.filter(
      (operation) => operation.pathParams.includes('id') && !operation.adminOnly,
    );
    const findings: string[] = [];
    const unmatched: string[] = [];
    let checked = 0;
    for (const operation of withId) {
      // The longest prefix wins, so uploads are not taken for datasets.
      const prefix = prefixes
        .filter((candidate) => operation.template.startsWith(candidate))
        .sort((a, b) => b.length - a.length)[0];
      if (prefix === undefined) {
        unmatched.push(operationName(operation));
        continue;
      }
      const ids = owned[prefix];
      assert.ok(ids !== undefined);
      const urlPath = fillPath(operation, MISSING_ID, {
        ...ids.id,
        messageId: ids.messageId,
        resultId: ids.resultId,
      });
      const response = await call(operation.method, urlPath, {
        token: bob.accessToken,
        ...validRequestFor(operation, ids),
      });
      checked += 1;
      collect(findings, () => assertClientError(response, operationName(operation), 404));
    }
    assert.deepEqual(unmatched, [], 'operations with an id of a kind this test does not create');
    assert.ok(checked >= 40, `only ${checked} operations checked`);
    assert.deepEqual(findings, []);
  });

  test('owner still reaches each resource', async () => {
    // Without this, a route that returns 404 to everyone would pass the test above.
    const owned = await aliceResources();
    for (const [prefix, ids] of Object.entries(owned)) {
      const response = await call('GET', `${prefix}${ids.id.id}`, { token: alice.accessToken });
      assert.equal(response.status, 200, `${prefix}${ids.id.id}: ${response.text}`);
    }
  });
});

describe('secrets in responses and logs', () => {
  test('no secret appears anywhere in the run', async () => {
    // A few more requests that carry secrets: a failed login, a refresh and a password change.
    await call('POST', '/api/auth/login', {
      body: { login: 'accessbob', password: 'wrong-password-123', tokenDelivery: 'body' },
    });
    await call('POST', '/api/auth/refresh', { body: { refreshToken: bob.refreshToken } });
    await call('POST', '/api/gpu-hosts', {
      token: admin.accessToken,
      body: {
        name: 'leak check',
        host: '127.0.0.1',
        port: 9,
        username: 'trainer',
        privateKey: `${PRIVATE_KEY_MARKER}\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n`,
      },
    });

    const secrets: Record<string, string> = {
      'alice password': alice.password,
      'bob password': bob.password,
      'admin password': admin.password,
      'provider API key': PROVIDER_API_KEY,
      'private key': PRIVATE_KEY_MARKER,
      'bcrypt hash (2a)': '$2a$',
      'bcrypt hash (2b)': '$2b$',
      'bcrypt hash (2y)': '$2y$',
      'alice access token': alice.accessToken,
      'alice refresh token': alice.refreshToken,
      'bob access token': bob.accessToken,
      'bob refresh token': bob.refreshToken,
      'admin access token': admin.accessToken,
      'admin refresh token': admin.refreshToken,
    };
    const texts = [
      ...responses.map((response) => {
        const headers = [...response.headers.entries()].map(([name, value]) => `${name}: ${value}`);
        return `response ${response.status}: ${headers.join('\n')}\n${response.text}`;
      }),
      ...server.log.map((line) => `log: ${line}`),
    ];
    assert.ok(responses.length > 500, `only ${responses.length} responses scanned`);
    const leaks: string[] = [];
    for (const text of texts) {
      for (const [kind, secret] of Object.entries(secrets)) {
        if (text.includes(secret)) {
          leaks.push(`${kind} in ${text.slice(0, 300)}`);
        }
      }
    }
    assert.deepEqual(leaks, []);
  });
});
