// The setup of the admin page browser tests: a real server with a temporary SQLite database and
// seeded users, usage and audit entries, Debian's chromium through playwright-core, and helpers
// to drive the page. Loaded through tsx, because it imports the server's TypeScript test harness.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Buffer } from 'node:buffer';
import { setTimeout as delay } from 'node:timers/promises';
import * as esbuild from 'esbuild';
import jwt from 'jsonwebtoken';
import { chromium } from 'playwright-core';
import { TEST_ADMIN, TestServer } from '../../server/src/testing/testServer.ts';
import { seedUsage } from '../../server/src/testing/usageSeed.ts';
import { CHROMIUM_PATH } from '../vscode/browser.mjs';

export { TEST_ADMIN };

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Screenshots go here; test-results/ is git-ignored. */
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'admin');

/** The plain (non-admin) account of the refusal test. */
export const PLAIN_USER = { nickname: 'carol', password: 'carol-password-1' };

/** Accounts added so that the users table has more than one page of 25. */
export const MEMBER_COUNT = 30;

export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 375, height: 812 };

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  // Every host name but loopback fails to resolve, so the page cannot reach another machine.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];

/**
 * Builds the admin page into dist/webviews/admin, where the server serves it from, with the
 * options of the webviews target in esbuild.config.mjs. Only the admin entry is built, so the
 * other webviews cannot fail this suite.
 */
export async function buildAdminPage() {
  await esbuild.build({
    entryPoints: { 'admin/main': path.join(ROOT, 'webviews/src/admin/main.ts') },
    outdir: path.join(ROOT, 'dist/webviews'),
    bundle: true,
    sourcemap: 'linked',
    target: 'es2022',
    platform: 'browser',
    format: 'esm',
    logLevel: 'warning',
  });
  fs.copyFileSync(
    path.join(ROOT, 'webviews/src/admin/index.html'),
    path.join(ROOT, 'dist/webviews/admin/index.html'),
  );
}

/** Starts the server and seeds usage (alice, bob), the plain user and the member accounts. */
export async function startSeededServer() {
  const server = await TestServer.start({ AUTH_MAX_FAILURES: '1000' });
  const seeded = await seedUsage(server);
  await server.signUp(PLAIN_USER.nickname, PLAIN_USER.password);
  await Promise.all(
    Array.from({ length: MEMBER_COUNT }, (_, index) =>
      server.signUp(`member-${String(index + 1).padStart(2, '0')}`),
    ),
  );
  return { server, seeded };
}

/**
 * Launches chromium headless. `externalRequests` collects every request not sent to loopback,
 * `pageErrors` every uncaught exception and Content Security Policy violation of the pages, and
 * `missingFiles` every page file (the API excluded) for which the server returned 404.
 */
export async function launchBrowser() {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}; apt-get install chromium`);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const externalRequests = [];
  const pageErrors = [];
  const missingFiles = [];
  const newPage = async ({ viewport = DESKTOP, colorScheme = 'light' } = {}) => {
    const context = await browser.newContext({
      viewport,
      colorScheme,
      locale: 'en-US',
      timezoneId: 'UTC',
      acceptDownloads: true,
    });
    context.on('request', (request) => {
      const { hostname, protocol } = new URL(request.url());
      if (['http:', 'https:', 'ws:', 'wss:'].includes(protocol) && hostname !== '127.0.0.1') {
        externalRequests.push(request.url());
      }
    });
    context.on('response', (response) => {
      const { pathname } = new URL(response.url());
      if (response.status() === 404 && !pathname.startsWith('/api/')) {
        missingFiles.push(response.url());
      }
    });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error' && message.text().includes('Content Security Policy')) {
        pageErrors.push(message.text());
      }
    });
    return { context, page };
  };
  return { browser, newPage, externalRequests, pageErrors, missingFiles };
}

/** Opens the admin page and signs in through its form. */
export async function signIn(page, baseUrl, login, password) {
  await page.goto(`${baseUrl}/admin/`);
  await page.getByLabel('Email or nickname').fill(login);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign In' }).click();
  await page.getByRole('button', { name: 'Sign Out' }).waitFor();
}

/** Opens a section through its link in the page's navigation. */
export async function openSection(page, name) {
  await page
    .getByRole('navigation', { name: 'Admin sections' })
    .getByRole('link', { name })
    .click();
  await page
    .getByRole('heading', { level: 2, name: name === 'Usage' ? 'Usage and cost' : name })
    .waitFor();
}

/**
 * Sets the period of the visible section. The To date goes first, so that no intermediate
 * period ends before it starts, at least when the new period lies before the current one.
 */
export async function setPeriod(page, from, to) {
  await page.getByLabel('To (UTC)').fill(to);
  await page.getByLabel('From (UTC)').fill(from);
}

/**
 * Waits until the text of `locator` (whitespace collapsed) equals `expected`, or matches it when
 * it is a RegExp, and returns that text. On timeout it returns the last text, for the caller's
 * assertion to show.
 */
export async function textOf(locator, expected, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const raw = await locator.first().textContent({ timeout: timeoutMs });
    const text = (raw ?? '').replace(/\s+/g, ' ').trim();
    const matches = expected instanceof RegExp ? expected.test(text) : text === expected;
    if (matches || Date.now() > deadline) {
      return text;
    }
    await delay(50);
  }
}

/** Asserts that the text of `locator` comes to equal `expected`, or to match it (a RegExp). */
export async function expectText(locator, expected) {
  const text = await textOf(locator, expected);
  if (expected instanceof RegExp) {
    assert.match(text, expected);
  } else {
    assert.equal(text, expected);
  }
}

/** Types `text` into the users search box and submits it. */
export async function searchUsers(page, text) {
  const searchbox = page.getByRole('searchbox', { name: 'Search' });
  await searchbox.fill(text);
  await searchbox.press('Enter');
}

/** Returns the texts of the cells of a table row, whitespace collapsed, joined by " | ". */
export async function rowText(row) {
  await row.waitFor();
  const texts = await row.locator('th, td').allTextContents();
  return texts.map((text) => text.replace(/\s+/g, ' ').trim()).join(' | ');
}

/**
 * Returns a copy of an access token that expired a minute ago, signed with the server's key, so
 * the server rejects it as expired like any token older than its 15-minute lifetime.
 */
export function expiredCopyOf(token, jwtSecret) {
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  const now = Math.floor(Date.now() / 1000);
  return jwt.sign({ ...claims, iat: now - 16 * 60, exp: now - 60 }, jwtSecret, {
    algorithm: 'HS256',
  });
}

/** Saves a full-page screenshot as test-results/admin/NAME.png. */
export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
