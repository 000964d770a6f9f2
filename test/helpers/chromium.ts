// Headless Debian Chromium for the page tests, driven by puppeteer-core (nothing downloaded).
import { existsSync } from 'node:fs';
import type { Browser } from 'puppeteer-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Page tests run once, in the JS backend's suite: they test the page, not the Node kernels. */
export const chromiumSkip: string | false =
  process.env['AXON_BACKEND'] !== 'js' || process.env['AXON_NO_FUSED']
    ? 'runs in the JS backend suite only'
    : existsSync(CHROMIUM) || process.env['CI']
      ? false
      : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const { default: puppeteer } = await import('puppeteer-core');
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As root in CI, without the network Chromium would otherwise try to reach.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...extraArgs,
    ],
    env: { ...process.env, LD_PRELOAD: '' },
  });
}
