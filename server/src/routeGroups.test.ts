import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Koa from 'koa';
import type { AppContextExtras, AppState } from './context.js';
import { groupOf, RouteGroups } from './routeGroups.js';

describe('groupOf', () => {
  const cases: [string, string][] = [
    ['/api/chat/sessions/1', '/api/chat'],
    ['/api/chat', '/api/chat'],
    ['/api/chat/', '/api/chat'],
    ['/API/Chat/Sessions', '/api/chat'],
    ['/api/openapi.json', '/api/openapi.json'],
    ['/api', '/api'],
    ['/admin/app.js', '/admin'],
    ['/admin', '/admin'],
    ['/', '/'],
  ];
  for (const [path, group] of cases) {
    test(`${path} is in ${group}`, () => {
      assert.equal(groupOf(path), group);
    });
  }
});

describe('RouteGroups', () => {
  let server: http.Server;
  let url: string;

  before(async () => {
    const groups = new RouteGroups();
    groups.route('get', '/api/things/:id', (ctx) => {
      ctx.body = { thing: ctx.params.id };
    });
    groups.route('post', '/api/things', (ctx) => {
      ctx.status = 201;
    });
    groups.route('get', '/api/other', (ctx) => {
      ctx.body = { other: true };
    });
    groups.route('get', '/admin/:file', (ctx) => {
      ctx.body = { file: ctx.params.file };
    });
    const app = new Koa<AppState, AppContextExtras>();
    app.use(groups.middleware());
    app.use((ctx) => {
      ctx.status = 404;
      ctx.body = { fellThrough: ctx.path };
    });
    const handle = app.callback();
    server = http.createServer((request, response) => {
      void handle(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
    });
  });

  test('group route receives its params', async () => {
    const response = await fetch(`${url}/api/things/7`);

    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { thing: '7' });
  });

  test('paths match without regard to case', async () => {
    const response = await fetch(`${url}/API/Things/7`);

    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { thing: '7' });
  });

  test('other method on a known path gets 405', async () => {
    const response = await fetch(`${url}/api/things/7`, { method: 'DELETE' });

    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'HEAD, GET');
  });

  test('unknown group falls through', async () => {
    const response = await fetch(`${url}/api/nothing/1`);

    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { fellThrough: '/api/nothing/1' });
  });

  test('unknown path in a known group falls through', async () => {
    const response = await fetch(`${url}/api/other/1`);

    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { fellThrough: '/api/other/1' });
  });

  test('non-API group matches by its first segment', async () => {
    const response = await fetch(`${url}/admin/app.js`);

    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { file: 'app.js' });
  });

  test('parameter in the group segment is rejected', () => {
    const groups = new RouteGroups();

    assert.throws(
      () => groups.route('get', '/api/:kind/list', () => undefined),
      /Route path \/api\/:kind\/list has a parameter in its group \/api\/:kind; use a literal\./,
    );
  });
});
