// The Playwright UI test: drives the code-server workbench with the extension loaded the way a
// user would, from the activity bar, the command palette and the input boxes, and saves a
// screenshot after each step.
import fs from 'node:fs';
import path from 'node:path';
import { launchChromium } from './browser.mjs';
import { startCodeServer } from './code-server.mjs';
import { startTour } from './tour-data.mjs';
import { TOUR_STEPS } from './tour-steps.mjs';
import { answerInputBox, runCommand } from './workbench-ui.mjs';

const VIEWS = [
  { name: 'Providers', noun: 'providers' },
  { name: 'Datasets', noun: 'datasets' },
  { name: 'Prompts', noun: 'prompts' },
  { name: 'Training Tasks', noun: 'training tasks' },
];
const CONTAINER = '.activitybar [aria-label^="LLM Workbench"]';

// Each step receives { page, sidebar, statusItem, server, shot, docsShot, workbenchUrl, tour }.
// `docsShot(name, { target, ...options })` writes a README tour screenshot of `target` (the
// workbench page unless given) with Playwright's screenshot `options`, such as `clip`, to
// docs/images/ when LLM_WORKBENCH_DOCS_IMAGES=1, so an ordinary run leaves the committed images
// unchanged. `tour` is set only in that mode, when the tour steps of tour-steps.mjs run after
// these.

async function workbenchLoads({ page, shot, workbenchUrl }) {
  await page.goto(workbenchUrl);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator(CONTAINER).first().waitFor({ timeout: 30_000 });
  await shot('01-workbench');
}

async function signedOutWelcome({ page, sidebar, statusItem, shot }) {
  // Opening the container activates the extension, which then adds its status bar item.
  await page.locator(CONTAINER).first().click();
  await statusItem.filter({ hasText: 'LLM Workbench: Sign In' }).waitFor({ timeout: 30_000 });
  for (const view of VIEWS) {
    await sidebar.locator('.pane-header', { hasText: view.name }).first().waitFor();
    await sidebar
      .getByText(`Sign in to your LLM Workbench server to see your ${view.noun}.`)
      .waitFor({ timeout: 15_000 });
  }
  await shot('02-signed-out-views');
}

async function signInFromPalette({ page, statusItem, server, shot, docsShot }) {
  await runCommand(page, 'LLM Workbench: Sign In');
  await answerInputBox(page, 'Sign In to LLM Workbench (1/3)', server.url, () =>
    shot('04-server-url'),
  );
  await answerInputBox(page, 'Sign In to LLM Workbench (2/3)', server.login, () =>
    shot('05-login'),
  );
  await answerInputBox(page, 'Sign In to LLM Workbench (3/3)', server.password, () =>
    shot('06-password'),
  );
  await statusItem.filter({ hasText: server.nickname }).waitFor({ timeout: 15_000 });
  await shot('07-signed-in-status-bar');
  await docsShot('signed-in');
}

async function signedInWelcome({ sidebar, shot }) {
  await sidebar
    .getByText('No datasets yet. Upload a JSON, JSONL or CSV dataset')
    .waitFor({ timeout: 15_000 });
  const signedOut = sidebar.getByText('Sign in to your LLM Workbench server to see your datasets.');
  if ((await signedOut.count()) !== 0) {
    throw new Error('Datasets still shows its signed-out welcome');
  }
  await shot('08-signed-in-datasets');
}

async function accountsMenu({ page, server, shot }) {
  await page.locator('.activitybar [aria-label^="Accounts"]').first().click();
  const account = `${server.nickname} (${new URL(server.url).host})`;
  await page.locator('.monaco-menu').getByText(account).first().waitFor({ timeout: 10_000 });
  await shot('09-accounts-menu');
  await page.keyboard.press('Escape');
}

async function overviewPanel({ page, server, shot, docsShot }) {
  await runCommand(page, 'LLM Workbench: Open Server Overview');
  // A webview is an iframe that hosts the page in a nested #active-frame iframe. Playwright's CSS
  // selectors pierce the open shadow root of the Lit element.
  const webview = page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
  const status = webview.locator('#server-status');
  await status.filter({ hasText: 'Reachable, version' }).waitFor({ timeout: 20_000 });
  const account = webview.locator('#account');
  await account.filter({ hasText: `${server.nickname} (${server.login})` }).waitFor();
  const url = (await webview.locator('#server-url').textContent())?.trim();
  if (url !== server.url) {
    throw new Error(`the panel shows server ${url}, expected ${server.url}`);
  }
  const texts = [await status.textContent(), await account.textContent()];
  console.log(`       overview: ${texts.map((text) => text.trim()).join(' | ')}`);
  await shot('10-overview-panel');
  await docsShot('overview-panel');
}

async function walkthroughPage({ page, shot, docsShot }) {
  await runCommand(page, 'Welcome: Open Walkthrough');
  const title = 'Get Started with LLM Workbench';
  const item = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await item.waitFor({ timeout: 10_000 });
  await item.click();
  const editor = page.locator('#workbench\\.parts\\.editor');
  await editor.getByText(title).first().waitFor({ timeout: 15_000 });
  await editor.getByText('Sign in', { exact: true }).first().waitFor({ timeout: 10_000 });
  await shot('11-walkthrough');
  await docsShot('walkthrough');
}

const STEPS = [
  ['workbench loads the extension', workbenchLoads],
  ['views show the signed-out welcome', signedOutWelcome],
  ['sign in from the command palette', signInFromPalette],
  ['datasets shows the signed-in welcome', signedInWelcome],
  ['accounts menu lists the account', accountsMenu],
  ['overview panel renders the server and account', overviewPanel],
  ['walkthrough lists the getting-started steps', walkthroughPage],
];

/** Runs the steps in order. After a failure, the remaining steps are skipped and count as failed. */
async function runSteps(steps, context, screenshot) {
  let passed = 0;
  let failed = 0;
  for (const [name, step] of steps) {
    if (failed > 0) {
      failed += 1;
      console.log(`  skip ${name}: an earlier step failed`);
      continue;
    }
    const started = Date.now();
    try {
      await step(context);
      passed += 1;
      console.log(`  ok   ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      failed += 1;
      console.log(`  FAIL ${name}: ${error.message.split('\n')[0]}`);
      await screenshot(`failed-${name.replace(/\W+/g, '-')}`);
    }
  }
  return { passed, failed };
}

/**
 * Starts code-server in `dir` with the extension at `root`, runs the UI steps against the
 * LLM Workbench server `server` ({ url, login, password, nickname }), and resolves with the
 * passed and failed step counts. Screenshots go to `screenshotsDir`. With
 * LLM_WORKBENCH_DOCS_IMAGES=1 the README tour's steps run after the ordinary ones.
 */
export async function runUiTest({ dir, root, workspace, settings, server, screenshotsDir }) {
  fs.rmSync(screenshotsDir, { recursive: true, force: true });
  fs.mkdirSync(screenshotsDir, { recursive: true });
  const docsImages = process.env.LLM_WORKBENCH_DOCS_IMAGES === '1';
  const codeServer = await startCodeServer({ dir, folder: workspace, settings });
  let browser;
  let tour;
  try {
    browser = await launchChromium(dir);
    const { page } = browser;
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    const screenshot = (name) =>
      page.screenshot({ path: path.join(screenshotsDir, `${name}.png`) }).catch((error) => {
        console.error(`Screenshot ${name} failed: ${error.message}`);
      });
    const docsDir = path.join(root, 'docs/images');
    const docsShot = async (name, { target = page, ...options } = {}) => {
      if (!docsImages) {
        return;
      }
      fs.mkdirSync(docsDir, { recursive: true });
      await target.screenshot({ path: path.join(docsDir, `${name}.png`), ...options });
    };
    if (docsImages) {
      tour = await startTour({ root, workspace, server });
    }
    const context = {
      page,
      sidebar: page.locator('#workbench\\.parts\\.sidebar'),
      statusItem: page.locator('.statusbar-item[id$="llmWorkbench.status"]'),
      server,
      shot: screenshot,
      docsShot,
      workbenchUrl: codeServer.url({ extensionDevelopmentPath: root }),
      tour,
    };
    const steps = docsImages ? [...STEPS, ...TOUR_STEPS] : STEPS;
    const result = await runSteps(steps, context, screenshot);
    if (pageErrors.length > 0) {
      console.log(`Page errors:\n  ${pageErrors.join('\n  ')}`);
    }
    if (browser.externalRequests.length > 0) {
      result.failed += 1;
      console.log(`  FAIL non-loopback requests:\n  ${browser.externalRequests.join('\n  ')}`);
    }
    return result;
  } finally {
    await browser?.close();
    await tour?.close();
    await codeServer.stop();
  }
}
