// Headless Chromium for the dashboard's scripts (screenshots, accessibility, perf probe, bench:ui):
// Debian's /usr/bin/chromium (CHROMIUM overrides) on a fresh profile, with the flags this machine
// needs (its closed network refuses Chromium's background connections); never downloads a browser.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export async function launchChromium(): Promise<{ browser: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'trainyard-ui-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    // Our callers close the browser and tear their service down themselves; Playwright's own
    // handler would exit the process on Ctrl-C before they could (leaving the database behind).
    handleSIGINT: false,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    deviceScaleFactor: 1,
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
