// Types of scripts/browser.mjs (plain JavaScript so that `npm test` runs it without a compiler).
export interface BrowserFacts {
  systemChromium: string | undefined;
  playwrightChromium: boolean;
  cjkFonts: boolean;
  root: boolean;
  aptGet: boolean;
}
export type BrowserStep =
  | { action: 'use'; executablePath: string | undefined }
  | { action: 'apt'; packages: string[] }
  | { action: 'playwright-install' }
  | { action: 'stop'; message: string };
export const SYSTEM_CHROMIUM: string[];
export const APT_PACKAGES: string[];
export const NO_BROWSER: string;
export function nextBrowserStep(facts: BrowserFacts, tried?: { apt?: boolean; playwright?: boolean }): BrowserStep;
export function findSystemChromium(env?: Record<string, string | undefined>): string | undefined;
export function ensureBrowser(log?: (line: string) => void): Promise<string | undefined | null>;
