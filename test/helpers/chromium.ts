// Debian's headless Chromium driven by playwright-core (no downloaded browser), on a fresh
// profile, with the flags this machine needs (no sandbox, no GPU, no network noise).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const chromiumAvailable = (): boolean => existsSync(CHROMIUM);

export interface Browser {
  context: BrowserContext;
  /** Page errors and console errors of every page, for failure messages and assertions. */
  errors: string[];
  newPage(width?: number, height?: number): Promise<Page>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'trainyard-e2e-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, deviceScaleFactor: 1, viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  // A persistent context opens with one blank tab; the tests open their own.
  await Promise.all(context.pages().map((p) => p.close()));
  return {
    context,
    errors,
    async newPage(width = 1280, height = 900) {
      const page = await context.newPage();
      await page.setViewportSize({ width, height });
      page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
      // A refused request (the wrong key at sign-in) is logged by the browser itself, not the page.
      page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && errors.push(`console: ${m.text()}`));
      return page;
    },
    async close() {
      await context.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
