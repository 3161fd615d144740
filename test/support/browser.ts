import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';
import { ROOT } from './localStackProcess';

/** Debian's chromium, where .ci/run installs it; ONNXLESS_CHROMIUM points elsewhere. No browser is downloaded. */
export const CHROMIUM = process.env.ONNXLESS_CHROMIUM ?? '/usr/bin/chromium';

/** Where the browser tests write their screenshots (git-ignored); the README's comes from here. */
export const SCREENSHOTS = join(ROOT, 'test/browser/screenshots');

/**
 * Headless chromium, or a failure that says what is missing and how to fix it: the browser tests
 * never skip, so a machine without chromium fails them rather than passing them unseen.
 */
export async function launchChromium(executablePath = CHROMIUM): Promise<Browser> {
  try {
    return await chromium.launch({
      executablePath,
      headless: true,
      // Containers and CI runners give chromium no user namespaces for its sandbox, and a small /dev/shm.
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    });
  } catch (err) {
    throw new Error(
      `the browser tests need chromium at ${executablePath} (set ONNXLESS_CHROMIUM to another binary; on Debian: apt-get install chromium), ` +
        `and it could not start: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      { cause: err },
    );
  }
}

/** Errors the page raised or logged: a page test fails on any. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  return errors;
}

/**
 * A screenshot of the page into the screenshots folder, and how many of its pixels differ from
 * the top-left one (the background): a blank or unstyled page has almost none.
 */
export async function screenshot(page: Page, name: string): Promise<{ file: string; differing: number; total: number }> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const [r, g, b] = [data[0], data[1], data[2]];
  let differing = 0;
  for (let i = 0; i < data.length; i += info.channels) {
    if (Math.abs(data[i]! - r!) + Math.abs(data[i + 1]! - g!) + Math.abs(data[i + 2]! - b!) > 24) differing++;
  }
  return { file, differing, total: info.width * info.height };
}
