// Helpers that drive the code-server workbench through Playwright the way a user does: the
// command palette and the input boxes. ui-test.mjs and tour-steps.mjs share them.

/** Runs a command from the command palette by its full title. */
export async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 10_000 });
  await input.fill(`>${title}`);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: title })
    .first()
    .waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** Waits for the input box titled `title`, replaces its value with `value` and accepts it. */
export async function answerInputBox(page, title, value, shot) {
  const widget = page.locator('.quick-input-widget', { hasText: title });
  await widget.waitFor({ timeout: 10_000 });
  const input = widget.locator('input').first();
  await input.fill(value);
  await shot();
  await input.press('Enter');
}
