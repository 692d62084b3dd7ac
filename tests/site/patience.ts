// How long a browser test waits for the page before calling it stuck.
//
// The suite runs on shared two-core machines where the load can reach 30+; a
// page that needs 40 s to answer a key press there is slow, not broken. So
// every wait (Playwright's locators and navigations, vitest's expect.poll) gets
// one generous limit, far above any honest run: only a page that never answers
// fails, and it fails with Playwright's own "waiting for ..." message.
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';

/** The longest a browser test waits for one thing to happen on the page. */
export const PATIENCE_MS = 300_000;

/** A fresh page in its own context whose every wait uses PATIENCE_MS. */
export async function patient_page(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(PATIENCE_MS);
  context.setDefaultNavigationTimeout(PATIENCE_MS);
  return context.newPage();
}
