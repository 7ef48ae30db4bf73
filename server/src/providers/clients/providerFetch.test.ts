import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { guardedProviderFetch } from './providerFetch.js';
import { ProviderError } from './types.js';

describe('guardedProviderFetch redirects', () => {
  let server: http.Server;
  let baseUrl: string;
  let location = '';

  before(async () => {
    server = http.createServer((_request, response) => {
      response.writeHead(302, { location });
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => {
    server.close();
  });

  const redirectMessage = async (target: string): Promise<string> => {
    location = target;
    const fetch = guardedProviderFetch({ privateNetworks: 'allowed', streaming: false });
    const error = await fetch(`${baseUrl}/v1/models`).then(
      () => assert.fail('the redirect was followed'),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof ProviderError);
    assert.equal(error.code, 'redirected');
    return error.message;
  };

  test('message quotes a relative target in full', async () => {
    const message = await redirectMessage('/v2/models');

    assert.match(
      message,
      new RegExp(`redirected the request to ${baseUrl}/v2/models \\(HTTP 302\\)`),
    );
  });

  test('message hides credentials and query', async () => {
    const message = await redirectMessage(
      'http://proxy-user:proxy-secret@127.0.0.1:9/files/model.bin?X-Amz-Signature=abc123#part',
    );

    assert.match(
      message,
      /redirected the request to http:\/\/127\.0\.0\.1:9\/files\/model\.bin\?…/,
    );
    assert.doesNotMatch(message, /proxy-secret|proxy-user|abc123|#part/);
  });

  const unquoted: [string, string, RegExp][] = [
    [
      'invalid URL',
      'http://user:secret@127.0.0.1:99999/x?sig=abc',
      /to an address that is not a valid URL/,
    ],
    [
      'unclosed IPv6 host',
      'http://user:secret@[::1/x?sig=abc',
      /to an address that is not a valid URL/,
    ],
    [
      'another scheme',
      'user:secret@127.0.0.1:9/x?sig=abc',
      /to an address with the scheme "user:"/,
    ],
  ];
  for (const [label, target, expected] of unquoted) {
    test(`message omits ${label}`, async () => {
      const message = await redirectMessage(target);

      assert.match(message, expected);
      assert.doesNotMatch(message, /secret|sig=abc/);
    });
  }

  test('message cuts a long target', async () => {
    const message = await redirectMessage(`/${'a'.repeat(5000)}`);

    const target = /redirected the request to (\S+) \(HTTP 302\)/.exec(message)?.[1] ?? '';
    assert.equal(target.length, 201);
    assert.ok(target.endsWith('…'));
  });
});
