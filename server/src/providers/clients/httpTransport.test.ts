import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../../testing/freePort.js';
import { writeRepeated } from '../../testing/largeBody.js';
import { findProviderError } from './providerFetch.js';
import { nodeChunks, releaseBody, transportFetch } from './httpTransport.js';

describe('transportFetch', () => {
  let server: http.Server;
  let port: number;
  let connections = 0;
  const slowSockets: Socket[] = [];
  const requests: {
    method: string;
    url: string;
    body: string;
    headers: http.IncomingHttpHeaders;
  }[] = [];

  before(async () => {
    server = http.createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        requests.push({
          method: request.method ?? '',
          url: request.url ?? '',
          body,
          headers: request.headers,
        });
        if (request.url === '/empty') {
          response.writeHead(204).end();
        } else if (request.url === '/done-then-end') {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          response.write('data: [DONE]\n\n');
          setTimeout(() => response.end(), 20);
        } else if (request.url === '/endless-event' || request.url === '/many-events') {
          response.writeHead(200, { 'content-type': 'text/event-stream' });
          const piece =
            request.url === '/many-events' ? `data: ${'y'.repeat(1000)}\n\n` : 'x'.repeat(65_536);
          writeRepeated(response, piece, 9 * 1024 * 1024, true);
        } else if (request.url === '/upgrade') {
          request.socket.write(
            'HTTP/1.1 101 Switching Protocols\r\nUpgrade: other\r\nConnection: Upgrade\r\n\r\n',
          );
        } else if (request.url === '/slow') {
          slowSockets.push(request.socket);
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.write('first ');
        } else {
          response.writeHead(201, 'Made', { 'x-reply': 'yes', 'content-type': 'text/plain' });
          response.end(`echo ${body}`);
        }
      });
    });
    server.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
    });
  });

  test('sends method, headers and body', async () => {
    const response = await transportFetch('allowed')(`http://127.0.0.1:${port}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-custom': 'value' },
      body: '{"a":1}',
    });

    assert.equal(response.status, 201);
    assert.equal(response.statusText, 'Made');
    assert.equal(response.headers.get('x-reply'), 'yes');
    assert.equal(response.url, `http://127.0.0.1:${port}/echo`);
    assert.equal(await response.text(), 'echo {"a":1}');
    const received = requests.at(-1);
    assert.equal(received?.method, 'POST');
    assert.equal(received?.headers['x-custom'], 'value');
    assert.equal(received?.headers['content-length'], '7');
  });

  test('reuses the connection for the next request', async () => {
    const fetchOver = transportFetch('allowed');
    await (await fetchOver(`http://127.0.0.1:${port}/one`)).text();
    const before = connections;

    await (await fetchOver(`http://127.0.0.1:${port}/two`)).text();

    assert.equal(connections, before);
  });

  test('204 response has a null body', async () => {
    const response = await transportFetch('allowed')(`http://127.0.0.1:${port}/empty`);

    assert.equal(response.status, 204);
    assert.equal(response.body, null);
  });

  test('Node chunks carry the text', async () => {
    const response = await transportFetch('allowed')(`http://127.0.0.1:${port}/node`, {
      method: 'POST',
      body: 'node body',
    });
    const message = nodeChunks(response);
    assert.ok(message !== undefined);
    let text = '';
    for await (const chunk of message) {
      text += String(chunk);
    }

    assert.equal(text, 'echo node body');
  });

  test('abort after a full read keeps the connection', async () => {
    const fetchOver = transportFetch('allowed');
    await (await fetchOver(`http://127.0.0.1:${port}/warm`)).text();
    const before = connections;
    const controller = new AbortController();

    const response = await fetchOver(`http://127.0.0.1:${port}/read`, {
      signal: controller.signal,
    });
    await response.text();
    controller.abort();
    await (await fetchOver(`http://127.0.0.1:${port}/after`)).text();

    assert.equal(connections, before);
  });

  test('released body keeps the connection', async () => {
    const fetchOver = transportFetch('allowed');
    await (await fetchOver(`http://127.0.0.1:${port}/warm`)).text();
    const before = connections;
    const controller = new AbortController();

    const response = await fetchOver(`http://127.0.0.1:${port}/done-then-end`, {
      signal: controller.signal,
    });
    for await (const chunk of nodeChunks(response) ?? []) {
      assert.equal(String(chunk), 'data: [DONE]\n\n');
      break;
    }
    releaseBody(response);
    controller.abort();
    // The server ends the body 20 ms after its last event; the connection is free after that.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await (await fetchOver(`http://127.0.0.1:${port}/after`)).text();

    assert.equal(connections, before);
  });

  test('released body that never ends is closed', async () => {
    const response = await transportFetch('allowed')(`http://127.0.0.1:${port}/slow`);
    const socket = slowSockets.at(-1);
    assert.ok(socket !== undefined);
    const closed = new Promise<number>((resolve) => {
      socket.once('close', () => resolve(Date.now()));
    });
    for await (const chunk of nodeChunks(response) ?? []) {
      assert.equal(String(chunk), 'first ');
      break;
    }
    const released = Date.now();

    releaseBody(response);

    const waitedMs = (await closed) - released;
    assert.ok(waitedMs >= 900, `closed after ${waitedMs} ms`);
    assert.ok(waitedMs < 3_000, `closed after ${waitedMs} ms`);
  });

  test('abort during the body fails the read', async () => {
    const controller = new AbortController();
    const response = await transportFetch('allowed')(`http://127.0.0.1:${port}/slow`, {
      signal: controller.signal,
    });
    const reader = response.body?.getReader();
    assert.ok(reader !== undefined);
    const first = await reader.read();
    controller.abort();

    assert.equal(new TextDecoder().decode(first.value as Uint8Array), 'first ');
    await assert.rejects(reader.read(), { name: 'AbortError' });
  });

  test('abort before the request rejects with the reason', async () => {
    const controller = new AbortController();
    controller.abort();

    await assert.rejects(
      transportFetch('allowed')(`http://127.0.0.1:${port}/never`, { signal: controller.signal }),
      { name: 'AbortError' },
    );
  });

  test('refused connection fails as fetch does', async () => {
    const closedPort = await freePort();

    const failure: unknown = await transportFetch('allowed')(
      `http://127.0.0.1:${closedPort}/`,
    ).catch((error: unknown) => error);

    assert.ok(failure instanceof TypeError);
    assert.equal(failure.message, 'fetch failed');
    assert.equal((failure.cause as { code?: string }).code, 'ECONNREFUSED');
  });

  test('private name blocked at connect', async () => {
    const failure: unknown = await transportFetch('denied')(`http://localhost:${port}/`).catch(
      (error: unknown) => error,
    );

    assert.ok(failure instanceof TypeError);
    const blocked = findProviderError(failure);
    assert.equal(blocked?.code, 'blocked_address');
    assert.match(blocked?.message ?? '', /loopback or private network address/);
  });

  test('event stream event over 8 MiB fails the body', async () => {
    const response = await transportFetch('allowed')(`http://127.0.0.1:${port}/endless-event`);

    const failure: unknown = await response.text().catch((error: unknown) => error);

    assert.equal(findProviderError(failure)?.code, 'too_large');
    assert.match(String(findProviderError(failure)?.message), /stream event of over 8 MiB/);
  });

  test('event stream of many small events passes', async () => {
    const response = await transportFetch('allowed')(`http://127.0.0.1:${port}/many-events`);

    const text = await response.text();

    assert.ok(text.length > 9 * 1024 * 1024);
  });

  test('protocol switch fails the call', { timeout: 5_000 }, async () => {
    const failure: unknown = await transportFetch('allowed')(
      `http://127.0.0.1:${port}/upgrade`,
    ).catch((error: unknown) => error);

    assert.ok(failure instanceof TypeError);
    assert.match(String((failure.cause as Error).message), /HTTP 101, a protocol switch/);
  });

  test('form body is rejected with its type', async () => {
    await assert.rejects(
      transportFetch('allowed')(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        body: new FormData(),
      }),
      /sends text or byte bodies only, not \[object FormData\]/,
    );
  });
});

describe('transportFetch idle connections', () => {
  test('closed before the keep-alive timeout the server sent', async () => {
    const server = http.createServer((_request, response) => {
      response.end('ok');
    });
    // The server sends `Keep-Alive: timeout=2` and closes idle connections after 2 s.
    server.keepAliveTimeout = 2_000;
    const closedAt: number[] = [];
    server.on('connection', (socket: Socket) => {
      socket.once('close', () => closedAt.push(Date.now()));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      await (await transportFetch('allowed')(`http://127.0.0.1:${port}/`)).text();
      const answered = Date.now();

      await new Promise((resolve) => setTimeout(resolve, 1_600));

      assert.equal(closedAt.length, 1, 'the idle connection is still open');
      assert.ok((closedAt[0] ?? 0) - answered < 1_600);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
      });
    }
  });
});
