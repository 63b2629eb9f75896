/**
 * test/e2e/ui/browser.ts: starts Debian's Chromium through playwright-core the way CI does
 * (headless, no sandbox, no GPU, no background traffic, a fresh user-data-dir) and saves
 * screenshots under test-output/screenshots/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

/** chromiumArgs are the flags CI passes to Chromium. */
export const chromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync']

/** screenshotDir is where every view's screenshot goes (gitignored, a CI artifact). */
export const screenshotDir = resolve(import.meta.dirname, '../../../test-output/screenshots')

/** Browser is one Chromium with a throwaway profile. */
export interface Browser {
  context: BrowserContext
  page: Page
  close(): Promise<void>
}

/** launchBrowser starts Chromium with a fresh profile and one page. */
export async function launchBrowser(viewport = { width: 1280, height: 860 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'zx-ui-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.ZX_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: chromiumArgs,
    viewport,
  })
  const page = context.pages()[0] ?? (await context.newPage())
  return {
    context,
    page,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** shot saves a full-page screenshot named <name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true })
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true })
}
