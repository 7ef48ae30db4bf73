import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkHostBeforeRequest,
  checkHostOnSave,
  classifyAddress,
  type AddressClass,
} from './addressPolicy.js';

describe('provider address policy', () => {
  // Classification only: nothing here opens a connection.
  const cases: [string, AddressClass][] = [
    ['169.254.169.254', 'forbidden'],
    ['169.254.0.1', 'forbidden'],
    ['100.100.100.200', 'forbidden'],
    ['0.0.0.0', 'forbidden'],
    ['0.1.2.3', 'forbidden'],
    ['224.0.0.251', 'forbidden'],
    ['239.255.255.250', 'forbidden'],
    ['255.255.255.255', 'forbidden'],
    ['::', 'forbidden'],
    ['fe80::1', 'forbidden'],
    ['fd00:ec2::254', 'forbidden'],
    ['ff02::1', 'forbidden'],
    ['::ffff:169.254.169.254', 'forbidden'],
    ['::ffff:a9fe:a9fe', 'forbidden'],
    ['64:ff9b::a9fe:a9fe', 'forbidden'],
    ['64:ff9b::169.254.169.254', 'forbidden'],
    ['127.0.0.1', 'private'],
    ['127.255.0.9', 'private'],
    ['::1', 'private'],
    ['::ffff:127.0.0.1', 'private'],
    ['10.0.0.1', 'private'],
    ['fec0::1', 'private'],
    ['64:ff9b:1::a00:1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.0.1', 'private'],
    ['100.64.0.1', 'private'],
    ['100.127.255.254', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['64:ff9b::0a00:0001', 'private'],
    ['172.32.0.1', 'public'],
    ['100.128.0.1', 'public'],
    ['203.0.113.7', 'public'],
    ['2001:db8::1', 'public'],
  ];
  for (const [address, expected] of cases) {
    test(`${address} is ${expected}`, () => {
      assert.equal(classifyAddress(address), expected);
    });
  }

  test('literal metadata address is rejected before a request', async () => {
    const rejection = await checkHostBeforeRequest('169.254.169.254', 'allowed');

    assert.equal(rejection?.addressClass, 'forbidden');
    assert.match(rejection?.message ?? '', /link-local, cloud metadata, multicast or reserved/);
  });

  test('bracketed IPv6 host is checked', async () => {
    const rejection = await checkHostBeforeRequest('[::1]', 'denied');

    assert.equal(rejection?.addressClass, 'private');
  });

  test('private address passes when allowed', async () => {
    assert.equal(await checkHostBeforeRequest('10.0.0.1', 'allowed'), null);
  });

  test('localhost names are loopback without DNS', async () => {
    const plain = await checkHostOnSave('localhost', 'denied');
    const subdomain = await checkHostOnSave('api.localhost.', 'denied');

    assert.equal(plain?.addressClass, 'private');
    assert.equal(subdomain?.addressClass, 'private');
  });

  test('save skips DNS when private networks are allowed', async () => {
    // `.invalid` never resolves (RFC 6761), and no lookup is made for an allowed save.
    assert.equal(await checkHostOnSave('models.example.invalid', 'allowed'), null);
  });
});
