// The README tour's screenshots of steps 2 to 9: UI steps that run after the ordinary UI test's
// steps when LLM_WORKBENCH_DOCS_IMAGES=1. They need loopback stand-ins for the providers, a
// loopback sshd and a real training run on it, which would make the ordinary UI test slower, so
// it skips them. Data that a screenshot is not about (providers, model configs, the GPU host, the
// training task) is created through the server's API by tour-data.mjs, and each screenshot shows
// the extension, or the admin page, rendering it.
import fs from 'node:fs';
import path from 'node:path';
import {
  addProvidersAndConfigs,
  CHAT,
  COMPARE,
  MODEL_CONFIGS,
  startTrainingRun,
} from './tour-data.mjs';
import { answerInputBox, runCommand } from './workbench-ui.mjs';

/** The prompt file of the quick fix step: its first role is misspelt. */
const PROMPT_FILE = {
  name: 'greeter.prompt.json',
  text: `[
  { "role": "sytem", "content": "You greet {{name}} in one friendly sentence." },
  { "role": "user", "content": "Hello, I am {{name}}." }
]
`,
  fix: 'Change "sytem" to "system"',
};

/** Returns a regular expression that matches exactly `text`. */
function exactly(text) {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** The editor area, which the webview panels and the text editors fill. */
const EDITOR_PART = '#workbench\\.parts\\.editor';

/** Returns the bounding box of `locator`, for a screenshot clipped to it. */
async function boxOf(locator) {
  const box = await locator.boundingBox();
  if (box === null) {
    throw new Error(`${locator} is not visible`);
  }
  return box;
}

/** Returns the page inside the visible webview (an iframe that hosts it in #active-frame). */
function webviewFrame(page) {
  return page.frameLocator('iframe.webview.ready').last().frameLocator('#active-frame');
}

/** Closes every editor, so that the webview a step opens next is the only one. */
async function closeAllEditors(page) {
  await runCommand(page, 'View: Close All Editors');
  await page
    .locator(`${EDITOR_PART} .tabs-container .tab`)
    .first()
    .waitFor({ state: 'detached', timeout: 10_000 });
}

/** Opens a workspace file by name through Quick Open. */
async function openFile(page, name) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(name);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: name })
    .first()
    .waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/** Returns the side bar pane of the LLM Workbench view `name`. */
function viewPane(sidebar, name) {
  return sidebar
    .locator('.pane')
    .filter({ has: sidebar.page().locator('.pane-header h3.title', { hasText: exactly(name) }) });
}

/** Shows the LLM Workbench views with only `name` expanded, and returns its pane. */
async function showOnlyView(page, sidebar, name) {
  await runCommand(page, `LLM Workbench: Focus on ${name} View`);
  for (const other of ['Providers', 'Datasets', 'Prompts', 'Training Tasks']) {
    const header = viewPane(sidebar, other).locator('.pane-header');
    await header.waitFor({ timeout: 10_000 });
    const expanded = (await header.getAttribute('aria-expanded')) === 'true';
    if (expanded !== (other === name)) {
      await header.locator('h3.title').click();
    }
  }
  return viewPane(sidebar, name);
}

/** Returns the tree row labelled `label` in `pane`. */
function treeRow(pane, label) {
  return pane
    .locator('.monaco-list-row')
    .filter({ has: pane.page().locator('.label-name', { hasText: exactly(label) }) });
}

/** Expands a collapsed tree row. */
async function expandRow(row) {
  await row.waitFor({ timeout: 15_000 });
  if ((await row.getAttribute('aria-expanded')) !== 'true') {
    await row.click();
  }
  await row.and(row.page().locator('[aria-expanded="true"]')).waitFor({ timeout: 10_000 });
}

/** Drags the sash at the right edge of the side bar by `change` pixels. */
async function resizeSidebar(page, sidebar, change) {
  const before = await boxOf(sidebar);
  const x = before.x + before.width;
  const y = before.y + before.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + change, y, { steps: 5 });
  await page.mouse.up();
  const after = await boxOf(sidebar);
  if (Math.abs(after.width - before.width - change) > 10) {
    throw new Error(
      `The side bar is ${after.width} px wide after resizing it from ${before.width} px by ${change} px`,
    );
  }
}

async function providersView({ page, sidebar, tour, docsShot }) {
  await addProvidersAndConfigs(tour);
  await closeAllEditors(page);
  const pane = await showOnlyView(page, sidebar, 'Providers');
  await runCommand(page, 'LLM Workbench: Refresh Providers');
  await expandRow(treeRow(pane, 'Anthropic'));
  await expandRow(treeRow(pane, 'Synced models'));
  for (const model of ['Claude Opus 4.1', 'Claude Haiku 3.5', 'Claude 2.1']) {
    await treeRow(pane, model).waitFor({ timeout: 10_000 });
  }
  // The default side bar cuts the base URLs and the model ids short, so the step widens it for
  // the screenshot and narrows it again for the panels of the next steps.
  await resizeSidebar(page, sidebar, 150);
  const sidebarBox = await boxOf(sidebar);
  await docsShot('providers', {
    clip: { x: 0, y: sidebarBox.y, width: sidebarBox.x + sidebarBox.width, height: 300 },
  });
  await resizeSidebar(page, sidebar, -150);
}

async function chatWithReasoning({ page, sidebar, tour, docsShot }) {
  tour.fakes.DeepSeek.answerWith({
    reasoning: CHAT.reasoning,
    content: CHAT.answer,
    usage: CHAT.usage,
    chunkDelayMs: 40,
  });
  const pane = viewPane(sidebar, 'Providers');
  await expandRow(treeRow(pane, 'DeepSeek'));
  const config = treeRow(pane, 'DeepSeek Reasoner');
  await config.hover();
  await config.locator('.action-label[aria-label^="Chat with This Model"]').click();

  const chat = webviewFrame(page);
  const message = chat.locator('textarea[aria-label="Message"]:enabled');
  await message.waitFor({ timeout: 20_000 });
  await message.fill(CHAT.question);
  await message.press('Enter');
  const reasoning = chat.locator('chat-message details.reasoning');
  await reasoning.waitFor({ timeout: 20_000 });
  await reasoning.locator('summary').click();
  await reasoning.locator('.reasoning-text').getByText('Rayleigh scattering').waitFor();
  await chat.locator('chat-message .markdown-body li').nth(1).waitFor();
  await docsShot('chat-reasoning', { clip: await boxOf(page.locator(EDITOR_PART)) });
}

async function compareThreeModels({ page, tour, docsShot }) {
  tour.fakes.DeepSeek.answerWith({ ...COMPARE.deepseek, chunkDelayMs: 40 });
  tour.fakes.Anthropic.answerWithBlocks({
    blocks: [{ type: 'text', pieces: COMPARE.claude.pieces }],
    usage: COMPARE.claude.usage,
    eventDelayMs: 30,
  });
  tour.fakes.Ollama.answerWith(COMPARE.llama);
  await closeAllEditors(page);
  await runCommand(page, 'LLM Workbench: Compare Models');

  const compare = webviewFrame(page);
  const slots = ['DeepSeek Reasoner', 'Claude Sonnet 4.5', 'Llama 3.2'];
  for (const [index, name] of slots.entries()) {
    const id = String(tour.configs.get(name).id);
    const select = compare.locator(
      `compare-column[data-column="${index}"] select[data-role="model"]`,
    );
    await select.locator(`option[value="${id}"]`).waitFor({ state: 'attached', timeout: 20_000 });
    await select.selectOption(id);
  }
  await compare.locator('textarea[data-role="prompt"]').fill(COMPARE.prompt);
  await compare.locator('input[data-variable="topic"]').fill(COMPARE.topic);
  await compare.locator('vscode-button[data-action="send"]').click();
  for (const index of slots.keys()) {
    await compare
      .locator(`compare-column[data-column="${index}"] [data-role="metrics"]`)
      .waitFor({ timeout: 20_000 });
  }
  await docsShot('compare', { clip: await boxOf(page.locator(EDITOR_PART)) });
}

async function promptQuickFix({ page, tour, docsShot }) {
  fs.writeFileSync(path.join(tour.workspace, PROMPT_FILE.name), PROMPT_FILE.text);
  await closeAllEditors(page);
  await openFile(page, PROMPT_FILE.name);
  const editor = page.locator(EDITOR_PART);
  await editor.locator('.squiggly-error').first().waitFor({ timeout: 20_000 });
  // Go to Next Problem shows the diagnostic under its line and puts the cursor on it. Once the
  // light bulb shows that the fixes are computed, Quick Fix lists them.
  await page.keyboard.press('F8');
  await editor.locator('.marker-widget').getByText('Unknown role "sytem"').waitFor();
  await editor.locator('.lightBulbWidget').waitFor({ timeout: 10_000 });
  await page.keyboard.press('Control+.');
  await page.locator('.action-widget').getByText(PROMPT_FILE.fix).waitFor({ timeout: 10_000 });
  const editorBox = await boxOf(editor);
  await docsShot('prompt-quick-fix', { clip: { ...editorBox, height: 360 } });
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
}

async function datasetReport({ page, sidebar, tour, docsShot }) {
  const fileName = 'identity.broken.jsonl';
  fs.copyFileSync(
    path.join(tour.root, 'extension/src/test/fixtures/datasets', fileName),
    path.join(tour.workspace, fileName),
  );
  await closeAllEditors(page);

  await runCommand(page, 'View: Show Explorer');
  const file = sidebar.locator('.explorer-folders-view .monaco-list-row', { hasText: fileName });
  await file.waitFor({ timeout: 15_000 });
  await file.click({ button: 'right' });
  // A Playwright click on the item leaves the menu open without running the command, so the step
  // focuses the item by hovering and runs it with Enter.
  const item = page.locator('.monaco-menu .action-item', { hasText: 'Upload as Dataset' });
  await item.hover();
  await item.and(page.locator('.focused')).waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await answerInputBox(page, `Upload ${fileName}`, 'Identity demo', () => undefined);

  // NOTE: in this headless workbench the upload's notification shows no toast (the reason is not
  // known), so the step opens the notifications list, where the notification offers Open Report.
  await runCommand(page, 'Notifications: Show Notifications');
  const notification = page.locator('.notifications-center .notification-list-item', {
    hasText: 'Uploaded Identity demo: 6 records, 2 invalid.',
  });
  await notification
    .locator('.monaco-button', { hasText: 'Open Report' })
    .click({ timeout: 20_000 });

  await page
    .locator(`${EDITOR_PART} .view-lines`)
    .getByText('Validation report: Identity demo')
    .waitFor({ timeout: 15_000 });
  await page.keyboard.press('Escape');
  await page.locator('.notifications-center').waitFor({ state: 'hidden' });
  await docsShot('dataset-report');
}

async function trainingMonitor({ page, tour, docsShot }) {
  const task = await startTrainingRun(tour);
  await closeAllEditors(page);
  await runCommand(page, 'LLM Workbench: Open Training Monitor');
  const item = page.locator('.quick-input-list .monaco-list-row', { hasText: task.name }).first();
  await item.waitFor({ timeout: 15_000 });
  await item.click();

  const monitor = webviewFrame(page).locator('training-monitor-app');
  await monitor
    .locator('header [data-status]')
    .filter({ hasText: 'completed' })
    .waitFor({ timeout: 120_000 });
  for (const heading of ['Loss', 'Learning rate']) {
    await monitor
      .locator(`training-chart[heading="${heading}"] .plot:not([hidden]) canvas`)
      .waitFor({ timeout: 15_000 });
  }
  // The charts end about 520 px below the top of the editor; the rest of the panel is empty.
  const editorBox = await boxOf(page.locator(EDITOR_PART));
  await docsShot('training-monitor', { clip: { ...editorBox, height: 520 } });
}

async function adminUsage({ page, server, docsShot }) {
  const admin = await page.context().newPage();
  try {
    await admin.goto(`${server.url}/admin/`);
    await admin.getByLabel('Email or nickname').fill(server.login);
    await admin.getByLabel('Password', { exact: true }).fill(server.password);
    await admin.getByRole('button', { name: 'Sign In' }).click();
    await admin
      .getByRole('navigation', { name: 'Admin sections' })
      .getByRole('link', { name: 'Usage' })
      .click();
    await admin.getByRole('heading', { level: 2, name: 'Usage and cost' }).waitFor();
    // A week keeps the table of days shorter than its scroll box.
    await admin.getByLabel('Period').selectOption('7');
    await admin.locator('tr[data-day]').nth(7).waitFor({ state: 'detached' });
    for (const config of MODEL_CONFIGS) {
      await admin.locator('tr[data-model]', { hasText: config.displayName }).waitFor();
    }
    await docsShot('admin-usage', { target: admin, fullPage: true });
  } finally {
    await admin.close();
  }
}

/** The tour steps, in the README's order, as [name, step] pairs like the UI test's STEPS. */
export const TOUR_STEPS = [
  ['tour: providers view lists synced models', providersView],
  ['tour: chat shows the reasoning apart', chatWithReasoning],
  ['tour: compare answers three slots', compareThreeModels],
  ['tour: prompt file offers a quick fix', promptQuickFix],
  ['tour: upload opens the validation report', datasetReport],
  ['tour: monitor plots loss and learning rate', trainingMonitor],
  ['tour: admin page shows the usage', adminUsage],
];
