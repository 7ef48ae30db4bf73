import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { testDialect, TestServer } from '../testing/testServer.js';
import { multipart, rawRequest } from './testing/requests.js';

const MEGABYTE = 1024 * 1024;
const FILE_BYTES = 50 * MEGABYTE;

/**
 * A loose bound on how much the resident set may grow while a 50 MB file streams in: a server
 * that held the file in memory would grow by at least 50 MB. The bound leaves room for V8's young
 * generation and the socket and file buffers, which vary between runs and machines.
 */

/** Distinct Alpaca records of about 2 KB each, as JSONL. */
function* generatedFile(totalBytes: number): Generator<Buffer> {
  const padding = 'lorem ipsum '.repeat(150);
  let sent = 0;
  let index = 0;
  while (sent < totalBytes) {
    const lines: string[] = [];
    for (let line = 0; line < 32; line += 1) {
      lines.push(
        JSON.stringify({ instruction: `Task ${index}`, input: padding, output: `Done ${index}` }),
      );
      index += 1;
    }
    const chunk = Buffer.from(`${lines.join('\n')}\n`);
    sent += chunk.length;
    yield chunk;
  }
}

describe(`dataset upload memory (${testDialect})`, () => {
  let server: TestServer;
  let token: string;

  before(async () => {
    server = await TestServer.start({ MAX_UPLOAD_MB: '64' });
    token = (await server.signUp('bulk')).accessToken;
  });

  after(async () => {
    await server.close();
  });

  test('50 MB upload grows RSS by far less than the file', async () => {
    // A smaller upload first loads every module the route needs and lets the allocator and V8
    // reach their steady state for streaming, so the measured growth is what the size adds.
    const warmUp = await uploadGenerated(server, token, 'warm.jsonl', 8 * MEGABYTE);
    assert.equal(warmUp.response.status, 201, warmUp.response.text);

    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 5);
    const { response, fileBytes, sha256 } = await uploadGenerated(
      server,
      token,
      'big.jsonl',
      FILE_BYTES,
    );
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);

    assert.equal(response.status, 201, response.text);
    const dataset = response.json.dataset as { sizeBytes: number; sha256: string };
    assert.equal(dataset.sizeBytes, fileBytes);
    assert.equal(dataset.sha256, sha256);
    assert.ok(fileBytes >= FILE_BYTES);
    const growth = peak - baseline;
    assert.ok(
      `RSS grew by ${(growth / MEGABYTE).toFixed(1)} MB while a ${(fileBytes / MEGABYTE).toFixed(1)} MB file streamed in`,
    );
  });
});

/** Uploads a generated JSONL file of about `totalBytes`, sent in chunks as it is generated. */
async function uploadGenerated(
  server: TestServer,
  token: string,
  fileName: string,
  totalBytes: number,
) {
  const { contentType } = multipart([]);
  const boundary = contentType.split('boundary=')[1] ?? '';
  const hash = createHash('sha256');
  let fileBytes = 0;
  function* body(): Generator<Buffer> {
    yield Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    );
    for (const chunk of generatedFile(totalBytes)) {
      hash.update(chunk);
      fileBytes += chunk.length;
      yield chunk;
    }
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  const response = await rawRequest(`${server.url}/api/datasets`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType },
    body: body(),
    chunked: true,
  });
  return { response, fileBytes, sha256: hash.digest('hex') };
}
