import { describe, expect, it } from 'vitest';
import { APT_PACKAGES, NO_BROWSER, nextBrowserStep, type BrowserFacts } from './browser.mjs';

const bare: BrowserFacts = { systemChromium: undefined, playwrightChromium: false, cjkFonts: false, root: false, aptGet: false };

describe('getting a browser for the journeys', () => {
  it.each<[string, Partial<BrowserFacts>, ReturnType<typeof nextBrowserStep>]>([
    ['Debian Chromium with fonts: use it', { systemChromium: '/usr/bin/chromium', cjkFonts: true }, { action: 'use', executablePath: '/usr/bin/chromium' }],
    [
      'Chromium without CJK fonts, root with apt: install the fonts',
      { systemChromium: '/usr/bin/chromium', root: true, aptGet: true },
      { action: 'apt', packages: ['fonts-noto-cjk'] },
    ],
    [
      'Chromium without fonts and no way to install: use it anyway',
      { systemChromium: '/usr/bin/chromium' },
      { action: 'use', executablePath: '/usr/bin/chromium' },
    ],
    ['no Chromium, root with apt: install Debian’s', { root: true, aptGet: true }, { action: 'apt', packages: APT_PACKAGES }],
    ['no Chromium, root without apt: Playwright’s installer', { root: true }, { action: 'playwright-install' }],
    ['no Chromium, not root: Playwright’s installer', { aptGet: true }, { action: 'playwright-install' }],
    ['Playwright’s Chromium already installed: use it', { playwrightChromium: true }, { action: 'use', executablePath: undefined }],
  ])('%s', (_, facts, step) => {
    expect(nextBrowserStep({ ...bare, ...facts })).toEqual(step);
  });

  it('after apt-get failed, tries Playwright’s installer; after that failed too, stops with one line', () => {
    const facts = { ...bare, root: true, aptGet: true };
    expect(nextBrowserStep(facts, { apt: true })).toEqual({ action: 'playwright-install' });
    const stop = nextBrowserStep(facts, { apt: true, playwright: true });
    expect(stop).toEqual({ action: 'stop', message: NO_BROWSER });
    expect(NO_BROWSER).not.toContain('\n');
    expect(NO_BROWSER).toMatch(/apt-get install -y chromium fonts-noto-cjk/);
    expect(NO_BROWSER).toMatch(/npx playwright install chromium/);
  });

  it('never asks for the same way twice (each step ends in use or stop)', () => {
    for (const root of [true, false])
      for (const aptGet of [true, false])
        for (const cjkFonts of [true, false]) {
          const facts = { ...bare, root, aptGet, cjkFonts };
          const tried: { apt?: boolean; playwright?: boolean } = {};
          let steps = 0;
          for (let step = nextBrowserStep(facts, tried); step.action !== 'use' && step.action !== 'stop'; step = nextBrowserStep(facts, tried)) {
            if (step.action === 'apt') tried.apt = true;
            else tried.playwright = true;
            expect(++steps).toBeLessThanOrEqual(2);
          }
        }
  });
});
