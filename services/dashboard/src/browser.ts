/**
 * Debian's chromium driven by playwright-core, for the dashboard's tests and screenshots
 * (Playwright's own browser download cannot work here). Headless, no sandbox: tests run
 * as root, which chromium's sandbox refuses.
 */
import { type Browser, chromium } from 'playwright-core';

/** Where Debian's chromium package puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Launches headless chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox'] });
}
