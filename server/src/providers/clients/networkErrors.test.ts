import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { createProviderClient } from './index.js';
import { errorCodes } from './networkErrors.js';
import type { ProviderKind } from '../../../../shared/src/api/providers.js';
import { ProviderError, type StreamEvent } from './types.js';

describe('provider on a port that does not speak HTTP', () => {
  let server: net.Server;
  let port: number;

  before(async () => {
    // An SSH server greets first, so the client reads its banner where the status line belongs.
    server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.write('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  after(() => {
    server.close();
  });

  const kinds: [ProviderKind, string][] = [
    ['openai-compatible', '/v1'],
    ['anthropic', '/v1'],
    ['ollama', ''],
  ];
  for (const [kind, path] of kinds) {
    const client = () =>
      createProviderClient(
        { kind, baseUrl: `http://127.0.0.1:${port}${path}`, apiKey: 'test-key', headers: {} },
        { requestMs: 2000, idleMs: 1000 },
      );

    test(`${kind} model list names the wrong service`, async () => {
      await assert.rejects(client().listModels(), (error: unknown) => {
        assert.ok(error instanceof ProviderError);
        assert.equal(error.code, 'malformed');
        assert.match(error.message, /sent data that is not valid HTTP \(HPE_INVALID_CONSTANT\)/);
        assert.match(error.message, /check that the port in the base URL is the API's/);
        return true;
      });
    });

    test(`${kind} stream names the wrong service`, async () => {
      const events: StreamEvent[] = [];
      const stream = client().stream({
        model: 'test-model',
        messages: [{ role: 'user', content: 'Hello' }],
        params: { temperature: 0, maxTokens: 16, topP: 1, topK: 0 },
      });
      for await (const event of stream) {
        events.push(event);
      }

      const last = events.at(-1);
      assert.equal(last?.type, 'error');
      assert.ok(last.type === 'error');
      assert.equal(last.error.code, 'malformed');
      assert.match(last.error.message, /not valid HTTP \(HPE_INVALID_CONSTANT\)/);
    });
  }
});

test('oversized response headers are named', async (t) => {
  // An HTTP server whose Location header passes Node's header size limit of 16 KiB.
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.write(`HTTP/1.1 302 Found\r\nLocation: /${'a'.repeat(20_000)}\r\n\r\n`);
    socket.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as net.AddressInfo;
  const client = createProviderClient(
    { kind: 'openai-compatible', baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: 'k', headers: {} },
    { requestMs: 2000, idleMs: 1000 },
  );

  await assert.rejects(client.listModels(), (error: unknown) => {
    assert.ok(error instanceof ProviderError);
    assert.equal(error.code, 'malformed');
    assert.match(error.message, /response headers larger than the \d+ bytes Node\.js accepts/);
    assert.doesNotMatch(error.message, /not valid HTTP/);
    return true;
  });
});

test('errorCodes reads causes and aggregate members', () => {
  const connectionRefused = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
  const unreachable = Object.assign(new Error('unreachable'), { code: 'ENETUNREACH' });
  const aggregate = new AggregateError([connectionRefused, unreachable], 'all failed');
  const outer = Object.assign(new TypeError('fetch failed', { cause: aggregate }), {
    code: 'UND_ERR',
  });

  assert.deepEqual(errorCodes(outer), ['UND_ERR', 'ECONNREFUSED', 'ENETUNREACH']);
  assert.deepEqual(errorCodes('not an error'), []);
});
