#!/usr/bin/env node
// The browser for the journeys (Playwright): Debian's Chromium when it is there or can be installed,
// otherwise Playwright's own Chromium (downloaded by its installer), otherwise one line saying what to
// run. `npm test` and .ci/run call this; playwright.config.ts uses the browser it finds.
// Run alone: `node scripts/browser.mjs` gets a browser or exits 1 with that line.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where a system Chromium lives (Debian and Ubuntu's package names); CHROMIUM_PATH overrides. */
export const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
export const APT_PACKAGES = ['chromium', 'fonts-noto-cjk'];
export const NO_BROWSER =
  'No browser for the journeys: run `apt-get install -y chromium fonts-noto-cjk` as root, or `npx playwright install chromium`, then npm test again.';

/**
 * @typedef {object} BrowserFacts
 * @property {string | undefined} systemChromium  a system Chromium found (CHROMIUM_PATH or SYSTEM_CHROMIUM)
 * @property {boolean} playwrightChromium          Playwright's own Chromium is installed
 * @property {boolean} cjkFonts                    a Noto CJK font is installed (screenshots otherwise show boxes)
 * @property {boolean} root                        this process may install packages
 * @property {boolean} aptGet                      apt-get exists
 * @typedef {{ action: 'use', executablePath: string | undefined } | { action: 'apt', packages: string[] } | { action: 'playwright-install' } | { action: 'stop', message: string }} BrowserStep
 */

/**
 * What to do next to have a browser, given what this machine has and which ways were already tried.
 * Pure: the caller carries out the step, looks again, and asks again until it gets `use` or `stop`.
 * @param {BrowserFacts} facts
 * @param {{ apt?: boolean, playwright?: boolean }} [tried]
 * @returns {BrowserStep}
 */
export function nextBrowserStep(facts, tried = {}) {
  const canApt = facts.root && facts.aptGet && !tried.apt;
  if (facts.systemChromium) {
    // Fonts are worth one try with the browser already there; without them the journeys still run.
    if (!facts.cjkFonts && canApt) return { action: 'apt', packages: ['fonts-noto-cjk'] };
    return { action: 'use', executablePath: facts.systemChromium };
  }
  if (canApt) return { action: 'apt', packages: APT_PACKAGES };
  if (facts.playwrightChromium) return { action: 'use', executablePath: undefined };
  if (!tried.playwright) return { action: 'playwright-install' };
  return { action: 'stop', message: NO_BROWSER };
}

/** The system Chromium playwright.config.ts should drive, if any. */
export function findSystemChromium(env = process.env) {
  if (env.CHROMIUM_PATH) return existsSync(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  return SYSTEM_CHROMIUM.find((p) => existsSync(p));
}

/** @returns {Promise<BrowserFacts>} */
async function lookAround() {
  let playwrightChromium = false;
  try {
    const { chromium } = await import('@playwright/test');
    playwrightChromium = existsSync(chromium.executablePath());
  } catch {
    // Playwright itself missing: npm ci has not run
  }
  const fonts = spawnSync('fc-list', [], { encoding: 'utf8' });
  return {
    systemChromium: findSystemChromium(),
    playwrightChromium,
    cjkFonts: /noto.*cjk/i.test(fonts.stdout ?? ''),
    root: process.getuid?.() === 0,
    aptGet: spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0,
  };
}

/**
 * Gets a browser: returns the executable to use (undefined: Playwright's own), or null after printing
 * the one line that says what to run.
 * @param {(line: string) => void} [log]
 */
export async function ensureBrowser(log = console.log) {
  /** @type {{ apt?: boolean, playwright?: boolean }} */
  const tried = {};
  for (;;) {
    const step = nextBrowserStep(await lookAround(), tried);
    if (step.action === 'use') return step.executablePath;
    if (step.action === 'stop') {
      console.error(step.message);
      return null;
    }
    if (step.action === 'apt') {
      tried.apt = true;
      log(`Installing ${step.packages.join(' ')} (apt-get)…`);
      const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
      const ok =
        spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env }).status === 0 &&
        spawnSync('apt-get', ['install', '-y', '-qq', ...step.packages], { stdio: ['ignore', 'ignore', 'inherit'], env }).status === 0;
      if (!ok) log('apt-get could not install them.');
    } else {
      tried.playwright = true;
      log("Installing Playwright's Chromium (npx playwright install chromium)…");
      if (spawnSync('npx', ['playwright', 'install', 'chromium'], { stdio: 'inherit' }).status !== 0) log("Playwright's installer failed.");
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const found = await ensureBrowser();
  if (found === null) process.exit(1);
  console.log(`Browser for the journeys: ${found ?? "Playwright's Chromium"}`);
}
