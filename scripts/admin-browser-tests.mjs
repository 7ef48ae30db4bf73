// Browser tests of the admin page at /admin/: a real server on loopback with seeded data, driven
// in Debian's chromium through playwright-core. Screenshots of every screen at 1366x768 and
// 375 px wide, light and dark, go to test-results/admin/.
// Usage: node --import tsx --test scripts/admin-browser-tests.mjs
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { AuditLog, User } from '../server/src/models/index.ts';
import { FORMULA_MODEL_ID, SEEDED_PERIOD } from '../server/src/testing/usageSeed.ts';
import {
  buildAdminPage,
  expectText,
  expiredCopyOf,
  launchBrowser,
  MEMBER_COUNT,
  openSection,
  PLAIN_USER,
  rowText,
  searchUsers,
  setPeriod,
  signIn,
  startSeededServer,
  TEST_ADMIN,
} from './admin/fixture.mjs';
import { takeScreenshots } from './admin/screens.mjs';

let server;
let seeded;
let browser;
/** The admin's page, signed in by the first test and used by the tests after it. */
let page;

before(async () => {
  await buildAdminPage();
  ({ server, seeded } = await startSeededServer());
  browser = await launchBrowser();
  ({ page } = await browser.newPage());
});

after(async () => {
  await browser?.browser.close();
  await server?.close();
});

test('plain user is refused', async () => {
  const { context, page: userPage } = await browser.newPage();
  const adminRequests = [];
  userPage.on('request', (request) => {
    if (request.url().includes('/api/admin/')) {
      adminRequests.push(request.url());
    }
  });

  await signIn(userPage, server.url, PLAIN_USER.nickname, PLAIN_USER.password);

  await userPage.getByRole('heading', { name: 'Admins only' }).waitFor();
  await expectText(userPage.getByRole('alert'), /carol does not have the admin role/);
  assert.equal(await userPage.getByRole('navigation', { name: 'Admin sections' }).count(), 0);
  assert.equal(await userPage.locator('admin-dashboard, admin-users').count(), 0);
  assert.deepEqual(adminRequests, []);
  await context.close();
});

test('wrong password shows the server message', async () => {
  const { context, page: guestPage } = await browser.newPage();
  await guestPage.goto(`${server.url}/admin/`);

  await guestPage.getByLabel('Email or nickname').fill(TEST_ADMIN.email);
  await guestPage.getByLabel('Password', { exact: true }).fill('not-the-password');
  await guestPage.getByRole('button', { name: 'Sign In' }).click();

  await expectText(
    guestPage.locator('admin-sign-in .error'),
    'The login or password is incorrect.',
  );
  assert.equal(await guestPage.getByRole('button', { name: 'Sign Out' }).count(), 0);
  await context.close();
});

test('dashboard shows seeded figures', async () => {
  await signIn(page, server.url, TEST_ADMIN.email, TEST_ADMIN.password);

  await setPeriod(page, SEEDED_PERIOD.from, SEEDED_PERIOD.to);

  const figure = (key) => page.locator(`[data-figure="${key}"] dd`);
  await expectText(figure('usage.cost'), '$1.9375 1 request without a price');
  await expectText(figure('usage.requests'), '5 1 failed');
  await expectText(figure('usage.tokens'), '7,165 3,510 prompt, 3,655 completion');
  await expectText(figure('usage.latency'), '260 ms');
  await expectText(figure('users.total'), String(await User.count()));
  await expectText(figure('users.admins'), '1');
  await expectText(figure('users.disabled'), '0');
});

test('usage tables show seeded figures', async () => {
  await openSection(page, 'Usage');

  const byModel = page.locator('tr[data-model]');
  await page.locator('tr[data-model="o-reason"]').waitFor();
  assert.equal(await byModel.count(), 3);
  assert.equal(
    await rowText(byModel.nth(0)),
    'Reasoner o-reason | Acme Cloud | 1 | 0 | 2,000 | 3,000 | 5,000 | $1.25 | 300 ms',
  );
  assert.equal(
    await rowText(byModel.nth(1)),
    'GPT Fast gpt-fast | Acme Cloud | 3 | 1 | 1,410 | 605 | 2,015 | $0.6875 | 200 ms',
  );
  assert.equal(
    await rowText(byModel.nth(2)),
    `${FORMULA_MODEL_ID} (config deleted) | — | 1 | 0 | 100 | 50 | 150 | $0.00 (+1 unpriced) | 400 ms`,
  );
  const byUser = page.locator('tr[data-user]');
  assert.equal(
    await rowText(byUser.nth(0)),
    'alice | alice@example.com | 2 | 0 | 3,000 | 3,500 | 6,500 | $1.75 | 200 ms',
  );
  assert.equal(
    await rowText(byUser.nth(2)),
    'Deleted user | — | 1 | 0 | 10 | 5 | 15 | $0.0625 | 300 ms',
  );
  const days = page.locator('tr[data-day]');
  assert.equal(await days.count(), 10);
  assert.equal(
    await rowText(page.locator('tr[data-day="2025-03-05"]')),
    '2025-03-05 | 2 | 1 | 2,400 | 3,100 | 5,500 | $1.375 | 250 ms',
  );
  assert.equal(
    await rowText(page.locator('tr[data-day="2025-03-02"]')),
    '2025-03-02 | 0 | 0 | 0 | 0 | 0 | $0.00 | —',
  );
});

test('usage charts show seeded figures', async () => {
  const chartTitle = (name) => page.locator(`admin-bar-chart[label="${name}"] svg > title`);

  await expectText(
    chartTitle('Cost by model'),
    'Cost by model: 3 bars, the highest $1.25 for Reasoner.',
  );
  await expectText(
    chartTitle('Cost by user'),
    'Cost by user: 3 bars, the highest $1.75 for alice.',
  );
  await expectText(
    chartTitle('Cost by day'),
    'Cost by day: 10 bars, the highest $1.375 for Mar 5.',
  );
  assert.equal(await page.locator('admin-bar-chart[label="Cost by day"] rect.bar').count(), 10);

  await page.getByLabel('Chart').selectOption('totalTokens');

  await expectText(
    chartTitle('Tokens by model'),
    'Tokens by model: 3 bars, the highest 5,000 for Reasoner.',
  );
  const barTitles = await page
    .locator('admin-bar-chart[label="Tokens by user"] rect.bar > title')
    .allTextContents();
  assert.deepEqual(barTitles, ['alice: 6,500', 'bob: 650', 'Deleted user: 15']);
  await page.getByLabel('Chart').selectOption('cost');
});

test('CSV export downloads the server file', async () => {
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV of usage by model' }).click();
  const download = await downloading;

  const text = fs.readFileSync(await download.path(), 'utf8');
  assert.equal(download.suggestedFilename(), 'usage-by-model-2025-03-01-to-2025-03-10.csv');
  assert.deepEqual(text.split('\r\n'), [
    'model_id,model_config_id,display_name,provider,requests,failed_requests,prompt_tokens,' +
      'completion_tokens,reasoning_tokens,total_tokens,cost_usd,unpriced_requests,avg_latency_ms',
    `o-reason,${seeded.reasonerConfigId},Reasoner,Acme Cloud,1,0,2000,3000,1000,5000,1.25,0,300`,
    `gpt-fast,${seeded.fastConfigId},GPT Fast,Acme Cloud,3,1,1410,605,0,2015,0.6875,0,200`,
    `"'=HYPERLINK(""http://127.0.0.1/x"",""a,b"")",,,,1,0,100,50,0,150,0,1,400`,
    '',
  ]);
});

test('users table searches, filters, sorts and pages', async () => {
  await openSection(page, 'Users');
  const rows = page.locator('admin-users tbody tr');
  const pager = page.locator('admin-users admin-pager .position');
  const total = await User.count();
  await expectText(pager, `Page 1 of 2 · ${total} users`);
  assert.equal(await rows.count(), 25);

  await page.getByRole('button', { name: 'Next' }).click();
  await expectText(pager, `Page 2 of 2 · ${total} users`);
  assert.equal(await rows.count(), total - 25);

  await searchUsers(page, 'member-');
  const members = `Page 1 of 2 · ${MEMBER_COUNT} users`;
  await expectText(pager, members);

  await page.getByRole('button', { name: 'Nickname' }).click();
  await expectText(rows.first().locator('th'), 'member-01');
  assert.equal(await page.locator('th[aria-sort="ascending"]').count(), 1);
  await page.getByRole('button', { name: 'Nickname' }).click();
  await expectText(rows.first().locator('th'), 'member-30');

  await searchUsers(page, '');
  await page.getByLabel('Role').selectOption('admin');
  await expectText(pager, 'Page 1 of 1 · 1 user');
  assert.match(
    await rowText(rows.first()),
    /^admin \| root-admin@example\.com \| Admin \| Active /,
  );
  await page.getByLabel('Role').selectOption('');
});

test('admin actions apply and are audited', async () => {
  await searchUsers(page, 'bob');
  const bobRow = page.locator('tr[data-user="bob"]');
  await bobRow.waitFor();
  const notice = page.locator('admin-users .notice');

  await page.getByRole('button', { name: 'Make Admin bob' }).click();
  await expectText(notice, 'bob is now an admin.');
  await page.getByRole('button', { name: 'Disable bob' }).click();
  await expectText(notice, 'bob is disabled, and their sessions have ended.');
  assert.match(await rowText(bobRow), /^bob \| bob@example\.com \| Admin \| Disabled /);
  await page.getByRole('button', { name: 'Enable bob' }).click();
  await expectText(notice, 'bob is enabled.');
  await page.getByRole('button', { name: 'Make User bob' }).click();
  await expectText(notice, 'bob is now a user.');

  const bob = await User.findByPk(seeded.bobId);
  assert.equal(bob?.role, 'user');
  assert.equal(bob?.isActive, true);
  const entries = await AuditLog.findAll({
    where: { targetType: 'user', targetId: String(seeded.bobId) },
    order: [['id', 'ASC']],
  });
  const actions = entries.map((entry) => entry.action).filter((name) => name.startsWith('user.'));
  assert.deepEqual(actions, [
    'user.role_change',
    'user.disable',
    'user.enable',
    'user.role_change',
  ]);
});

test('delete asks first and is audited', async () => {
  await searchUsers(page, 'member-30');
  await page.locator('tr[data-user="member-30"]').waitFor();
  const dialog = page.getByRole('dialog', { name: 'Delete member-30?' });

  await page.getByRole('button', { name: 'Delete member-30' }).click();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await User.count({ where: { nickname: 'member-30' } }), 1);

  await page.getByRole('button', { name: 'Delete member-30' }).click();
  await expectText(dialog.locator('p'), /member-30@example\.com .* It cannot be undone/);
  await dialog.getByRole('button', { name: 'Delete User' }).click();

  await expectText(page.locator('admin-users .notice'), 'member-30 was deleted.');
  await page.getByText('No users match the filters.').waitFor();
  assert.equal(await User.count({ where: { nickname: 'member-30' } }), 0);
  assert.equal(await AuditLog.count({ where: { action: 'user.delete' } }), 1);
});

test('last admin refusal is shown', async () => {
  await searchUsers(page, 'admin');
  await page.locator('tr[data-user="admin"]').waitFor();

  await page.getByRole('button', { name: 'Make User admin' }).click();
  await page
    .getByRole('dialog', { name: 'Give up the admin role?' })
    .getByRole('button', { name: 'Make User' })
    .click();

  await expectText(
    page.locator('admin-users .error'),
    'Cannot demote admin: they are the last active admin; make another user an admin first.',
  );
  assert.equal((await User.findOne({ where: { email: TEST_ADMIN.email } }))?.role, 'admin');
});

test('audit log filters by user, action and period', async () => {
  await openSection(page, 'Audit Log');
  const rows = page.locator('admin-audit tbody tr[data-action]');
  const apply = page.getByRole('button', { name: 'Apply Filters' });
  // The seeded period lies in the past, so the entries of this run are from today.
  const today = new Date().toISOString().slice(0, 10);
  await setPeriod(page, today, today);

  await page.getByLabel('User', { exact: true }).fill('bob');
  await apply.click();
  await expectText(page.locator('admin-audit admin-pager .position'), 'Page 1 of 1 · 6 entries');
  const bobActions = (
    await rows.evaluateAll((items) => items.map((item) => item.dataset.action))
  ).sort();
  assert.deepEqual(bobActions, [
    'auth.login',
    'auth.register',
    'user.disable',
    'user.enable',
    'user.role_change',
    'user.role_change',
  ]);

  await page.getByLabel('Action').selectOption('user.disable');
  await apply.click();
  await expectText(page.locator('admin-audit admin-pager .position'), 'Page 1 of 1 · 1 entry');
  assert.match(
    await rowText(rows.first()),
    /^[^|]+ \| admin \(#\d+\) \| user\.disable \| user #\d+ \| /,
  );

  await setPeriod(page, '2024-01-01', '2024-01-31');
  await page.getByText('No entries match the filters.').waitFor();

  await page.getByRole('button', { name: 'Clear' }).click();
  await setPeriod(page, today, today);
  await expectText(
    page.locator('admin-audit admin-pager .position'),
    /^Page 1 of \d+ · \d+ entries$/,
  );
});

test('session survives access token expiry', async () => {
  const refreshes = [];
  const rejected = [];
  let lastToken = '';
  page.on('request', (request) => {
    if (request.url().endsWith('/api/auth/refresh')) {
      refreshes.push(request.url());
    }
    lastToken = request.headers().authorization?.slice('Bearer '.length) ?? lastToken;
  });
  page.on('response', (response) => {
    if (response.status() === 401) {
      rejected.push(new URL(response.url()).pathname);
    }
  });
  await openSection(page, 'Dashboard');
  await setPeriod(page, SEEDED_PERIOD.from, SEEDED_PERIOD.to);
  await expectText(page.locator('[data-figure="usage.cost"] dd'), /^\$1\.9375/);
  const expired = expiredCopyOf(lastToken, server.config.jwtSecret);
  // The app keeps its AdminApi in a private field; the test swaps the token in memory only.
  await page.evaluate((token) => {
    globalThis.document.querySelector('admin-app').api.accessToken = token;
  }, expired);

  await openSection(page, 'Usage');

  await page.locator('tr[data-model="o-reason"]').waitFor();
  assert.deepEqual(rejected.sort(), ['/api/admin/usage', '/api/admin/usage/gpu-hours']);
  assert.equal(refreshes.length, 1, 'the two rejected requests share one refresh');
  assert.notEqual(lastToken, expired);
  assert.equal(await page.locator('admin-usage .error').textContent(), '');
});

test('session refreshes before a known expiry and on reload', async () => {
  const refreshes = [];
  const rejected = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/api/auth/refresh')) {
      refreshes.push(request.url());
    }
  });
  page.on('response', (response) => {
    if (response.status() === 401) {
      rejected.push(response.url());
    }
  });
  await page.evaluate(() => {
    globalThis.document.querySelector('admin-app').api.expiresAt = 0;
  });

  await openSection(page, 'Dashboard');
  await page.locator('[data-figure="usage.cost"]').waitFor();
  await page.reload();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await page.locator('[data-figure="usage.cost"]').waitFor();

  assert.equal(refreshes.length, 2, 'one refresh before the dashboard request, one on reload');
  assert.deepEqual(rejected, []);
});

test('sign out ends the session', async () => {
  await page.getByRole('button', { name: 'Sign Out' }).click();
  await page.getByRole('button', { name: 'Sign In' }).waitFor();
  await expectText(page.locator('admin-sign-in .notice'), 'You are signed out.');

  await page.reload();

  await page.getByRole('button', { name: 'Sign In' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Sign Out' }).count(), 0);
});

test('keyboard alone signs in and navigates', async () => {
  const focusedInApp = () =>
    page.evaluate(() => {
      const element = globalThis.document.activeElement?.shadowRoot?.activeElement;
      return {
        tag: element?.tagName.toLowerCase(),
        text: element?.textContent?.trim().replace(/\s+/g, ' '),
        outline: element ? globalThis.getComputedStyle(element).outlineStyle : undefined,
      };
    });
  await page.getByLabel('Email or nickname').focus();
  await page.keyboard.type('admin');
  await page.keyboard.press('Tab');
  await page.keyboard.type(TEST_ADMIN.password);
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Sign Out' }).waitFor();

  assert.equal((await focusedInApp()).tag, 'main');
  await page.keyboard.press('Shift+Tab');
  assert.deepEqual(await focusedInApp(), { tag: 'button', text: 'Sign Out', outline: 'solid' });
  await page.keyboard.press('Shift+Tab');
  assert.deepEqual(await focusedInApp(), { tag: 'a', text: 'Audit Log', outline: 'solid' });
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 2, name: 'Audit log' }).waitFor();
});

test('screens fit at both widths in both themes', async () => {
  const overflows = await takeScreenshots(browser, server.url);

  assert.deepEqual(overflows, []);
});

test('page stays on loopback without errors', () => {
  assert.deepEqual(browser.externalRequests, []);
  assert.deepEqual(browser.pageErrors, []);
  assert.deepEqual(browser.missingFiles, []);
});
