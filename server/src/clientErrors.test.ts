import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { TestServer } from './testing/testServer.js';

let server: TestServer;

before(async () => {
  server = await TestServer.start();
});

after(async () => {
  await server.close();
});

/** The status line, headers and body of a raw HTTP/1.1 response. */
interface RawReply {
  statusLine: string;
  headers: string;
  body: string;
}

/**
 * Writes `parts` to a new connection, half-closing it after the last one when `halfClose` is
 * set, and reads until the server closes the connection.
 */
async function exchange(parts: string[], options: { halfClose?: boolean } = {}): Promise<RawReply> {
  const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1');
  await once(socket, 'connect');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = once(socket, 'close');
  for (const part of parts) {
    socket.write(part);
  }
  if (options.halfClose === true) {
    socket.end();
  }
  await closed;
  const text = Buffer.concat(chunks).toString('utf8');
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  return { statusLine, headers: headerLines.join('\n'), body };
}

function errorCode(reply: RawReply): unknown {
  return (JSON.parse(reply.body) as { error: { code: string } }).error.code;
}

describe('requests the HTTP parser rejects', () => {
  test('oversized headers get a JSON 431', async () => {
    const reply = await exchange([
      `GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ${'a'.repeat(20_000)}\r\n\r\n`,
    ]);

    assert.match(reply.statusLine, /^HTTP\/1\.1 431 /);
    assert.match(reply.headers, /content-type: application\/json/i);
    assert.equal(errorCode(reply), 'headers_too_large');
    assert.match(reply.body, /shorten the URL or the headers/);
  });

  test('malformed request line gets a JSON 400', async () => {
    const reply = await exchange(['NOT A REQUEST\r\n\r\n']);

    assert.match(reply.statusLine, /^HTTP\/1\.1 400 /);
    assert.equal(errorCode(reply), 'bad_request');
    assert.match(reply.body, /not valid HTTP \(HPE_/);
  });

  test('chunked body cut by a half-close gets a JSON 400', async () => {
    const reply = await exchange(
      [
        'POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
          'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
        '5\r\n{"log\r\n',
      ],
      { halfClose: true },
    );

    assert.match(reply.statusLine, /^HTTP\/1\.1 400 /);
    assert.match(reply.headers, /content-type: application\/json/i);
    assert.equal(errorCode(reply), 'incomplete_request');
  });

  test('server still answers afterwards', async () => {
    const response = await fetch(`${server.url}/api/health`);

    assert.equal(response.status, 200);
  });
});
