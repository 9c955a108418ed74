import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Skips the calling suite when there is no Chromium on this machine; on CI, where it is
 * installed, a missing browser fails instead.
 */
export function requireChromium(suite: Mocha.Context, what: string): void {
  if (existsSync(CHROMIUM)) return;
  if (process.env.CI) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  console.warn(`skipping ${what}: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  suite.skip();
}

/**
 * A headless Chromium without any network of its own, and a page whose Content Security Policy
 * violations are collected in `cspViolations`.
 */
export async function openBrowser(): Promise<{ browser: Browser; page: Page; cspViolations: string[] }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const cspViolations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  return { browser, page, cspViolations };
}
