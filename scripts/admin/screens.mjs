// Screenshots of every screen of the admin page at desktop and phone widths, in the light and
// dark themes, with a check that no screen is wider than the window.
import { SEEDED_PERIOD } from '../../server/src/testing/usageSeed.ts';
import {
  DESKTOP,
  openSection,
  PHONE,
  PLAIN_USER,
  screenshot,
  setPeriod,
  signIn,
  TEST_ADMIN,
} from './fixture.mjs';

const SECTIONS = [
  { name: 'Dashboard', ready: '[data-figure="usage.cost"]' },
  { name: 'Users', ready: 'admin-users tr[data-user]' },
  { name: 'Usage', ready: 'tr[data-model="o-reason"]' },
  { name: 'Audit Log', ready: 'admin-audit tr[data-action]' },
];

const VARIANTS = [DESKTOP, PHONE].flatMap((viewport) =>
  ['light', 'dark'].map((colorScheme) => ({ viewport, colorScheme })),
);

/**
 * Saves screenshots of the sign-in form, the refusal of a plain user, each section and the delete
 * confirmation, for every width and theme, as test-results/admin/<screen>-<width>-<theme>.png.
 * Returns the screens that overflow their window sideways, as "<screen>-<width>-<theme>: N px".
 */
export async function takeScreenshots(browser, baseUrl) {
  const overflows = [];
  const shootAll = async (page, screen) => {
    for (const { viewport, colorScheme } of VARIANTS) {
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme });
      // The charts redraw for the new width from a ResizeObserver callback.
      await page.evaluate(() => new Promise((resolve) => globalThis.setTimeout(resolve, 50)));
      const name = `${screen}-${viewport.width}-${colorScheme}`;
      await screenshot(page, name);
      const overflow = await overflowOf(page);
      if (overflow > 0) {
        overflows.push(`${name}: ${overflow} px`);
      }
    }
  };
  await shootPlainUser(browser, baseUrl, shootAll);
  await shootAdmin(browser, baseUrl, shootAll);
  return overflows;
}

/** Returns how far the page is wider than its window, in CSS pixels; 0 when it fits. */
function overflowOf(page) {
  return page.evaluate(() => {
    const root = globalThis.document.documentElement;
    return Math.max(root.scrollWidth - root.clientWidth, 0);
  });
}

async function shootPlainUser(browser, baseUrl, shootAll) {
  const { context, page } = await browser.newPage();
  await page.goto(`${baseUrl}/admin/`);
  await page.getByRole('button', { name: 'Sign In' }).waitFor();
  await shootAll(page, 'sign-in');
  await signIn(page, baseUrl, PLAIN_USER.nickname, PLAIN_USER.password);
  await page.getByRole('heading', { name: 'Admins only' }).waitFor();
  await shootAll(page, 'refused');
  await context.close();
}

async function shootAdmin(browser, baseUrl, shootAll) {
  const { context, page } = await browser.newPage();
  await signIn(page, baseUrl, TEST_ADMIN.email, TEST_ADMIN.password);
  await setPeriod(page, SEEDED_PERIOD.from, SEEDED_PERIOD.to);
  for (const section of SECTIONS) {
    await openSection(page, section.name);
    if (section.name === 'Audit Log') {
      await page.getByLabel('Period').selectOption('7');
    }
    await page.locator(section.ready).first().waitFor();
    await shootAll(page, section.name.toLowerCase().replace(' ', '-'));
  }
  await openSection(page, 'Users');
  await page
    .locator('admin-users tbody tr')
    .first()
    .getByRole('button', { name: /^Delete / })
    .click();
  await page.getByRole('dialog').waitFor();
  await shootAll(page, 'confirm-delete');
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await context.close();
}
